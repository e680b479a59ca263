package rules

import (
	"fmt"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
	"github.com/wazo-platform/wazo-servicekit/internal/service"
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
			group := factsOf(env, s).Platform.HAGroup
			switch {
			case !group.Known():
				return []Finding{unknownFact("the wazo-service group", group.Unknown)}
			case group.Value == "":
				return []Finding{fail("", 0, group.Source)}
			}
			return []Finding{conditionMatches(unitSkipsWhenDisabled(s), group.Value, group.Source, unitPath(s))}
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
