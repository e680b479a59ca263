package rules

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wazo-platform/wazo-servicekit/consul"
)

// NodeUnreachable is the diagnostic ID of a cluster node whose wazo-doctord
// could not be asked: its services are unknown, never assumed fine.
const NodeUnreachable = "node-unreachable"

// ClusterOptions configure an audit of every node of a cluster.
type ClusterOptions struct {
	ConsulURL string // a consul agent of the cluster, e.g. http://127.0.0.1:8500
	Token     string // wazo-auth token with doctor.services.read (X-Auth-Token)
	// ConsulToken is sent as X-Consul-Token when the catalog needs an ACL.
	ConsulToken string
	// ConsulCAFile is the CA bundle that signs an https agent's certificate
	// (default: the system's roots).
	ConsulCAFile string
	Timeout      time.Duration // per request (default 5 s)
	Refresh      bool          // ask each doctord for a fresh audit (?refresh=true)
}

// AuditCluster lists the wazo-doctord instances of the consul catalog and
// asks each one for its host's results (GET /1.0/services, then
// /1.0/services/{name}): each node answers for itself, over the REST API,
// so no transport of our own reaches into other hosts.
func AuditCluster(ctx context.Context, opts ClusterOptions) (*Report, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	client := &http.Client{Timeout: opts.Timeout, CheckRedirect: noRedirect}
	cfg, err := consul.ConfigFromURL(opts.ConsulURL)
	if err != nil {
		return nil, err
	}
	if opts.ConsulToken != "" && cfg.Scheme != "https" && !isLoopback(cfg.Host) {
		return nil, fmt.Errorf("consul URL %s: the consul token would travel in clear to a host that is not this one: use https://%s (with --consul-cacert)", opts.ConsulURL, cfg.Host)
	}
	cfg.Token, cfg.Verify.CAFile = opts.ConsulToken, opts.ConsulCAFile
	agent, err := consul.NewClient(cfg)
	if err != nil {
		return nil, err
	}
	catalogCtx, cancel := context.WithTimeout(ctx, opts.Timeout)
	nodes, err := agent.CatalogService(catalogCtx, "wazo-doctord")
	cancel()
	if err != nil {
		return nil, fmt.Errorf("consul catalog: %v", err)
	}
	rep := &Report{Tool: "wazo-servicekit", Mode: "audit", Target: opts.ConsulURL}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, n := range nodes {
		base, err := nodeBase(n)
		if err != nil {
			rep.Services = append(rep.Services, ServiceReport{Name: n.Node, Node: n.Node, Results: []Result{{Rule: NodeUnreachable, Service: n.Node, Severity: Warning,
				Finding: unknown(fmt.Sprintf("wazo-doctord of node %s: %v", n.Node, err))}}})
			continue
		}
		wg.Add(1)
		go func(node, base string) {
			defer wg.Done()
			srs := auditNode(ctx, client, node, base, opts)
			mu.Lock()
			rep.Services = append(rep.Services, srs...)
			mu.Unlock()
		}(n.Node, base)
	}
	wg.Wait()
	rep.Summarise()
	return rep, nil
}

// nodeBase is the API base of a node's wazo-doctord, at the address and
// port the catalog gives for the service (the node's address when the
// service has none). A doctord on this host is asked over http; any other
// over https, so the wazo-auth token never travels in clear.
func nodeBase(n consul.CatalogNode) (string, error) {
	addr := n.ServiceAddress
	if addr == "" {
		addr = n.Address
	}
	if !validHost(addr) {
		return "", fmt.Errorf("the catalog gives the address %q, not an IP address or a host name: not asked", addr)
	}
	if n.ServicePort < 1 || n.ServicePort > 65535 {
		return "", fmt.Errorf("the catalog gives the port %d, not a TCP port: not asked", n.ServicePort)
	}
	scheme := "https"
	if isLoopback(addr) {
		scheme = "http"
	}
	return scheme + "://" + net.JoinHostPort(addr, strconv.Itoa(n.ServicePort)) + "/1.0", nil
}

// validHost accepts an IP address or a DNS name, nothing that could change
// the URL around it (a '/', '@', '?', '#', ':' outside an IPv6 address).
func validHost(h string) bool {
	if net.ParseIP(h) != nil {
		return true
	}
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// isLoopback: localhost or a loopback IP address.
func isLoopback(h string) bool {
	if strings.EqualFold(strings.TrimSuffix(h, "."), "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// noRedirect keeps a redirect as the answer: the token goes to the node
// the catalog names and nowhere else.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func auditNode(ctx context.Context, client *http.Client, node, base string, opts ClusterOptions) []ServiceReport {
	hdr := map[string]string{"X-Auth-Token": opts.Token}
	q := ""
	if opts.Refresh {
		q = "?refresh=true"
	}
	var list struct {
		Items []struct{ Name string }
	}
	if err := getJSON(ctx, client, base+"/services"+q, hdr, &list); err != nil {
		return []ServiceReport{{Name: node, Node: node, Results: []Result{{Rule: NodeUnreachable, Service: node, Severity: Warning,
			Finding: unknown(fmt.Sprintf("wazo-doctord of node %s: %v", node, err))}}}}
	}
	var out []ServiceReport
	for _, it := range list.Items {
		var one struct {
			Results []Result
		}
		sr := ServiceReport{Name: it.Name, Node: node}
		if err := getJSON(ctx, client, base+"/services/"+url.PathEscape(it.Name), hdr, &one); err != nil {
			sr.Results = []Result{{Rule: NodeUnreachable, Service: it.Name, Severity: Warning, Finding: unknown(fmt.Sprintf("node %s: %v", node, err))}}
		} else {
			sr.Results = one.Results
		}
		out = append(out, sr)
	}
	return out
}

func getJSON(ctx context.Context, client *http.Client, u string, headers map[string]string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	for k, h := range headers {
		if h != "" {
			req.Header.Set(k, h)
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if loc := resp.Header.Get("Location"); resp.StatusCode/100 == 3 {
		return fmt.Errorf("GET %s: HTTP %d redirects to %.200q: not followed (the token goes to the catalog's address only)", u, resp.StatusCode, loc)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: HTTP %d: %.200s", u, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %v", u, err)
	}
	return nil
}
