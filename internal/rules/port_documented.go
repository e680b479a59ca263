package rules

import (
	"fmt"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// portDocumented: network.md lists every port the service listens on.
//
// Static (with --siblings): wazo-platform.org's network.md has a row
// `| <service> | ... | <port> |`.
func portDocumented() Rule {
	return Rule{
		ID:          "port-documented",
		Title:       "network.md lists the service's port",
		Checklist:   "The ports used are listed in the doc. Ports are not usually used for testing HTTP (8000, 8080, etc.).",
		Severity:    Info,
		Rationale:   "network.md is the platform's port table: firewalls and the next service's port choice read it.",
		Remediation: "Add `| <service> | HTTP | TCP | <port> | 127.0.0.1 | yes | yes |` to website/uc-doc/contributors/network.md.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			f := factsOf(env, s)
			if !f.Ports.Known() {
				return []Finding{unknownFact("the TCP ports", f.Ports.Unknown)}
			}
			if len(f.Ports.Value) == 0 {
				return []Finding{pass("listens on no TCP port (" + f.Ports.Source + "): nothing to list in network.md")}
			}
			switch page := f.Platform.Network; {
			case !page.Known():
				return []Finding{unknown(page.Unknown)}
			case page.Absent:
				return []Finding{fail("", 0, page.Source)}
			}
			var out []Finding
			for _, p := range dedupPorts(f.Ports.Value) {
				switch l := networkLine(f.Platform, p.Number); {
				case env.Ports.IsCommonTestPort(p.Number):
					out = append(out, fail(p.Source, 0, fmt.Sprintf("port %d (%s) is a common test port", p.Number, p.Key)))
				case l > 0:
					out = append(out, pass(fmt.Sprintf("network.md:%d lists %s on %d", l, s.Name, p.Number)))
				default:
					out = append(out, fail("", 0, fmt.Sprintf("wazo-platform.org network.md has no row for %s on port %d (%s, %s)", s.Name, p.Number, p.Key, p.Source)))
				}
			}
			return out
		},
	}
}
