package rules

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/ports"
	"github.com/wazo-platform/wazo-servicekit/probe/repo"
)

// portAllocation: the port comes from Wazo's block, is unique, and is not a
// test port.
//
// Static: every port the service declares (config rest_api.port and
// advertise_port, api.yml x-xivo-port, nginx proxy_pass) is not a common test HTTP port,
// lies in the 9486+ block or is the port ports/registry.yml records for
// this very service (a justified historical port such as webhookd's 9300),
// and no other daemon of the registry uses it.
func portAllocation() Rule {
	return Rule{
		ID:        "port-allocation",
		Title:     "The REST port is Wazo's next free port, unique and not a test port",
		Checklist: "The ports used are listed in the doc. Ports are not usually used for testing HTTP (8000, 8080, etc.).",
		Severity:  Error,
		Rationale: "Wazo daemons share one host: two daemons on one port means one fails to start, and a test port (8080...) " +
			"collides with developers' tools. New daemons take the next unused port of the 9486+ block.",
		Remediation: "Run `wazo-servicekit ports next` and use that port in config.yml rest_api.port, service_discovery.advertise_port, " +
			"api.yml x-xivo-port and the nginx proxy_pass; add it to ports/registry.yml and network.md.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			decl := declaredPorts(s)
			if len(decl) == 0 {
				return []Finding{fail("etc/"+s.Name+"/config.yml", 0, "no rest_api.port in config.yml and no x-xivo-port in api.yml: the service's port is unknown")}
			}
			reg := env.Ports
			var out []Finding
			done := map[int]bool{}
			for _, d := range decl {
				if done[d.port] {
					continue
				}
				done[d.port] = true
				out = append(out, allocate(reg, s.Name, d)...)
			}
			return out
		},
	}
}

// allocate judges one declared port against the registry.
func allocate(reg *ports.Registry, name string, d portDecl) []Finding {
	port, path, line := d.port, d.path, d.line
	var out []Finding
	if reg.IsCommonTestPort(port) {
		out = append(out, fail(path, line, fmt.Sprintf("port %d is a common test HTTP port", port)))
	}
	owned := false
	for _, e := range reg.Owners(port) {
		if e.Daemon == name {
			owned = true
		} else {
			out = append(out, fail(path, line, fmt.Sprintf("port %d is already %s's (%s)", port, e.Daemon, e.Source)))
		}
	}
	if !reg.InBlock(port) && !owned {
		next, _ := reg.Next()
		out = append(out, fail(path, line, fmt.Sprintf("port %d is outside Wazo's %d-%d block and not registered for %s; next free: %d", port, reg.BlockStart, reg.BlockEnd, name, next)))
	}
	if len(out) == 0 {
		why := "in the block"
		if owned {
			why = "registered for " + name + " in ports/registry.yml"
		}
		out = append(out, pass(fmt.Sprintf("port %d (%s %s:%d): %s, unique, not a test port", port, d.name, path, line, why)))
	}
	return out
}

// portDecl is one place where the service names its port.
type portDecl struct {
	name, path string
	line, port int
}

// declaredPorts lists every place the service names its REST port: config
// rest_api.port and service_discovery.advertise_port, api.yml x-xivo-port,
// the nginx proxy_pass, the monit connection test.
func declaredPorts(s *repo.Service) []portDecl {
	var seen []portDecl
	if s.Config != nil {
		if p, ok := s.Config.Int("rest_api", "port"); ok {
			seen = append(seen, portDecl{"config rest_api.port", s.Config.Path, s.Config.Line("rest_api", "port"), p})
		}
		if p, ok := s.Config.Int("service_discovery", "advertise_port"); ok {
			seen = append(seen, portDecl{"config service_discovery.advertise_port", s.Config.Path, s.Config.Line("service_discovery", "advertise_port"), p})
		}
	}
	if s.API != nil {
		if p, ok := asInt(s.API.Merged["x-xivo-port"]); ok {
			f, l := s.API.Where("x-xivo-port")
			seen = append(seen, portDecl{"api.yml x-xivo-port", f, l, p})
		}
	}
	for _, l := range s.Nginx {
		if m := proxyPortRe.FindStringSubmatch(l.Item.ProxyPass); m != nil {
			p, _ := strconv.Atoi(m[1])
			seen = append(seen, portDecl{"nginx proxy_pass", l.Path, l.Item.Line, p})
		}
	}
	for _, m := range s.Monit {
		if m.Item.Port > 0 {
			seen = append(seen, portDecl{"monit port test", m.Path, m.Item.Line, m.Item.Port})
		}
	}
	return seen
}

