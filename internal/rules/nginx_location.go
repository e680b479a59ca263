package rules

import (
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
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
			if why, ok := httpReachable(s); !ok {
				return []Finding{fail("etc/nginx/locations/https-available/"+s.Name, 0, "no HTTP API ("+why+"): no /api/"+s.APIName()+"/ location; the checklist expects an API for every service")}
			}
			want := "/api/" + s.APIName() + "/"
			var loc *repo.Located[parse.NginxLocation]
			for i := range s.Nginx {
				if s.Nginx[i].Item.Path == want {
					loc = &s.Nginx[i]
					break
				}
			}
			fromWazoNginx := false
			if loc == nil {
				pf := factsOf(env, s).Platform
				if pf.WazoNginxLocation == nil {
					return []Finding{fail("etc/nginx/locations/https-available/"+s.Name, 0, "no nginx `location ^~ "+want+"` ships with the package ("+pf.WazoNginx.Why()+")")}
				}
				loc, fromWazoNginx = pf.WazoNginxLocation, true
			}
			l := loc.Item
			var out []Finding
			if l.Modifier != "^~" {
				out = append(out, fail(loc.Path, l.Line, fmt.Sprintf("location modifier is %q: want ^~ so regex locations cannot take the API", l.Modifier)))
			}
			if !strings.HasPrefix(l.ProxyPass, "http://127.0.0.1:") || !strings.HasSuffix(l.ProxyPass, "/") {
				out = append(out, fail(loc.Path, l.Line, fmt.Sprintf("proxy_pass is %q: want http://127.0.0.1:<port>/ (loopback, trailing slash)", l.ProxyPass)))
			}
			if h := l.Headers["x-script-name"]; strings.TrimSuffix(h, "/") != strings.TrimSuffix(want, "/") {
				out = append(out, fail(loc.Path, l.Line, fmt.Sprintf("X-Script-Name is %q: want %s", h, strings.TrimSuffix(want, "/"))))
			}
			if !fromWazoNginx && !nginxEnabled(s, path.Base(loc.Path)) {
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

func liveNginxEnabled(s *LiveService, env *LiveEnv) []Finding {
	dirEnabled := "/etc/nginx/locations/https-enabled"
	enabled := s.seen().NginxEnabled()
	if !enabled.Known() {
		return []Finding{unknown(enabled.Unknown)}
	}
	locs := enabled.Value
	// The service's prefix is what its own files say: the enabled location
	// that proxies to one of its HTTP ports (the model's), else the one its
	// package's location file declares; the /api/<short name>/ guess comes last.
	httpPorts := map[int]bool{}
	var portList []string
	for _, p := range s.model().Ports.Value {
		if p.HTTP && !httpPorts[p.Number] {
			httpPorts[p.Number] = true
			portList = append(portList, strconv.Itoa(p.Number))
		}
	}
	own := s.seen().NginxOwn().Value
	var prefix, where string
	for _, l := range locs {
		if httpPorts[proxyPort(l.Item.ProxyPass)] && strings.HasPrefix(l.Item.Path, "/api/") {
			prefix, where = l.Item.Path, fmt.Sprintf("%s:%d", l.Path, l.Item.Line)
			break
		}
	}
	wanted := apiNames(s.Name)
	for _, o := range own {
		wanted = append([]string{strings.Trim(strings.TrimPrefix(o.Item.Path, "/api/"), "/")}, wanted...)
	}
	for _, l := range locs {
		for _, n := range wanted {
			if prefix == "" && l.Item.Path == "/api/"+n+"/" {
				prefix, where = l.Item.Path, fmt.Sprintf("%s:%d", l.Path, l.Item.Line)
			}
		}
	}
	if prefix == "" {
		if len(own) > 0 {
			return []Finding{fail(dirEnabled, 0, fmt.Sprintf("%s declares %s but nothing in %s enables it", own[0].Path, own[0].Item.Path, dirEnabled))}
		}
		looked := "/api/" + wanted[0] + "/"
		if len(portList) > 0 {
			looked = fmt.Sprintf("a location proxying to port %s, or %s", strings.Join(portList, " or "), looked)
		}
		return []Finding{fail(dirEnabled, 0, fmt.Sprintf("no enabled nginx location for %s: looked in %s for %s", s.Name, dirEnabled, looked))}
	}
	out := []Finding{pass("enabled location " + prefix + " at " + where)}
	if !s.Host.Live {
		return append(out, notLive(s, "GET through nginx"))
	}
	doc, u, err := fetchSpec(env, env.HTTPSInsecure, strings.TrimSuffix(env.NginxURL, "/")+strings.TrimSuffix(prefix, "/"))
	if err != nil {
		var ue *url.Error
		if ok := asURLError(err, &ue); ok && !strings.Contains(err.Error(), "HTTP") {
			return append(out, unknown(fmt.Sprintf("GET %s: %v (is nginx listening?)", u, err)))
		}
		return append(out, fail("", 0, fmt.Sprintf("GET %s: %v", u, err)))
	}
	if bp, _ := doc["basePath"].(string); !strings.HasPrefix(bp, strings.TrimSuffix(prefix, "/")) {
		out = append(out, fail("", 0, fmt.Sprintf("%s: basePath %q is not under %s: X-Script-Name not honoured", u, bp, prefix)))
	} else {
		out = append(out, pass(fmt.Sprintf("GET %s through nginx: basePath %s", u, bp)))
	}
	return out
}

// proxyPort is the port of a proxy_pass URL (http://127.0.0.1:9504/...), 0
// when it names none.
func proxyPort(u string) int {
	p, err := url.Parse(u)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(p.Port())
	return n
}

// apiNames are the /api/<name>/ prefixes the service may be published
// under: its name without wazo-, or without the final d too (see api-spec).
func apiNames(name string) []string {
	short := strings.TrimPrefix(strings.TrimPrefix(name, "wazo-"), "xivo-")
	out := []string{short}
	if t, ok := strings.CutSuffix(short, "d"); ok && t != "" {
		out = append(out, t)
	}
	return out
}

func asURLError(err error, target **url.Error) bool {
	ue, ok := err.(*url.Error)
	if ok {
		*target = ue
	}
	return ok
}
