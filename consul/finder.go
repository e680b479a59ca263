package consul

import (
	"context"
	"net/http"
	"net/url"

	"github.com/wazo-platform/wazo-servicekit/config"
)

// Service is one healthy service instance, with the fields Wazo's
// ServiceFinder returns.
type Service struct {
	Service string
	ID      string
	Address string
	Port    int
	Tags    []string
}

// Finder is the lookup side of service discovery: what other Wazo daemons
// (and Wazo's acceptance tests) do to find a service registered by a
// Registrar. It replays xivo's ServiceFinder.list_healthy_services exactly.
type Finder struct {
	agent *Client
}

// NewFinder returns a Finder talking to the agent described by cfg.
func NewFinder(cfg config.Consul) (*Finder, error) {
	a, err := NewClient(cfg)
	if err != nil {
		return nil, err
	}
	return &Finder{agent: a}, nil
}

// HealthyServices lists the passing instances of name tagged xivoUUID in
// every datacenter: GET /v1/catalog/datacenters, then for each datacenter
// GET /v1/health/service/<name>?dc=<dc>&passing=true&tag=<xivoUUID>.
func (f *Finder) HealthyServices(ctx context.Context, name, xivoUUID string) ([]Service, error) {
	var dcs []string
	if err := f.agent.do(ctx, http.MethodGet, "/v1/catalog/datacenters", nil, nil, &dcs); err != nil {
		return nil, err
	}
	var out []Service
	for _, dc := range dcs {
		var entries []struct{ Service Service }
		q := url.Values{"dc": {dc}, "passing": {"true"}, "tag": {xivoUUID}}
		if err := f.agent.do(ctx, http.MethodGet, "/v1/health/service/"+url.PathEscape(name), q, nil, &entries); err != nil {
			return nil, err
		}
		for _, e := range entries {
			out = append(out, e.Service)
		}
	}
	return out, nil
}
