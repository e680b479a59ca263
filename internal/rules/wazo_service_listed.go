package rules

import (
	"fmt"

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
			f := factsOf(env, s)
			switch {
			case !f.Groups.Known():
				return []Finding{unknownFact("the wazo-service groups", f.Groups.Unknown)}
			case len(f.Groups.Value) > 0:
				g := f.Groups.Value[0]
				return []Finding{pass(fmt.Sprintf("wazo-service's start/stop lists name it: %s (%s)", g.Value, g.Source))}
			case f.MetaPackage.Known() && !f.MetaPackage.Value:
				// "If necessary": a package outside the meta-package may be
				// absent, and a list naming an absent unit breaks wazo-service.
				return []Finding{pass("not in wazo-service's lists, and rightly: the wazo-platform meta-package does not depend on it (" + f.MetaPackage.Source + "), so listing it would break wazo-service where it is not installed")}
			case !f.MetaPackage.Known():
				return []Finding{unknownFact("whether the meta-package installs it (which would make listing necessary)", f.MetaPackage.Unknown)}
			}
			return []Finding{fail("", 0, "wazo-service/bin/wazo-service lists "+s.Name+" in neither wazo_services nor default_services, though the wazo-platform meta-package installs it ("+f.MetaPackage.Source+")")}
		},
		live: liveWazoServiceListed,
	}
}

func liveWazoServiceListed(s *LiveService, _ *LiveEnv) []Finding {
	groups := s.seen().WazoServiceGroups()
	if !groups.Known() {
		return []Finding{unknown(groups.Unknown)}
	}
	if len(groups.Value) > 0 {
		return []Finding{pass("/usr/bin/wazo-service lists it in " + groups.Value[0].Value)}
	}
	return []Finding{fail("/usr/bin/wazo-service", 0, "wazo-service lists "+s.Name+" in no group")}
}
