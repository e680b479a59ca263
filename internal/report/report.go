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
	switch format {
	case "text":
		return writeText(w, rep, verbose)
	case "json":
		return writeJSON(w, rep)
	case "sarif":
		return writeSARIF(w, rep)
	case "junit":
		return writeJUnit(w, rep)
	case "grid", "scorecard", "html":
		return WriteScorecard(w, format, NewScorecard(rep))
	}
	return fmt.Errorf("unknown format %q: want one of %s", format, strings.Join(Formats, ", "))
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func writeText(w io.Writer, rep *rules.Report, verbose bool) error {
	rep = printableReport(rep)
	var b strings.Builder
	if rep.Debian != "" {
		fmt.Fprintf(&b, "dependencies judged against %s\n", rep.Debian)
	}
	for _, s := range rep.Services {
		if s.Node != "" {
			fmt.Fprintf(&b, "[%s] ", s.Node)
		}
		fmt.Fprintf(&b, "%s (%s): %s — %d pass, %d fail, %d unknown", s.Name, orDash(s.Language), s.Summary.Status, s.Summary.Pass, s.Summary.Fail, s.Summary.Unknown)
		if s.Summary.Suppressed > 0 {
			fmt.Fprintf(&b, ", %d suppressed", s.Summary.Suppressed)
		}
		b.WriteString("\n")
		if s.NotADaemon != "" {
			fmt.Fprintf(&b, "  %s\n", s.NotADaemon)
		}
		res := append([]rules.Result(nil), s.Results...)
		sort.SliceStable(res, func(i, j int) bool { return order(res[i]) < order(res[j]) })
		for _, r := range res {
			if r.Status == rules.Pass && !verbose {
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
				tag = "suppressed"
			}
			fmt.Fprintf(&b, "  %-10s %-30s %s%s\n", tag, r.Rule, loc, r.Message)
			if r.Suppressed != "" {
				fmt.Fprintf(&b, "  %-10s %-30s reason: %s\n", "", "", r.Suppressed)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
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
