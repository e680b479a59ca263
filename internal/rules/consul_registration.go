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
// Static: config.yml or the code's defaults (config.py) have a
// service_discovery section that is enabled (a section without `enabled`
// is on, as xivo's registration reads it), whose advertise_port is the
// port the service listens on, and a consul section. A registration that
// is present but shipped disabled is a fail that says so. Live: the local
// consul agent's catalog has a passing entry for the service.
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
			sd, ok := s.Setting("service_discovery")
			if _, isMap := sd.Value.(map[string]any); !ok || !isMap {
				return []Finding{fail("etc/"+s.Name+"/config.yml", 0, "neither etc/"+s.Name+"/config.yml nor the code's defaults have a service_discovery section: the service never registers with consul")}
			}
			var out []Finding
			if en, ok := s.Setting("service_discovery", "enabled"); ok && en.Value == false {
				out = append(out, fail(en.Path, en.Line, fmt.Sprintf("service_discovery is present but shipped disabled (enabled: false at %s:%d): the service does not register with consul", en.Path, en.Line)))
			}
			decl, _ := declaredPorts(s)
			listening := map[int]bool{}
			for _, d := range decl {
				if !d.api && d.http {
					listening[d.port] = true
				}
			}
			adv, st, aok := s.SettingInt("service_discovery", "advertise_port")
			switch {
			case !aok:
				out = append(out, fail(sd.Path, sd.Line, "service_discovery.advertise_port is not set in config.yml nor in the code's defaults"))
			case len(listening) > 0 && !listening[adv]:
				out = append(out, fail(st.Path, st.Line, fmt.Sprintf("advertise_port %d is not a port the service listens on", adv)))
			}
			if c, ok := s.Setting("consul"); !ok {
				out = append(out, fail(sd.Path, 0, "no consul section (scheme, host, port) in config.yml nor in the code's defaults"))
			} else if _, isMap := c.Value.(map[string]any); !isMap {
				out = append(out, fail(c.Path, c.Line, "consul is not a section"))
			}
			if len(out) == 0 {
				out = append(out, pass(fmt.Sprintf("service_discovery is enabled and advertises port %d (%s:%d)", adv, st.Path, st.Line)))
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
