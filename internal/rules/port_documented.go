package rules

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// portDocumented: network.md lists the port.
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
			port, _, _, ok := servicePort(s)
			if !ok {
				return []Finding{unknown("the service's port is unknown (see port-allocation)")}
			}
			data, why, ok := sibling(env, "wazo-platform.org", "website/uc-doc/contributors/network.md")
			if !ok {
				return []Finding{siblingFinding(env, "wazo-platform.org", "website/uc-doc/contributors/network.md", why)}
			}
			for i, line := range strings.Split(string(data), "\n") {
				cells := strings.Split(line, "|")
				hasName, hasPort := false, false
				for _, c := range cells {
					c = strings.TrimSpace(c)
					hasName = hasName || c == s.Name
					hasPort = hasPort || c == strconv.Itoa(port)
				}
				if hasName && hasPort {
					return []Finding{pass(fmt.Sprintf("network.md:%d lists %s on %d", i+1, s.Name, port))}
				}
			}
			return []Finding{fail("", 0, fmt.Sprintf("wazo-platform.org network.md has no row for %s on port %d", s.Name, port))}
		},
	}
}
