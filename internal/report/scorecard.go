package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/rules"
	"github.com/wazo-platform/wazo-servicekit/safefile"
)

// Verdicts of a scorecard cell: one per rule and service, so a reviewer
// reads "which service fails which checklist item" at a glance.
const (
	VerdictPass    = "pass"
	VerdictFail    = "fail"
	VerdictUnknown = "unknown"
	VerdictWaived  = "waived" // a failure waived by the repository's waiver file
	// VerdictPlatform is a failure the platform profile waives: the
	// platform as a whole departs from the checklist item there.
	VerdictPlatform = "waived-by-platform"
	VerdictNotRun   = "not-run" // the rule has no probe for this mode, or was not asked for
)

// Changes a baseline comparison marks on a cell.
const (
	ChangeNewFail = "new-fail" // fails now, did not in the baseline
	ChangeFixed   = "fixed"    // failed in the baseline, passes now
)

// Row groups, besides the checklist: Wazo practice rules, and diagnostics
// the engine adds (unused suppressions, unreachable nodes).
const (
	GroupChecklist  = "checklist"
	GroupPractice   = "practice"
	GroupDiagnostic = "diagnostic"
)

// Scorecard is a service × rule matrix of one or several reports: the
// catalogue in rows, services in columns. Packages that are not daemons
// (libraries, packaging and sibling repositories) are kept apart: they are
// not services.
type Scorecard struct {
	Tool     string         `json:"tool"`
	Mode     string         `json:"mode"`
	Target   string         `json:"target"`
	Baseline string         `json:"baseline,omitempty"`
	Meta     *Meta          `json:"meta,omitempty"`
	Rules    []ScoreRule    `json:"rules"`
	Services []ScoreService `json:"services"`
	Packages []ScoreService `json:"packages,omitempty"`
	// History is the earlier runs given (--history), oldest first.
	History []HistoryRun `json:"history,omitempty"`
	// Unshown counts the results of rules outside the catalogue past the
	// first MaxDiagnosticRows such rules: they have no row (the report
	// itself has them).
	Unshown int `json:"unshown_results,omitempty"`
}

// MaxDiagnosticRows bounds the rows of rules outside the catalogue (the
// engine's diagnostics, rules of a newer doctord): a hostile node naming a
// new rule in each result would otherwise make the matrix as large as its
// answers times every column.
const MaxDiagnosticRows = 64

// Meta is what identifies a run, so two saved scorecards can be compared:
// the tool, when, against what, and each checkout at which commit.
type Meta struct {
	Version string `json:"version"`
	Date    string `json:"date"` // RFC 3339, UTC
	Profile string `json:"profile,omitempty"`
	Dist    string `json:"dist,omitempty"`
	// URLTemplate makes evidence links ({repo}, {commit}, {path}, {line});
	// without it a link opens the file in the checkout.
	URLTemplate  string       `json:"url_template,omitempty"`
	Repositories []Repository `json:"repositories,omitempty"`
}

// Repository is one checkout the run read: a service's, a package's or a
// sibling's, at its commit ("" when the checkout does not say).
type Repository struct {
	Name     string   `json:"name"`
	Role     string   `json:"role"` // RoleService, RolePackage or RoleSibling
	Dir      string   `json:"dir"`
	Commit   string   `json:"commit,omitempty"`
	Services []string `json:"services,omitempty"`
}

// Repository roles.
const (
	RoleService = "service"
	RolePackage = "package"
	RoleSibling = "sibling"
)

// HistoryRun is one earlier run: its date and each column's failing cells.
type HistoryRun struct {
	Name  string         `json:"name"`
	Date  string         `json:"date,omitempty"`
	Fails map[string]int `json:"fails"`
}

// ScoreRule is one row.
type ScoreRule struct {
	ID        string         `json:"id"`
	Title     string         `json:"title"`
	Checklist string         `json:"checklist,omitempty"`
	Severity  rules.Severity `json:"severity"`
	Group     string         `json:"group"`
	Tags      []string       `json:"tags,omitempty"`
}

// ScoreService is one column, with one cell per row, in row order.
type ScoreService struct {
	Name     string        `json:"name"`
	Node     string        `json:"node,omitempty"`
	Language string        `json:"language,omitempty"`
	Summary  rules.Summary `json:"summary"`
	// Repo is the checkout the column was read from.
	Repo string `json:"repo,omitempty"`
	// NotADaemon says why a package is no service (Scorecard.Packages).
	NotADaemon string `json:"not_a_daemon,omitempty"`
	NewFails   int    `json:"new_fails,omitempty"`
	Fixed      int    `json:"fixed,omitempty"`
	Cells      []Cell `json:"cells"`
}

