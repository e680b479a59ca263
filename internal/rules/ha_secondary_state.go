package rules

import (
	"fmt"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
	"github.com/wazo-platform/wazo-servicekit/internal/service"
)

// haSecondaryState: the service's wazo-service group fixes its state on an
// HA secondary (wazo group: stopped; default group: running).
//
// Static (with --siblings): the service is in exactly one group of
// bin/wazo-service, wazo_service/main.py puts it in the matching one, and a
// service of the wazo group has ConditionPathExists=!/var/lib/wazo/disabled
// in its unit, so a reboot of the secondary does not start it either.
// Live: the unit's state matches the group for the node's HA role
// (/var/lib/wazo/is-secondary).
func haSecondaryState() Rule {
	return Rule{
		ID:        "ha-secondary-state",
		Title:     "The service's wazo-service group gives the right state on an HA secondary",
		Checklist: "The service is the correct state (running or stopped) after an upgrade of the slave machine",
		Severity:  Warning,
		Rationale: "xivo-manage-slave-services stops the `wazo` group on a secondary and keeps the `default` group running; " +
			"`wazo-service disable` leaves /var/lib/wazo/disabled, which keeps the wazo group's units from starting at boot. " +
			"A service in both groups, in different groups in the bash and Python lists, or of the wazo group without the unit condition ends in the wrong state.",
		Remediation: "Put the service in exactly one group, the same in bin/wazo-service and wazo_service/main.py; " +
			"a service of the wazo group needs `ConditionPathExists=!/var/lib/wazo/disabled` in its unit's [Unit] section.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			f := factsOf(env, s)
			if !f.Groups.Known() {
				return []Finding{unknownFact("the wazo-service groups", f.Groups.Unknown)}
			}
			groups := service.Values(f.Groups)
			switch len(groups) {
			case 0:
				return []Finding{unknown("in no wazo-service group (" + f.Groups.Source + ") and no policy for an HA secondary is stated: its state there cannot be settled")}
			case 1:
			default:
				return []Finding{fail("", 0, fmt.Sprintf("in several wazo-service groups: %v", groups))}
			}
			var out []Finding
			stopped, how := secondaryStops(f.Platform.SecondaryStops)
			if groups[0] == stopped || stopped == "default_services" {
				if !unitSkipsWhenDisabled(s) {
					return append(out, fail(unitPath(s), 0, fmt.Sprintf("in %s, which %s stops on a secondary, but the unit has no ConditionPathExists=!/var/lib/wazo/disabled: a reboot of the secondary starts it", groups[0], how)))
				}
				return append(out, pass(fmt.Sprintf("in %s, which %s stops on a secondary, and the unit does not start while /var/lib/wazo/disabled exists", groups[0], how)))
			}
			return append(out, pass(fmt.Sprintf("in %s, which keeps running on a secondary (%s stops %s)", groups[0], how, stopped)))
		},
		live: liveHAState,
	}
}

// liveHAState compares the unit's state with what the node's HA role and
// the service's wazo-service group require: on a secondary
// (/var/lib/wazo/is-secondary), the wazo group is stopped and the default
// group runs; on a primary, both run.
func liveHAState(s *LiveService, env *LiveEnv) []Finding {
	group, where, problem := liveHAGroup(s)
	if problem != nil {
		return []Finding{*problem}
	}
	// wazo-service disable (what xivo-manage-slave-services stop runs on a
	// secondary) leaves /var/lib/wazo/disabled; the wazo group's units do not
	// start while it exists.
	role, want := "primary", "active"
	disabled := s.seen().Present("/var/lib/wazo/disabled").Value
	if s.seen().Present("/var/lib/wazo/is-secondary").Value {
		role = "secondary"
		if group == "wazo_services" && disabled {
			want = "inactive"
		}
	}
	if group == "wazo_services" && role == "primary" && disabled {
		want = "inactive" // wazo-service disable on a primary: stopped by hand
	}
	groups := []string{group + " (" + where + ")"}
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

// liveHAGroup is the service's wazo-service group: from the installed
// wazo-service when there is one, otherwise as the installed unit declares
// it (ConditionPathExists=!/var/lib/wazo/disabled: the wazo group).
func liveHAGroup(s *LiveService) (group, where string, problem *Finding) {
	if groups := s.seen().WazoServiceGroups(); groups.Known() {
		if len(groups.Value) != 1 {
			f := fail("/usr/bin/wazo-service", 0, fmt.Sprintf("%s is in %d wazo-service groups: its state on a secondary is undefined", s.Name, len(groups.Value)))
			return "", "", &f
		}
		return groups.Value[0].Value, "/usr/bin/wazo-service", nil
	}
	if s.Unit == nil {
		f := unknown("wazo-service is not installed here and the unit cannot be read, so the service's HA group is unknown")
		return "", "", &f
	}
	for _, v := range s.Unit.All("Unit", "ConditionPathExists") {
		if strings.TrimSpace(v.Text) == "!/var/lib/wazo/disabled" {
			return "wazo_services", "as its unit declares: wazo-service is not installed", nil
		}
	}
	return "default_services", "as its unit declares: wazo-service is not installed", nil
}

// secondaryStops is the wazo-service group an HA secondary stops, and
// where that was read; when xivo-manage-slave-services cannot say, the
// platform's wazo group, as the checklist item reads it.
func secondaryStops(stops service.Fact[string]) (group, how string) {
	if !stops.Known() {
		return "wazo_services", "xivo-manage-slave-services (" + stops.Unknown + "; the wazo group assumed)"
	}
	return stops.Value, stops.Source
}
