package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wazo-platform/wazo-servicekit/authtest"
	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

const (
	subnet      = "10.231.7." // inside the test's namespaces only
	doctordPort = 9504
	authPort    = 9497
	consulHTTP  = 8500
	token       = "cluster-operator-token"
)

// lab is the test's cluster: its namespaces, the CA, the binaries and
// every process it started.
type lab struct {
	t        *testing.T
	prefix   string // of every namespace name
	hub      string // the namespace holding the bridge
	nodes    []*node
	dir      string
	ca       *testenv.CA
	bin      string // the repository's bin/
	consul   string
	nginx    string
	procs    []*proc
	netnsAll []string
}

// node is one Wazo host of the cluster.
type node struct {
	name, ns, ip, dir string
	consul, nginx     *proc
	doctord           *proc
	auth              *authtest.FakeAuth
	http              *http.Client // dials from inside the node's namespace
}

// proc is a process the lab started inside a namespace; it is ended by
// PID in the lab's cleanup if a step has not ended it.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error
}

func (p *proc) running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// stop sends sig and waits for the exit (SIGKILL after 10 s).
func (p *proc) stop(sig syscall.Signal) {
	if !p.running() {
		return
	}
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// newLab makes the namespaces and the bridge; nothing is started yet.
func newLab(t *testing.T, n int) *lab {
	testenv.RequireRoot(t)
	testenv.RequireCommand(t, "ip")
	l := &lab{t: t, prefix: fmt.Sprintf("wskc%d", os.Getpid()%100000), dir: t.TempDir(), ca: testenv.NewCA(t, "cluster CA")}
	l.nginx = testenv.RequireCommand(t, "nginx")
	l.consul = testenv.ConsulBinary(t)
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	l.bin = filepath.Join(root, "bin")
	for _, b := range []string{"wazo-doctord", "wazo-doctord-audit", "wazo-servicekit"} {
		testenv.NeedFile(t, filepath.Join(l.bin, b), "built by `make build`")
	}
	t.Cleanup(l.cleanup)
	l.hub = l.prefix + "-hub"
	l.addNetns(l.hub)
	l.ip(l.hub, "link", "add", "br0", "type", "bridge")
	l.ip(l.hub, "link", "set", "br0", "up")
	for i := 1; i <= n; i++ {
		nd := &node{name: fmt.Sprintf("wazo-node%d", i), ns: fmt.Sprintf("%s-n%d", l.prefix, i), ip: fmt.Sprintf("%s%d", subnet, i), dir: filepath.Join(l.dir, fmt.Sprintf("node%d", i))}
		if err := os.MkdirAll(nd.dir, 0o755); err != nil {
			t.Fatal(err)
		}
		l.addNetns(nd.ns)
		veth := fmt.Sprintf("v%d", i)
		l.ip(l.hub, "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", nd.ns)
		l.ip(l.hub, "link", "set", veth, "master", "br0", "up")
		l.ip(nd.ns, "addr", "add", nd.ip+"/24", "dev", "eth0")
		l.ip(nd.ns, "link", "set", "eth0", "up")
		nsName := nd.ns
		nd.http = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{Proxy: nil,
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				var c net.Conn
				err := inNetns(nsName, func() (err error) {
					c, err = (&net.Dialer{}).DialContext(ctx, network, addr)
					return err
				})
				return c, err
			}}}
		l.nodes = append(l.nodes, nd)
	}
	return l
}

func (l *lab) addNetns(name string) {
	l.t.Helper()
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		l.t.Fatalf("ip netns add %s: %v: %s", name, err, out)
	}
	l.netnsAll = append(l.netnsAll, name)
	l.ip(name, "link", "set", "lo", "up")
}

// ip runs ip(8) on the given namespace's links and addresses.
func (l *lab) ip(ns string, args ...string) {
	l.t.Helper()
	if out, err := exec.Command("ip", append([]string{"-n", ns}, args...)...).CombinedOutput(); err != nil {
		l.t.Fatalf("ip -n %s %s: %v: %s", ns, strings.Join(args, " "), err, out)
	}
}

