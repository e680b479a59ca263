package rules

import (
	"regexp"
	"strconv"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

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
