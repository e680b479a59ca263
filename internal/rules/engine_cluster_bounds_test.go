package rules

import (
	"context"
	"errors"
	"fmt"
	"sort"
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

// TestStreamClusterHandsNodesOverInOrder: nodes are handed over in the
// catalogue's order, one call each, however their answers arrive; while
// the first node is slow, the others are asked no further ahead than the
// window, so what waits to be handed over is bounded by the concurrency,
// not by the size of the cluster.
func TestStreamClusterHandsNodesOverInOrder(t *testing.T) {
	slow := &consulsim.Doctord{Services: 1, Results: 2, Delay: 400 * time.Millisecond}
	slowSrv, slowPort := slow.Serve()
	t.Cleanup(slowSrv.Close)
	fast := &consulsim.Doctord{Services: 1, Results: 2}
	fastSrv, fastPort := fast.Serve()
	t.Cleanup(fastSrv.Close)
	entries := []consulsim.Entry{{Node: "a-slow", Address: "127.0.0.1", Port: slowPort}}
	for i := 0; i < 60; i++ {
		entries = append(entries, consulsim.Entry{Node: fmt.Sprintf("b%02d", i), Address: "127.0.0.1", Port: fastPort})
	}
	cat := consulsim.ServeCatalog(entries)
	t.Cleanup(cat.Close)
	opts := ClusterOptions{ConsulURL: cat.URL, Token: "tok", DoctordPort: fastPort, Concurrency: 2,
		TrustedNodes: []string{fmt.Sprintf("127.0.0.1:%d", slowPort)}}
	var order []string
	askedAhead := int64(-1)
	err := StreamCluster(context.Background(), opts, func(head *Report, n int) error {
		if n != 61 || head.Target != cat.URL {
			t.Errorf("began with %d entries, target %s", n, head.Target)
		}
		return nil
	}, func(srs []ServiceReport) error {
		if askedAhead < 0 {
			askedAhead = fast.Requests.Load()
		}
		order = append(order, srs[0].Node)
		for _, s := range srs {
			if s.Node != srs[0].Node || s.Summary.Status != Pass {
				t.Errorf("node %s handed over with %+v", srs[0].Node, s)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !sort.StringsAreSorted(order) || len(order) != 61 {
		t.Errorf("handed over %d nodes in the order %v, want the catalogue's 61 in order", len(order), order)
	}
	// 2 requests a node, for the window (8 x 2 entries) and the two slots
	// freed as the slow node was handed over; without the window, all 60.
	if limit := int64(2 * (8*2 + 2)); askedAhead > limit {
		t.Errorf("%d requests to the other nodes while the first was slow, want at most %d", askedAhead, limit)
	}
}

// TestStreamClusterStopsAtTheWritersError: a node that cannot be written
// stops the audit, and the error is the writer's.
func TestStreamClusterStopsAtTheWritersError(t *testing.T) {
	d := &consulsim.Doctord{Services: 1, Results: 1}
	opts := simCluster(t, 200, d)
	opts.Concurrency = 2
	broken := errors.New("stdout closed")
	calls := 0
	err := StreamCluster(context.Background(), opts, func(*Report, int) error { return nil }, func([]ServiceReport) error {
		calls++
		return broken
	})
	if !errors.Is(err, broken) || calls != 1 {
		t.Errorf("%v after %d calls, want the writer's error after 1", err, calls)
	}
	if asked := d.Requests.Load(); asked >= 2*200 {
		t.Errorf("%d requests: the audit went on after the writer failed", asked)
	}
}