var proxyPortRe = regexp.MustCompile(`^https?://[^/:]+:(\d+)`)

// portConsistent: every artefact names the same port.
//
// Static: config rest_api.port = service_discovery.advertise_port =
// api.yml x-xivo-port = the nginx proxy_pass port.
func portConsistent() Rule {
	return Rule{
		ID:          "port-consistent",
		Title:       "config, api.yml, consul and nginx agree on the port",
		Checklist:   "The ports used are listed in the doc. Ports are not usually used for testing HTTP (8000, 8080, etc.).",
		Severity:    Error,
		Rationale:   "The port is written in four places (conventions.md §1); one stale copy sends nginx, consul or API clients to the wrong daemon.",
		Remediation: "Make rest_api.port, service_discovery.advertise_port, x-xivo-port and proxy_pass http://127.0.0.1:<port>/ equal.",
		static: func(s *repo.Service, _ *StaticEnv) []Finding {
			seen := declaredPorts(s)
			if len(seen) < 2 {
				return []Finding{unknown(fmt.Sprintf("only %d place names the port; nothing to compare", len(seen)))}
			}
			var out []Finding
			ref := seen[0]
			for _, w := range seen[1:] {
				if w.port != ref.port {
					out = append(out, fail(w.path, w.line, fmt.Sprintf("%s is %d but %s is %d", w.name, w.port, ref.name, ref.port)))
				}
			}
			if len(out) == 0 {
				var names []string
				for _, w := range seen {
					names = append(names, w.name)
				}
				out = append(out, pass(fmt.Sprintf("port %d in %s", ref.port, strings.Join(names, ", "))))
			}
			return out
		},
	}
}

// portDocumented: network.md lists the port.
//
// Static (with --siblings): wazo-platform.org's network.md has a row
// `| <service> | ... | <port> |`.
func portDocumented() Rule {
	return Rule{
		ID:          "port-documented",
		Title:       "network.md lists the service's port",
		Checklist:   "The ports used are listed in the doc. Ports are not usually used for testing HTTP (8000, 8080, etc.).",
		Severity:    Info,
		Rationale:   "network.md is the platform's port table: firewalls and the next service's port choice read it.",
		Remediation: "Add `| <service> | HTTP | TCP | <port> | 127.0.0.1 | yes | yes |` to website/uc-doc/contributors/network.md.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			port, _, _, ok := servicePort(s)
			if !ok {
				return []Finding{unknown("the service's port is unknown (see port-allocation)")}
			}
			data, why, ok := sibling(env, "wazo-platform.org", "website/uc-doc/contributors/network.md")
			if !ok {
				return []Finding{unknown(why)}
			}
			for i, line := range strings.Split(string(data), "\n") {
				cells := strings.Split(line, "|")
				hasName, hasPort := false, false
				for _, c := range cells {
					c = strings.TrimSpace(c)
					hasName = hasName || c == s.Name
					hasPort = hasPort || c == strconv.Itoa(port)
				}
				if hasName && hasPort {
					return []Finding{pass(fmt.Sprintf("network.md:%d lists %s on %d", i+1, s.Name, port))}
				}
			}
			return []Finding{fail("", 0, fmt.Sprintf("wazo-platform.org network.md has no row for %s on port %d", s.Name, port))}
		},
	}
}
