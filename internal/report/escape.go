package report

import (
	"github.com/wazo-platform/wazo-servicekit/internal/rules"
	"github.com/wazo-platform/wazo-servicekit/logging"
)

// Every string of a report may come from the checked repository, an image
// or a cluster node. The human-readable formats (text, grid, html) print
// copies with control characters escaped, so that a config value cannot
// clear the terminal, hyperlink, or start a line that looks like a result.
// The machine formats (json, sarif, junit) escape by their own syntax.

var esc = logging.Escape

func escapeAll(list []string) []string {
	if list == nil {
		return nil
	}
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = esc(s)
	}
	return out
}

// printableReport is a copy of rep safe to print line by line.
func printableReport(rep *rules.Report) *rules.Report {
	out := &rules.Report{Tool: esc(rep.Tool), Mode: esc(rep.Mode), Target: esc(rep.Target), Debian: esc(rep.Debian)}
	for _, s := range rep.Services {
		c := s
		c.Name, c.Node, c.Language, c.NotADaemon = esc(s.Name), esc(s.Node), esc(s.Language), esc(s.NotADaemon)
		c.Results = make([]rules.Result, len(s.Results))
		for i, r := range s.Results {
			r.Rule, r.Service, r.Message, r.Path, r.Suppressed, r.WaivedBy = esc(r.Rule), esc(r.Service), esc(r.Message), esc(r.Path), esc(r.Suppressed), esc(r.WaivedBy)
			r.Severity, r.Status = rules.Severity(esc(string(r.Severity))), rules.Status(esc(string(r.Status)))
			r.Evidence = escapeAll(r.Evidence)
			c.Results[i] = r
		}
		out.Services = append(out.Services, c)
	}
	return out
}

// printableScorecard is a copy of sc safe to print line by line.
func printableScorecard(sc *Scorecard) *Scorecard {
	out := *sc
	out.Tool, out.Mode, out.Target, out.Baseline = esc(sc.Tool), esc(sc.Mode), esc(sc.Target), esc(sc.Baseline)
	out.Rules = make([]ScoreRule, len(sc.Rules))
	for i, r := range sc.Rules {
		r.ID, r.Title, r.Checklist, r.Group = esc(r.ID), esc(r.Title), esc(r.Checklist), esc(r.Group)
		r.Severity = rules.Severity(esc(string(r.Severity)))
		r.Tags = escapeAll(r.Tags)
		out.Rules[i] = r
	}
	out.Services = printableColumns(sc.Services)
	out.Packages = printableColumns(sc.Packages)
	if sc.Meta != nil {
		m := *sc.Meta
		m.Version, m.Date, m.Profile, m.Dist, m.URLTemplate = esc(m.Version), esc(m.Date), esc(m.Profile), esc(m.Dist), esc(m.URLTemplate)
		m.Repositories = make([]Repository, len(sc.Meta.Repositories))
		for i, r := range sc.Meta.Repositories {
			r.Name, r.Role, r.Dir, r.Commit = esc(r.Name), esc(r.Role), esc(r.Dir), esc(r.Commit)
			r.Services = escapeAll(r.Services)
			m.Repositories[i] = r
		}
		out.Meta = &m
	}
	return &out
}

func printableColumns(cols []ScoreService) []ScoreService {
	if cols == nil {
		return nil
	}
	out := make([]ScoreService, len(cols))
	for i, s := range cols {
		s.Name, s.Node, s.Language, s.NotADaemon = esc(s.Name), esc(s.Node), esc(s.Language), esc(s.NotADaemon)
		cells := make([]Cell, len(s.Cells))
		for j, c := range s.Cells {
			c.Rule, c.Message, c.Path, c.Waiver, c.WaivedBy = esc(c.Rule), esc(c.Message), esc(c.Path), esc(c.Waiver), esc(c.WaivedBy)
			c.Verdict, c.Severity, c.Change = esc(c.Verdict), rules.Severity(esc(string(c.Severity))), esc(c.Change)
			c.Evidence = escapeAll(c.Evidence)
			cells[j] = c
		}
		s.Cells = cells
		out[i] = s
	}
	return out
}
