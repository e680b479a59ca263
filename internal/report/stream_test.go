package report

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/rules"
)

// clusterSample is a cluster audit's report of three nodes: passes,
// failures (waived, by the platform too), unknowns, a rule outside the
// catalogue, a diagnostic first seen on the second node, one service that
// is no daemon, and hostile strings: a node name and a message with
// control characters, markup and script ends, JSON and XML syntax, invalid
// UTF-8, and a service named as the stand-in column the scorecard's JSON
// is written around.
func clusterSample() *rules.Report {
	res := func(svc, rule string, st rules.Status, sev rules.Severity, msg, sup, by string) rules.Result {
		return rules.Result{Rule: rule, Service: svc, Severity: sev, Suppressed: sup, WaivedBy: by,
			Finding: rules.Finding{Status: st, Message: msg, Path: "debian/<b>\"control\"", Line: 3, Evidence: []string{"seen <here> & there", "</script><script>alert(1)</script>", "]]><x/>\u2028\xff"}}}
	}
	rep := &rules.Report{Tool: "wazo-servicekit", Mode: "audit", Target: "http://127.0.0.1:8500"}
	for i, node := range []string{"node-a", "node-b", "node\x1b[2Jc\"<i>&amp;"} {
		for _, svc := range []string{"wazo-calld", "wazo-auth", "\x00column"} {
			rs := []rules.Result{
				res(svc, "user-not-root", rules.Pass, rules.Error, "runs as "+svc, "", ""),
				res(svc, "user-no-login-shell", rules.Fail, rules.Error, "shell /bin/bash\x1b]8;;", "", ""),
				res(svc, "user-no-login-shell", rules.Unknown, rules.Error, "second look", "", ""),
				res(svc, "monit-check", rules.Fail, rules.Warning, "no monit check", "systemd supervises it", ""),
				res(svc, "consul-registration", rules.Fail, rules.Warning, "not registered", "the platform does so", rules.WaivedByPlatform+" wazo-today"),
				res(svc, "rule-from-a-newer-doctord", rules.Fail, "\x1bbad", "unknown to this catalogue", "", ""),
			}
			if i == 1 {
				rs = append(rs, res(svc, rules.NodeUnreachable, rules.Unknown, rules.Warning, "half of it did not answer", "", ""))
			}
			rep.Services = append(rep.Services, rules.ServiceReport{Name: svc, Node: node, Results: rs})
		}
	}
	rep.Services = append(rep.Services, rules.ServiceReport{Name: "wazo-lib", Node: "node-b", NotADaemon: "no unit <b>",
		Results: []rules.Result{res("wazo-lib", "deps-in-debian", rules.Pass, rules.Error, "ok", "", "")}})
	rep.Services = append(rep.Services, rules.ServiceReport{Name: "node-b", Node: "node-b",
		Results: []rules.Result{res("node-b", rules.NodeCritical, rules.Fail, rules.Warning, "consul marks node node-b critical", "", "")}})
	rep.Summarise()
	return rep
}

