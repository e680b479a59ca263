package rules

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

const networkPage = "website/uc-doc/contributors/network.md"

// networkRow returns the line of network.md's row naming the daemon and the
// port (0 if none).
func networkRow(data []byte, name string, port int) int {
	for i, line := range strings.Split(string(data), "\n") {
		hasName, hasPort := false, false
		for _, c := range strings.Split(line, "|") {
			c = strings.TrimSpace(c)
			hasName = hasName || c == name
			hasPort = hasPort || c == strconv.Itoa(port)
		}
		if hasName && hasPort {
			return i + 1
		}
	}
	return 0
}

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
			decl, verdict := readablePorts(s)
			if verdict != nil {
				return verdict
			}
			data, why, ok := sibling(env, "wazo-platform.org", networkPage)
			if !ok {
				return []Finding{siblingFinding(env, "wazo-platform.org", networkPage, why)}
			}
			var out []Finding
			for _, d := range listeningPorts(decl) {
				if l := networkRow(data, s.Name, d.port); l > 0 {
					out = append(out, pass(fmt.Sprintf("network.md:%d lists %s on %d", l, s.Name, d.port)))
				} else {
					out = append(out, fail("", 0, fmt.Sprintf("wazo-platform.org network.md has no row for %s on port %d (%s)", s.Name, d.port, d.name)))
				}
			}
			return out
		},
	}
}
