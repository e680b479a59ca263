package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wazo-platform/wazo-servicekit/config"
)

// ConsulOptions selects the kind of agent StartConsul runs.
type ConsulOptions struct {
	// Persistent runs a single-node server with a data directory kept across
	// Kill/Start, like a production agent (it restores its services and
	// checks from disk on restart). The default is `-dev`, which keeps
	// everything in memory and forgets all registrations when killed.
	Persistent bool
	// ACLToken, when set, enables ACLs with default_policy deny and this
	// token as the initial management token: requests without it are denied.
	ACLToken string
	// TLS, when set, makes the agent also serve HTTPS on HTTPSPort.
	TLS *ConsulTLS
}

// ConsulTLS is the agent's HTTPS certificate.
type ConsulTLS struct {
	CertFile, KeyFile string
}

// Consul is a consul agent running for one test on free loopback ports.
// It is stopped (SIGKILL, by PID) in t.Cleanup.
type Consul struct {
	HTTPPort  int
	HTTPSPort int // 0 unless Options.TLS
	// HTTPUpAt is when the last Start first got an HTTP answer from the
	// agent (before it may have a leader): the moment clients can reach it.
	HTTPUpAt time.Time
	// ReadyAt is when the last Start saw the agent ready: a leader elected,
	// the node in the catalog, and a registration accepted.
	ReadyAt time.Time
	Node    string
	Options ConsulOptions

	t       testing.TB
	bin     string
	dir     string
	logPath string
	cmd     *exec.Cmd
	waitErr chan error
	client  *http.Client
}

// ConsulBinary returns the consul agent built by `make consul` (bin/consul
// at the repository root) or $WAZO_CONSUL_BIN, and skips the test when
// there is none.
func ConsulBinary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("WAZO_CONSUL_BIN"); p != "" {
		return p
	}
	root, err := RepoRoot()
	if err != nil {
		missing(t, "consul agent not found (%v); run `make consul` or set WAZO_CONSUL_BIN", err)
	}
	p := filepath.Join(root, "bin", "consul")
	if _, err := os.Stat(p); err != nil {
		missing(t, "consul agent not found at %s; run `make consul` (builds it from the MPL-2.0 module) or set WAZO_CONSUL_BIN", p)
	}
	return p
}

// NewConsul prepares an agent (ports, config, directory) without starting
// it, for tests where the agent comes up after the code under test.
func NewConsul(t testing.TB, opts ConsulOptions) *Consul {
	t.Helper()
	bin := ConsulBinary(t)
	ports := FreePorts(t, 5)
	c := &Consul{
		HTTPPort: ports[0],
		Node:     "testnode-" + strconv.Itoa(ports[0]),
		Options:  opts,
		t:        t,
		bin:      bin,
		dir:      t.TempDir(),
		client:   &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{Proxy: nil}},
	}
	c.logPath = filepath.Join(c.dir, "consul.log")
	https := -1
	if opts.TLS != nil {
		c.HTTPSPort = FreePort(t)
		https = c.HTTPSPort
	}
	var hcl strings.Builder
	fmt.Fprintf(&hcl, `node_name = %q
bind_addr = "127.0.0.1"
client_addr = "127.0.0.1"
advertise_addr = "127.0.0.1"
disable_update_check = true
disable_anonymous_signature = true
log_level = "INFO"
ports {
  http = %d
  https = %d
  dns = -1
  grpc = -1
  grpc_tls = -1
  serf_lan = %d
  serf_wan = %d
  server = %d
}
`, c.Node, c.HTTPPort, https, ports[1], ports[2], ports[3])
	if opts.Persistent {
		fmt.Fprintf(&hcl, `server = true
bootstrap_expect = 1
data_dir = %q
performance { raft_multiplier = 1 }
`, filepath.Join(c.dir, "data"))
	}
	if opts.ACLToken != "" {
		fmt.Fprintf(&hcl, `acl {
  enabled = true
  default_policy = "deny"
  tokens { initial_management = %q }
}
`, opts.ACLToken)
	}
	if opts.TLS != nil {
		fmt.Fprintf(&hcl, "tls { defaults { cert_file = %q\n key_file = %q } }\n", opts.TLS.CertFile, opts.TLS.KeyFile)
	}
	if err := os.WriteFile(filepath.Join(c.dir, "agent.hcl"), []byte(hcl.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Kill()
		if t.Failed() {
			t.Logf("consul agent log (%s), last lines:\n%s", c.logPath, tail(c.logPath, 30))
		}
	})
	return c
}

// StartConsul starts an agent and waits until it can take registrations
// that reach the catalog (a leader is elected and the node is listed).
func StartConsul(t testing.TB, opts ConsulOptions) *Consul {
	t.Helper()
	c := NewConsul(t, opts)
	c.Start()
	return c
}

