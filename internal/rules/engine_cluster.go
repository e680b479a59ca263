package rules

import (
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
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wazo-platform/wazo-servicekit/consul"
	"github.com/wazo-platform/wazo-servicekit/safefile"
)

// NodeUnreachable is the diagnostic ID of a cluster node whose wazo-doctord
// could not be asked: its services are unknown, never assumed fine.
const NodeUnreachable = "node-unreachable"

// NodeCritical is the diagnostic ID of a node that consul itself marks
// critical (its agent gone from the gossip, or its doctord's check
// failing): a fault of the cluster whatever the node's doctord answers.
const NodeCritical = "node-critical"

// Defaults and bounds of a cluster audit: what one hostile or slow node,
// or a catalog of thousands, may cost.
const (
	DefaultDoctordPort   = 9504 // wazo-doctord's port in the port registry
	DefaultConcurrency   = 8
	MaxConcurrency       = 64
	DefaultNodeTimeout   = 20 * time.Second
	DefaultClusterBudget = 2 * time.Minute
	MaxClusterNodes      = 1024     // catalog entries asked; more is refused
	MaxNodeServices      = 128      // services asked per node; the rest is reported unknown
	MaxNodeBytes         = 8 << 20  // answer bytes read per node
	MaxClusterBytes      = 64 << 20 // answer bytes read per audit
	MaxAnswerBytes       = 2 << 20  // bytes of one answer
)

// ClusterOptions configure an audit of every node of a cluster.
type ClusterOptions struct {
	ConsulURL string // a consul agent of the cluster, e.g. http://127.0.0.1:8500
	Token     string // wazo-auth token with doctor.services.read (X-Auth-Token)
	// ConsulToken is sent as X-Consul-Token when the catalog needs an ACL.
	ConsulToken string
	// ConsulCAFile is the CA bundle that signs an https agent's certificate
	// (default: the system's roots).
	ConsulCAFile string
	// DoctorCAFile is the CA bundle that signs the nodes' doctord (or their
	// TLS front end) certificates. A node that is not this host gets the
	// token only over TLS with a certificate this CA signed for its
	// address; without it, only TrustedNodes and this host are asked.
	DoctorCAFile string
	// TrustedNodes are HOST:PORT the operator names as doctords: they are
	// asked whatever the catalog's other entries say (over http on this
	// host, over https verified by DoctorCAFile or the system's roots
	// elsewhere).
	TrustedNodes []string
	// DoctordPort is the port wazo-doctord listens on when it runs on this
	// host (default 9504): a loopback entry at any other port, which any
	// local user could have registered, is not given the token.
	DoctordPort int
	Timeout     time.Duration // per request (default 5 s)
	NodeTimeout time.Duration // per node (default 20 s)
	Budget      time.Duration // the whole audit (default 2 min)
	Concurrency int           // nodes asked at once (default 8, at most 64)
	Refresh     bool          // ask each doctord for a fresh audit (?refresh=true)
}

// ClusterRunError is an audit that could not run at all: the consul agent
// unreachable or refusing, or a catalog too large to ask. The command
// line maps it to "could not run", not to a usage error.
type ClusterRunError struct{ Err error }

func (e *ClusterRunError) Error() string { return e.Err.Error() }
func (e *ClusterRunError) Unwrap() error { return e.Err }

// clusterNode is one entry to audit: a node with its doctord (or without
// one, when Base is "" and Why says so) and what consul says of it.
type clusterNode struct {
	Node     string
	Base     string // https://ADDR:PORT/1.0 or http://127.0.0.1:PORT/1.0
	Why      string // why the node is not asked
	Critical []string
}

// AuditCluster lists the nodes of the cluster and their wazo-doctord
// instances (GET /v1/catalog/nodes, /v1/health/service/wazo-doctord) and
// asks each trusted doctord for its host's results (GET /1.0/services,
// then /1.0/services/{name}): each node answers for itself, over the REST
// API, so no transport of our own reaches into other hosts. A node without
// a doctord, not trusted, or not answering is one unknown result with the
// reason; a node consul marks critical is a failing result. The whole
// report is held in memory: StreamCluster hands it over node by node.
func AuditCluster(ctx context.Context, opts ClusterOptions) (*Report, error) {
	var all ClusterReport
	err := StreamCluster(ctx, opts, func(head *Report, _ int) error {
		all.Report = head
		return nil
	}, all.Add)
	if err != nil {
		return nil, err
	}
	return all.Report, nil
}

