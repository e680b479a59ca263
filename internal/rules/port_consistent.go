package rules

import (
	"fmt"
	"sort"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// portConsistent: every artefact names the same port.
//
// Static: service_discovery.advertise_port, api.yml x-xivo-port and the
// nginx proxy_pass each name one of the HTTP ports the service listens on
// (config.yml or the code's defaults: rest_api.port, or rest_api.http/https
// for a daemon serving both, websocket.port); without a listening port in
// the config, they name the same one. A single declaration has nothing to
// disagree with and passes.
func portConsistent() Rule {
	return Rule{
		ID:          "port-consistent",
		Title:       "config, api.yml, consul and nginx agree on the port",
		Checklist:   "The ports used are listed in the doc. Ports are not usually used for testing HTTP (8000, 8080, etc.).",
		Severity:    Error,
		Rationale:   "The port is written in up to four places; one stale copy sends nginx, consul or API clients to the wrong daemon.",
		Remediation: "Make rest_api.port, service_discovery.advertise_port, x-xivo-port and proxy_pass http://127.0.0.1:<port>/ equal.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			f := factsOf(env, s)
			if !f.Ports.Known() {
				return []Finding{unknownFact("the TCP ports", f.Ports.Unknown)}
			}
			decl, bad := declaredPorts(s)
			if len(bad) > 0 {
				return []Finding{unreadablePort(bad)}
			}
			listening := map[int]string{}
			for _, p := range f.Ports.Value {
				if _, ok := listening[p.Number]; !ok {
					listening[p.Number] = p.Key
				}
			}
			var api []portDecl
			for _, d := range decl {
				if d.api && !(d.name == "monit port test" && len(listening) == 0) {
					api = append(api, d)
				}
			}
			var out []Finding
			for _, d := range api {
				switch {
				case len(listening) > 0:
					if _, ok := listening[d.port]; !ok {
						out = append(out, fail(d.path, d.line, fmt.Sprintf("%s is %d but the service listens on %s", d.name, d.port, portNames(listening))))
					}
				case d.port != api[0].port:
					out = append(out, fail(d.path, d.line, fmt.Sprintf("%s is %d but %s is %d", d.name, d.port, api[0].name, api[0].port)))
				}
			}
			if len(out) > 0 {
				return out
			}
			var names []string
			for _, p := range f.Ports.Value {
				names = append(names, fmt.Sprintf("%s %d", p.Key, p.Number))
			}
			for _, d := range api {
				names = append(names, fmt.Sprintf("%s %d", d.name, d.port))
			}
			switch len(names) {
			case 0:
				return []Finding{pass("listens on no TCP port and declares none: nothing to disagree")}
			case 1:
				return []Finding{pass(fmt.Sprintf("only %s names the port: nothing disagrees", names[0]))}
			}
			return []Finding{pass("the declarations agree: " + strings.Join(names, ", "))}
		},
	}
}

func portNames(m map[int]string) string {
	var out []string
	for p, n := range m {
		out = append(out, fmt.Sprintf("%d (%s)", p, n))
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}