// Start (re)starts the agent on the same ports and data directory and waits
// until it is ready, up to 60 s.
func (c *Consul) Start() {
	c.t.Helper()
	if c.cmd != nil {
		c.t.Fatal("testenv: consul agent already running")
	}
	args := []string{"agent", "-config-file", filepath.Join(c.dir, "agent.hcl")}
	if !c.Options.Persistent {
		args = append([]string{"agent", "-dev"}, args[1:]...)
	}
	logf, err := os.OpenFile(c.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		c.t.Fatal(err)
	}
	cmd := exec.Command(c.bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	// Pdeathsig: the agent dies with the test binary even when it cannot
	// run its cleanups (a -timeout panic, a SIGKILL).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		c.t.Fatalf("testenv: starting %s: %v", c.bin, err)
	}
	logf.Close()
	c.cmd = cmd
	c.HTTPUpAt = time.Time{}
	c.waitErr = make(chan error, 1)
	go func() { c.waitErr <- cmd.Wait() }()
	if err := c.waitReady(60 * time.Second); err != nil {
		c.t.Fatalf("testenv: consul agent (pid %d) not ready: %v\nlog:\n%s", cmd.Process.Pid, err, tail(c.logPath, 30))
	}
}

func (c *Consul) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		select {
		case err := <-c.waitErr:
			c.cmd = nil
			return fmt.Errorf("agent exited: %v", err)
		default:
		}
		var leader string
		last = c.Get("/v1/status/leader", &leader)
		if last == nil && c.HTTPUpAt.IsZero() {
			c.HTTPUpAt = time.Now()
		}
		if last == nil && leader == "" {
			last = fmt.Errorf("no leader yet")
		}
		if last == nil {
			var node map[string]any
			last = c.Get("/v1/catalog/node/"+c.Node, &node)
			if last == nil && node == nil {
				last = fmt.Errorf("node %s not in the catalog yet", c.Node)
			}
			if last == nil {
				// A server agent restarted with its data holds
				// registrations until it can reach its leader for the
				// service's central config: ready means one goes through.
				last = c.Put("/v1/agent/service/register", `{"ID":"testenv-ready-probe","Name":"testenv-ready-probe"}`)
				if last == nil {
					last = c.Put("/v1/agent/service/deregister/testenv-ready-probe", "")
				}
			}
			if last == nil {
				c.ReadyAt = time.Now()
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond) // polling interval, not synchronisation
	}
	return last
}

// Kill stops the agent with SIGKILL (a crash: no leave, no cleanup) by its
// PID and waits for it to exit. It is a no-op when the agent is not running.
func (c *Consul) Kill() {
	if c.cmd == nil {
		return
	}
	pid := c.cmd.Process.Pid
	_ = syscall.Kill(-pid, syscall.SIGKILL) // its process group: the agent has no children, but be sure
	<-c.waitErr
	c.cmd = nil
}

// PID is the agent's process id, 0 when it is not running.
func (c *Consul) PID() int {
	if c.cmd == nil {
		return 0
	}
	return c.cmd.Process.Pid
}

// Addr is the HTTP API address, 127.0.0.1:port.
func (c *Consul) Addr() string { return "127.0.0.1:" + strconv.Itoa(c.HTTPPort) }

// Config is the kit configuration that reaches this agent over plain HTTP,
// with the management token when ACLs are on.
func (c *Consul) Config() config.Consul {
	return config.Consul{Scheme: "http", Host: "127.0.0.1", Port: c.HTTPPort, Token: c.Options.ACLToken}
}

// Put sends a PUT with a JSON body ("" for none) to the agent's HTTP API,
// with the management token if any. A non-200 is an error.
func (c *Consul) Put(path, body string) error {
	_, err := c.do(http.MethodPut, path, strings.NewReader(body))
	return err
}

// Get decodes the JSON answer of GET path (with query) from the agent's
// HTTP API, sending the management token if any. A non-200 is an error.
func (c *Consul) Get(pathAndQuery string, out any) error {
	b, err := c.do(http.MethodGet, pathAndQuery, nil)
	if err != nil || out == nil {
		return err
	}
	return json.Unmarshal(b, out)
}

// do sends one request to the agent (2 s bound, token if any) and returns
// the body of a 200 answer.
func (c *Consul) do(method, pathAndQuery string, body io.Reader) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, "http://"+c.Addr()+pathAndQuery, body)
	if err != nil {
		return nil, err
	}
	if c.Options.ACLToken != "" {
		req.Header.Set("X-Consul-Token", c.Options.ACLToken)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s %s: HTTP %d: %s", method, pathAndQuery, resp.StatusCode, strings.TrimSpace(string(b)))
	}
	return b, nil
}

// FreePorts returns n distinct TCP ports that were free on 127.0.0.1 a
// moment ago. The listeners are held until all n are chosen so the kernel
// never hands the same port twice; a port can still be taken by someone
// else before the caller binds it, which is why each test picks its own.
func FreePorts(t testing.TB, n int) []int {
	t.Helper()
	ports := make([]int, 0, n)
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for len(ports) < n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("testenv: picking a free loopback port: %v", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

// tail returns the last n lines of a file, for failure messages.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// FreePort is FreePorts(t, 1)[0].
func FreePort(t testing.TB) int { return FreePorts(t, 1)[0] }

// RepoRoot is the directory of this repository's go.mod, found by walking up
// from the test's working directory (its package directory).
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.Contains(b, []byte("module github.com/wazo-platform/wazo-servicekit\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("testenv: no wazo-servicekit go.mod above the working directory")
		}
		dir = parent
	}
}
