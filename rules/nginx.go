package rules

import (
	"fmt"
	"path"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/probe/parse"
	"github.com/wazo-platform/wazo-servicekit/probe/repo"
)

// nginxLocation: https://wazo/api/<name>/ reaches the daemon.
//
// <name> is api.yml's x-xivo-name (see api-spec).
//
// Static: a `location ^~ /api/<name>/` proxies to http://127.0.0.1:<port>/
// (trailing slash strips the prefix) with X-Script-Name /api/<name>, and
// the package enables it in https-enabled (postinst ln -s, or
// debian/<pkg>.links). Live: the enabled file exists on the host.
func nginxLocation() Rule {
	return Rule{
		ID:        "nginx-location",
		Title:     "nginx serves the API at /api/<name>/",
		Checklist: "The REST API is accessible via GET https://wazo/api/<service>",
		Severity:  Error,
		Rationale: "Daemons listen on 127.0.0.1 in plain HTTP; clients reach them only through nginx's TLS server, " +
			"and X-Script-Name lets the daemon rewrite api.yml's basePath.",
		Remediation: "Ship etc/nginx/locations/https-available/<service> with `location ^~ /api/<name>/ { proxy_pass http://127.0.0.1:<port>/; " +
			"proxy_set_header X-Script-Name /api/<name>; ... }` and link it into https-enabled on fresh install.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			want := "/api/" + s.APIName() + "/"
			var loc *repo.Located[parse.NginxLocation]
			for i := range s.Nginx {
				if s.Nginx[i].Item.Path == want {
					loc = &s.Nginx[i]
					break
				}
			}
			if loc == nil {
				return []Finding{fail("etc/nginx/locations/https-available/"+s.Name, 0, "no nginx `location ^~ "+want+"` ships with the package")}
			}
			l := loc.Item
			var out []Finding
			if l.Modifier != "^~" {
				out = append(out, fail(loc.Path, l.Line, fmt.Sprintf("location modifier is %q: want ^~ so regex locations cannot take the API", l.Modifier)))
			}
			if !strings.HasPrefix(l.ProxyPass, "http://127.0.0.1:") || !strings.HasSuffix(l.ProxyPass, "/") {
				out = append(out, fail(loc.Path, l.Line, fmt.Sprintf("proxy_pass is %q: want http://127.0.0.1:<port>/ (loopback, trailing slash)", l.ProxyPass)))
			}
			if h := l.Headers["x-script-name"]; h != strings.TrimSuffix(want, "/") {
				out = append(out, fail(loc.Path, l.Line, fmt.Sprintf("X-Script-Name is %q: want %s", h, strings.TrimSuffix(want, "/"))))
			}
			if !nginxEnabled(s, path.Base(loc.Path)) {
				p, _ := postinstLoc(s, nil)
				out = append(out, fail(p, 0, "nothing links "+path.Base(loc.Path)+" into /etc/nginx/locations/https-enabled/"))
			}
			if len(out) == 0 {
				out = append(out, pass(fmt.Sprintf("%s:%d proxies %s to %s, enabled on install", loc.Path, l.Line, want, l.ProxyPass)))
			}
			return out
		},
		live: liveNginxEnabled,
	}
}

// nginxEnabled reports whether the postinst or links file enables the location file.
func nginxEnabled(s *repo.Service, file string) bool {
	for _, c := range commandsNamed(s, "ln") {
		j := strings.Join(c.Args, " ")
		if strings.Contains(j, "https-enabled") && strings.Contains(j, file) {
			return true
		}
	}
	for _, l := range s.Links {
		if strings.Contains(l.Item, "https-enabled") && strings.Contains(l.Item, file) {
			return true
		}
	}
	return false
}

// acceptanceHTTP: wazo-acceptance calls the API through nginx daily.
//
// Static (with --siblings): wazo-acceptance's features/daily/http.feature
// (formerly data/features/daily/http/http.feature) has a /api/<name>/ row.
func acceptanceHTTP() Rule {
	return Rule{
		ID:          "acceptance-http",
		Title:       "wazo-acceptance's http.feature reaches /api/<name>/",
		Checklist:   "Add an entry to the acceptance test: daily/http/http.feature",
		Severity:    Info,
		Rationale:   "The daily acceptance run notices a location that stopped proxying (a 404 through nginx).",
		Remediation: "Add `| GET | /api/<name>/<ver>/status |` to the Examples of wazo-acceptance features/daily/http.feature.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			var reasons []string
			for _, f := range []string{"features/daily/http.feature", "data/features/daily/http/http.feature"} {
				data, why, ok := sibling(env, "wazo-acceptance", f)
				if !ok {
					reasons = append(reasons, why)
					continue
				}
				needle := "/api/" + s.APIName() + "/"
				if !strings.Contains(string(data), needle) {
					return []Finding{fail("", 0, "wazo-acceptance "+f+" has no "+needle+" row")}
				}
				return []Finding{pass(fmt.Sprintf("wazo-acceptance %s:%d has %s", f, lineOf(data, needle), needle))}
			}
			return []Finding{unknown(reasons[0])}
		},
	}
}
