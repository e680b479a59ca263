package rules

import (
	"fmt"
	"github.com/wazo-platform/wazo-servicekit/internal/lazyre"
	"strconv"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/ports"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
	"github.com/wazo-platform/wazo-servicekit/internal/service"
)

// portDecl is one place where the service names a port it listens on.
type portDecl struct {
	name, path string
	line, port int
	// http is true for an HTTP(S) or WebSocket port: the REST API's, the
	// one nginx proxies to, the one consul advertises.
	http bool
	// api is true for a declaration of the API's port (api.yml, nginx,
	// consul) rather than of a listening socket (config).
	api bool
}

// listenKeys are the config keys Wazo daemons put their listening ports
// under, most usual first: rest_api.port, the HTTP and HTTPS servers of a
// daemon serving both (rest_api.http.port, rest_api.https.port), a
// WebSocket server (websocket.port), a non-HTTP server (listen_port, the
// FastAGI port of wazo-agid).
var listenKeys = []struct {
	path []string
	http bool
}{
	{[]string{"rest_api", "port"}, true},
	{[]string{"rest_api", "https", "port"}, true},
	{[]string{"rest_api", "http", "port"}, true},
	{[]string{"websocket", "port"}, true},
	{[]string{"listen_port"}, false},
}

// declaredPorts lists every place the service names a port: the listening
// ports of config.yml or the code's defaults, service_discovery's
// advertise_port, api.yml's x-xivo-port (one port or a list), the nginx
// proxy_pass, the monit connection test. bad lists the declarations whose
// port cannot be read (x-xivo-port: "abc").
func declaredPorts(s *repo.Service) (seen []portDecl, bad []string) {
	for _, k := range listenKeys {
		if p, st, ok := s.SettingInt(k.path...); ok {
			seen = append(seen, portDecl{"config " + strings.Join(k.path, "."), st.Path, st.Line, p, k.http, false})
		} else if st.Path != "" && st.Value != nil {
			bad = append(bad, fmt.Sprintf("%s:%d %s is %v", st.Path, st.Line, strings.Join(k.path, "."), st.Value))
		}
	}
	if p, st, ok := s.SettingInt("service_discovery", "advertise_port"); ok {
		seen = append(seen, portDecl{"config service_discovery.advertise_port", st.Path, st.Line, p, true, true})
	}
	if s.API != nil {
		if v, has := s.API.Merged["x-xivo-port"]; has {
			f, l := s.API.Where("x-xivo-port")
			ports, ok := intList(v)
			if !ok {
				bad = append(bad, fmt.Sprintf("%s:%d x-xivo-port is %v", f, l, v))
			}
			for _, p := range ports {
				seen = append(seen, portDecl{"api.yml x-xivo-port", f, l, p, true, true})
			}
		}
	}
	for _, l := range s.Nginx {
		if m := proxyPortRe.FindStringSubmatch(l.Item.ProxyPass); m != nil {
			p, _ := strconv.Atoi(m[1])
			seen = append(seen, portDecl{"nginx proxy_pass", l.Path, l.Item.Line, p, true, true})
		}
	}
	for _, m := range s.Monit {
		if m.Item.Port > 0 {
			seen = append(seen, portDecl{"monit port test", m.Path, m.Item.Line, m.Item.Port, false, true})
		}
	}
	return seen, bad
}

// intList reads one integer or a list of integers (x-xivo-port: [9499]).
func intList(v any) ([]int, bool) {
	if n, ok := asInt(v); ok {
		return []int{n}, true
	}
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return nil, false
	}
	var out []int
	for _, x := range list {
		n, ok := asInt(x)
		if !ok {
			return nil, false
		}
		out = append(out, n)
	}
	return out, true
}

// unreadablePort is the verdict when a port is declared in a form that
// cannot be read: unknown, naming where.
func unreadablePort(bad []string) Finding {
	return unknown("the port cannot be read: " + strings.Join(bad, "; "))
}

var proxyPortRe = lazyre.New(`^https?://[^/:]+:(\d+)`)

// restAPI reports whether the service serves a REST API: it ships an
// api.yml or its config (or the code's defaults) has a rest_api section.
// Without one, why says what the service is instead.
func restAPI(s *repo.Service) (why string, ok bool) {
	if s.API != nil && len(s.API.Files) > 0 {
		return "", true
	}
	if _, ok := s.Setting("rest_api"); ok {
		return "", true
	}
	if _, ok := s.Setting("websocket"); ok {
		return "a WebSocket server: websocket section, no rest_api section, no api.yml", false
	}
	decl, _ := declaredPorts(s)
	for _, d := range decl {
		return fmt.Sprintf("no rest_api section and no api.yml; it listens on %s %d", d.name, d.port), false
	}
	return "no rest_api section, no api.yml, no port", false
}

// httpReachable reports whether nginx should reach the service under
// /api/<name>/: it serves a REST API or a WebSocket, or ships a location.
// Without, why says what the service is.
func httpReachable(s *repo.Service) (why string, ok bool) {
	if len(s.Nginx) > 0 {
		return "", true
	}
	why, rest := restAPI(s)
	if rest {
		return "", true
	}
	if _, ws := s.Setting("websocket"); ws {
		return "", true
	}
	return why, false
}

// networkLine is the line of network.md's row naming the service and the
// port (0 if none).
func networkLine(pf *service.PlatformFacts, port int) int {
	for _, r := range pf.NetworkRows {
		if r.HasPort(port) {
			return r.Line
		}
	}
	return 0
}

// networkAuth is the Authentication column of network.md's row for the
// service on a port ("no"), "" when the page, the row or the column is
// not there.
func networkAuth(pf *service.PlatformFacts, port int) string {
	for _, r := range pf.NetworkRows {
		if r.HasPort(port) && r.Authentication != "" {
			return r.Authentication
		}
	}
	return ""
}

// dedupPorts keeps the first declaration of each port number.
func dedupPorts(in []service.Port) []service.Port {
	seen := map[int]bool{}
	var out []service.Port
	for _, p := range in {
		if !seen[p.Number] {
			seen[p.Number] = true
			out = append(out, p)
		}
	}
	return out
}

// otherOwners names the other daemons the port registry gives a port to
// ("" when none).
func otherOwners(reg *ports.Registry, name string, port int) string {
	var out []string
	for _, e := range reg.Owners(port) {
		if e.Daemon != name {
			out = append(out, e.Daemon+"'s ("+e.Source+")")
		}
	}
	return strings.Join(out, ", ")
}
