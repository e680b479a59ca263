package cluster

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/wazo-platform/wazo-servicekit/authtest"
	"github.com/wazo-platform/wazo-servicekit/internal/rules"
	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// Exit statuses of wazo-servicekit (its contract).
const (
	exitClean, exitFindings, exitCouldNotRun = 0, 1, 3
)

// auditRun is one `audit --consul` from inside a node.
type auditRun struct {
	code    int
	stderr  string
	rep     rules.Report
	wall    time.Duration
	maxRSS  int64                        // kB
	cells   map[string]map[string]string // node -> service/rule -> status
	reasons map[string][]string          // node -> messages of node-unreachable and node-critical
}

// audit runs the CLI in the node's namespace, the token in its
// environment (never on the command line).
func (l *lab) audit(from *node) auditRun {
	l.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", from.ns, filepath.Join(l.bin, "wazo-servicekit"), "audit",
		"--consul", fmt.Sprintf("http://127.0.0.1:%d", consulHTTP), "--doctor-cacert", l.ca.File, "--format", "json")
	cmd.Env = append(os.Environ(), "WAZO_TOKEN="+token)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := auditRun{wall: time.Since(start), stderr: stderr.String(), cells: map[string]map[string]string{}, reasons: map[string][]string{}}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		l.t.Fatalf("audit: %v\nstderr: %s", err, stderr.String())
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxRSS = ru.Maxrss
	}
	if err := json.Unmarshal(stdout.Bytes(), &r.rep); err != nil {
		l.t.Fatalf("audit output (exit %d) is not the JSON report: %v\nstdout: %.2000s\nstderr: %s", r.code, err, stdout.String(), stderr.String())
	}
	for _, s := range r.rep.Services {
		if r.cells[s.Node] == nil {
			r.cells[s.Node] = map[string]string{}
		}
		for _, res := range s.Results {
			if res.Rule == rules.NodeUnreachable || res.Rule == rules.NodeCritical {
				r.reasons[s.Node] = append(r.reasons[s.Node], fmt.Sprintf("%s %s: %s %s", res.Status, res.Rule, res.Message, strings.Join(res.Evidence, "; ")))
				continue
			}
			r.cells[s.Node][s.Name+"/"+res.Rule] = string(res.Status)
		}
	}
	return r
}

// expectedCode is the contract's exit status for a report: 3 when no
// doctord answered, 1 with any gap or failure at warning or above, else 0.
func expectedCode(rep *rules.Report) int {
	gaps, answered := rules.ClusterCoverage(rep)
	switch {
	case answered == 0:
		return exitCouldNotRun
	case gaps > 0 || len(rep.Failing(rules.Warning)) > 0:
		return exitFindings
	}
	return exitClean
}

// said is the audit's verdict on a node, for the fault table.
func (r auditRun) said(node string) string {
	if len(r.reasons[node]) > 0 {
		return fmt.Sprintf("%s: %.400s", node, strings.Join(r.reasons[node], " | "))
	}
	if len(r.cells[node]) == 0 {
		return node + ": absent"
	}
	return fmt.Sprintf("%s: %d verdicts, as before", node, len(r.cells[node]))
}

func sameCells(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// imageRoot is a node's filesystem as its doctord audits it: one Wazo
// service installed as the checklist asks (so a whole cluster passes and
// exits 0, and each fault shows in the exit status).
func imageRoot(t *testing.T, dir string) string {
	t.Helper()
	for p, c := range map[string]string{
		"/etc/passwd":                               "root:x:0:0::/root:/bin/bash\nwazo-x:x:4321:4321::/var/lib/wazo-x:/usr/sbin/nologin\n",
		"/etc/group":                                "wazo-x:x:4321:\n",
		"/etc/wazo-x/config.yml":                    "user: wazo-x\npid_file: /run/wazo-x/wazo-x.pid\nrest_api: {port: 9700}\n",
		"/lib/systemd/system/wazo-x.service":        "[Service]\nExecStart=/usr/bin/wazo-x\nUser=wazo-x\n[Install]\nWantedBy=multi-user.target\n",
		"/etc/monit/conf.d/wazo-x":                  "check process wazo-x with pidfile /run/wazo-x/wazo-x.pid\n  start program = \"/bin/systemctl start wazo-x\"\n  stop program = \"/bin/systemctl stop wazo-x\"\n",
		"/etc/nginx/locations/https-enabled/wazo-x": "location ^~ /api/x/ {\n    proxy_pass http://127.0.0.1:9700/;\n}\n",
		"/etc/wazo-auth/conf.d/50-wazo-x.yml":       "default_policies:\n  wazo_default_admin_policy:\n    acl:\n      - x.#\n",
		"/var/log/wazo-x.log":                       "",
	} {
		if err := os.MkdirAll(filepath.Dir(dir+p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dir+p, []byte(c), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(dir+"/var/log/wazo-x.log", 4321, 4321); err != nil {
		t.Fatal(err)
	}
	wants := dir + "/etc/systemd/system/multi-user.target.wants"
	if err := os.MkdirAll(wants, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/lib/systemd/system/wazo-x.service", wants+"/wazo-x.service"); err != nil {
		t.Fatal(err)
	}
	return dir
}

// tokenTrap accepts connections inside a node's namespace (plain TCP, or
// TLS with a certificate of another CA) and counts those whose bytes
// carried the operator's token.
type tokenTrap struct {
	conns, leaks atomic.Int32
}

func (l *lab) trap(nd *node, port int, cert *tls.Certificate) *tokenTrap {
	ln := l.listen(nd, fmt.Sprintf("%s:%d", nd.ip, port))
	if cert != nil {
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{*cert}})
	}
	tr := &tokenTrap{}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			tr.conns.Add(1)
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				b, _ := io.ReadAll(io.LimitReader(c, 64<<10))
				if bytes.Contains(b, []byte(token)) {
					tr.leaks.Add(1)
				}
			}()
		}
	}()
	return tr
}

