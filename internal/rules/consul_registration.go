package rules

import (
	"errors"
	"fmt"

	"github.com/wazo-platform/wazo-servicekit/config"
	"github.com/wazo-platform/wazo-servicekit/consul"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
	"gopkg.in/yaml.v3"
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

func liveConsulCatalog(s *LiveService, env *LiveEnv) []Finding {
	if !s.Host.Live {
		return []Finding{notLive(s, "consul catalog")}
	}
	switch en, ok := s.boolean("service_discovery", "enabled"); {
	case !ok && s.Config == nil:
		return []Finding{unknown("no configuration of " + s.Name + " could be read, so whether it registers is unknown")}
	case !en:
		return []Finding{fail("/etc/"+s.Name+"/config.yml", 0, "service_discovery.enabled is not true: the service does not register")}
	}
	agent, err := consulAgent(s, env)
	if err != nil {
		return []Finding{unknown(err.Error())}
	}
	entries, err := agent.AgentServiceHealth(env.Ctx, s.Name)
	if err != nil {
		var answer *consul.AgentError
		if errors.As(err, &answer) {
			return []Finding{unknown(err.Error())}
		}
		return []Finding{unknown("consul agent unreachable: " + err.Error())}
	}
	if len(entries) == 0 {
		return []Finding{fail("", 0, "the consul agent has no service named "+s.Name)}
	}
	port, _ := s.num("rest_api", "port")
	for _, e := range entries {
		if e.AggregatedStatus == "passing" {
			if adv, ok := s.num("service_discovery", "advertise_port"); ok && e.Service.Port != adv {
				return []Finding{fail("", 0, fmt.Sprintf("registered on port %d, config advertises %d", e.Service.Port, adv))}
			}
			return []Finding{pass(fmt.Sprintf("consul: %s (%s) passing on port %d (listens on %d)", s.Name, e.Service.ID, e.Service.Port, port))}
		}
	}
	return []Finding{fail("", 0, fmt.Sprintf("consul has %d instance(s) of %s, none passing (first: %s)", len(entries), s.Name, entries[0].AggregatedStatus))}
}

// consulAgent is the kit's consul client for the agent the service itself
// talks to: its consul section (scheme, host, port, verify, token), or the
// address given by --consul with the service's token and verify.
func consulAgent(s *LiveService, env *LiveEnv) (*consul.Client, error) {
	cfg := config.Consul{Verify: config.Verify{Enabled: true}}
	if section, ok := s.Config["consul"].(map[string]any); ok {
		data, err := yaml.Marshal(section)
		if err == nil {
			err = yaml.Unmarshal(data, &cfg)
		}
		if err != nil {
			return nil, fmt.Errorf("consul section of the config: %v", err)
		}
	}
	if env.ConsulURL != "" {
		u, err := consul.ConfigFromURL(env.ConsulURL)
		if err != nil {
			return nil, err
		}
		cfg.Scheme, cfg.Host, cfg.Port = u.Scheme, u.Host, u.Port
	} else if cfg.Host == "" {
		return nil, errors.New("consul.host is not configured and no --consul URL was given")
	}
	return consul.NewClient(cfg)
}
