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
			f := factsOf(env, s)
			if !f.Ports.Known() {
				return []Finding{unknownFact("the TCP ports", f.Ports.Unknown)}
			}
			if len(f.Ports.Value) == 0 {
				return []Finding{fail(unitPath(s), 0, "listens on no TCP port ("+f.Ports.Source+"): no port from Wazo's block, and the checklist expects an API for every service")}
			}
			reg := env.Ports
			var out []Finding
			for _, p := range dedupPorts(f.Ports.Value) {
				owned := false
				for _, e := range reg.Owners(p.Number) {
					owned = owned || e.Daemon == s.Name
				}
				switch others := otherOwners(reg, s.Name, p.Number); {
				case !p.HTTP:
					out = append(out, pass(fmt.Sprintf("port %d (%s, %s) is not HTTP: the convention is about HTTP ports", p.Number, p.Key, p.Source)))
				case reg.IsCommonTestPort(p.Number):
					out = append(out, fail(p.Source, 0, fmt.Sprintf("port %d (%s) is a common test port", p.Number, p.Key)))
				case others != "":
					out = append(out, fail(p.Source, 0, fmt.Sprintf("port %d (%s) is already %s", p.Number, p.Key, others)))
				case reg.InBlock(p.Number):
					out = append(out, pass(fmt.Sprintf("port %d (%s, %s): in Wazo's block from %d", p.Number, p.Key, p.Source, reg.BlockStart)))
				case owned:
					out = append(out, pass(fmt.Sprintf("port %d (%s, %s): outside the block but recorded for %s in internal/ports/registry.yml (older than the convention)", p.Number, p.Key, p.Source, s.Name)))
				default:
					next, _ := reg.Next()
					out = append(out, fail(p.Source, 0, fmt.Sprintf("port %d (%s) is outside Wazo's %d-%d block and not recorded for %s; pick the next unused port: %d", p.Number, p.Key, reg.BlockStart, reg.BlockEnd, s.Name, next)))
				}
			}
			return out
		},
	}
}