// TestAuditConsulOnARealCluster: three nodes, a consul server and two
// agents joined by gossip, a doctord behind nginx+TLS on each; the audit
// from one node sees the three, then each fault is made and what the
// audit said, and its exit status, is checked and tabled.
func TestAuditConsulOnARealCluster(t *testing.T) {
	type step struct {
		name string
		took time.Duration
	}
	var steps []step
	mark := time.Now()
	done := func(name string) {
		steps = append(steps, step{name, time.Since(mark)})
		mark = time.Now()
	}
	type fault struct {
		done, said string
		code       int
	}
	var faults []fault
	defer func() {
		var b strings.Builder
		for _, s := range steps {
			fmt.Fprintf(&b, "  %-58s %7.2fs\n", s.name, s.took.Seconds())
		}
		t.Logf("step times:\n%s", b.String())
		b.Reset()
		for _, f := range faults {
			fmt.Fprintf(&b, "  %-44s -> %-110s -> exit %d\n", f.done, f.said, f.code)
		}
		t.Logf("fault table (done -> audit said -> exit status):\n%s", b.String())
	}()

	l := newLab(t, 3)
	n1, n2, n3 := l.nodes[0], l.nodes[1], l.nodes[2]
	done("namespaces, bridge, veth pairs")

	for _, nd := range l.nodes {
		nd.auth = authtest.ServeFakeAuth(l.listen(nd, fmt.Sprintf("127.0.0.1:%d", authPort)))
		nd.auth.AddToken(token, []string{"doctor.services.read"})
		t.Cleanup(nd.auth.Close)
	}
	l.startConsul(n1, true)
	l.startConsul(n2, false)
	l.startConsul(n3, false)
	l.waitFor("a cluster of three with a leader", 60*time.Second, func() (bool, string) {
		var members []struct{ Node string }
		err := l.consulGet(n1, "/v1/catalog/nodes", &members)
		return err == nil && len(members) == 3, fmt.Sprintf("%v %v", members, err)
	})
	done("consul server + 2 agents joined by gossip")

	for _, nd := range l.nodes {
		l.startNginx(nd)
		l.startDoctord(nd, imageRoot(t, filepath.Join(nd.dir, "root")))
	}
	allPassing := func() (bool, string) {
		h, err := l.doctordHealth(n1)
		return err == nil && len(h) == 3 && h[n1.name] == "passing" && h[n2.name] == "passing" && h[n3.name] == "passing", fmt.Sprintf("%v %v", h, err)
	}
	l.waitFor("three doctords passing in the catalog", 60*time.Second, allPassing)
	done("nginx+TLS and wazo-doctord on each node, registered")

	base := l.audit(n1)
	done("audit --consul from node 1 (baseline)")
	if len(base.cells) != 3 || len(base.reasons) != 0 || base.code != expectedCode(&base.rep) {
		t.Fatalf("baseline: %d node columns, reasons %v, exit %d (want 3, none, %d)\nstderr: %s", len(base.cells), base.reasons, base.code, expectedCode(&base.rep), base.stderr)
	}
	for _, nd := range l.nodes {
		if len(base.cells[nd.name]) == 0 || !sameCells(base.cells[nd.name], base.cells[n1.name]) {
			t.Fatalf("baseline: node %s has %v, node 1 %v (the same image on each)", nd.name, base.cells[nd.name], base.cells[n1.name])
		}
	}
	faults = append(faults, fault{"none (3 nodes up)", fmt.Sprintf("3 columns of %d verdicts each", len(base.cells[n1.name])), base.code})
	t.Logf("scorecard (node x service/rule):\n%s", scorecard(base))
	t.Logf("cost on the real three: %.2fs wall, %d kB peak RSS for 3 nodes (%.2fs per node)", base.wall.Seconds(), base.maxRSS, base.wall.Seconds()/3)

	// check compares the others' columns with the baseline and the exit
	// status with the contract, and tables the fault.
	check := func(what string, r auditRun, faulty *node, wantCode int, wantSaid string) {
		t.Helper()
		faults = append(faults, fault{what, r.said(faulty.name), r.code})
		if r.code != wantCode || r.code != expectedCode(&r.rep) {
			t.Errorf("%s: exit %d, want %d (stderr: %s)", what, r.code, wantCode, r.stderr)
		}
		if !strings.Contains(strings.Join(r.reasons[faulty.name], " "), wantSaid) {
			t.Errorf("%s: node %s: %v, want %q", what, faulty.name, r.reasons[faulty.name], wantSaid)
		}
		for _, nd := range l.nodes {
			if nd != faulty && (!sameCells(r.cells[nd.name], base.cells[nd.name]) || len(r.reasons[nd.name]) > 0) {
				t.Errorf("%s: node %s changed: %v, reasons %v", what, nd.name, r.cells[nd.name], r.reasons[nd.name])
			}
		}
	}
	whole := func(what string) {
		t.Helper()
		r := l.audit(n1)
		faults = append(faults, fault{what, fmt.Sprintf("3 columns as the baseline: %v", sameNodes(r, base)), r.code})
		if !sameNodes(r, base) || r.code != base.code {
			t.Errorf("%s: not whole again: reasons %v, exit %d", what, r.reasons, r.code)
		}
	}

	// Fault 1: node 2's doctord stopped (SIGTERM): it deregisters.
	n2.doctord.stop(syscall.SIGTERM)
	l.waitFor("node 2's doctord gone from the catalog", 30*time.Second, func() (bool, string) {
		h, err := l.doctordHealth(n1)
		_, listed := h[n2.name]
		return err == nil && !listed, fmt.Sprintf("%v %v", h, err)
	})
	check("node 2's wazo-doctord stopped (SIGTERM)", l.audit(n1), n2, exitFindings, "has no wazo-doctord in the catalog")
	done("fault: doctord stopped -> audit")
	l.startDoctord(n2, filepath.Join(n2.dir, "root"))
	l.waitFor("three doctords passing again", 60*time.Second, allPassing)
	whole("node 2's wazo-doctord started again")
	done("doctord back -> audit whole")

	// Fault 2: node 2's doctord killed (SIGKILL): still registered, nginx
	// answers for it.
	stale := l.instanceIDs(n1)[n2.name]
	n2.doctord.stop(syscall.SIGKILL)
	check("node 2's wazo-doctord killed (SIGKILL)", l.audit(n1), n2, exitFindings, "HTTP 502")
	// The killed doctord's entry stays until consul reaps it (its TTL
	// check critical for a minute); the operator deregisters it at once.
	for _, id := range stale {
		if err := l.consulPut(n2, "/v1/agent/service/deregister/"+id, ""); err != nil {
			t.Fatal(err)
		}
	}
	l.startDoctord(n2, filepath.Join(n2.dir, "root"))
	l.waitFor("three doctords passing again", 60*time.Second, allPassing)
	whole("node 2's wazo-doctord started again")
	done("fault: doctord killed -> audit, back")

	// Fault 3: node 3's consul agent killed: the server marks the node
	// critical (serfHealth); its doctord still answers.
	n3.consul.stop(syscall.SIGKILL)
	l.waitFor("node 3 critical in the catalog", 60*time.Second, func() (bool, string) {
		h, err := l.doctordHealth(n1)
		return err == nil && strings.Contains(h[n3.name], "serfHealth=critical"), fmt.Sprintf("%v %v", h, err)
	})
	r := l.audit(n1)
	faults = append(faults, fault{"node 3's consul agent killed (SIGKILL)", r.said(n3.name), r.code})
	if r.code != exitFindings || !strings.Contains(strings.Join(r.reasons[n3.name], " "), "fail node-critical: consul marks node wazo-node3 critical serfHealth") {
		t.Errorf("agent killed: exit %d, node 3: %v", r.code, r.reasons[n3.name])
	}
	if !sameCells(r.cells[n3.name], base.cells[n3.name]) || !sameCells(r.cells[n1.name], base.cells[n1.name]) || !sameCells(r.cells[n2.name], base.cells[n2.name]) {
		t.Errorf("agent killed: the doctords' verdicts changed")
	}
	done("fault: agent killed -> critical -> audit")
	l.startConsul(n3, false)
	l.waitFor("node 3 passing again", 60*time.Second, allPassing)
	whole("node 3's agent started again (same data dir)")
	done("agent back -> audit whole")

	// Fault 4: impostors on node 2: a plain HTTP listener and a TLS one
	// with a certificate of another CA, both registered as wazo-doctord.
	rogue := testenv.NewCA(t, "another CA")
	certFile, keyFile := rogue.Issue(n2.ip)
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	plain, other := l.trap(n2, 9600, nil), l.trap(n2, 9601, &cert)
	for id, port := range map[string]int{"impostor-plain": 9600, "impostor-other-ca": 9601} {
		if err := l.consulPut(n2, "/v1/agent/service/register", fmt.Sprintf(`{"ID": %q, "Name": "wazo-doctord", "Address": %q, "Port": %d}`, id, n2.ip, port)); err != nil {
			t.Fatal(err)
		}
	}
	l.waitFor("the impostors in the catalog", 30*time.Second, func() (bool, string) {
		ids := l.instanceIDs(n1)[n2.name]
		return len(ids) == 3, fmt.Sprintf("node 2's instances: %v", ids)
	})
	r = l.audit(n1)
	said := strings.Join(r.reasons[n2.name], " ")
	faults = append(faults, fault{"node 2 lists a plain-HTTP and an other-CA doctord", r.said(n2.name) + fmt.Sprintf(" [connections %d+%d, tokens received %d+%d]", plain.conns.Load(), other.conns.Load(), plain.leaks.Load(), other.leaks.Load()), r.code})
	if plain.leaks.Load() != 0 || other.leaks.Load() != 0 {
		t.Errorf("an impostor received the token: plain %d, other CA %d", plain.leaks.Load(), other.leaks.Load())
	}
	if plain.conns.Load() == 0 || other.conns.Load() == 0 {
		t.Errorf("the audit never tried the impostors (%d, %d connections): the trap proves nothing", plain.conns.Load(), other.conns.Load())
	}
	if r.code != exitFindings || !strings.Contains(said, "9600") || !strings.Contains(said, "9601") || !strings.Contains(said, "certificate signed by unknown authority") {
		t.Errorf("impostors: exit %d, node 2 said %q", r.code, said)
	}
	if !sameCells(r.cells[n2.name], base.cells[n2.name]) {
		t.Errorf("impostors: node 2's real doctord's verdicts changed")
	}
	for _, id := range []string{"impostor-plain", "impostor-other-ca"} {
		if err := l.consulPut(n2, "/v1/agent/service/deregister/"+id, ""); err != nil {
			t.Fatal(err)
		}
	}
	done("fault: impostors -> no token -> audit")

	// Fault 5: every doctord stopped: the audit could not run.
	for _, nd := range l.nodes {
		nd.doctord.stop(syscall.SIGTERM)
	}
	l.waitFor("no doctord in the catalog", 30*time.Second, func() (bool, string) {
		h, err := l.doctordHealth(n1)
		return err == nil && len(h) == 0, fmt.Sprintf("%v %v", h, err)
	})
	r = l.audit(n1)
	faults = append(faults, fault{"every wazo-doctord stopped", strings.TrimSpace(r.stderr), r.code})
	if r.code != exitCouldNotRun {
		t.Errorf("no doctord: exit %d, want %d", r.code, exitCouldNotRun)
	}
	done("fault: every doctord stopped -> audit")
}

func sameNodes(r, base auditRun) bool {
	if len(r.reasons) != 0 || len(r.cells) != len(base.cells) {
		return false
	}
	for n, c := range base.cells {
		if !sameCells(r.cells[n], c) {
			return false
		}
	}
	return true
}

// scorecard renders the node x rule grid of an audit.
func scorecard(r auditRun) string {
	var nodes, keys []string
	seen := map[string]bool{}
	for n, c := range r.cells {
		nodes = append(nodes, n)
		for k := range c {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(nodes)
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "  %-40s", "")
	for _, n := range nodes {
		fmt.Fprintf(&b, " %-10s", strings.TrimPrefix(n, "wazo-"))
	}
	b.WriteString("\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "  %-40s", k)
		for _, n := range nodes {
			fmt.Fprintf(&b, " %-10s", r.cells[n][k])
		}
		b.WriteString("\n")
	}
	return b.String()
}
