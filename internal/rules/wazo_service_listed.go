package rules

import (
	"fmt"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// wazoServiceListed: the service is in wazo-service's lists.
//
// Static (with --siblings): wazo-service/bin/wazo-service names the package
// in wazo_services or default_services, and wazo_service/main.py lists it.
// Unknown without a wazo-service checkout.
func wazoServiceListed() Rule {
	return Rule{
		ID:        "wazo-service-listed",
		Title:     "wazo-service starts, stops and reports the service",
		Checklist: "The service is added to wazo-service if necessary",
		Severity:  Warning,
		Rationale: "wazo-service is how operators and wazo-upgrade stop and start the platform in order; a daemon missing from it keeps running during upgrades and restores.",
		Remediation: "Add the package to default_services (runs on HA secondaries) or wazo_services (stopped there) in bin/wazo-service, " +
			"and to DEFAULT_SERVICES / WAZO_SERVICES in wazo_service/main.py.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			data, why, ok := sibling(env, "wazo-service", "bin/wazo-service")
			if !ok {
				return []Finding{siblingFinding(env, "wazo-service", "bin/wazo-service", why)}
			}
			groups, line := wazoServiceGroups(data, s.Name)
			if len(groups) == 0 {
				return []Finding{fail("", 0, "wazo-service/bin/wazo-service lists "+s.Name+" in neither wazo_services nor default_services")}
			}
			out := []Finding{pass(fmt.Sprintf("wazo-service/bin/wazo-service:%d lists it in %s", line, groups[0]))}
			switch py, why, ok := wazoServicePyGroups(env, s); {
			case !ok:
				out = append(out, siblingFinding(env, "wazo-service", "wazo_service/main.py", why))
			case len(py) == 0:
				out = append(out, fail("", 0, "wazo-service/wazo_service/main.py lists "+s.Name+" in neither WAZO_SERVICES nor DEFAULT_SERVICES"))
			default:
				out[0].Message += "; wazo_service/main.py in " + strings.Join(py, ", ")
			}
			return out
		},
		live: liveWazoServiceListed,
	}
}

func liveWazoServiceListed(s *LiveService, _ *LiveEnv) []Finding {
	data, err := s.Host.ReadFile("/usr/bin/wazo-service")
	if err != nil {
		return []Finding{unknown("wazo-service is not installed here: " + err.Error())}
	}
	if g, _ := wazoServiceGroups(data, s.Name); len(g) > 0 {
		return []Finding{pass("/usr/bin/wazo-service lists it in " + g[0])}
	}
	return []Finding{fail("/usr/bin/wazo-service", 0, "wazo-service lists "+s.Name+" in no group")}
}
