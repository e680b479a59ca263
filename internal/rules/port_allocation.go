package rules

import (
	"fmt"

	"github.com/wazo-platform/wazo-servicekit/internal/ports"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// portAllocation: the port comes from Wazo's block, is unique, and is not a
// test port.
//
// Static: every port the service declares (config rest_api.port and
// advertise_port, api.yml x-xivo-port, nginx proxy_pass) is not a common test HTTP port,
// lies in the 9486+ block or is the port internal/ports/registry.yml records for
// this very service (a justified historical port such as webhookd's 9300),
// and no other daemon of the registry uses it.
func portAllocation() Rule {
	return Rule{
		ID:        "port-allocation",
		Title:     "The REST port is Wazo's next free port, unique and not a test port",
		Checklist: "The ports used are listed in the doc. Ports are not usually used for testing HTTP (8000, 8080, etc.).",
		Severity:  Error,
		Rationale: "Wazo daemons share one host: two daemons on one port means one fails to start, and a test port (8080...) " +
			"collides with developers' tools. New daemons take the next unused port of the 9486+ block.",
		Remediation: "Run `wazo-servicekit ports next` and use that port in config.yml rest_api.port, service_discovery.advertise_port, " +
			"api.yml x-xivo-port and the nginx proxy_pass; add it to internal/ports/registry.yml and network.md.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			decl := declaredPorts(s)
			if len(decl) == 0 {
				return []Finding{fail("etc/"+s.Name+"/config.yml", 0, "no rest_api.port in config.yml and no x-xivo-port in api.yml: the service's port is unknown")}
			}
			reg := env.Ports
			var out []Finding
			done := map[int]bool{}
			for _, d := range decl {
				if done[d.port] {
					continue
				}
				done[d.port] = true
				out = append(out, allocate(reg, s.Name, d)...)
			}
			return out
		},
	}
}

// allocate judges one declared port against the registry.
func allocate(reg *ports.Registry, name string, d portDecl) []Finding {
	port, path, line := d.port, d.path, d.line
	var out []Finding
	if reg.IsCommonTestPort(port) {
		out = append(out, fail(path, line, fmt.Sprintf("port %d is a common test HTTP port", port)))
	}
	owned := false
	for _, e := range reg.Owners(port) {
		if e.Daemon == name {
			owned = true
		} else {
			out = append(out, fail(path, line, fmt.Sprintf("port %d is already %s's (%s)", port, e.Daemon, e.Source)))
		}
	}
	if !reg.InBlock(port) && !owned {
		next, _ := reg.Next()
		out = append(out, fail(path, line, fmt.Sprintf("port %d is outside Wazo's %d-%d block and not registered for %s; next free: %d", port, reg.BlockStart, reg.BlockEnd, name, next)))
	}
	if len(out) == 0 {
		why := "in the block"
		if owned {
			why = "registered for " + name + " in internal/ports/registry.yml"
		}
		out = append(out, pass(fmt.Sprintf("port %d (%s %s:%d): %s, unique, not a test port", port, d.name, path, line, why)))
	}
	return out
}
