package rules

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wazo-platform/wazo-servicekit/internal/consulsim"
)

// simCluster serves n catalogue entries, all pointing at one simulated
// doctord (this host, at the port the options trust as doctord's).
func simCluster(t *testing.T, n int, d *consulsim.Doctord) ClusterOptions {
	t.Helper()
	srv, port := d.Serve()
	t.Cleanup(srv.Close)
	cat := consulsim.ServeNodes(n, port)
	t.Cleanup(cat.Close)
	return ClusterOptions{ConsulURL: cat.URL, Token: "tok", DoctordPort: port, Timeout: 5 * time.Second}
}

// auditGuarded runs the audit and fails the test, instead of hanging it,
// when the audit's own bounds did not end it.
func auditGuarded(t *testing.T, opts ClusterOptions) (*Report, error) {
	t.Helper()
	type answer struct {
		rep *Report
		err error
	}
	done := make(chan answer, 1)
	go func() {
		rep, err := AuditCluster(context.Background(), opts)
		done <- answer{rep, err}
	}()
	select {
	case a := <-done:
		return a.rep, a.err
	case <-time.After(60 * time.Second):
		t.Fatal("the audit was still running after 60 s: its deadlines did not end it")
		return nil, nil
	}
}

func resultsWith(rep *Report, rule, text string) int {
	n := 0
	for _, r := range rep.Results() {
		if r.Rule == rule && strings.Contains(r.Message, text) {
			n++
		}
	}
	return n
}

// TestAuditClusterConcurrencyIsBounded: 5000 catalogue entries were asked
// all at once; now at most Concurrency requests are in flight, and every
// node is still asked.
func TestAuditClusterConcurrencyIsBounded(t *testing.T) {
	d := &consulsim.Doctord{Services: 2, Results: 3, Delay: 2 * time.Millisecond}
	opts := simCluster(t, 300, d)
	opts.Concurrency = 4
	rep, err := auditGuarded(t, opts)
	if err != nil {
		t.Fatal(err)
	}
	if d.Peak() > 4 {
		t.Errorf("%d requests in flight at once, want at most 4", d.Peak())
	}
	if gaps, answered := ClusterCoverage(rep); gaps != 0 || answered != 600 {
		t.Errorf("%d gaps and %d services answered, want 0 and 600", gaps, answered)
	}
}

// TestAuditClusterBoundsWhatOneNodeCosts: one node listing 3000 services of
// ~300 KB each took > 3 GB; now the node's reads stop at its byte budget,
// the services left are one unknown result, and no more are asked.
func TestAuditClusterBoundsWhatOneNodeCosts(t *testing.T) {
	d := &consulsim.Doctord{Services: 3000, Results: 1, Padding: 300 << 10}
	rep, err := auditGuarded(t, simCluster(t, 1, d))
	if err != nil {
		t.Fatal(err)
	}
	if asked := d.Requests.Load(); asked > MaxNodeBytes/(300<<10)+3 {
		t.Errorf("%d requests to one node, want the byte budget to stop them near %d", asked, MaxNodeBytes/(300<<10))
	}
	if resultsWith(rep, NodeUnreachable, "were not asked") != 1 {
		t.Errorf("no result says the rest was not asked: %+v", rep.Results())
	}
	d = &consulsim.Doctord{Services: 3000, Results: 1}
	rep, err = auditGuarded(t, simCluster(t, 1, d))
	if err != nil {
		t.Fatal(err)
	}
	if asked := d.Requests.Load(); asked != MaxNodeServices+1 || resultsWith(rep, NodeUnreachable, "after the first 128 were not asked") != 1 {
		t.Errorf("%d requests, want the list and %d services, and a result saying so", asked, MaxNodeServices)
	}
}

// TestAuditClusterDeadlines: 15 services answering after 1.8 s each took
// 28 s; a node that never answers is now cut at the node's deadline, and
// nodes not reached by the overall deadline are unknown, saying why.
func TestAuditClusterDeadlines(t *testing.T) {
	d := &consulsim.Doctord{Services: 15, Results: 1, Hang: true}
	opts := simCluster(t, 20, d)
	opts.Concurrency, opts.NodeTimeout, opts.Budget, opts.Timeout = 2, 300*time.Millisecond, 1500*time.Millisecond, 10*time.Second
	rep, err := auditGuarded(t, opts)
	if err != nil {
		t.Fatal(err)
	}
	if gaps, answered := ClusterCoverage(rep); gaps != 20 || answered != 0 {
		t.Errorf("%d gaps and %d services answered, want 20 and 0", gaps, answered)
	}
	if resultsWith(rep, NodeUnreachable, "deadline") != 20 {
		t.Errorf("not every node says which deadline stopped it: %+v", rep.Results())
	}
	if resultsWith(rep, NodeUnreachable, "overall deadline") == 0 {
		t.Errorf("no node says the overall deadline passed before it was asked")
	}
}

// TestAuditClusterCouldNotRun: an empty catalogue, or one larger than an
// audit asks, is an error of its own kind (the command line's "could not
// run"), never an empty report.
func TestAuditClusterCouldNotRun(t *testing.T) {
	for _, n := range []int{0, MaxClusterNodes + 1} {
		_, err := auditGuarded(t, simCluster(t, n, &consulsim.Doctord{}))
		var runErr *ClusterRunError
		if !errors.As(err, &runErr) {
			t.Errorf("%d entries: %v, want a ClusterRunError", n, err)
		}
	}
}

// TestAuditClusterSaysWhichNodeConsulMarksCritical: a node whose agent
// left the gossip is a failing node-critical result naming the check,
// beside what its doctord (still running) answers.
func TestAuditClusterSaysWhichNodeConsulMarksCritical(t *testing.T) {
	d := &consulsim.Doctord{Services: 1, Results: 1}
	srv, port := d.Serve()
	t.Cleanup(srv.Close)
	cat := consulsim.ServeCatalog([]consulsim.Entry{{Node: "n1", Address: "127.0.0.1", Port: port}, {Node: "n2", Address: "127.0.0.1", Port: port, Critical: true}})
	t.Cleanup(cat.Close)
	rep, err := auditGuarded(t, ClusterOptions{ConsulURL: cat.URL, Token: "tok", DoctordPort: port})
	if err != nil {
		t.Fatal(err)
	}
	var critical []string
	for _, s := range rep.Services {
		for _, r := range s.Results {
			if r.Rule == NodeCritical && r.Status == Fail && strings.Contains(strings.Join(r.Evidence, " "), "serfHealth") {
				critical = append(critical, s.Node)
			}
		}
	}
	if strings.Join(critical, ",") != "n2" {
		t.Errorf("nodes marked critical: %v, want n2", critical)
	}
	if gaps, answered := ClusterCoverage(rep); gaps != 0 || answered != 2 {
		t.Errorf("%d gaps and %d answered, want 0 and 2", gaps, answered)
	}
}
