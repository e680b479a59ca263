package rules

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

var pyListRe = regexp.MustCompile(`(?s)(WAZO_SERVICES|DEFAULT_SERVICES)\s*=\s*[\[(]([^\])]*)[\])]`)

// haSecondaryState: the service's wazo-service group fixes its state on an HA
// secondary (wazo group: stopped; default group: running).
//
// Static (with --siblings): the service is in exactly one group of
// bin/wazo-service, and wazo_service/main.py puts it in the matching one.
// Live: the unit's state matches the group for the node's HA role
// (/var/lib/wazo/is-secondary).
func haSecondaryState() Rule {
	return Rule{
		ID:        "ha-secondary-state",
		Title:     "The service's wazo-service group gives the right state on an HA secondary",
		Checklist: "The service is the correct state (running or stopped) after an upgrade of the slave machine",
		Severity:  Warning,
		Rationale: "xivo-manage-slave-services stops the `wazo` group on a secondary and keeps the `default` group running; " +
			"a service in both groups, or in different groups in the bash and Python lists, ends in the wrong state after an upgrade.",
		Remediation: "Put the service in exactly one group, the same in bin/wazo-service and wazo_service/main.py.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			data, why, ok := sibling(env, "wazo-service", "bin/wazo-service")
			if !ok {
				return []Finding{unknown(why)}
			}
			groups, _ := wazoServiceGroups(data, s.Name)
			switch len(groups) {
			case 0:
				return []Finding{fail("", 0, "not in any wazo-service group, so nothing sets its state on a secondary")}
			case 1:
			default:
				return []Finding{fail("", 0, fmt.Sprintf("in several wazo-service groups: %v", groups))}
			}
			want := map[string]string{"wazo_services": "WAZO_SERVICES", "default_services": "DEFAULT_SERVICES"}[groups[0]]
			py, why, ok := sibling(env, "wazo-service", "wazo_service/main.py")
			if !ok {
				return []Finding{pass("bin/wazo-service group: " + groups[0]), unknown(why)}
			}
			for _, m := range pyListRe.FindAllStringSubmatch(string(py), -1) {
				if strings.Contains(m[2], "'"+s.Short()+"'") || strings.Contains(m[2], "'"+s.Name+"'") {
					if m[1] != want {
						return []Finding{fail("", 0, fmt.Sprintf("bin/wazo-service has it in %s but main.py in %s", groups[0], m[1]))}
					}
					return []Finding{pass(fmt.Sprintf("in %s in both wazo-service lists", groups[0]))}
				}
			}
			return []Finding{pass("bin/wazo-service group: " + groups[0]), unknown("wazo_service/main.py does not list it (see wazo-service-listed)")}
		},
		live: liveHAState,
	}
}

// liveHAState compares the unit's state with what the node's HA role and
// the service's wazo-service group require: on a secondary
// (/var/lib/wazo/is-secondary), the wazo group is stopped and the default
// group runs; on a primary, both run.
func liveHAState(s *LiveService, env *LiveEnv) []Finding {
	data, err := s.Host.ReadFile("/usr/bin/wazo-service")
	if err != nil {
		return []Finding{unknown("wazo-service is not installed here: " + err.Error())}
	}
	groups, _ := wazoServiceGroups(data, s.Name)
	if len(groups) != 1 {
		return []Finding{fail("/usr/bin/wazo-service", 0, fmt.Sprintf("%s is in %d wazo-service groups: its state on a secondary is undefined", s.Name, len(groups)))}
	}
	secondary := s.Host.Exists("/var/lib/wazo/is-secondary")
	role, want := "primary", "active"
	if secondary {
		role = "secondary"
		if groups[0] == "wazo_services" {
			want = "inactive"
		}
	}
	if !s.Host.Live {
		return []Finding{pass(fmt.Sprintf("%s node, group %s: the service must be %s", role, groups[0], want)), notLive(s, "unit state")}
	}
	out, err := env.Command(env.Ctx, "systemctl", "is-active", s.Name+".service")
	st := strings.TrimSpace(string(out))
	if st == "" {
		return []Finding{unknown(fmt.Sprintf("systemctl is-active: %v", err))}
	}
	if (want == "active") != (st == "active") {
		return []Finding{fail("", 0, fmt.Sprintf("%s node, group %s: want %s, unit is %s", role, groups[0], want, st))}
	}
	return []Finding{pass(fmt.Sprintf("%s node, group %s: unit is %s as it must", role, groups[0], st))}
}
