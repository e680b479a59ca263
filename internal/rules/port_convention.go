package rules

import (
	"fmt"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// portConvention: an HTTP port comes from Wazo's block.
//
// Static: every HTTP port the service listens on (REST, HTTPS, WebSocket)
// lies in the block that starts at 9486, or is the port
// internal/ports/registry.yml records for this very service (a port older
// than the convention, such as wazo-provd's 8666). A daemon with no HTTP
// port passes: the convention is about HTTP ports.
func portConvention() Rule {
	return Rule{
		ID:        "port-convention",
		Title:     "The HTTP port is taken from Wazo's block, the next unused one for a new daemon",
		Checklist: "Wazo Platform uses TCP ports starting from 9486 (used for wazo-confd) upward. When creating a new daemon, pick the next unused port.",
		Severity:  Warning,
		Rationale: "One block of consecutive ports makes every Wazo HTTP daemon easy to find, to firewall and to tell from other software.",
		Remediation: "Run `wazo-servicekit ports next` and use that port everywhere the service names it; " +
			"add it to internal/ports/registry.yml and network.md.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			decl, verdict := readablePorts(s)
			if verdict != nil {
				return verdict
			}
			reg := env.Ports
			var out []Finding
			for _, d := range listeningPorts(decl) {
				if !d.http {
					continue
				}
				owned := false
				for _, e := range reg.Owners(d.port) {
					owned = owned || e.Daemon == s.Name
				}
				switch {
				case reg.InBlock(d.port):
					out = append(out, pass(fmt.Sprintf("port %d (%s): in Wazo's block from %d", d.port, d.name, reg.BlockStart)))
				case owned:
					out = append(out, pass(fmt.Sprintf("port %d (%s): outside the block but recorded for %s in internal/ports/registry.yml (older than the convention)", d.port, d.name, s.Name)))
				default:
					next, _ := reg.Next()
					out = append(out, fail(d.path, d.line, fmt.Sprintf("port %d (%s) is outside Wazo's %d-%d block and not recorded for %s; pick the next unused port: %d", d.port, d.name, reg.BlockStart, reg.BlockEnd, s.Name, next)))
				}
			}
			if len(out) == 0 {
				return []Finding{pass(fmt.Sprintf("no HTTP port (%s %d is not HTTP): the convention is about HTTP ports", decl[0].name, decl[0].port))}
			}
			return out
		},
	}
}
