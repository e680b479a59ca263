package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/wazo-platform/wazo-servicekit/internal/rules"
)

// matrix is a scorecard (html or its JSON) written service by service: in
// memory, its rows and, per column, what the layout needs (names, summary,
// counts) and where the column's cells that ran were spooled, rendered
// (a few bytes per cell); the cells that did not run are made again at
// the end. The page is row by row and the JSON column by column, so
// neither can be written before the last service: Close copies the
// spooled cells out in the layout's order.
type matrix struct {
	format    string // "html" or "scorecard"
	head      Scorecard
	known     map[string]rules.Rule
	rowOf     map[string]int
	catalogue int
	repoOf    map[string]Repository
	spool     *spool
	columns   []matrixColumn
	packages  []matrixColumn
	verdicts  map[string]int // the services' cells by verdict (the page's fleet line)
	buf       bytes.Buffer
	read      []byte // what piece read last
}

// matrixColumn is one column: its fields (printable for the page), and
// its spooled bytes from at: the JSON's head or the page's package row,
// then each cell that ran.
type matrixColumn struct {
	svc            ScoreService // no cells
	ran            bool         // the service has results (not-run cells say why)
	at             int64
	head           uint32
	cells          []spooledCell
	fails, unknown int
}

// spooledCell is a cell that ran: its row and where its bytes end, from
// its column's at.
type spooledCell struct{ row, end uint32 }

func newMatrix(format string, head *rules.Report, meta *Meta, opts Options) (*matrix, error) {
	sp, err := newSpool()
	if err != nil {
		return nil, err
	}
	m := &matrix{format: format, head: Scorecard{Tool: head.Tool, Mode: head.Mode, Target: head.Target, Meta: meta, History: opts.History, Baseline: opts.Baseline},
		rowOf: map[string]int{}, spool: sp, verdicts: map[string]int{}}
	m.head.Rules, m.known = catalogueRows()
	for j, r := range m.head.Rules {
		m.rowOf[r.ID] = j
	}
	m.catalogue = len(m.head.Rules)
	if meta != nil {
		m.repoOf = meta.repoByDir()
	}
	return m, nil
}

// row is the row of a result's rule: a new diagnostic row the first time,
// or false past MaxDiagnosticRows of them (as NewScorecard).
func (m *matrix) row(r rules.Result) (int, bool) {
	if j, ok := m.rowOf[r.Rule]; ok {
		return j, true
	}
	if len(m.head.Rules)-m.catalogue == MaxDiagnosticRows {
		m.head.Unshown++
		return 0, false
	}
	m.rowOf[r.Rule] = len(m.head.Rules)
	m.head.Rules = append(m.head.Rules, ScoreRule{ID: r.Rule, Title: r.Rule, Severity: r.Severity, Group: GroupDiagnostic})
	return len(m.head.Rules) - 1, true
}

// add spools one service's column, as NewScorecard makes it, its cells
// marked with their changes since the baseline (by rule).
func (m *matrix) add(s rules.ServiceReport, changes map[string]string) error {
	byRow := map[int][]rules.Result{}
	var rows []int
	for _, r := range s.Results {
		j, ok := m.row(r)
		if !ok {
			continue
		}
		if _, seen := byRow[j]; !seen {
			rows = append(rows, j)
		}
		byRow[j] = append(byRow[j], r)
	}
	sort.Ints(rows)
	svc := ScoreService{Name: s.Name, Node: s.Node, Language: s.Language, Summary: s.Summary, NotADaemon: s.NotADaemon, Repo: s.Repo}
	cells := make([]Cell, len(rows))
	for k, j := range rows {
		id := m.head.Rules[j].ID
		cells[k] = cellOf(id, byRow[j], m.known[id], m.head.Mode)
		switch cells[k].Change = changes[id]; cells[k].Change {
		case ChangeNewFail:
			svc.NewFails++
		case ChangeFixed:
			svc.Fixed++
		}
	}
	if m.head.Meta != nil {
		linkCells(m.head.Meta.URLTemplate, m.repoOf, svc.Repo, cells)
	}
	col := matrixColumn{svc: svc, ran: len(s.Results) > 0, cells: make([]spooledCell, len(rows))}
	m.buf.Reset()
	if m.format == "html" {
		svc.Cells = cells
		p := printableColumns([]ScoreService{svc})[0]
		col.svc = p
		col.svc.Cells = nil
		page := &pageWriter{w: bufio.NewWriter(&m.buf)}
		if s.NotADaemon != "" {
			page.exec("package", p)
		}
		if err := page.foot(false, false); err != nil {
			return err
		}
		col.head = uint32(m.buf.Len())
		for k, c := range p.Cells {
			if s.NotADaemon == "" {
				page.cell(len(m.columns), p.Key(), c)
				if err := page.flush(); err != nil {
					return err
				}
			}
			col.cells[k] = spooledCell{row: uint32(rows[k]), end: uint32(m.buf.Len())}
			switch c.Verdict {
			case VerdictFail:
				col.fails++
			case VerdictUnknown:
				col.unknown++
			}
		}
		if s.NotADaemon == "" {
			countVerdicts(m.verdicts, p.Cells)
		}
	} else {
		svc.Cells = []Cell{}
		b, err := json.MarshalIndent(svc, "    ", "  ")
		if err != nil {
			return err
		}
		if b, err = withoutTail(b, "[]\n    }", "a column's JSON"); err != nil {
			return err
		}
		m.buf.Write(b)
		col.head = uint32(m.buf.Len())
		for k, c := range cells {
			b, err := json.MarshalIndent(c, "        ", "  ")
			if err != nil {
				return err
			}
			m.buf.Write(b)
			col.cells[k] = spooledCell{row: uint32(rows[k]), end: uint32(m.buf.Len())}
		}
	}
	at, err := m.spool.add(m.buf.Bytes())
	if err != nil {
		return err
	}
	col.at = at
	if s.NotADaemon != "" {
		m.packages = append(m.packages, col)
	} else {
		m.columns = append(m.columns, col)
	}
	return nil
}