// ClusterReport gathers what StreamCluster hands over into one report,
// keeping each string of the verdicts once.
type ClusterReport struct {
	Report *Report // the header StreamCluster began with
	shared interner
}

// Add appends a node's service reports; it never fails.
func (c *ClusterReport) Add(srs []ServiceReport) error {
	for i := range srs {
		c.shared.share(srs[i].Results)
		// A copy of exactly its length: the decoder's slice has room to
		// spare, kept for as long as the report.
		srs[i].Results = append([]Result(nil), srs[i].Results...)
	}
	c.Report.Services = append(c.Report.Services, srs...)
	return nil
}

// StreamCluster audits the cluster as AuditCluster does, but hands each
// node's service reports (summarised, in the report's order: by node, then
// service) to node as soon as the node and those before it are done, so a
// caller that writes them out holds no more than the nodes in flight. begin
// gets the report's header (no services yet) and the catalogue's entry
// count before any node is asked. An error from begin or node stops the
// audit and is returned.
func StreamCluster(ctx context.Context, opts ClusterOptions, begin func(head *Report, entries int) error, node func([]ServiceReport) error) error {
	opts = clusterDefaults(opts)
	if opts.Concurrency > MaxConcurrency {
		return fmt.Errorf("--concurrency %d: at most %d nodes are asked at once", opts.Concurrency, MaxConcurrency)
	}
	cfg, err := consul.ConfigFromURL(opts.ConsulURL)
	if err != nil {
		return err
	}
	if opts.ConsulToken != "" && cfg.Scheme != "https" && !isLoopback(cfg.Host) {
		return fmt.Errorf("consul URL %s: the consul token would travel in clear to a host that is not this one: use https://%s (with --consul-cacert)", opts.ConsulURL, cfg.Host)
	}
	trust, err := newNodeTrust(opts)
	if err != nil {
		return err
	}
	cfg.Token, cfg.Verify.CAFile = opts.ConsulToken, opts.ConsulCAFile
	agent, err := consul.NewClient(cfg)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Budget)
	defer cancel()
	nodes, err := listCluster(ctx, agent, trust, opts.Timeout)
	if err != nil {
		return &ClusterRunError{err}
	}
	if err := begin(&Report{Tool: "wazo-servicekit", Mode: "audit", Target: opts.ConsulURL}, len(nodes)); err != nil {
		return err
	}
	return askInOrder(ctx, cancel, trust, nodes, opts, node)
}

// orderWindow times the concurrency is how many entries may be asked
// ahead of the first one not handed over yet.
const orderWindow = 8

// askInOrder asks the nodes, at most opts.Concurrency at once, and hands
// them over in catalogue order, one call per node name. A node done before
// those ahead of it waits, and no node is asked more than a window of
// entries (8 times the concurrency) ahead of the first not handed over:
// what is held at once is bounded by the concurrency, not by the size of
// the cluster, and a node slow up to its deadline holds up the others
// only once the window is full.
func askInOrder(ctx context.Context, cancel context.CancelFunc, trust *nodeTrust, nodes []clusterNode, opts ClusterOptions, node func([]ServiceReport) error) error {
	type answer struct {
		i   int
		srs []ServiceReport
	}
	budget := &byteBudget{left: MaxClusterBytes}
	answers := make(chan answer, opts.Concurrency)
	window := make(chan struct{}, orderWindow*opts.Concurrency)
	work := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < opts.Concurrency && w < len(nodes); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				answers <- answer{i, auditClusterNode(ctx, trust, nodes[i], opts, budget)}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(work)
		for i := range nodes {
			select {
			case window <- struct{}{}:
			case <-ctx.Done():
			}
			if ctx.Err() == nil {
				select {
				case work <- i:
					continue
				case <-ctx.Done():
				}
			}
			answers <- answer{i, unseenNode(nodes[i].Node, nodes[i].Node, fmt.Sprintf("not asked: the audit's overall deadline (%s) passed first", opts.Budget))}
		}
	}()
	var failed error
	pending := map[int][]ServiceReport{}
	var group []ServiceReport
	flush := func() {
		if len(group) > 0 && failed == nil {
			one := Report{Services: group}
			one.Summarise()
			if err := node(one.Services); err != nil {
				failed = err
				cancel()
			}
		}
		group = nil
	}
	next := 0
	for range nodes {
		a := <-answers
		pending[a.i] = a.srs
		for {
			srs, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			select {
			case <-window:
			default:
			}
			if next > 0 && nodes[next].Node != nodes[next-1].Node {
				flush()
			}
			group = append(group, srs...)
			next++
		}
	}
	flush()
	wg.Wait()
	return failed
}

