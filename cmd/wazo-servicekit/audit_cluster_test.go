package main

import (
	"bytes"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/consulsim"
	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// TestAuditConsulExitStatus: a cluster audit exited 0 with an empty
// catalogue or with every node unreachable, even with --fail-on info. Now
// 3 when it could not run (nothing listed, no node answered), 1 when some
// node could not be asked whatever --fail-on says, 2 for a bad flag.
func TestAuditConsulExitStatus(t *testing.T) {
	up := &consulsim.Doctord{Services: 1, Results: 1}
	srv, upPort := up.Serve()
	t.Cleanup(srv.Close)
	down := testenv.FreePort(t)
	catalog := func(entries ...consulsim.Entry) string {
		c := consulsim.ServeCatalog(entries)
		t.Cleanup(c.Close)
		return c.URL
	}
	at := func(node string, port int) consulsim.Entry {
		return consulsim.Entry{Node: node, Address: "127.0.0.1", Port: port}
	}
	trust := func(ports ...int) []string {
		var out []string
		for _, p := range ports {
			out = append(out, "--trust-node", fmt.Sprintf("127.0.0.1:%d", p))
		}
		return out
	}
	cases := []struct {
		name   string
		url    string
		args   []string
		code   int
		stderr string
	}{
		{"empty catalogue", catalog(), nil, exitCouldNotRun, "lists no node"},
		{"every node unreachable", catalog(at("n1", down), at("n2", down)), trust(down), exitCouldNotRun, "no doctord answered (2 "},
		{"every node unreachable, --fail-on info", catalog(at("n1", down)), append(trust(down), "--fail-on", "info"), exitCouldNotRun, "no doctord answered (1 "},
		{"an entry not trusted", catalog(at("n1", down)), nil, exitCouldNotRun, "no doctord answered (1 "},
		{"one node unreachable", catalog(at("n1", upPort), at("n2", down)), trust(upPort, down), exitFindings, "1 part(s) of the cluster not audited"},
		{"one node unreachable, --fail-on error", catalog(at("n1", upPort), at("n2", down)), append(trust(upPort, down), "--fail-on", "error"), exitFindings, "1 part(s) of the cluster not audited"},
		{"one entry not trusted beside a node that answered", catalog(at("n1", upPort), at("n1", down)), trust(upPort), exitFindings, "1 part(s) of the cluster not audited"},
		{"every node answered", catalog(at("n1", upPort), at("n2", upPort)), trust(upPort), exitClean, ""},
		{"a node marked critical", catalog(at("n1", upPort), consulsim.Entry{Node: "n2", Address: "127.0.0.1", Port: upPort, Critical: true}), trust(upPort), exitFindings, ""},
		{"bad concurrency", catalog(at("n1", upPort)), []string{"--concurrency", "0"}, exitUsage, "--concurrency"},
		{"too much concurrency", catalog(at("n1", upPort)), []string{"--concurrency", "65"}, exitUsage, "at most 64"},
		{"bad trust-node", catalog(at("n1", upPort)), []string{"--trust-node", "127.0.0.1"}, exitUsage, "HOST:PORT"},
		{"no doctor CA file", catalog(at("n1", upPort)), []string{"--doctor-cacert", "/nonexistent/ca.pem"}, exitUsage, "--doctor-cacert"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := runCLI(t, append([]string{"audit", "--consul", c.url, "--token", "tok"}, c.args...)...)
			if code != c.code || !strings.Contains(errs, c.stderr) {
				t.Fatalf("exit %d (want %d, stderr with %q)\nstdout: %s\nstderr: %s", code, c.code, c.stderr, out, errs)
			}
		})
	}
}

// heapProbe discards what is written to it and, at each write, records the
// live heap (after a collection): the most the run held while writing.
type heapProbe struct {
	peak  uint64
	bytes int
}

func (p *heapProbe) Write(b []byte) (int, error) {
	var m runtime.MemStats
	// Twice: the first collection moves the pools' buffers to their
	// victim caches, the second frees them.
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	p.peak = max(p.peak, m.HeapAlloc)
	p.bytes += len(b)
	return len(b), nil
}