// notRun is the cell of a row col has no result for.
func (m *matrix) notRun(row int, col *matrixColumn) Cell {
	id := m.head.Rules[row].ID
	c := cellOf(id, nil, m.known[id], m.head.Mode)
	if col.ran {
		c.Message = notRunWhy(m.known[id], rules.ServiceReport{NotADaemon: col.svc.NotADaemon}, m.head.Mode, c.Message)
	}
	return c
}

// piece reads back a column's spooled bytes from..to (relative to at).
func (m *matrix) piece(col *matrixColumn, from, to uint32) ([]byte, error) {
	b, err := m.spool.read(m.read, col.at+int64(from), int(to-from))
	m.read = b
	return b, err
}

// cellFrom is where a column's k-th spooled cell starts.
func (c *matrixColumn) cellFrom(k int) uint32 {
	if k == 0 {
		return c.head
	}
	return c.cells[k-1].end
}

func (m *matrix) close(w io.Writer) error {
	defer m.spool.close()
	if m.format == "html" {
		return m.writeHTML(w)
	}
	return m.writeJSON(w)
}

func (m *matrix) writeHTML(w io.Writer) error {
	p := printableScorecard(&m.head)
	page := &pageWriter{w: bufio.NewWriterSize(w, 64<<10)}
	page.head(p, fleetLine(p, len(m.columns), len(m.packages), m.verdicts))
	for j := range m.columns {
		c := &m.columns[j]
		page.column(j, c.svc, c.fails, c.unknown, chart(p.trendOf(c.svc.Key(), c.fails)))
	}
	page.exec("rows", nil)
	next := make([]int, len(m.columns))
	for i, r := range p.Rules {
		page.exec("row", r)
		for j := range m.columns {
			c := &m.columns[j]
			if k := next[j]; k < len(c.cells) && c.cells[k].row == uint32(i) {
				b, err := m.piece(c, c.cellFrom(k), c.cells[k].end)
				if err != nil {
					return err
				}
				page.raw(b)
				next[j]++
				continue
			}
			cell := m.notRun(i, c)
			cell.Rule, cell.Message = esc(cell.Rule), esc(cell.Message)
			page.cell(j, c.svc.Key(), cell)
		}
		page.exec("row-end", nil)
	}
	page.exec("packages", len(m.packages) > 0)
	for k := range m.packages {
		c := &m.packages[k]
		b, err := m.piece(c, 0, c.head)
		if err != nil {
			return err
		}
		page.raw(b)
	}
	return page.foot(true, len(m.packages) > 0)
}

// writeJSON writes the scorecard's JSON as the encoder writes it whole:
// its header encoded with one stand-in column, which the spooled columns
// replace.
func (m *matrix) writeJSON(w io.Writer) error {
	sc := m.head
	standIn := ScoreService{Name: "\x00column"}
	if len(m.columns) > 0 {
		sc.Services = []ScoreService{standIn}
	}
	if len(m.packages) > 0 {
		sc.Packages = []ScoreService{standIn}
	}
	var all bytes.Buffer
	if err := writeJSON(&all, &sc); err != nil {
		return err
	}
	mark, err := json.MarshalIndent(standIn, "    ", "  ")
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	rest := all.Bytes()
	for _, cols := range [][]matrixColumn{m.columns, m.packages} {
		if len(cols) == 0 {
			continue
		}
		before, after, ok := bytes.Cut(rest, mark)
		if !ok {
			return fmt.Errorf("the scorecard's JSON lost its columns' place")
		}
		bw.Write(before)
		if err := m.writeColumnsJSON(bw, cols); err != nil {
			return err
		}
		rest = after
	}
	bw.Write(rest)
	return bw.Flush()
}

func (m *matrix) writeColumnsJSON(w *bufio.Writer, cols []matrixColumn) error {
	notRun := map[[2]int][]byte{} // (row, ran) -> a services' not-run cell
	for i := range cols {
		c := &cols[i]
		if i > 0 {
			w.WriteString(",\n    ")
		}
		b, err := m.piece(c, 0, c.head)
		if err != nil {
			return err
		}
		w.Write(b)
		w.WriteString("[\n        ")
		k := 0
		for row := range m.head.Rules {
			if row > 0 {
				w.WriteString(",\n        ")
			}
			if k < len(c.cells) && c.cells[k].row == uint32(row) {
				b, err := m.piece(c, c.cellFrom(k), c.cells[k].end)
				if err != nil {
					return err
				}
				w.Write(b)
				k++
				continue
			}
			key := [2]int{row, 0}
			if c.ran {
				key[1] = 1
			}
			b, ok := notRun[key]
			if !ok || c.svc.NotADaemon != "" {
				b, err = json.MarshalIndent(m.notRun(row, c), "        ", "  ")
				if err != nil {
					return err
				}
				if c.svc.NotADaemon == "" {
					notRun[key] = b
				}
			}
			w.Write(b)
		}
		w.WriteString("\n      ]\n    }")
	}
	return nil
}