// Cell is one rule's verdict for one service, with what explains it.
type Cell struct {
	Rule     string         `json:"rule"`
	Verdict  string         `json:"verdict"`
	Severity rules.Severity `json:"severity,omitempty"`
	Message  string         `json:"message"`
	Path     string         `json:"path,omitempty"`
	Line     int            `json:"line,omitempty"`
	Evidence []string       `json:"evidence,omitempty"`
	Waiver   string         `json:"waiver,omitempty"`
	WaivedBy string         `json:"waived_by,omitempty"`
	// Link opens the evidence: the file in the checkout, or its web view
	// through Meta.URLTemplate.
	Link   string `json:"link,omitempty"`
	Change string `json:"change,omitempty"`
}

// Key names a column uniquely: node/service in cluster audits.
func (s ScoreService) Key() string {
	if s.Node != "" {
		return s.Node + "/" + s.Name
	}
	return s.Name
}

// verdictRank orders verdicts so a cell shows its worst result.
func verdictRank(v string) int {
	switch v {
	case VerdictFail:
		return 4
	case VerdictUnknown:
		return 3
	case VerdictWaived, VerdictPlatform:
		return 2
	case VerdictPass:
		return 1
	}
	return 0
}

func verdictOf(r rules.Result) string {
	switch {
	case r.Status == rules.Fail && r.Suppressed != "" && strings.HasPrefix(r.WaivedBy, rules.WaivedByPlatform):
		return VerdictPlatform
	case r.Status == rules.Fail && r.Suppressed != "":
		return VerdictWaived
	case r.Status == rules.Fail:
		return VerdictFail
	case r.Status == rules.Unknown:
		return VerdictUnknown
	}
	return VerdictPass
}

// NewScorecard builds the matrix of rep: every catalogue rule is a row (in
// checklist order), then any diagnostic the report carries.
func NewScorecard(rep *rules.Report) *Scorecard {
	sc := &Scorecard{Tool: rep.Tool, Mode: rep.Mode, Target: rep.Target}
	var known map[string]rules.Rule
	sc.Rules, known = catalogueRows()
	rows := map[string]bool{}
	for _, r := range sc.Rules {
		rows[r.ID] = true
	}
	diagnostics := 0
	for _, res := range rep.Results() {
		switch {
		case rows[res.Rule]:
		case diagnostics == MaxDiagnosticRows:
			sc.Unshown++
		default:
			diagnostics++
			rows[res.Rule] = true
			sc.Rules = append(sc.Rules, ScoreRule{ID: res.Rule, Title: res.Rule, Severity: res.Severity, Group: GroupDiagnostic})
		}
	}
	for _, s := range rep.Services {
		col := ScoreService{Name: s.Name, Node: s.Node, Language: s.Language, Summary: s.Summary, NotADaemon: s.NotADaemon, Repo: s.Repo}
		byRule := map[string][]rules.Result{}
		for _, res := range s.Results {
			byRule[res.Rule] = append(byRule[res.Rule], res)
		}
		ran := len(s.Results) > 0
		for _, row := range sc.Rules {
			c := cellOf(row.ID, byRule[row.ID], known[row.ID], rep.Mode)
			if c.Verdict == VerdictNotRun && ran {
				c.Message = notRunWhy(known[row.ID], s, rep.Mode, c.Message)
			}
			col.Cells = append(col.Cells, c)
		}
		if s.NotADaemon != "" {
			sc.Packages = append(sc.Packages, col)
			continue
		}
		sc.Services = append(sc.Services, col)
	}
	distinctKeys(sc.Services)
	distinctKeys(sc.Packages)
	return sc
}

// catalogueRows are the scorecard's rows of the catalogue, in checklist
// order, and its rules by ID.
func catalogueRows() ([]ScoreRule, map[string]rules.Rule) {
	var rows []ScoreRule
	known := map[string]rules.Rule{}
	for _, r := range rules.All() {
		known[r.ID] = r
		g := GroupChecklist
		if r.IsPractice() {
			g = GroupPractice
		}
		rows = append(rows, ScoreRule{ID: r.ID, Title: r.Title, Checklist: r.Checklist, Severity: r.Severity, Group: g, Tags: r.Tags})
	}
	return rows, known
}

