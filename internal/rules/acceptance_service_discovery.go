package rules

import (
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// acceptanceServiceDiscovery: wazo-acceptance checks the registration.
//
// Static (with --siblings): features/daily/service_discovery.feature has a
// row for the service. The feature was deleted in 2022-12 (consul is no
// longer installed by default): when it is absent the verdict is unknown,
// not fail.
func acceptanceServiceDiscovery() Rule {
	return Rule{
		ID:          "acceptance-service-discovery",
		Title:       "wazo-acceptance checks the consul registration",
		Checklist:   "Add an entry to the acceptance test: daily/service_discovery.feature",
		Severity:    Info,
		Rationale:   "The daily acceptance run is what notices a service that stopped registering.",
		Remediation: "Add `| <service> |` to the Examples of wazo-acceptance features/daily/service_discovery.feature.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			row := factsOf(env, s).Platform.ServiceDiscovery
			switch {
			case !row.Known():
				return []Finding{unknown(row.Unknown)}
			case !row.Found():
				return []Finding{fail("", 0, row.Source)}
			}
			return []Finding{pass(row.Lines[0].Source + " has " + row.Lines[0].Value)}
		},
	}
}