// inNetns runs fn on an OS thread switched into the namespace, so the
// sockets fn makes (a dial, a listener) belong to it. The thread is
// switched back, or, if that fails, left locked so that it ends with the
// goroutine.
func inNetns(name string, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		self, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		defer self.Close()
		target, err := os.Open(filepath.Join("/run/netns", name))
		if err != nil {
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		defer target.Close()
		if err := setns(target); err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("setns %s: %v", name, err)
			return
		}
		ferr := fn()
		if err := setns(self); err != nil {
			errc <- fmt.Errorf("back from %s: %v", name, err) // the thread stays locked and ends
			return
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}

func setns(f *os.File) error {
	if sysSetns < 0 {
		return fmt.Errorf("setns(2) is not known on %s", runtime.GOARCH)
	}
	if _, _, e := syscall.RawSyscall(uintptr(sysSetns), f.Fd(), syscall.CLONE_NEWNET, 0); e != 0 {
		return e
	}
	return nil
}

// listen opens a TCP listener inside a node's namespace.
func (l *lab) listen(nd *node, addr string) net.Listener {
	l.t.Helper()
	var ln net.Listener
	if err := inNetns(nd.ns, func() (err error) {
		ln, err = net.Listen("tcp", addr)
		return err
	}); err != nil {
		l.t.Fatalf("listening on %s in %s: %v", addr, nd.ns, err)
	}
	l.t.Cleanup(func() { ln.Close() })
	return ln
}

// start runs a program inside a node's namespace, its output in a log.
func (l *lab) start(nd *node, name string, env []string, args ...string) *proc {
	l.t.Helper()
	p := &proc{name: nd.name + " " + name, log: filepath.Join(nd.dir, name+".out"), done: make(chan struct{})}
	out, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		l.t.Fatal(err)
	}
	defer out.Close()
	p.cmd = exec.Command("ip", append([]string{"netns", "exec", nd.ns}, args...)...)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = out, out
	// Killed with the test binary even if it dies (ip netns exec execs the program).
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		l.t.Fatalf("%s: %v", p.name, err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	l.procs = append(l.procs, p)
	return p
}

// cleanup ends every process the lab started (by PID), deletes its
// namespaces, and checks that nothing of it is left.
func (l *lab) cleanup() {
	t := l.t
	for i := len(l.procs) - 1; i >= 0; i-- {
		p := l.procs[i]
		if t.Failed() && p.running() {
			t.Logf("%s (pid %d) log, last lines:\n%s", p.name, p.cmd.Process.Pid, lastLines(p.log, 15))
		}
		p.stop(syscall.SIGTERM)
	}
	for i := len(l.netnsAll) - 1; i >= 0; i-- {
		if out, err := exec.Command("ip", "netns", "del", l.netnsAll[i]).CombinedOutput(); err != nil {
			t.Errorf("ip netns del %s: %v: %s", l.netnsAll[i], err, out)
		}
	}
	// Verified: no process left, no namespace left.
	for _, p := range l.procs {
		if err := syscall.Kill(p.cmd.Process.Pid, 0); err != syscall.ESRCH {
			t.Errorf("%s (pid %d) still exists after cleanup", p.name, p.cmd.Process.Pid)
		}
	}
	out, _ := exec.Command("ip", "netns", "list").Output()
	for _, name := range l.netnsAll {
		if bytes.Contains(out, []byte(name)) {
			t.Errorf("namespace %s still listed after cleanup", name)
		}
		if _, err := os.Stat(filepath.Join("/run/netns", name)); err == nil {
			t.Errorf("/run/netns/%s still exists after cleanup", name)
		}
	}
	t.Logf("cleanup: %d processes ended and %d namespaces deleted (the bridge and veth pairs with them), verified", len(l.procs), len(l.netnsAll))
}

func lastLines(path string, n int) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// startConsul starts node i's agent: the server on the first node, agents
// joining it by gossip on the others. Failure detection is tuned faster
// than the defaults so a killed agent is seen in seconds.
func (l *lab) startConsul(nd *node, server bool) {
	l.t.Helper()
	hcl := fmt.Sprintf(`node_name = %q
data_dir = %q
bind_addr = %q
advertise_addr = %q
client_addr = "127.0.0.1"
disable_update_check = true
log_level = "INFO"
ports { dns = -1, grpc = -1, grpc_tls = -1, http = %d }
gossip_lan { probe_interval = "1s", probe_timeout = "500ms", suspicion_mult = 3 }
`, nd.name, filepath.Join(nd.dir, "consul-data"), nd.ip, nd.ip, consulHTTP)
	if server {
		hcl += "server = true\nbootstrap_expect = 1\nperformance { raft_multiplier = 1 }\n"
	} else {
		hcl += fmt.Sprintf("retry_join = [%q]\nretry_interval = \"1s\"\n", l.nodes[0].ip)
	}
	conf := filepath.Join(nd.dir, "consul.hcl")
	if err := os.WriteFile(conf, []byte(hcl), 0o600); err != nil {
		l.t.Fatal(err)
	}
	nd.consul = l.start(nd, "consul", nil, l.consul, "agent", "-config-file", conf)
}

// startNginx terminates TLS on the node's address at doctord's port, with
// a certificate the cluster CA signed for that address, as Wazo's nginx
// fronts its daemons.
func (l *lab) startNginx(nd *node) {
	l.t.Helper()
	cert, key := l.ca.Issue(nd.ip)
	dir := filepath.Join(nd.dir, "nginx")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		l.t.Fatal(err)
	}
	conf := fmt.Sprintf(`pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
worker_processes 1;
events { worker_connections 64; }
http {
  access_log %[1]s/access.log;
  client_body_temp_path %[1]s/body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
  server {
    listen %[2]s:%[3]d ssl;
    ssl_certificate %[4]s;
    ssl_certificate_key %[5]s;
    location / {
      proxy_pass http://127.0.0.1:%[3]d;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }
  }
}
`, dir, nd.ip, doctordPort, cert, key)
	p := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(p, []byte(conf), 0o600); err != nil {
		l.t.Fatal(err)
	}
	nd.nginx = l.start(nd, "nginx", nil, l.nginx, "-c", p, "-p", dir, "-g", "daemon off;")
}

