package rules

import (
	"fmt"
	"github.com/wazo-platform/wazo-servicekit/internal/lazyre"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
	"github.com/wazo-platform/wazo-servicekit/internal/service"
	"github.com/wazo-platform/wazo-servicekit/safefile"
)

// haUnitCondition: the unit has ConditionPathExists=!/var/lib/wazo/disabled
// if and only if the service is in wazo-service's wazo group.
//
// Static: the group from wazo-service's bin/wazo-service (--siblings), or
// else from the repository's .servicekit.yml (ha_group); the unit's
// condition must match it both ways. Live: the group from the installed
// /usr/bin/wazo-service against the installed unit.
func haUnitCondition() Rule {
	return Rule{
		ID:        "ha-unit-condition",
		Title:     "ConditionPathExists=!/var/lib/wazo/disabled in the unit if and only if the service is in the wazo group",
		Checklist: "Wazo practice, beyond the checklist: the HA condition of wazo-agentd, wazo-calld and the other wazo-group units",
		Severity:  Warning,
		Tags:      []string{TagPractice},
		Rationale: "On an HA secondary `wazo-service disable` leaves /var/lib/wazo/disabled: the wazo group's units carry the condition so that " +
			"neither a reboot nor a package upgrade starts them there. A default-group unit with the condition stops on the secondary too, " +
			"which is the other group's behaviour.",
		Remediation: "In the wazo group: add `ConditionPathExists=!/var/lib/wazo/disabled` to the unit's [Unit] section. In the default group: remove it.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			group, where, f := staticHAGroup(s, env)
			if f != nil {
				return []Finding{*f}
			}
			return []Finding{conditionMatches(unitSkipsWhenDisabled(s), group, where, unitPath(s))}
		},
		live: func(s *LiveService, _ *LiveEnv) []Finding {
			listed := s.seen().WazoServiceGroups()
			if !listed.Known() {
				return []Finding{unknown(listed.Unknown + ", so the service's group is unknown")}
			}
			groups := service.Values(listed)
			if len(groups) != 1 {
				return []Finding{fail("/usr/bin/wazo-service", 0, fmt.Sprintf("%s is in %d wazo-service groups", s.Name, len(groups)))}
			}
			if s.Unit == nil {
				return []Finding{unknown(fmt.Sprintf("no unit for %s: %v", s.Name, s.UnitErr))}
			}
			has := false
			for _, v := range s.Unit.All("Unit", "ConditionPathExists") {
				has = has || v.Text == "!/var/lib/wazo/disabled"
			}
			return []Finding{conditionMatches(has, groups[0], "/usr/bin/wazo-service", s.UnitPath)}
		},
	}
}

var manifestHAGroup = lazyre.New(`(?m)^ha_group: (default|wazo)\s*$`)

// staticHAGroup is the service's wazo-service group for a repository.
func staticHAGroup(s *repo.Service, env *StaticEnv) (group, where string, problem *Finding) {
	data, why, ok := sibling(env, "wazo-service", "bin/wazo-service")
	var groups []string
	line := 0
	if ok {
		groups, line = wazoServiceGroups(data, s.Name)
		if len(groups) == 1 {
			return groups[0], fmt.Sprintf("wazo-service/bin/wazo-service:%d", line), nil
		}
	}
	// A repository made by `wazo-servicekit new` records its group, before
	// wazo-service lists it.
	manifest, _ := safefile.ReadIn(env.Repo.Root, ".servicekit.yml", 1<<20)
	if m := manifestHAGroup.FindSubmatch(manifest); m != nil && len(groups) == 0 {
		return string(m[1]) + "_services", ".servicekit.yml ha_group", nil
	}
	f := siblingFinding(env, "wazo-service", "bin/wazo-service", why)
	if ok && len(groups) == 0 {
		// In no group: nothing stops it on a secondary, so the unit must not
		// carry the wazo group's condition.
		return "default_services", "wazo-service/bin/wazo-service (in no group: never stopped on a secondary)", nil
	}
	if ok {
		f = fail("", 0, fmt.Sprintf("wazo-service/bin/wazo-service has %s in %d groups", s.Name, len(groups)))
	}
	return "", "", &f
}

func conditionMatches(has bool, group, where, unit string) Finding {
	wazo := group == "wazo_services"
	switch {
	case wazo && !has:
		return fail(unit, 0, fmt.Sprintf("in the wazo group (%s) but the unit lacks ConditionPathExists=!/var/lib/wazo/disabled: a reboot or an upgrade of an HA secondary starts it", where))
	case !wazo && has:
		return fail(unit, 0, fmt.Sprintf("in the default group (%s) but the unit has ConditionPathExists=!/var/lib/wazo/disabled: it stops on an HA secondary like the wazo group", where))
	case wazo:
		return pass(fmt.Sprintf("wazo group (%s) and the unit has ConditionPathExists=!/var/lib/wazo/disabled", where))
	}
	return pass(fmt.Sprintf("default group (%s) and the unit has no /var/lib/wazo/disabled condition", where))
}
