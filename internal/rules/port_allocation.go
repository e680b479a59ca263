package rules

import (
	"fmt"

	"github.com/wazo-platform/wazo-servicekit/internal/ports"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
	"github.com/wazo-platform/wazo-servicekit/internal/service"
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
			f := factsOf(env, s)
			if !f.Ports.Known() {
				return []Finding{unknownFact("the TCP ports", f.Ports.Unknown)}
			}
			if len(f.Ports.Value) == 0 {
				return []Finding{pass("listens on no TCP port (" + f.Ports.Source + "): nothing to collide")}
			}
			var out []Finding
			for _, p := range dedupPorts(f.Ports.Value) {
				out = append(out, allocate(env.Ports, s.Name, p)...)
			}
			return out
		},
	}
}

func allocate(reg *ports.Registry, name string, p service.Port) []Finding {
	var out []Finding
	if reg.IsCommonTestPort(p.Number) {
		out = append(out, fail(p.Source, 0, fmt.Sprintf("port %d is a common test HTTP port", p.Number)))
	}
	for _, e := range reg.Owners(p.Number) {
		if e.Daemon != name {
			out = append(out, fail(p.Source, 0, fmt.Sprintf("port %d is already %s's (%s)", p.Number, e.Daemon, e.Source)))
		}
	}
	if len(out) == 0 {
		out = append(out, pass(fmt.Sprintf("port %d (%s, %s): unique, not a test port", p.Number, p.Key, p.Source)))
	}
	return out
}
