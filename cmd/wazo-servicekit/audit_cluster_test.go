package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/consulsim"
	"github.com/wazo-platform/wazo-servicekit/internal/report"
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
// catalogue of n nodes holds at its largest, above what was live before,
// printing format, with the extra arguments.
func heldWhileWriting(t *testing.T, n int, format string, extra ...string) (held uint64, written int) {
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
	args := []string{"audit", "--consul", cat.URL, "--doctord-port", strconv.Itoa(port), "--token", "tok",
		"--concurrency", "1", "--format", format}
	code := run(append(args, extra...), probe, &stderr)
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
// memory of 50. Each node is now written as it is done, in every format:
// json, text and sarif as they come, the grid from its counts and marks,
// html, the scorecard's JSON and junit from counts and what each node
// rendered to a temporary file; --output files alike. What the run holds
// grows by no more than a few bytes per cell, measured as the live heap
// at its largest at two sizes (give or take what one node in flight
// leaves, 1 MB). The report held whole, as it was, grows, which shows
// what the probe sees.
func TestAuditConsulMemoryIsFlatInNodes(t *testing.T) {
	const small, large, noise = 40, 240, 1 << 20
	growth := func(format string, extra ...string) float64 {
		a, _ := heldWhileWriting(t, small, format, extra...)
		b, written := heldWhileWriting(t, large, format, extra...)
		grow := float64(b) - float64(a)
		t.Logf("%-9s %q held %7d kB at %d nodes, %7d kB at %d (%d kB written): %+.0f bytes, %+.0f per node", format, extra, a>>10, small, b>>10, large, written>>10, grow, grow/(large-small))
		return grow
	}
	streamClusterReports = false
	whole := growth("sarif")
	streamClusterReports = true
	if whole < noise+(16<<10)*(large-small) {
		t.Fatalf("the whole report grows by %.0f bytes: the probe does not see it", whole)
	}
	// The grid keeps per column its name, counts and 8 bytes per cell that
	// ran: about 3 kB for a node of 10 services; the page and the
	// scorecard's JSON keep a column's fields and 8 bytes per cell that
	// ran, about 5 kB.
	dir := t.TempDir()
	// A baseline of a few nodes: what the run holds of it does not grow
	// with this run's nodes.
	heldWhileWriting(t, 8, "json", "--output", "scorecard="+dir+"/base.json")
	for _, c := range []struct {
		format  string
		extra   []string
		perNode float64
	}{
		{"json", nil, 1 << 10},
		{"text", nil, 1 << 10},
		{"sarif", nil, 1 << 10},
		{"junit", nil, 1 << 10},
		{"grid", nil, 6 << 10},
		{"html", nil, 8 << 10},
		{"scorecard", nil, 8 << 10},
		{"json", []string{"--output", "html=" + dir + "/page.html", "--output", "scorecard=" + dir + "/scorecard.json"}, 16 << 10},
		{"html", []string{"--baseline", dir + "/base.json", "--history", dir + "/base.json"}, 8 << 10},
	} {
		if grow, limit := growth(c.format, c.extra...), noise+c.perNode*(large-small); grow > limit {
			t.Errorf("--format %s %q: the run holds %.0f more bytes at %d nodes than at %d, want at most %.0f (the whole report: %.0f)", c.format, c.extra, grow, large, small, limit, whole)
		}
	}
}

// dates are the run's date in a report's metadata.
var dates = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`)

// TestAuditConsulStreamsTheReportItPrintedWhole: written node by node, in
// every format, on stdout and --output, with --history and --baseline, a
// cluster audit prints what it printed holding the whole report,
// and exits the same, with a node down, one marked critical, and a node
// and service whose names are markup.
func TestAuditConsulStreamsTheReportItPrintedWhole(t *testing.T) {
	up := &consulsim.Doctord{Services: 3, Results: 4}
	srv, upPort := up.Serve()
	t.Cleanup(srv.Close)
	down := testenv.FreePort(t)
	cat := consulsim.ServeCatalog([]consulsim.Entry{
		{Node: "n1", Address: "127.0.0.1", Port: upPort},
		{Node: "n2", Address: "127.0.0.1", Port: down},
		{Node: "n3", Address: "127.0.0.1", Port: upPort, Critical: true},
		{Node: "n0</td><script>&amp;\"", Address: "127.0.0.1", Port: down},
		{Node: "n0", Address: "127.0.0.1", Port: upPort},
	})
	t.Cleanup(cat.Close)
	trust := []string{"--trust-node", fmt.Sprintf("127.0.0.1:%d", upPort), "--trust-node", fmt.Sprintf("127.0.0.1:%d", down)}
	// An earlier run, for --history: the same cluster, one node fewer.
	earlier := consulsim.ServeCatalog([]consulsim.Entry{{Node: "n1", Address: "127.0.0.1", Port: upPort}, {Node: "n0", Address: "127.0.0.1", Port: down}})
	t.Cleanup(earlier.Close)
	history := t.TempDir() + "/earlier.json"
	if code, _, errs := runCLI(t, append([]string{"audit", "--consul", earlier.URL, "--token", "tok", "--format", "scorecard", "--output", "scorecard=" + history}, trust...)...); code != exitFindings {
		t.Fatalf("the earlier run: exit %d: %s", code, errs)
	}
	// As a baseline, it failed a cell that passes now.
	base, err := report.LoadBaseline(history)
	if err != nil {
		t.Fatal(err)
	}
	flipped := 0
	for _, s := range base.Services {
		for j, c := range s.Cells {
			if s.Key() == "n1/wazo-sim0" && c.Rule == "rule-0" {
				s.Cells[j].Verdict = report.VerdictFail
				flipped++
			}
		}
	}
	data, err := json.Marshal(base)
	if flipped != 1 || err != nil {
		t.Fatalf("%d cells flipped in the baseline: %v", flipped, err)
	}
	if err := os.WriteFile(history, data, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, format := range report.Formats {
		run := func(whole bool) (int, string, string, string) {
			t.Helper()
			out := t.TempDir() + "/out." + format
			args := append([]string{"audit", "--consul", cat.URL, "--token", "tok", "--format", format, "--verbose",
				"--output", format + "=" + out, "--history", history, "--baseline", history}, trust...)
			streamClusterReports = !whole
			defer func() { streamClusterReports = true }()
			code, stdout, errs := runCLI(t, args...)
			file, err := os.ReadFile(out)
			if err != nil {
				t.Fatalf("%s: %v (stderr %s)", format, err, errs)
			}
			if string(file) != stdout {
				t.Errorf("%s: --output wrote\n%s\nstdout\n%s", format, file, stdout)
			}
			return code, dates.ReplaceAllString(stdout, "DATE"), errs, dates.ReplaceAllString(string(file), "DATE")
		}
		code, streamed, errs, _ := run(false)
		wholeCode, whole, wholeErrs, _ := run(true)
		if code != exitFindings || code != wholeCode || errs != wholeErrs {
			t.Errorf("%s: exit %d, stderr %q; held whole: exit %d, stderr %q (want %d)", format, code, errs, wholeCode, wholeErrs, exitFindings)
		}
		// SARIF lists only what did not pass: the simulated services pass.
		if streamed != whole || !strings.Contains(streamed, "n2") || (format != "sarif" && !strings.Contains(streamed, "wazo-sim2")) {
			t.Errorf("%s: streamed\n%s\nheld whole\n%s", format, streamed, whole)
		}
		if format == "text" && !strings.Contains(streamed, "0 new fail(s) (NEW), 1 fixed (FIXED)") {
			t.Errorf("text: the change since the baseline is not shown:\n%s", streamed)
		}
		if format == "html" && !strings.Contains(streamed, `<svg class="history"`) {
			t.Errorf("html: no trend drawn from --history:\n%s", streamed)
		}
		if markup := format != "text" && format != "grid"; markup && (strings.Contains(streamed, "<script>&") || strings.Contains(streamed, "</td><")) {
			t.Errorf("%s: a node's name reached the output unescaped:\n%s", format, streamed)
		}
	}
}
