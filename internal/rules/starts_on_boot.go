package rules

import (
	"fmt"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// startsOnBoot: the unit is wanted by the boot target and enabled by dh.
//
// Static: [Install] WantedBy=multi-user.target (the target a Wazo host
// boots to; graphical.target is not it), and
// debian/rules does not pass --no-enable to dh_installsystemd. Live: the
// wants link /etc/systemd/system/multi-user.target.wants/<unit> exists.
func startsOnBoot() Rule {
	return Rule{
		ID:          "starts-on-boot",
		Title:       "The unit is enabled for multi-user.target",
		Checklist:   "The service is correctly started on a reboot",
		Severity:    Error,
		Rationale:   "Without WantedBy= the unit cannot be enabled; systemctl enable makes the wants link that starts it at boot.",
		Remediation: "Add `[Install]` with `WantedBy=multi-user.target` to debian/<service>.service; let dh_installsystemd enable it.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			if s.Unit == nil {
				return []Finding{fail("debian/"+s.Name+".service", 0, "no systemd unit ships with the package")}
			}
			var out []Finding
			ok := false
			for _, v := range s.Unit.Unit.All("Install", "WantedBy") {
				if v.Text == "multi-user.target" {
					ok = true
				}
			}
			if !ok {
				out = append(out, fail(s.Unit.Path, 0, "no [Install] WantedBy=multi-user.target: the unit cannot be enabled for boot"))
			}
			if s.Rules != nil && strings.Contains(string(s.Rules.Data), "--no-enable") {
				out = append(out, fail(s.Rules.Path, lineOf(s.Rules.Data, "--no-enable"), "dh_installsystemd --no-enable: the unit is never enabled"))
			}
			if len(out) == 0 {
				out = append(out, pass(fmt.Sprintf("%s is WantedBy=multi-user.target", s.Unit.Path)))
			}
			return out
		},
		live: liveWantsLink,
	}
}

func liveWantsLink(s *LiveService, env *LiveEnv) []Finding {
	if s.Unit == nil {
		return []Finding{fail("", 0, s.UnitErr.Error())}
	}
	var out []Finding
	wanted := s.Unit.All("Install", "WantedBy")
	if len(wanted) == 0 {
		return []Finding{fail(s.UnitPath, 0, "the unit has no WantedBy=: it cannot be enabled")}
	}
	for _, w := range wanted {
		link := s.seen().WantsLink(w.Text)
		if link.Value {
			out = append(out, pass("enabled: "+link.Source))
		} else {
			out = append(out, fail(link.Source, 0, "not enabled: "+link.Source+" is missing"))
		}
	}
	if !s.Host.Live {
		return append(out, notLive(s, "unit state"))
	}
	state, err := env.Command(env.Ctx, "systemctl", "is-active", s.Name+".service")
	st := strings.TrimSpace(string(state))
	switch {
	case st == "active":
		out = append(out, pass(s.Name+".service is active"))
	case st == "" || (err != nil && st != "inactive" && st != "failed"):
		out = append(out, unknown(fmt.Sprintf("systemctl is-active: %v %s", err, st)))
	default:
		out = append(out, fail("", 0, s.Name+".service is "+st))
	}
	return out
}