// TestStreamWritesWhatWriteDoes: a report written node by node is, byte
// for byte, the report written whole, in every format, verbose or not,
// with the run's metadata or not, with a baseline or not (a service
// newly failing, one fixed, one the baseline did not have), and (verbose
// here) with earlier runs' history.
func TestStreamWritesWhatWriteDoes(t *testing.T) {
	rep := clusterSample()
	meta := &Meta{Version: "1.2.3", Date: "2026-01-02T03:04:05Z"}
	old := NewScorecard(clusterSample())
	old.Services = old.Services[1:]
	old.Services[0].Cells[0].Verdict = VerdictFail
	old.Services[1].Cells[1].Verdict = VerdictPass
	old.Meta = &Meta{Date: "2025-12-01T00:00:00Z\x1b<b>"}
	for _, format := range []string{"json", "text", "grid", "html", "scorecard", "sarif", "junit"} {
		for _, verbose := range []bool{false, true} {
			for _, m := range []*Meta{nil, meta} {
				for _, base := range []*Scorecard{nil, old} {
					name := fmt.Sprintf("%s verbose=%v meta=%v baseline=%v", format, verbose, m != nil, base != nil)
					opts := Options{Verbose: verbose}
					var whole, streamed bytes.Buffer
					var history []HistoryRun
					if verbose {
						history = []HistoryRun{HistoryOf("old<1>.json", old), HistoryOf("old2.json", old)}
					}
					if IsScorecard(format) {
						sc := NewScorecard(rep)
						if m != nil {
							sc.SetMeta(m)
						}
						for _, h := range []string{"old<1>.json", "old2.json"}[:len(history)] {
							sc.AddHistory(h, old)
						}
						if base != nil {
							sc.CompareBaseline(base, "base<\x1b>.json")
						}
						if err := WriteScorecard(&whole, format, sc); err != nil {
							t.Fatal(err)
						}
					} else {
						if base != nil {
							sc := NewScorecard(rep)
							sc.CompareBaseline(base, "base<\x1b>.json")
							opts.Changes, opts.Baseline = sc.Changes(), sc.Baseline
							if len(opts.Changes) < 2 {
								t.Fatalf("the baseline changes %d cells", len(opts.Changes))
							}
						}
						if err := WriteWith(&whole, format, rep, opts); err != nil {
							t.Fatal(err)
						}
					}
					head := *rep
					head.Services = nil
					if base != nil {
						opts.Changes, opts.Baseline, opts.Base = nil, "base<\x1b>.json", base
					}
					opts.History = history
					s, err := NewStream(&streamed, format, &head, m, opts)
					if err != nil {
						t.Fatal(err)
					}
					for from := 0; from < len(rep.Services); {
						to := from
						for to < len(rep.Services) && rep.Services[to].Node == rep.Services[from].Node {
							to++
						}
						if err := s.Services(rep.Services[from:to]); err != nil {
							t.Fatal(err)
						}
						from = to
					}
					if err := s.Close(); err != nil {
						t.Fatal(err)
					}
					if whole.String() != streamed.String() {
						i := 0
						for i < min(whole.Len(), streamed.Len()) && whole.Bytes()[i] == streamed.Bytes()[i] {
							i++
						}
						t.Errorf("%s: streamed output differs at byte %d of %d (%d streamed)\n--- whole\n%q\n--- streamed\n%q", name, i, whole.Len(), streamed.Len(), whole.Bytes()[max(0, i-200):min(whole.Len(), i+200)], streamed.Bytes()[max(0, i-200):min(streamed.Len(), i+200)])
					}
					if verbose && format == "html" && !strings.Contains(streamed.String(), `<svg class="history"`) {
						t.Errorf("%s: no trend drawn from the history", name)
					}
					if base != nil && format != "sarif" && !strings.Contains(strings.ToLower(streamed.String()), "fixed") {
						t.Errorf("%s: no change since the baseline shown", name)
					}
					if (format == "text" || format == "grid" || format == "html") && strings.Contains(streamed.String(), "\x1b") {
						t.Errorf("%s: a control character reached the output:\n%q", name, streamed.String())
					}
				}
			}
		}
	}
}

// TestStreamRefusesWhatNeedsTheWholeReport: a baseline named without its
// scorecard, which the stream compares each service with, is refused, as
// an unknown format.
func TestStreamRefusesWhatNeedsTheWholeReport(t *testing.T) {
	head := &rules.Report{Tool: "wazo-servicekit", Mode: "audit"}
	if _, err := NewStream(&bytes.Buffer{}, "pdf", head, nil, Options{}); err == nil {
		t.Errorf("pdf: streamed")
	}
	if _, err := NewStream(&bytes.Buffer{}, "json", head, nil, Options{Baseline: "old.json"}); err == nil {
		t.Errorf("json with a baseline: streamed")
	}
}

