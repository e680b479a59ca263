package rules

import (
	"fmt"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
	"github.com/wazo-platform/wazo-servicekit/internal/service"
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
			if env.Siblings == "" {
				return []Finding{unknown("lives in wazo-acceptance; run with --siblings DIR holding a wazo-acceptance/ checkout")}
			}
			sd := platformOf(env).File("wazo-acceptance", service.ServiceDiscoveryFeature)
			if !sd.OK() {
				return []Finding{siblingVerdict(sd)}
			}
			l := service.FeatureRow(sd.Data, s.Name)
			if l == 0 {
				return []Finding{fail("", 0, "service_discovery.feature has no row for "+s.Name)}
			}
			return []Finding{pass(fmt.Sprintf("service_discovery.feature:%d has %s", l, s.Name))}
		},
	}
}
