package report

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"sort"
	"unicode/utf8"

	"github.com/wazo-platform/wazo-servicekit/internal/rules"
)

// grid is the scorecard as the text grid prints it, and nothing more: each
// column's counts and the mark of each cell that ran. A cluster audit's
// grid is built from it node by node (Stream) without holding the
// verdicts: a column costs its name and a few bytes per rule that ran.
type grid struct {
	meta     *Meta
	baseline string
	rows     []string       // rule IDs, escaped, in row order
	rowOf    map[string]int // rule ID -> row, while columns are added
	marks    []string       // each distinct cell mark once
	markOf   map[string]uint16
	columns  []gridColumn
	packages []gridColumn
	// catalogue is how many rows are the catalogue's; unshown counts the
	// results past MaxDiagnosticRows rows of other rules.
	catalogue, unshown int
}

// gridColumn is one column of the grid: what its summary line says and
// its cells that ran (the others are "not run").
type gridColumn struct {
	key             string // escaped
	status          rules.Status
	counts          verdictCounts
	newFails, fixed int
	cells           []gridCell // in row order
}

// gridCell is one cell that ran: its row and its mark in grid.marks.
type gridCell struct {
	row  uint32
	mark uint16
}

// verdictCounts counts a column's cells that ran, by verdict.
type verdictCounts struct {
	pass, fail, unknown, waived, platform int
}

func (n *verdictCounts) add(verdict string) bool {
	switch verdict {
	case VerdictPass:
		n.pass++
	case VerdictFail:
		n.fail++
	case VerdictUnknown:
		n.unknown++
	case VerdictWaived:
		n.waived++
	case VerdictPlatform:
		n.platform++
	default:
		return false
	}
	return true
}

func (n verdictCounts) ran() int { return n.pass + n.fail + n.unknown + n.waived + n.platform }

// serviceLine is a column's one-line summary.
func serviceLine(key string, status rules.Status, n verdictCounts, notRun, newFails, fixed int) string {
	line := fmt.Sprintf("%s: %s — %d pass, %d fail, %d unknown, %d waived, %d not run", key, status, n.pass, n.fail, n.unknown, n.waived, notRun)
	if n.platform > 0 {
		line = fmt.Sprintf("%s: %s — %d pass, %d fail, %d unknown, %d waived, %d waived by the platform, %d not run", key, status, n.pass, n.fail, n.unknown, n.waived, n.platform, notRun)
	}
	if newFails > 0 || fixed > 0 {
		line += fmt.Sprintf("; since the baseline %d new fail(s), %d fixed", newFails, fixed)
	}
	return line
}

// cellMark is what the grid prints for a cell.
func cellMark(verdict string, sev rules.Severity, change string) string {
	mark := symbols[verdict] + sevLetter(sev)
	switch change {
	case ChangeNewFail:
		mark += "+"
	case ChangeFixed:
		mark += "*"
	}
	return mark
}

func newGrid(meta *Meta, baseline string) *grid {
	return &grid{meta: meta, baseline: baseline, rowOf: map[string]int{}, markOf: map[string]uint16{}}
}

// gridOf is the grid of a whole scorecard.
func gridOf(sc *Scorecard) *grid {
	g := newGrid(sc.Meta, sc.Baseline)
	g.unshown = sc.Unshown
	for _, r := range sc.Rules {
		g.rows = append(g.rows, esc(r.ID))
	}
	column := func(s ScoreService) gridColumn {
		col := gridColumn{key: columnKey(s.Name, s.Node), status: s.Summary.Status, newFails: s.NewFails, fixed: s.Fixed}
		for j, c := range s.Cells {
			if col.counts.add(c.Verdict) {
				col.cells = append(col.cells, gridCell{row: uint32(j), mark: g.mark(cellMark(c.Verdict, c.Severity, c.Change))})
			}
		}
		return col
	}
	for _, s := range sc.Services {
		g.columns = append(g.columns, column(s))
	}
	for _, s := range sc.Packages {
		g.packages = append(g.packages, column(s))
	}
	return g
}

// newServiceGrid is an empty grid whose rows are the catalogue's rules, to
// which services are added one by one (add).
func newServiceGrid(meta *Meta) *grid {
	g := newGrid(meta, "")
	for _, r := range rules.All() {
		g.row(r.ID)
	}
	g.catalogue = len(g.rows)
	return g
}

// row is the row of a rule ID, a new diagnostic row the first time, or
// false past MaxDiagnosticRows of them (as NewScorecard).
func (g *grid) row(id string) (int, bool) {
	j, ok := g.rowOf[id]
	if !ok {
		if len(g.rows)-g.catalogue == MaxDiagnosticRows && g.catalogue > 0 {
			return 0, false
		}
		j = len(g.rows)
		g.rowOf[id] = j
		g.rows = append(g.rows, esc(id))
	}
	return j, true
}

