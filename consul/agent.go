package consul

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/config"

	"github.com/wazo-platform/wazo-servicekit/tracecontext"
)

// Client talks to a consul agent's HTTP API with net/http only: the official
// client (github.com/hashicorp/consul/api) is not packaged in Debian. It is
// the one consul client of the kit and its tools: the Registrar, the Finder,
// the audit's consul-registration probe and the cluster audit all build it
// from a config.Consul, so scheme, verify and token mean the same
// everywhere.
type Client struct {
	base   *url.URL
	token  string
	client *http.Client
}

// AgentError is a non-2xx answer from the agent. It is distinct from a
// transport error: the agent is reachable, so for instance a TTL update
// answered 404 means the agent lost our registration (it restarted) and we
// must register again rather than retry the update.
type AgentError struct {
	Method, Path string
	StatusCode   int
	Body         string
}

func (e *AgentError) Error() string {
	return fmt.Sprintf("consul agent: %s %s: HTTP %d: %s", e.Method, e.Path, e.StatusCode, e.Body)
}

// NewClient builds the client for cfg (the daemon's consul section).
// Defaults are python-consul's: http://localhost:8500, verify true.
func NewClient(cfg config.Consul) (*Client, error) {
	scheme := cfg.Scheme
	if scheme == "" {
		scheme = "http"
	}
	if scheme != "http" && scheme != "https" {
		return nil, fmt.Errorf("consul.scheme: %q is not http or https", scheme)
	}
	host := cfg.Host
	if host == "" {
		host = "localhost"
	}
	port := cfg.Port
	if port == 0 {
		port = 8500
	}
	if port < 0 || port > 65535 {
		return nil, fmt.Errorf("consul.port: %d is not a TCP port", port)
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.Proxy = nil // the agent is local; never go through an HTTP proxy
	if scheme == "https" {
		tc, err := tlsConfig(cfg.Verify)
		if err != nil {
			return nil, err
		}
		transport.TLSClientConfig = tc
	}
	return &Client{
		base:  &url.URL{Scheme: scheme, Host: net.JoinHostPort(host, strconv.Itoa(port))},
		token: cfg.Token,
		// A redirect is an answer, never followed: the token goes to the
		// configured agent only.
		client: &http.Client{Transport: transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}, nil
}

// tlsConfig follows python-consul's verify: false skips verification, true
// uses the system roots, a path is the CA bundle to trust.
func tlsConfig(v config.Verify) (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	switch {
	case v.CAFile != "":
		pem, err := os.ReadFile(v.CAFile)
		if err != nil {
			return nil, fmt.Errorf("consul.verify: reading CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("consul.verify: %s holds no PEM certificate", v.CAFile)
		}
		tc.RootCAs = pool
	case !v.Enabled:
		tc.InsecureSkipVerify = true
	}
	return tc, nil
}

// do sends one request. in is JSON-encoded when not nil; out is decoded
// from the answer when not nil; an answer other than 2xx is an *AgentError.
func (a *Client) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	resp, err := a.send(ctx, method, path, query, in)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return &AgentError{Method: method, Path: path, StatusCode: resp.StatusCode, Body: strings.TrimSpace(string(msg))}
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(out); err != nil {
		return fmt.Errorf("consul agent: %s %s: decoding answer: %w", method, path, err)
	}
	return nil
}

// send sends one request and returns the answer, whatever its status. The
// token travels in X-Consul-Token (never in the URL, so it cannot end up in
// an error message or a log).
func (a *Client) send(ctx context.Context, method, path string, query url.Values, in any) (*http.Response, error) {
	u := *a.base
	u.Path = path
	u.RawQuery = query.Encode()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.token != "" {
		req.Header.Set("X-Consul-Token", a.token)
	}
	tracecontext.SetOutbound(req)
	return a.client.Do(req)
}

// serviceDefinition is the body of PUT /v1/agent/service/register.
type serviceDefinition struct {
	ID      string
	Name    string
	Tags    []string
	Address string
	Port    int
	Check   checkDefinition
}

type checkDefinition struct {
	CheckID                        string
	Name                           string
	TTL                            string
	Status                         string
	DeregisterCriticalServiceAfter string
}

func (a *Client) register(ctx context.Context, def serviceDefinition) error {
	return a.do(ctx, http.MethodPut, "/v1/agent/service/register", nil, def, nil)
}

func (a *Client) passTTL(ctx context.Context, checkID string) error {
	return a.do(ctx, http.MethodPut, "/v1/agent/check/pass/"+url.PathEscape(checkID), nil, nil, nil)
}

func (a *Client) deregisterCheck(ctx context.Context, checkID string) error {
	return a.do(ctx, http.MethodPut, "/v1/agent/check/deregister/"+url.PathEscape(checkID), nil, nil, nil)
}

func (a *Client) deregisterService(ctx context.Context, serviceID string) error {
	return a.do(ctx, http.MethodPut, "/v1/agent/service/deregister/"+url.PathEscape(serviceID), nil, nil, nil)
}

// isNotFound tells whether err is the agent saying it does not know the
// check or service.
func isNotFound(err error) bool {
	var ae *AgentError
	return errors.As(err, &ae) && ae.StatusCode == http.StatusNotFound
}

// isAgentAnswer tells whether err came from a reachable agent (an HTTP
// answer) rather than from the network.
func isAgentAnswer(err error) bool {
	var ae *AgentError
	return errors.As(err, &ae)
}
