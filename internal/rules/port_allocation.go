package rules

import (
	"fmt"

	"github.com/wazo-platform/wazo-servicekit/internal/ports"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// portAllocation: the service's ports are unique and not test ports.
//
// Static: every port the service declares (the listening ports of config.yml
// or the code's defaults, advertise_port, api.yml x-xivo-port, the nginx
// proxy_pass) is not a common test HTTP port and no other daemon of
// internal/ports/registry.yml uses it. Where the port comes from Wazo's block
// is port-convention's question. A port that cannot be read is unknown.
func portAllocation() Rule {
	return Rule{
		ID:        "port-allocation",
		Title:     "The service's ports are unique on the platform and not test ports",
		Checklist: "The ports used are listed in the doc. Ports are not usually used for testing HTTP (8000, 8080, etc.).",
		Severity:  Error,
		Rationale: "Wazo daemons share one host: two daemons on one port means one fails to start, and a test port (8080...) " +
			"collides with developers' tools.",
		Remediation: "Run `wazo-servicekit ports next` and use that port in config.yml rest_api.port, service_discovery.advertise_port, " +
			"api.yml x-xivo-port and the nginx proxy_pass; add it to internal/ports/registry.yml and network.md.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			decl, verdict := readablePorts(s)
			if verdict != nil {
				return verdict
			}
			var out []Finding
			done := map[int]bool{}
			for _, d := range decl {
				if done[d.port] {
					continue
				}
				done[d.port] = true
				out = append(out, allocate(env.Ports, s.Name, d)...)
			}
			return out
		},
	}
}

// noPortFound is the verdict when the service declares no port anywhere the
// rules look: unknown, saying where it looked.
func noPortFound(s *repo.Service) Finding {
	return unknown("no port found in etc/" + s.Name + "/config.yml, the code's defaults (config.py), api.yml x-xivo-port or an nginx proxy_pass")
}

// allocate judges one declared port against the registry.
func allocate(reg *ports.Registry, name string, d portDecl) []Finding {
	port, path, line := d.port, d.path, d.line
	var out []Finding
	if reg.IsCommonTestPort(port) {
		out = append(out, fail(path, line, fmt.Sprintf("port %d is a common test HTTP port", port)))
	}
	for _, e := range reg.Owners(port) {
		if e.Daemon != name {
			out = append(out, fail(path, line, fmt.Sprintf("port %d is already %s's (%s)", port, e.Daemon, e.Source)))
		}
	}
	if len(out) == 0 {
		out = append(out, pass(fmt.Sprintf("port %d (%s %s:%d): unique, not a test port", port, d.name, path, line)))
	}
	return out
}
