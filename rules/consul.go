package rules

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/probe/repo"
)

// consulRegistration: the shipped config registers the service in consul.
//
// Static: config.yml has a service_discovery block whose advertise_port
// equals rest_api.port, and a consul block. Live: the local consul agent's
// catalog has a passing entry for the service.
func consulRegistration() Rule {
	return Rule{
		ID:        "consul-registration",
		Title:     "The service registers itself in consul",
		Checklist: "The service registers with consul for the discovery of services",
		Severity:  Warning,
		Rationale: "Other daemons and the cluster find a service through consul's catalog; a wrong advertise_port sends them elsewhere.",
		Remediation: "Ship `service_discovery: {enabled: true, advertise_address: auto, advertise_port: <port>, ttl_interval: 30, " +
			"refresh_interval: 27, retry_interval: 2, extra_tags: []}` and `consul: {scheme: http, port: 8500}` in config.yml.",
		static: func(s *repo.Service, _ *StaticEnv) []Finding {
			if s.Config == nil {
				return []Finding{fail("etc/"+s.Name+"/config.yml", 0, "no shipped config.yml, so no service_discovery block")}
			}
			c := s.Config
			if _, ok := c.Map["service_discovery"].(map[string]any); !ok {
				return []Finding{fail(c.Path, 0, "config.yml has no service_discovery block")}
			}
			var out []Finding
			port, pok := c.Int("rest_api", "port")
			adv, aok := c.Int("service_discovery", "advertise_port")
			if !aok {
				out = append(out, fail(c.Path, c.Line("service_discovery"), "service_discovery.advertise_port is not set"))
			} else if pok && adv != port {
				out = append(out, fail(c.Path, c.Line("service_discovery", "advertise_port"), fmt.Sprintf("advertise_port %d differs from rest_api.port %d", adv, port)))
			}
			if _, ok := c.Map["consul"].(map[string]any); !ok {
				out = append(out, fail(c.Path, 0, "config.yml has no consul block (scheme, port)"))
			}
			if len(out) == 0 {
				en, _ := c.Map["service_discovery"].(map[string]any)["enabled"].(bool)
				out = append(out, pass(fmt.Sprintf("service_discovery advertises port %d (enabled: %v)", adv, en)))
			}
			return out
		},
		live: liveConsulCatalog,
	}
}

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
			p := filepath.Join(env.Siblings, "wazo-acceptance", "features", "daily", "service_discovery.feature")
			data, err := os.ReadFile(p)
			if err != nil {
				return []Finding{unknown("wazo-acceptance has no features/daily/service_discovery.feature (deleted 2022-12 when consul stopped being installed by default)")}
			}
			if !strings.Contains(string(data), "| "+s.Name+" ") {
				return []Finding{fail("", 0, "service_discovery.feature has no row for "+s.Name)}
			}
			return []Finding{pass(fmt.Sprintf("service_discovery.feature:%d has %s", lineOf(data, "| "+s.Name+" "), s.Name))}
		},
	}
}