// startDoctord runs wazo-doctord on the node, auditing root, its token
// checks going to the node's fake wazo-auth, registered with the node's
// agent at the node's address (nginx's TLS port).
func (l *lab) startDoctord(nd *node, root string) {
	l.t.Helper()
	conf := fmt.Sprintf(`rest_api: {listen: 127.0.0.1, port: %d, drain_timeout: 2}
log_file: %s
auth: {host: 127.0.0.1, port: %d}
consul: {scheme: http, host: 127.0.0.1, port: %d}
service_discovery:
  enabled: true
  advertise_address: %s
  advertise_port: %d
  ttl_interval: 10
  refresh_interval: 3
  retry_interval: 1
audit: {root: %s, cache_seconds: 0}
`, doctordPort, filepath.Join(nd.dir, "wazo-doctord.log"), authPort, consulHTTP, nd.ip, doctordPort, root)
	p := filepath.Join(nd.dir, "doctord.yml")
	if err := os.WriteFile(p, []byte(conf), 0o600); err != nil {
		l.t.Fatal(err)
	}
	nd.doctord = l.start(nd, "wazo-doctord", []string{"XIVO_UUID=00000000-0000-4000-8000-00000000000" + nd.name[len(nd.name)-1:]},
		filepath.Join(l.bin, "wazo-doctord"), "--dev", "-c", p)
}

// consulGet reads the catalog through the node's own agent, from inside
// its namespace.
func (l *lab) consulGet(nd *node, path string, out any) error {
	resp, err := nd.http.Get(fmt.Sprintf("http://127.0.0.1:%d%s", consulHTTP, path))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: HTTP %d", path, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// consulPut writes through the node's agent (registrations of the test's
// impostor doctords).
func (l *lab) consulPut(nd *node, path, body string) error {
	req, _ := http.NewRequest(http.MethodPut, fmt.Sprintf("http://127.0.0.1:%d%s", consulHTTP, path), strings.NewReader(body))
	resp, err := nd.http.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("PUT %s: HTTP %d", path, resp.StatusCode)
	}
	return nil
}

// waitFor polls cond until it holds or the deadline passes.
func (l *lab) waitFor(what string, limit time.Duration, cond func() (bool, string)) {
	l.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			l.t.Fatalf("after %s, still not %s: %s", limit, what, state)
		}
		time.Sleep(200 * time.Millisecond) // polling the cluster's state, bounded by the deadline
	}
}

// doctordHealth is the catalog's view of the wazo-doctord instances: node
// -> "passing" or the first check that is not (a node with two instances
// says "2 instances").
func (l *lab) doctordHealth(from *node) (map[string]string, error) {
	entries, err := l.doctordEntries(from)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, e := range entries {
		st := "passing"
		for _, c := range e.Checks {
			if c.Status != "passing" {
				st = c.CheckID + "=" + c.Status
			}
		}
		if _, dup := out[e.Node.Node]; dup {
			st = "2 instances"
		}
		out[e.Node.Node] = st
	}
	return out, nil
}

// instanceIDs lists each node's wazo-doctord instance IDs (empty when the
// catalog cannot be read: the callers poll).
func (l *lab) instanceIDs(from *node) map[string][]string {
	entries, _ := l.doctordEntries(from)
	out := map[string][]string{}
	for _, e := range entries {
		out[e.Node.Node] = append(out[e.Node.Node], e.Service.ID)
	}
	return out
}

type doctordEntry struct {
	Node    struct{ Node string }
	Service struct{ ID string }
	Checks  []struct{ CheckID, Status string }
}

func (l *lab) doctordEntries(from *node) ([]doctordEntry, error) {
	var entries []doctordEntry
	err := l.consulGet(from, "/v1/health/service/wazo-doctord", &entries)
	return entries, err
}