func clusterDefaults(opts ClusterOptions) ClusterOptions {
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.NodeTimeout <= 0 {
		opts.NodeTimeout = DefaultNodeTimeout
	}
	if opts.Budget <= 0 {
		opts.Budget = DefaultClusterBudget
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.DoctordPort == 0 {
		opts.DoctordPort = DefaultDoctordPort
	}
	return opts
}

// ClusterCoverage counts what a cluster report could not audit (its
// node-unreachable results: a node, an entry or services not asked or not
// answering) and the service reports a doctord did answer. An audit with
// nothing answered could not run; one with any gap is not clean.
func ClusterCoverage(rep *Report) (gaps, answered int) {
	for _, s := range rep.Services {
		g, a := NodeCoverage(s)
		gaps += g
		if a {
			answered++
		}
	}
	return gaps, answered
}

// NodeCoverage is ClusterCoverage of one service report: its
// node-unreachable results, and whether a doctord answered for it.
func NodeCoverage(s ServiceReport) (gaps int, answered bool) {
	for _, r := range s.Results {
		switch r.Rule {
		case NodeUnreachable:
			gaps++
		case NodeCritical:
		default:
			answered = true
		}
	}
	return gaps, answered
}

// listCluster merges the catalog's nodes with the doctord instances: one
// entry per instance, and one per node that has none.
func listCluster(ctx context.Context, agent *consul.Client, trust *nodeTrust, timeout time.Duration) ([]clusterNode, error) {
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	members, err := agent.CatalogNodes(cctx)
	if err != nil {
		return nil, fmt.Errorf("consul catalog: %v", err)
	}
	instances, err := agent.HealthService(cctx, "wazo-doctord")
	if err != nil {
		return nil, fmt.Errorf("consul catalog: %v", err)
	}
	var out []clusterNode
	has := map[string]bool{}
	for _, in := range instances {
		n := clusterNode{Node: in.Node.Node}
		has[n.Node] = true
		for _, c := range in.Checks {
			if c.Status == "critical" {
				n.Critical = append(n.Critical, fmt.Sprintf("%s (%s): %.200s", c.CheckID, c.Name, strings.TrimSpace(c.Output)))
			}
		}
		addr := in.Service.Address
		if addr == "" {
			addr = in.Node.Address
		}
		n.Base, err = trust.base(addr, in.Service.Port)
		if err != nil {
			n.Base, n.Why = "", err.Error()
		}
		out = append(out, n)
	}
	for _, m := range members {
		if !has[m.Node] {
			has[m.Node] = true
			out = append(out, clusterNode{Node: m.Node, Why: fmt.Sprintf("node %s (%s) is in the cluster but has no wazo-doctord in the catalog: stopped, deregistered or never installed", m.Node, m.Address)})
		}
	}
	if len(out) > MaxClusterNodes {
		return nil, fmt.Errorf("consul catalog: %d entries (wazo-doctord instances and nodes without one), more than the %d an audit asks: audit a smaller datacenter", len(out), MaxClusterNodes)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("consul catalog at %s lists no node and no wazo-doctord: nothing to audit", agent.URL())
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Node < out[j].Node })
	return out, nil
}

// nodeTrust decides which catalog entries get the wazo-auth token, and
// holds the clients that send it.
type nodeTrust struct {
	plain   *http.Client // this host's doctord, plain http on loopback
	tls     *http.Client // other nodes: TLS verified by the doctor CA (or the system's roots for trusted nodes)
	caGiven bool
	trusted map[string]bool // HOST:PORT, canonical
	port    int
}