// heldWhileWriting is the live heap an audit --consul of a simulated
// catalogue of n nodes holds at its largest, above what was live before.
func heldWhileWriting(t *testing.T, n int, format string) (held uint64, written int) {
	t.Helper()
	d := &consulsim.Doctord{Services: 10, Results: 20}
	srv, port := d.Serve()
	defer srv.Close()
	cat := consulsim.ServeNodes(n, port)
	defer cat.Close()
	var before runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&before)
	probe := &heapProbe{}
	var stderr bytes.Buffer
	// One node at a time: the connection to the simulated doctords is kept
	// alive, and what is in flight is the same at every size.
	code := run([]string{"audit", "--consul", cat.URL, "--doctord-port", strconv.Itoa(port), "--token", "tok",
		"--concurrency", "1", "--format", format}, probe, &stderr)
	if code != exitClean {
		t.Fatalf("%d nodes, %s: exit %d: %s", n, format, code, stderr.String())
	}
	if probe.peak < before.HeapAlloc {
		return 0, probe.bytes
	}
	return probe.peak - before.HeapAlloc, probe.bytes
}

// TestAuditConsulMemoryIsFlatInNodes: a cluster audit held every node's
// verdicts until it printed them (about 35 kB a node of 10 services here,
// 88 kB of 25), then encoded them whole: 200 nodes took four times the
// memory of 50. Printed as json, text or grid, each node is now written as
// it is done; what the run holds grows by no more than the grid's few
// bytes per cell, measured as the live heap at its largest at two sizes
// (give or take what one node in flight leaves, 1 MB). A format that
// needs the whole report still grows, which shows what the probe sees.
func TestAuditConsulMemoryIsFlatInNodes(t *testing.T) {
	const small, large, noise = 40, 240, 1 << 20
	growth := func(format string) float64 {
		a, _ := heldWhileWriting(t, small, format)
		b, written := heldWhileWriting(t, large, format)
		grow := float64(b) - float64(a)
		t.Logf("%-5s held %7d kB at %d nodes, %7d kB at %d (%d kB written): %+.0f bytes, %+.0f per node", format, a>>10, small, b>>10, large, written>>10, grow, grow/(large-small))
		return grow
	}
	whole := growth("sarif")
	if whole < noise+(16<<10)*(large-small) {
		t.Fatalf("the whole report grows by %.0f bytes: the probe does not see it", whole)
	}
	// The grid keeps per column its name, counts and 8 bytes per cell that
	// ran: about 3 kB for a node of 10 services.
	for format, perNode := range map[string]float64{"json": 1 << 10, "text": 1 << 10, "grid": 6 << 10} {
		if grow, limit := growth(format), noise+perNode*(large-small); grow > limit {
			t.Errorf("--format %s: the run holds %.0f more bytes at %d nodes than at %d, want at most %.0f (the whole report: %.0f)", format, grow, large, small, limit, whole)
		}
	}
}

// TestAuditConsulStreamsTheReportItPrintedWhole: written node by node
// (json, text, grid on stdout), a cluster audit prints what it printed
// holding the whole report (as it still does with --output), and exits
// the same, with a node down and one marked critical.
func TestAuditConsulStreamsTheReportItPrintedWhole(t *testing.T) {
	up := &consulsim.Doctord{Services: 3, Results: 4}
	srv, upPort := up.Serve()
	t.Cleanup(srv.Close)
	down := testenv.FreePort(t)
	cat := consulsim.ServeCatalog([]consulsim.Entry{
		{Node: "n1", Address: "127.0.0.1", Port: upPort},
		{Node: "n2", Address: "127.0.0.1", Port: down},
		{Node: "n3", Address: "127.0.0.1", Port: upPort, Critical: true},
		{Node: "n0", Address: "127.0.0.1", Port: upPort},
	})
	t.Cleanup(cat.Close)
	for _, format := range []string{"json", "text", "grid"} {
		args := []string{"audit", "--consul", cat.URL, "--token", "tok", "--trust-node", fmt.Sprintf("127.0.0.1:%d", upPort),
			"--trust-node", fmt.Sprintf("127.0.0.1:%d", down), "--format", format, "--verbose"}
		code, streamed, errs := runCLI(t, args...)
		wholeCode, whole, wholeErrs := runCLI(t, append(args, "--output", "json="+t.TempDir()+"/whole.json")...)
		if format == "grid" {
			// The first line is the run's date.
			_, streamed, _ = strings.Cut(streamed, "\n")
			_, whole, _ = strings.Cut(whole, "\n")
		}
		if code != exitFindings || code != wholeCode || errs != wholeErrs {
			t.Errorf("%s: exit %d, stderr %q; held whole: exit %d, stderr %q (want %d)", format, code, errs, wholeCode, wholeErrs, exitFindings)
		}
		if streamed != whole || !strings.Contains(streamed, "n2") || !strings.Contains(streamed, "wazo-sim2") {
			t.Errorf("%s: streamed\n%s\nheld whole\n%s", format, streamed, whole)
		}
	}
}
