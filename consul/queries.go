package consul

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/config"
)

// ConfigFromURL is the consul section that reaches the agent at raw
// (http://127.0.0.1:8500, https://consul.example:8501): what a command line
// such as `audit --consul URL` gives. Verify is on; set Token and
// Verify.CAFile from the command line as consul's CLI does
// (CONSUL_HTTP_TOKEN, CONSUL_CACERT).
func ConfigFromURL(raw string) (config.Consul, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return config.Consul{}, fmt.Errorf("consul URL %q: want http://HOST:PORT or https://HOST:PORT", raw)
	}
	if u.Hostname() == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return config.Consul{}, fmt.Errorf("consul URL %q: want only a scheme, a host and a port", raw)
	}
	cfg := config.Consul{Scheme: u.Scheme, Host: u.Hostname(), Verify: config.Verify{Enabled: true}}
	if p := u.Port(); p != "" {
		if cfg.Port, err = strconv.Atoi(p); err != nil {
			return config.Consul{}, fmt.Errorf("consul URL %q: port %q is not a number", raw, p)
		}
	}
	return cfg, nil
}

// URL is the agent's base address (no token: it never travels in URLs).
func (a *Client) URL() string { return a.base.String() }

// ServiceHealth is one instance of a service registered in this agent,
// with the aggregated status of its checks (passing, warning, critical).
type ServiceHealth struct {
	AggregatedStatus string
	Service          struct {
		ID   string
		Port int
	}
}

// AgentServiceHealth lists the instances of name registered in this agent
// (GET /v1/agent/health/service/name/NAME). The agent answers 429 or 503
// with the same list when an instance is warning or critical; an agent that
// knows no such service gives an empty list.
func (a *Client) AgentServiceHealth(ctx context.Context, name string) ([]ServiceHealth, error) {
	path := "/v1/agent/health/service/name/" + url.PathEscape(name)
	resp, err := a.send(ctx, http.MethodGet, path, url.Values{"format": {"json"}}, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	switch resp.StatusCode {
	case http.StatusNotFound:
		return nil, nil
	case http.StatusOK, http.StatusTooManyRequests, http.StatusServiceUnavailable:
	default:
		return nil, &AgentError{Method: http.MethodGet, Path: path, StatusCode: resp.StatusCode, Body: strings.TrimSpace(string(body))}
	}
	var out []ServiceHealth
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, fmt.Errorf("consul agent: GET %s: HTTP %d is not the health list: %v", path, resp.StatusCode, err)
	}
	return out, nil
}

// HealthEntry is one instance of a service with the checks of its node
// (serfHealth: the node's agent is alive) and of the service itself.
type HealthEntry struct {
	Node struct {
		Node    string
		Address string
	}
	Service struct {
		ID      string
		Address string
		Port    int
	}
	Checks []HealthCheck
}

// HealthCheck is one check as the catalog knows it.
type HealthCheck struct {
	CheckID string
	Name    string
	Status  string // passing, warning, critical
	Output  string
}

// HealthService lists every instance of name in the cluster, healthy or
// not, with its checks (GET /v1/health/service/NAME): a node whose agent
// died stays listed, its serfHealth check critical.
func (a *Client) HealthService(ctx context.Context, name string) ([]HealthEntry, error) {
	var out []HealthEntry
	err := a.do(ctx, http.MethodGet, "/v1/health/service/"+url.PathEscape(name), nil, nil, &out)
	return out, err
}

// ClusterNode is a member of the cluster as the catalog lists it.
type ClusterNode struct {
	Node    string
	Address string
}

// CatalogNodes lists every node of the cluster (GET /v1/catalog/nodes),
// those without the service a caller looks for included.
func (a *Client) CatalogNodes(ctx context.Context) ([]ClusterNode, error) {
	var out []ClusterNode
	err := a.do(ctx, http.MethodGet, "/v1/catalog/nodes", nil, nil, &out)
	return out, err
}
