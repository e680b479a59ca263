package rules

import (
	"fmt"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// restartsOnUpgrade: an upgrade (wazo-upgrade = stop, dist-upgrade, start)
// brings the service back.
//
// Static: debian/rules does not pass --no-start or --no-stop-on-upgrade
// without restarting, and the unit has Restart=on-failure (or always) so a
// start racing the upgrade is retried.
func restartsOnUpgrade() Rule {
	return Rule{
		ID:        "restarts-on-upgrade",
		Title:     "The service is running again after an upgrade",
		Checklist: "The service is correctly started on a wazo-upgrade",
		Severity:  Error,
		Rationale: "wazo-upgrade stops every service, upgrades the packages and starts them; dh_installsystemd's restart and systemd's " +
			"Restart= are what bring a new daemon back if it is not in wazo-service or fails its first start.",
		Remediation: "Keep dh_installsystemd's defaults in debian/rules and set `Restart=on-failure` and `RestartSec=5` in the unit.",
		static: func(s *repo.Service, _ *StaticEnv) []Finding {
			var out []Finding
			if s.Rules != nil {
				for _, flag := range []string{"--no-start", "--no-restart-on-upgrade", "--no-stop-on-upgrade"} {
					if strings.Contains(string(s.Rules.Data), flag) {
						out = append(out, fail(s.Rules.Path, lineOf(s.Rules.Data, flag), "debian/rules passes "+flag+" to dh_installsystemd"))
					}
				}
			}
			if s.Unit == nil {
				return append(out, fail("debian/"+s.Name+".service", 0, "no systemd unit ships with the package"))
			}
			v, ok := s.Unit.Unit.Get("Service", "Restart")
			if !ok || (v.Text != "on-failure" && v.Text != "always" && v.Text != "on-abnormal") {
				out = append(out, fail(s.Unit.Path, v.Line, "no Restart=on-failure: a failed start during the upgrade is final"))
			}
			if len(out) == 0 {
				out = append(out, pass(fmt.Sprintf("%s:%d Restart=%s; debian/rules keeps dh_installsystemd's restart", s.Unit.Path, v.Line, v.Text)))
			}
			return out
		},
	}
}
