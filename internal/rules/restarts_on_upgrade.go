package rules

import (
	"fmt"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// restartsOnUpgrade: an upgrade (wazo-upgrade = wazo-service stop,
// dist-upgrade, wazo-service restart) brings the service back.
//
// Static: the unit ships, and debian/rules keeps dh_installsystemd's restart
// (no --no-start, --no-restart-on-upgrade, --no-stop-on-upgrade), which
// starts the new version when dpkg upgrades it. With --siblings, the pass also
// says whether wazo-upgrade's `wazo-service restart` starts it (it is in
// bin/wazo-service's lists). Restart= in the unit is reported, not required.
func restartsOnUpgrade() Rule {
	return Rule{
		ID:        "restarts-on-upgrade",
		Title:     "The service is running again after an upgrade",
		Checklist: "The service is correctly started on a wazo-upgrade",
		Severity:  Error,
		Rationale: "wazo-upgrade stops the services of wazo-service, upgrades the packages and restarts them; dh_installsystemd's restart " +
			"starts a daemon that wazo-service does not list. Turning that restart off leaves the daemon stopped after the upgrade.",
		Remediation: "Keep dh_installsystemd's defaults in debian/rules (or list the service in wazo-service); `Restart=on-failure` and " +
			"`RestartSec=5` in the unit also retry a start that races the upgrade.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			var out []Finding
			if s.Rules != nil {
				for _, flag := range []string{"--no-start", "--no-restart-on-upgrade", "--no-stop-on-upgrade"} {
					if strings.Contains(string(s.Rules.Data), flag) {
						out = append(out, fail(s.Rules.Path, lineOf(s.Rules.Data, flag), "debian/rules passes "+flag+" to dh_installsystemd"))
					}
				}
			}
			if s.Rules != nil {
				if line, gone := overriddenAway(s.Rules.Data, "dh_installsystemd"); gone {
					out = append(out, fail(s.Rules.Path, line, "debian/rules overrides dh_installsystemd without running it: nothing stops, restarts or starts the unit on upgrade"))
				}
			}
			if s.Unit == nil {
				return append(out, fail("debian/"+s.Name+".service", 0, "no systemd unit ships with the package"))
			}
			up := factsOf(env, s).Platform.UpgradeRestart
			listed, how := up.Known() && up.Value, up.Source
			if !up.Known() {
				how = up.Unknown
			}
			if len(out) > 0 && listed {
				// wazo-upgrade's restart starts it even without dh_installsystemd's.
				return []Finding{pass(how + "; " + out[0].Message + ", which wazo-upgrade's restart makes up for")}
			}
			if len(out) > 0 {
				return out
			}
			restart := "no Restart= in the unit"
			if v, ok := s.Unit.Unit.Get("Service", "Restart"); ok {
				restart = fmt.Sprintf("%s:%d Restart=%s", s.Unit.Path, v.Line, v.Text)
			}
			return []Finding{pass(fmt.Sprintf("debian/rules keeps dh_installsystemd's restart; %s; %s", how, restart))}
		},
	}
}

// overriddenAway reports whether debian/rules has an override_<tool>
// target whose recipe never runs the tool (`override_dh_installsystemd:`
// followed by `true` or nothing), and the target's line.
func overriddenAway(rules []byte, tool string) (int, bool) {
	lines := strings.Split(string(rules), "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, "override_"+tool+":") {
			continue
		}
		for _, r := range lines[i+1:] {
			if !strings.HasPrefix(r, "\t") {
				break
			}
			if strings.Contains(r, tool) {
				return i + 1, false
			}
		}
		return i + 1, true
	}
	return 0, false
}