func (g *grid) mark(m string) uint16 {
	i, ok := g.markOf[m]
	if !ok {
		// At most 6 verdicts x 256 severity letters x 3 changes.
		i = uint16(len(g.marks))
		g.markOf[m] = i
		g.marks = append(g.marks, m)
	}
	return i
}

// add folds a service's results into a column, as NewScorecard does: each
// rule's cell is its worst result, marked with its change since the
// baseline (changes, by rule).
func (g *grid) add(s rules.ServiceReport, changes map[string]string) {
	worst := map[int]rules.Result{}
	for _, r := range s.Results {
		j, ok := g.row(r.Rule)
		if !ok {
			g.unshown++
			continue
		}
		if w, seen := worst[j]; !seen || verdictRank(verdictOf(r)) > verdictRank(verdictOf(w)) {
			worst[j] = r
		}
	}
	col := gridColumn{key: columnKey(s.Name, s.Node), status: s.Summary.Status, cells: make([]gridCell, 0, len(worst))}
	for j, w := range worst {
		v := verdictOf(w)
		col.counts.add(v)
		sev := rules.Severity("")
		if v == VerdictFail || v == VerdictWaived || v == VerdictPlatform {
			sev = w.Severity
		}
		change := changes[w.Rule]
		switch change {
		case ChangeNewFail:
			col.newFails++
		case ChangeFixed:
			col.fixed++
		}
		col.cells = append(col.cells, gridCell{row: uint32(j), mark: g.mark(cellMark(v, sev, change))})
	}
	sort.Slice(col.cells, func(a, b int) bool { return col.cells[a].row < col.cells[b].row })
	if s.NotADaemon != "" {
		g.packages = append(g.packages, col)
		return
	}
	g.columns = append(g.columns, col)
}

// columnKey is ScoreService.Key of the escaped names.
func columnKey(name, node string) string {
	return ScoreService{Name: esc(name), Node: esc(node)}.Key()
}

func (c gridColumn) line(rows int) string {
	return serviceLine(c.key, c.status, c.counts, rows-c.counts.ran(), c.newFails, c.fixed)
}

// write prints the grid compactly: columns are numbered, listed with their
// summary line above the grid.
func (g *grid) write(w io.Writer) error {
	bw := bufio.NewWriter(w)
	width := len("rule")
	for _, r := range g.rows {
		width = max(width, len(r))
	}
	if m := g.meta; m != nil {
		fmt.Fprintf(bw, "wazo-servicekit %s, %s", esc(m.Version), esc(m.Date))
		if m.Profile != "" {
			fmt.Fprintf(bw, ", profile %s", esc(m.Profile))
		}
		if m.Dist != "" {
			fmt.Fprintf(bw, ", dependencies judged against %s", esc(m.Dist))
		}
		bw.WriteString("\n\n")
	}
	for i, c := range g.columns {
		fmt.Fprintf(bw, "[%d] %s\n", i+1, c.line(len(g.rows)))
	}
	bw.WriteString("\n")
	line := fmt.Appendf(nil, "%-*s", width, "rule")
	for i := range g.columns {
		line = fmt.Appendf(line, " %-4d", i+1)
	}
	writeTrimmed(bw, line)
	next := make([]int, len(g.columns))
	notRun := symbols[VerdictNotRun]
	for j, id := range g.rows {
		line = fmt.Appendf(line[:0], "%-*s", width, id)
		for k := range g.columns {
			mark, c := notRun, &g.columns[k]
			if n := next[k]; n < len(c.cells) && c.cells[n].row == uint32(j) {
				mark = g.marks[c.cells[n].mark]
				next[k]++
			}
			line = append(line, ' ')
			line = append(line, mark...)
			for pad := 4 - utf8.RuneCountInString(mark); pad > 0; pad-- {
				line = append(line, ' ')
			}
		}
		writeTrimmed(bw, line)
	}
	bw.WriteString("\n✓ pass  ✗ fail (E error, W warning, I info)  ? unknown  ~ waived  ≈ waived by the platform  - not run")
	if g.baseline != "" {
		bw.WriteString("  + new fail  * fixed (since " + esc(g.baseline) + ")")
	}
	bw.WriteString("\n")
	if g.unshown > 0 {
		fmt.Fprintf(bw, "%d result(s) of rules outside the catalogue, past the first %d such rules, have no row (--format json has them)\n", g.unshown, MaxDiagnosticRows)
	}
	if len(g.packages) > 0 {
		bw.WriteString("\nnot services (packages and sibling repositories):\n")
		for _, p := range g.packages {
			fmt.Fprintf(bw, "  %s\n", p.line(len(g.rows)))
		}
	}
	return bw.Flush()
}

// writeTrimmed writes a line without its trailing spaces.
func writeTrimmed(w *bufio.Writer, line []byte) {
	w.Write(bytes.TrimRight(line, " "))
	w.WriteByte('\n')
}