func newNodeTrust(opts ClusterOptions) (*nodeTrust, error) {
	t := &nodeTrust{trusted: map[string]bool{}, port: opts.DoctordPort}
	for _, hp := range opts.TrustedNodes {
		h, p, err := net.SplitHostPort(hp)
		port, perr := strconv.Atoi(p)
		if err != nil || perr != nil || port < 1 || port > 65535 || !validHost(h) {
			return nil, fmt.Errorf("--trust-node %q: want HOST:PORT (an IP address or a host name and a TCP port)", hp)
		}
		t.trusted[canonicalHostPort(h, port)] = true
	}
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	if opts.DoctorCAFile != "" {
		pem, err := safefile.ReadRegular(opts.DoctorCAFile, 1<<20)
		if err != nil {
			return nil, fmt.Errorf("--doctor-cacert: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--doctor-cacert %s: no PEM certificate in it", opts.DoctorCAFile)
		}
		tlsConf.RootCAs, t.caGiven = pool, true
	}
	transport := func(tc *tls.Config) *http.Transport {
		return &http.Transport{Proxy: nil, TLSClientConfig: tc, MaxIdleConnsPerHost: 1, IdleConnTimeout: 5 * time.Second,
			TLSHandshakeTimeout: opts.Timeout, ResponseHeaderTimeout: opts.Timeout, DisableCompression: true,
			DialContext: (&net.Dialer{Timeout: opts.Timeout}).DialContext}
	}
	t.plain = &http.Client{Timeout: opts.Timeout, CheckRedirect: noRedirect, Transport: transport(nil)}
	t.tls = &http.Client{Timeout: opts.Timeout, CheckRedirect: noRedirect, Transport: transport(tlsConf)}
	return t, nil
}

func canonicalHostPort(h string, port int) string {
	if ip := net.ParseIP(h); ip != nil {
		h = ip.String()
	}
	return net.JoinHostPort(strings.ToLower(strings.TrimSuffix(h, ".")), strconv.Itoa(port))
}

// base is the API base of a node's wazo-doctord at the address and port
// the catalog gives, or why the token is not sent there. This host's
// doctord (loopback, at the doctord port or a trusted one) is asked over
// http; any other node only over https, and only when its certificate can
// be checked against the operator's doctor CA or it is a trusted node.
func (t *nodeTrust) base(addr string, port int) (string, error) {
	if !validHost(addr) {
		return "", fmt.Errorf("the catalog gives the address %q, not an IP address or a host name: not asked", addr)
	}
	if port < 1 || port > 65535 {
		return "", fmt.Errorf("the catalog gives the port %d, not a TCP port: not asked", port)
	}
	hp := net.JoinHostPort(addr, strconv.Itoa(port))
	trusted := t.trusted[canonicalHostPort(addr, port)]
	if isLoopback(addr) {
		if port != t.port && !trusted {
			return "", fmt.Errorf("the catalog gives %s, on this host but not at wazo-doctord's port %d: any local user can register such an entry, so the token is not sent (name it with --trust-node to ask it)", hp, t.port)
		}
		return "http://" + hp + "/1.0", nil
	}
	if !t.caGiven && !trusted {
		return "", fmt.Errorf("the catalog gives %s, another host, and no --doctor-cacert says which certificates its doctord may present: the token is not sent", hp)
	}
	return "https://" + hp + "/1.0", nil
}