// distinctKeys tells apart columns of the same name read from different
// checkouts (an old repository name of the same service) by the
// checkout's name, as a cluster audit does by the node's.
func distinctKeys(cols []ScoreService) {
	repos := map[string]map[string]bool{}
	for _, c := range cols {
		if repos[c.Key()] == nil {
			repos[c.Key()] = map[string]bool{}
		}
		repos[c.Key()][c.Repo] = true
	}
	for i, c := range cols {
		if len(repos[c.Key()]) > 1 && c.Node == "" && c.Repo != "" {
			cols[i].Node = filepath.Base(c.Repo)
		}
	}
}

// notRunWhy says why a rule has no result for a service that has others.
func notRunWhy(r rules.Rule, s rules.ServiceReport, mode, msg string) string {
	switch {
	case r.ID == "":
		return "not run: this diagnostic is about another service's waivers or node"
	case s.NotADaemon != "":
		return "not run: " + s.NotADaemon + "; only the packaging, dependency and file rules apply to it"
	case msg != "not run":
		return msg
	case mode == "check" || mode == "audit":
		return "not run: not among the rules asked for (--rule)"
	}
	return msg
}

// SetMeta records the run's metadata and makes each cell's evidence link:
// a path in a service's checkout opens there, or in its web view through
// the URL template.
func (sc *Scorecard) SetMeta(m *Meta) {
	sc.Meta = m
	repoOf := m.repoByDir()
	for _, cols := range [][]ScoreService{sc.Services, sc.Packages} {
		for i := range cols {
			linkCells(m.URLTemplate, repoOf, cols[i].Repo, cols[i].Cells)
		}
	}
}

// repoByDir is m's repositories by directory.
func (m *Meta) repoByDir() map[string]Repository {
	repoOf := map[string]Repository{}
	for _, r := range m.Repositories {
		repoOf[r.Dir] = r
	}
	return repoOf
}

// linkCells makes the evidence links of a column read from the checkout
// repo (see SetMeta).
func linkCells(tmpl string, repoOf map[string]Repository, repo string, cells []Cell) {
	abs, err := filepath.Abs(repo)
	r, ok := repoOf[abs]
	if repo == "" || err != nil || !ok {
		return
	}
	for j := range cells {
		cells[j].Link = evidenceLink(tmpl, r, cells[j])
	}
}

// evidenceLink is the link of a cell whose path lies in the checkout r.
func evidenceLink(tmpl string, r Repository, c Cell) string {
	p := path.Clean(c.Path)
	if c.Path == "" || path.IsAbs(p) || p == ".." || strings.HasPrefix(p, "../") {
		return ""
	}
	line := ""
	if c.Line > 0 {
		line = strconv.Itoa(c.Line)
	}
	if tmpl == "" {
		u := url.URL{Scheme: "file", Path: filepath.ToSlash(filepath.Join(r.Dir, filepath.FromSlash(p)))}
		if line != "" {
			u.Fragment = "L" + line
		}
		return u.String()
	}
	return strings.NewReplacer("{repo}", url.PathEscape(r.Name), "{commit}", url.PathEscape(r.Commit),
		"{path}", (&url.URL{Path: p}).EscapedPath(), "{line}", line).Replace(tmpl)
}

// AddHistory records an earlier run (oldest first): each column's failing
// cells, for the per-service trend.
func (sc *Scorecard) AddHistory(name string, old *Scorecard) {
	sc.History = append(sc.History, HistoryOf(name, old))
}

// HistoryOf is the earlier run old, named name, as a scorecard's history
// keeps it: its date and each column's failing cells.
func HistoryOf(name string, old *Scorecard) HistoryRun {
	run := HistoryRun{Name: name, Fails: map[string]int{}}
	if old.Meta != nil {
		run.Date = old.Meta.Date
	}
	for _, s := range old.Services {
		run.Fails[s.Key()] = s.count(VerdictFail)
	}
	return run
}

// count is how many of the column's cells have verdict v.
func (s ScoreService) count(v string) int {
	n := 0
	for _, c := range s.Cells {
		if c.Verdict == v {
			n++
		}
	}
	return n
}

// Trend is a column's failing cells in each earlier run it appears in,
// then now.
func (sc *Scorecard) Trend(s ScoreService) []int {
	return sc.trendOf(s.Key(), s.count(VerdictFail))
}

