// Package report writes a rules.Report in the formats CI systems read:
// text for people, JSON for scripts and dashboards, SARIF 2.1.0 for code
// scanning, JUnit XML for test-report viewers, and the scorecard (a service
// × rule matrix as a text grid, JSON or one HTML page) for reviewers. One report can be written in
// several formats in one run (--output FORMAT=PATH).
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/rules"
)

// Formats lists the supported format names.
// grid, scorecard and html are the service × rule matrix (NewScorecard):
// a compact text grid, its JSON, and a self-contained HTML page.
var Formats = []string{"text", "json", "sarif", "junit", "grid", "scorecard", "html"}

// IsScorecard reports whether format renders the service × rule matrix.
func IsScorecard(format string) bool {
	return format == "grid" || format == "scorecard" || format == "html"
}

// WriteScorecard renders sc in one of the matrix formats.
func WriteScorecard(w io.Writer, format string, sc *Scorecard) error {
	switch format {
	case "grid":
		return writeGrid(w, sc)
	case "scorecard":
		return writeJSON(w, sc)
	case "html":
		return writeHTML(w, sc)
	}
	return fmt.Errorf("format %q is not a scorecard: want grid, scorecard or html", format)
}

// Write renders rep in format to w. verbose includes passing results in text.
func Write(w io.Writer, format string, rep *rules.Report, verbose bool) error {
	return WriteWith(w, format, rep, Options{Verbose: verbose})
}

// Options tune the plain formats: passing results in text, and the changes
// since a baseline (Scorecard.Changes), which every format shows.
type Options struct {
	Verbose  bool
	Baseline string            // the baseline's name; "" when none was given
	Changes  map[string]string // ChangeKey(service key, rule) -> ChangeNewFail or ChangeFixed
	// History is the earlier runs (HistoryOf, oldest first) a Stream's
	// scorecard draws its trends from, as Scorecard.AddHistory.
	History []HistoryRun
	// Base is the baseline's scorecard, which a Stream compares each
	// service with as it comes (CompareBaseline compares a whole one).
	Base *Scorecard
}

// ChangeKey names a cell in Options.Changes.
func ChangeKey(service, rule string) string { return service + "\x00" + rule }

// change is the baseline change of r's cell ("" without one).
func (o Options) change(r rules.Result, node string) string {
	key := r.Service
	if node != "" {
		key = node + "/" + r.Service
	}
	return o.Changes[ChangeKey(key, r.Rule)]
}

// WriteWith renders rep in format to w with opts.
func WriteWith(w io.Writer, format string, rep *rules.Report, opts Options) error {
	switch format {
	case "text":
		return writeText(w, rep, opts)
	case "json":
		return writeReportJSON(w, rep, opts)
	case "sarif":
		return writeSARIF(w, rep, opts)
	case "junit":
		return writeJUnit(w, rep, opts)
	case "grid", "scorecard", "html":
		return WriteScorecard(w, format, NewScorecard(rep))
	}
	return fmt.Errorf("unknown format %q: want one of %s", format, strings.Join(Formats, ", "))
}

// BaselineChange is one cell that changed since the baseline, in the JSON.
type BaselineChange struct {
	Service string `json:"service"`
	Rule    string `json:"rule"`
	Change  string `json:"change"`
}

// writeReportJSON is the report, plus what changed since the baseline.
func writeReportJSON(w io.Writer, rep *rules.Report, opts Options) error {
	if opts.Baseline == "" {
		return writeJSON(w, rep)
	}
	changes := []BaselineChange{}
	for k, v := range opts.Changes {
		svc, rule, _ := strings.Cut(k, "\x00")
		changes = append(changes, BaselineChange{Service: svc, Rule: rule, Change: v})
	}
	sort.Slice(changes, func(i, j int) bool {
		if changes[i].Service != changes[j].Service {
			return changes[i].Service < changes[j].Service
		}
		return changes[i].Rule < changes[j].Rule
	})
	return writeJSON(w, struct {
		*rules.Report
		Baseline struct {
			Name    string           `json:"name"`
			Changes []BaselineChange `json:"changes"`
		} `json:"baseline"`
	}{Report: rep, Baseline: struct {
		Name    string           `json:"name"`
		Changes []BaselineChange `json:"changes"`
	}{opts.Baseline, changes}})
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func writeText(w io.Writer, rep *rules.Report, opts Options) error {
	var b strings.Builder
	if rep.Debian != "" {
		fmt.Fprintf(&b, "dependencies judged against %s\n", esc(rep.Debian))
	}
	writeTextServices(&b, rep.Services, opts)
	b.WriteString(textFoot(opts))
	_, err := io.WriteString(w, b.String())
	return err
}

// textFoot is the text's last line: what changed since the baseline.
func textFoot(opts Options) string {
	if opts.Baseline == "" {
		return ""
	}
	n := map[string]int{}
	for _, v := range opts.Changes {
		n[v]++
	}
	return fmt.Sprintf("since the baseline %s: %d new fail(s) (NEW), %d fixed (FIXED)\n", esc(opts.Baseline), n[ChangeNewFail], n[ChangeFixed])
}

// writeTextServices is the text of some services: a line each, then their
// results, failures first.
func writeTextServices(b *strings.Builder, services []rules.ServiceReport, opts Options) {
	for _, s := range printableReport(&rules.Report{Services: services}).Services {
		if s.Node != "" {
			fmt.Fprintf(b, "[%s] ", s.Node)
		}
		fmt.Fprintf(b, "%s (%s): %s — %d pass, %d fail, %d unknown", s.Name, orDash(s.Language), s.Summary.Status, s.Summary.Pass, s.Summary.Fail, s.Summary.Unknown)
		if s.Summary.Suppressed > 0 {
			fmt.Fprintf(b, ", %d waived", s.Summary.Suppressed)
		}
		b.WriteString("\n")
		if s.NotADaemon != "" {
			fmt.Fprintf(b, "  %s\n", s.NotADaemon)
		}
		res := append([]rules.Result(nil), s.Results...)
		sort.SliceStable(res, func(i, j int) bool { return order(res[i]) < order(res[j]) })
		for _, r := range res {
			if r.Status == rules.Pass && !opts.Verbose && opts.change(r, s.Node) == "" {
				continue
			}
			loc := ""
			if r.Path != "" {
				loc = r.Path
				if r.Line > 0 {
					loc += fmt.Sprintf(":%d", r.Line)
				}
				loc += ": "
			}
			tag := string(r.Status)
			if r.Status == rules.Fail {
				tag = string(r.Severity)
			}
			if r.Suppressed != "" {
				tag = "waived"
				if strings.HasPrefix(r.WaivedBy, rules.WaivedByPlatform) {
					tag = "platform"
				}
			}
			switch opts.change(r, s.Node) {
			case ChangeNewFail:
				tag += " NEW"
			case ChangeFixed:
				tag += " FIXED"
			}
			fmt.Fprintf(b, "  %-10s %-30s %s%s\n", tag, r.Rule, loc, r.Message)
			if r.Suppressed != "" {
				by := "reason"
				if r.WaivedBy != "" {
					by = "waived by the " + r.WaivedBy
				}
				fmt.Fprintf(b, "  %-10s %-30s %s: %s\n", "", "", by, r.Suppressed)
			}
		}
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// order sorts failures first (most severe first), then unknown, then pass.
func order(r rules.Result) int {
	switch {
	case r.Status == rules.Fail && r.Suppressed == "":
		return 4 - r.Severity.Rank()
	case r.Status == rules.Unknown:
		return 5
	case r.Status == rules.Fail:
		return 6
	}
	return 7
}