func (t *nodeTrust) client(base string) *http.Client {
	if strings.HasPrefix(base, "https:") {
		return t.tls
	}
	return t.plain
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

// byteBudget is the answer bytes an audit may still read, shared by the
// nodes asked at once.
type byteBudget struct {
	mu   sync.Mutex
	left int64
}

// interner holds one copy of each string of the verdicts kept (rule IDs,
// services, severities, messages): nodes of one cluster mostly answer the
// same, so a report held whole keeps each once. Bounded: past maxShared
// strings, new ones are kept as they come.
type interner struct {
	shared map[string]string
}

const maxShared = 1 << 16

// share replaces the verdicts' strings by the copies already held.
func (b *interner) share(results []Result) {
	if b.shared == nil {
		b.shared = map[string]string{}
	}
	one := func(p *string) {
		if v, ok := b.shared[*p]; ok {
			*p = v
		} else if len(b.shared) < maxShared {
			b.shared[*p] = *p
		}
	}
	for i := range results {
		r := &results[i]
		one(&r.Rule)
		one(&r.Service)
		one((*string)(&r.Severity))
		one((*string)(&r.Status))
		one(&r.Message)
		one(&r.Path)
		for j := range r.Evidence {
			one(&r.Evidence[j])
		}
	}
}

func (b *byteBudget) take(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if n > b.left {
		return false
	}
	b.left -= n
	return true
}

func unseenNode(node, service, why string) []ServiceReport {
	return []ServiceReport{{Name: service, Node: node, Results: []Result{{Rule: NodeUnreachable, Service: service, Severity: Warning,
		Finding: unknown(why)}}}}
}

// auditClusterNode asks one node, within its own deadline and byte budget.
func auditClusterNode(ctx context.Context, trust *nodeTrust, n clusterNode, opts ClusterOptions, budget *byteBudget) []ServiceReport {
	var out []ServiceReport
	if n.Base == "" {
		out = unseenNode(n.Node, n.Node, n.Why)
	} else {
		ctx, cancel := context.WithTimeout(ctx, opts.NodeTimeout)
		out = askNode(ctx, trust.client(n.Base), n.Node, n.Base, opts, budget)
		cancel()
	}
	if len(n.Critical) > 0 {
		out = append(out, ServiceReport{Name: n.Node, Node: n.Node, Results: []Result{{Rule: NodeCritical, Service: n.Node, Severity: Warning,
			Finding: fail("", 0, fmt.Sprintf("consul marks node %s critical", n.Node), n.Critical...)}}})
	}
	return out
}

func askNode(ctx context.Context, client *http.Client, node, base string, opts ClusterOptions, budget *byteBudget) []ServiceReport {
	hdr := map[string]string{"X-Auth-Token": opts.Token}
	q := ""
	if opts.Refresh {
		q = "?refresh=true"
	}
	left := int64(MaxNodeBytes)
	var list struct {
		Items []struct{ Name string }
	}
	if err := getJSON(ctx, client, base+"/services"+q, hdr, &left, budget, &list); err != nil {
		return unseenNode(node, node, fmt.Sprintf("wazo-doctord of node %s: %v", node, err))
	}
	var out []ServiceReport
	for i, it := range list.Items {
		if i == MaxNodeServices {
			out = append(out, unseenNode(node, node, fmt.Sprintf("node %s lists %d services: the %d after the first %d were not asked", node, len(list.Items), len(list.Items)-i, i))...)
			break
		}
		var one struct {
			Results []Result
		}
		sr := ServiceReport{Name: it.Name, Node: node}
		err := getJSON(ctx, client, base+"/services/"+url.PathEscape(it.Name), hdr, &left, budget, &one)
		if err != nil && (errors.Is(err, errNodeBudget) || ctx.Err() != nil) {
			out = append(out, unseenNode(node, node, fmt.Sprintf("node %s: %v: its %d services from %s on were not asked", node, err, len(list.Items)-i, it.Name))...)
			break
		}
		if err != nil {
			sr.Results = []Result{{Rule: NodeUnreachable, Service: it.Name, Severity: Warning, Finding: unknown(fmt.Sprintf("node %s: %v", node, err))}}
		} else {
			sr.Results = one.Results
		}
		out = append(out, sr)
	}
	return out
}

// errNodeBudget: a node's answers reached its byte budget or the audit's.
var errNodeBudget = errors.New("answer larger than the audit reads (2 MB per answer, 8 MB per node, 64 MB per audit)")

// getJSON decodes one answer, reading at most what is left of the node's
// and the audit's byte budgets.
func getJSON(ctx context.Context, client *http.Client, u string, headers map[string]string, left *int64, budget *byteBudget, v any) error {
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
	if loc := resp.Header.Get("Location"); resp.StatusCode/100 == 3 {
		return fmt.Errorf("GET %s: HTTP %d redirects to %.200q: not followed (the token goes to the catalog's address only)", u, resp.StatusCode, loc)
	}
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		return fmt.Errorf("GET %s: HTTP %d: %.200q", u, resp.StatusCode, body)
	}
	lr := &io.LimitedReader{R: resp.Body, N: min(*left, MaxAnswerBytes) + 1}
	body, err := io.ReadAll(lr)
	if err != nil {
		return err
	}
	n := int64(len(body))
	if n > min(*left, MaxAnswerBytes) || !budget.take(n) {
		*left = 0
		return fmt.Errorf("GET %s: %w", u, errNodeBudget)
	}
	*left -= n
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %v", u, err)
	}
	return nil
}
