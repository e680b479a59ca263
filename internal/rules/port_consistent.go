package rules

import (
	"fmt"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// portConsistent: every artefact names the same port.
//
// Static: config rest_api.port = service_discovery.advertise_port =
// api.yml x-xivo-port = the nginx proxy_pass port.
func portConsistent() Rule {
	return Rule{
		ID:          "port-consistent",
		Title:       "config, api.yml, consul and nginx agree on the port",
		Checklist:   "The ports used are listed in the doc. Ports are not usually used for testing HTTP (8000, 8080, etc.).",
		Severity:    Error,
		Rationale:   "The port is written in four places (conventions.md §1); one stale copy sends nginx, consul or API clients to the wrong daemon.",
		Remediation: "Make rest_api.port, service_discovery.advertise_port, x-xivo-port and proxy_pass http://127.0.0.1:<port>/ equal.",
		static: func(s *repo.Service, _ *StaticEnv) []Finding {
			seen := declaredPorts(s)
			if len(seen) < 2 {
				return []Finding{unknown(fmt.Sprintf("only %d place names the port; nothing to compare", len(seen)))}
			}
			var out []Finding
			ref := seen[0]
			for _, w := range seen[1:] {
				if w.port != ref.port {
					out = append(out, fail(w.path, w.line, fmt.Sprintf("%s is %d but %s is %d", w.name, w.port, ref.name, ref.port)))
				}
			}
			if len(out) == 0 {
				var names []string
				for _, w := range seen {
					names = append(names, w.name)
				}
				out = append(out, pass(fmt.Sprintf("port %d in %s", ref.port, strings.Join(names, ", "))))
			}
			return out
		},
	}
}