// trendOf is Trend of the column keyed key, failing fails cells now.
func (sc *Scorecard) trendOf(key string, fails int) []int {
	var out []int
	for _, h := range sc.History {
		if n, ok := h.Fails[key]; ok {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return append(out, fails)
}

// cellOf folds a rule's results for one service into its worst verdict;
// the other results' messages join the evidence.
func cellOf(id string, results []rules.Result, rule rules.Rule, mode string) Cell {
	if len(results) == 0 {
		msg := "not run"
		switch {
		case mode == "check" && rule.ID != "" && !rule.HasStatic():
			msg = "not run: no static probe (audit checks it on a host)"
		case mode == "audit" && rule.ID != "" && !rule.HasLive():
			msg = "not run: no live probe (check reads it in the source repository)"
		}
		return Cell{Rule: id, Verdict: VerdictNotRun, Message: msg}
	}
	worst := 0
	for i, r := range results {
		if verdictRank(verdictOf(r)) > verdictRank(verdictOf(results[worst])) {
			worst = i
		}
	}
	w := results[worst]
	c := Cell{Rule: id, Verdict: verdictOf(w), Message: w.Message, Path: w.Path, Line: w.Line,
		Evidence: append([]string(nil), w.Evidence...), Waiver: w.Suppressed, WaivedBy: w.WaivedBy}
	if c.Verdict == VerdictFail || c.Verdict == VerdictWaived || c.Verdict == VerdictPlatform {
		c.Severity = w.Severity
	}
	for i, r := range results {
		if i != worst {
			c.Evidence = append(c.Evidence, fmt.Sprintf("also %s: %s", r.Status, r.Message))
		}
	}
	return c
}

// CompareBaseline marks each cell that fails now and did not in base (new
// fail), or failed in base and passes now (fixed). Columns base does not
// have are new services: nothing to compare, nothing marked.
func (sc *Scorecard) CompareBaseline(base *Scorecard, name string) {
	sc.Baseline = name
	before := map[string]map[string]string{}
	for _, s := range base.Services {
		m := map[string]string{}
		for _, c := range s.Cells {
			m[c.Rule] = c.Verdict
		}
		before[s.Key()] = m
	}
	for i := range sc.Services {
		s := &sc.Services[i]
		prev, ok := before[s.Key()]
		if !ok {
			continue
		}
		for j := range s.Cells {
			c := &s.Cells[j]
			was := prev[c.Rule]
			switch {
			case c.Verdict == VerdictFail && was != VerdictFail:
				c.Change = ChangeNewFail
				s.NewFails++
			case c.Verdict == VerdictPass && was == VerdictFail:
				c.Change = ChangeFixed
				s.Fixed++
			}
		}
	}
}

// Changes lists the cells CompareBaseline marked, for the plain formats.
func (sc *Scorecard) Changes() map[string]string {
	out := map[string]string{}
	for _, s := range sc.Services {
		for _, c := range s.Cells {
			if c.Change != "" {
				out[ChangeKey(s.Key(), c.Rule)] = c.Change
			}
		}
	}
	return out
}

// maxBaseline bounds the baseline file read.
const maxBaseline = 64 << 20

// LoadBaseline reads a previous run's JSON: a scorecard (--format
// scorecard) or a plain report (--format json).
func LoadBaseline(path string) (*Scorecard, error) {
	data, err := safefile.ReadRegular(path, maxBaseline)
	if errors.Is(err, safefile.ErrTooLarge) {
		return nil, fmt.Errorf("%s: larger than %d MiB: not a baseline", path, maxBaseline>>20)
	}
	if err != nil {
		return nil, err
	}
	var probe struct {
		Rules    json.RawMessage `json:"rules"`
		Services json.RawMessage `json:"services"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("%s: %v (want the JSON of an earlier check or audit: --format scorecard or json)", path, err)
	}
	if probe.Services == nil {
		return nil, fmt.Errorf("%s: no \"services\": want the JSON of an earlier check or audit (--format scorecard or json)", path)
	}
	if probe.Rules != nil {
		var sc Scorecard
		if err := json.Unmarshal(data, &sc); err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		return &sc, nil
	}
	var rep rules.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return NewScorecard(&rep), nil
}

// symbols per verdict, so the matrix reads without colour.
var symbols = map[string]string{
	VerdictPass: "✓", VerdictFail: "✗", VerdictUnknown: "?", VerdictWaived: "~", VerdictPlatform: "≈", VerdictNotRun: "-",
}

// sevLetter abbreviates a failing cell's severity in the grid.
func sevLetter(s rules.Severity) string {
	if s == "" {
		return ""
	}
	return esc(strings.ToUpper(string(s)[:1]))
}

// ServiceLine is a column's one-line summary.
func (s ScoreService) ServiceLine() string {
	var n verdictCounts
	for _, c := range s.Cells {
		n.add(c.Verdict)
	}
	return serviceLine(s.Key(), s.Summary.Status, n, len(s.Cells)-n.ran(), s.NewFails, s.Fixed)
}

// writeGrid prints the matrix compactly (grid.write).
func writeGrid(w io.Writer, sc *Scorecard) error {
	return gridOf(sc).write(w)
}