// TestGridBoundsTheRulesOutsideTheCatalogue: a node naming a new rule in
// each result made one row per result, times every column; past 64 such
// rules the grid, page and JSON, streamed or whole, give them no row and says how many
// results that leaves out.
func TestGridBoundsTheRulesOutsideTheCatalogue(t *testing.T) {
	rep := &rules.Report{Tool: "wazo-servicekit", Mode: "audit"}
	for n, node := range []string{"a", "b"} {
		sr := rules.ServiceReport{Name: "wazo-x", Node: node}
		for i := 50 * n; i < 50*n+100; i++ {
			sr.Results = append(sr.Results, rules.Result{Rule: fmt.Sprintf("rule-%03d", i), Service: "wazo-x", Severity: rules.Warning,
				Finding: rules.Finding{Status: rules.Fail, Message: "made up"}})
		}
		rep.Services = append(rep.Services, sr)
	}
	rep.Summarise()
	sc := NewScorecard(rep)
	if got, want := len(sc.Rules), len(rules.All())+MaxDiagnosticRows; got != want || sc.Unshown != 122 {
		t.Errorf("%d rows and %d results unshown, want %d and 122", got, sc.Unshown, want)
	}
	for _, format := range []string{"grid", "html", "scorecard"} {
		var whole, streamed bytes.Buffer
		if err := WriteScorecard(&whole, format, sc); err != nil {
			t.Fatal(err)
		}
		s, err := NewStream(&streamed, format, &rules.Report{Tool: rep.Tool, Mode: rep.Mode}, nil, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for i := range rep.Services {
			if err := s.Services(rep.Services[i : i+1]); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		says := map[string]string{"grid": "122 result(s) of rules outside the catalogue", "html": "122 result(s) of rules outside the catalogue", "scorecard": `"unshown_results": 122`}[format]
		if whole.String() != streamed.String() || !strings.Contains(streamed.String(), says) || strings.Contains(streamed.String(), "rule-064") {
			t.Errorf("%s: streamed\n%s\nwhole\n%s", format, streamed.String(), whole.String())
		}
	}
}

// TestStreamSpoolsToAPrivateFileItLeavesNoTraceOf: the page, the
// scorecard's JSON and JUnit keep each service's rendered detail in a
// file of mode 0600 that is on no directory's list from the start, so
// nothing is left whether the stream closes or is abandoned mid-way.
func TestStreamSpoolsToAPrivateFileItLeavesNoTraceOf(t *testing.T) {
	rep := clusterSample()
	for _, format := range []string{"html", "scorecard", "junit"} {
		for _, finish := range []string{"close", "abandon"} {
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp)
			s, err := NewStream(&bytes.Buffer{}, format, &rules.Report{Tool: rep.Tool, Mode: rep.Mode}, nil, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Services(rep.Services[:2]); err != nil {
				t.Fatal(err)
			}
			var sp *spool
			if s.matrix != nil {
				sp = s.matrix.spool
			} else {
				sp = s.junit.spool
			}
			info, err := sp.f.Stat()
			if err != nil || info.Mode().Perm() != 0o600 || sp.size == 0 {
				t.Errorf("%s: the spool is %v (%v), %d bytes: want 0600 and what was written", format, info.Mode(), err, sp.size)
			}
			if left, _ := os.ReadDir(tmp); len(left) > 0 {
				t.Errorf("%s: %d entries in the temporary directory while streaming: %v", format, len(left), left)
			}
			if finish == "close" {
				err = s.Close()
			} else {
				s.Abandon()
			}
			if err != nil || sp.f != nil {
				t.Errorf("%s, %s: %v; the spool still open: %v", format, finish, err, sp.f != nil)
			}
		}
	}
}

// TestStreamSpoolIsBounded: past its bound, the spool refuses the service
// that would cross it, and the stream says why.
func TestStreamSpoolIsBounded(t *testing.T) {
	rep := clusterSample()
	s, err := NewStream(&bytes.Buffer{}, "html", &rules.Report{Tool: rep.Tool, Mode: rep.Mode}, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Abandon()
	s.matrix.spool.limit = 3 << 20
	if err := s.Services(rep.Services[:1]); err != nil {
		t.Fatal(err)
	}
	s.matrix.spool.limit = s.matrix.spool.size + 1
	if err := s.Services(rep.Services[1:2]); err == nil || !strings.Contains(err.Error(), "render to more than") {
		t.Errorf("past the bound: %v", err)
	}
}
