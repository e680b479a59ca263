package siblings

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Tables of Gherkin examples and Markdown, as Prettier writes them: every
// cell padded to its column's width ("| GET    | /api/x |"), a Markdown
// separator row of dashes as wide as the column.

var (
	tableRowRe = regexp.MustCompile(`^([ \t]*)\|(.*)\|[ \t]*$`)
	dashesRe   = regexp.MustCompile(`^:?-+:?$`)
)

// table is a run of "| a | b |" lines.
type table struct {
	first, last int // line indexes
	indent      string
	rows        [][]string // rows[0] is the header
	separator   int        // index in rows of a Markdown |---| row, -1 if none
	padded      bool       // every line as long as the first: cells padded to a common width
	// headerWidths are the first line's cell widths as written (one
	// space of margin each side taken off): a padded table may be wider
	// than its widest cell, and a new row keeps that width.
	headerWidths []int
}

// splitRow cuts the inside of a row into trimmed cells; "\|" is a pipe
// inside a cell.
func splitRow(inner string) []string {
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(inner); i++ {
		if inner[i] == '\\' && i+1 < len(inner) && inner[i+1] == '|' {
			cur.WriteString(`\|`)
			i++
			continue
		}
		if inner[i] == '|' {
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
			continue
		}
		cur.WriteByte(inner[i])
	}
	return append(cells, strings.TrimSpace(cur.String()))
}

// findTables returns the tables of lines.
func findTables(lines []string) []*table {
	var out []*table
	var cur *table
	for i, l := range lines {
		m := tableRowRe.FindStringSubmatch(l)
		if m == nil {
			cur = nil
			continue
		}
		if cur == nil {
			cur = &table{first: i, indent: m[1], separator: -1, padded: true}
			for _, raw := range strings.Split(m[2], "|") {
				cur.headerWidths = append(cur.headerWidths, max(len(raw)-2, 0))
			}
			out = append(out, cur)
		}
		cur.last = i
		cells := splitRow(m[2])
		if allDashes(cells) {
			cur.separator = len(cur.rows)
		}
		if len(l) != len(lines[cur.first]) {
			cur.padded = false
		}
		cur.rows = append(cur.rows, cells)
	}
	return out
}

func allDashes(cells []string) bool {
	for _, c := range cells {
		if !dashesRe.MatchString(c) {
			return false
		}
	}
	return len(cells) > 0
}

func (t *table) widths() []int {
	w := make([]int, len(t.rows[0]))
	if t.padded && len(t.headerWidths) == len(w) {
		copy(w, t.headerWidths)
	}
	for i, r := range t.rows {
		if i == t.separator {
			continue
		}
		for j, c := range r {
			if j < len(w) && len(c) > w[j] {
				w[j] = len(c)
			}
		}
	}
	return w
}

// line renders row i: padded to widths, or compact.
func (t *table) line(i int, widths []int) string {
	r := t.rows[i]
	cells := make([]string, len(r))
	for j, c := range r {
		switch {
		case widths == nil:
			cells[j] = c
		case i == t.separator:
			cells[j] = strings.Repeat("-", max(widths[j], 3))
		default:
			cells[j] = c + strings.Repeat(" ", widths[j]-len(c))
		}
	}
	if i == t.separator && widths == nil {
		return t.indent + "|" + strings.Join(cells, "|") + "|"
	}
	return t.indent + "| " + strings.Join(cells, " | ") + " |"
}

// insertRow inserts row at index at of t (in lines) and returns the new
// lines: only the new line is added when the columns keep their widths or
// the table is not padded; a padded table whose column must widen is
// re-padded whole, as Prettier does, every cell's text kept.
func insertRow(lines []string, t *table, at int, row []string, mayRepad bool) ([]string, error) {
	oldWidths := t.widths()
	t.rows = append(t.rows[:at], append([][]string{row}, t.rows[at:]...)...)
	if t.separator >= at {
		t.separator++
	}
	var widths []int
	if t.padded {
		widths = t.widths()
	}
	same := fmt.Sprint(widths) == fmt.Sprint(oldWidths)
	out := append([]string{}, lines[:t.first]...)
	if !t.padded || same {
		out = append(out, lines[t.first:t.first+at]...)
		out = append(out, t.line(at, widths))
		out = append(out, lines[t.first+at:]...)
		return out, nil
	}
	if !mayRepad {
		return nil, notShaped("the new row to fit the table's column widths (the baseline holds only part of the table)",
			"a wider cell: the whole table must be re-padded; run new with --siblings DIR to compute it against the real file")
	}
	for i := range t.rows {
		out = append(out, t.line(i, widths))
	}
	return append(out, lines[t.last+1:]...), nil
}

// dataRows returns the indexes of the rows that are neither header nor separator.
func (t *table) dataRows() []int {
	var out []int
	for i := 1; i < len(t.rows); i++ {
		if i != t.separator {
			out = append(out, i)
		}
	}
	return out
}

// orderedAt returns where a row keyed key goes among keys (the data rows'
// keys): in sorted place when the rows are sorted, after the last
// otherwise (a table with no order gets new rows at its end). It is an
// index into keys.
func orderedAt(keys []string, key string, less func(a, b string) bool) int {
	if !sort.SliceIsSorted(keys, func(i, j int) bool { return less(keys[i], keys[j]) }) {
		return len(keys)
	}
	for i, k := range keys {
		if less(key, k) {
			return i
		}
	}
	return len(keys)
}

// tableWithHeader returns the lines of text and its first table whose
// header is header (in any case: "Daemon name" is "Daemon Name"), every data row with as many cells; a shape error
// naming the tables found otherwise.
func tableWithHeader(text string, header []string) ([]string, *table, error) {
	lines := strings.Split(text, "\n")
	var seen []string
	for _, t := range findTables(lines) {
		seen = append(seen, "| "+strings.Join(t.rows[0], " | ")+" |")
		if !strings.EqualFold(strings.Join(t.rows[0], "|"), strings.Join(header, "|")) {
			continue
		}
		for _, i := range t.dataRows() {
			if len(t.rows[i]) != len(header) {
				return nil, nil, notShaped(fmt.Sprintf("rows of %d cells", len(header)), "line %d: %d cells", t.first+i+1, len(t.rows[i]))
			}
		}
		return lines, t, nil
	}
	return nil, nil, notShaped("a table with the header | "+strings.Join(header, " | ")+" |", "%s", orNone(seen, "tables"))
}

// addTableRow adds row to the first table whose header is header, in the
// table's order by column key.
func addTableRow(old string, header []string, key string, row []string, mayRepad bool) (string, string, error) {
	lines, t, err := tableWithHeader(old, header)
	if err != nil {
		return "", "", err
	}
	col := indexOf(header, key)
	var keys []string
	for _, i := range t.dataRows() {
		if t.rows[i][col] == row[col] {
			return "", fmt.Sprintf("the %s table already has %s", key, row[col]), nil
		}
		keys = append(keys, t.rows[i][col])
	}
	at := orderedAt(keys, row[col], func(a, b string) bool { return a < b })
	idx := len(t.rows)
	if at < len(keys) {
		idx = t.dataRows()[at]
	}
	out, err := insertRow(lines, t, idx, row, mayRepad)
	if err != nil {
		return "", "", err
	}
	return strings.Join(out, "\n"), fmt.Sprintf("row %s added to the %s table", row[col], key), nil
}

func indexOf(list []string, s string) int {
	for i, e := range list {
		if e == s {
			return i
		}
	}
	return -1
}

// verifyTableInsert checks a table edit: the lines outside the edited
// table are as they were, the table has the old rows (every cell the same
// text) with row added once, and is still padded if it was.
func verifyTableInsert(old, new string, header, row []string) error {
	a, b := strings.Split(old, "\n"), strings.Split(new, "\n")
	ta, tb := findTables(a), findTables(b)
	if len(ta) != len(tb) {
		return fmt.Errorf("%d tables before, %d after", len(ta), len(tb))
	}
	edited, fromA, fromB := 0, 0, 0
	for i := range ta {
		x, y := ta[i], tb[i]
		if strings.Join(a[fromA:x.first], "\n") != strings.Join(b[fromB:y.first], "\n") {
			return fmt.Errorf("lines before table %d changed", i+1)
		}
		fromA, fromB = x.last+1, y.last+1
		if i == len(ta)-1 && strings.Join(a[fromA:], "\n") != strings.Join(b[fromB:], "\n") {
			return fmt.Errorf("lines after the last table changed")
		}
		if len(y.rows) == len(x.rows) {
			if strings.Join(a[x.first:x.last+1], "\n") != strings.Join(b[y.first:y.last+1], "\n") {
				return fmt.Errorf("table %d changed", i+1)
			}
			continue
		}
		if !strings.EqualFold(strings.Join(x.rows[0], "|"), strings.Join(header, "|")) || len(y.rows) != len(x.rows)+1 {
			return fmt.Errorf("table %d: %d rows before, %d after", i+1, len(x.rows), len(y.rows))
		}
		j, added := 0, 0
		for _, r := range y.rows {
			if j < len(x.rows) && strings.Join(r, "|") == strings.Join(x.rows[j], "|") {
				j++
				continue
			}
			if x.separator >= 0 && j == x.separator && allDashes(r) {
				j++
				continue
			}
			if strings.Join(r, "|") != strings.Join(row, "|") {
				return fmt.Errorf("table %d: row %q is new or changed", i+1, strings.Join(r, " | "))
			}
			added++
		}
		if added != 1 || j != len(x.rows) {
			return fmt.Errorf("table %d: %d of %d rows kept, %d added", i+1, j, len(x.rows), added)
		}
		if x.padded && !y.padded {
			return fmt.Errorf("table %d is no longer padded", i+1)
		}
		edited++
	}
	if edited != 1 {
		return fmt.Errorf("%d tables edited", edited)
	}
	return nil
}

// --- wazo-acceptance ------------------------------------------------------------

// The baseline of http.feature holds its whole first table: a wider row
// may re-pad it there as in a checkout.
func wazoAcceptanceEdits(v Service) []edit {
	const mayRepad = true
	httpHeader := []string{"method", "url"}
	httpRow := []string{"GET", "/api/" + v.Short + "/" + v.APIVersion + "/status"}
	sdHeader, sdRow := []string{"service"}, []string{v.Name}
	return []edit{
		{rel: "features/daily/http.feature",
			change: func(old string) (string, string, error) {
				return addTableRow(old, httpHeader, "url", httpRow, mayRepad)
			},
			verify: func(old, new string) error { return verifyTableInsert(old, new, httpHeader, httpRow) }},
		{rel: "features/daily/service_discovery.feature",
			change: func(old string) (string, string, error) {
				return addTableRow(old, sdHeader, "service", sdRow, mayRepad)
			},
			verify: func(old, new string) error { return verifyTableInsert(old, new, sdHeader, sdRow) },
			absent: "features/daily/service_discovery.feature is absent (removed with its consul step when consul stopped being installed by default): " +
				"not recreated, a scenario whose step no longer exists would fail the daily run"},
	}
}

// --- wazo-platform.org: network.md ------------------------------------------------

// networkRow is the row of the service in network.md's table, by column name.
func networkRow(header []string, v Service) []string {
	vals := map[string]string{"Daemon Name": v.Name, "Service": "HTTP", "Protocol": "TCP", "Port": strconv.Itoa(v.Port),
		"Listen": "127.0.0.1", "Authentication": "yes", "Enabled": "yes"}
	row := make([]string, len(header))
	for j, h := range header {
		for k, val := range vals {
			if strings.EqualFold(h, k) {
				row[j] = val
			}
		}
	}
	return row
}

var networkHeader = []string{"Daemon Name", "Service", "Protocol", "Port", "Listen", "Authentication", "Enabled"}

// addNetworkRow adds the port row to network.md's table. The real table is
// grouped by daemon, not sorted by port: there the row goes last (ports are
// allocated upward); in a table sorted by port it goes in port order, never
// between two rows of one daemon.
func addNetworkRow(old string, v Service, mayRepad bool) (string, string, error) {
	lines, t, err := tableWithHeader(old, networkHeader)
	if err != nil {
		return "", "", err
	}
	row := networkRow(t.rows[0], v)
	nameCol, portCol := indexOf(networkHeader, "Daemon Name"), indexOf(networkHeader, "Port")
	var ports []int
	var rows []int
	for _, i := range t.dataRows() {
		r := t.rows[i]
		if r[nameCol] == v.Name {
			return "", "network.md already has a row for " + v.Name, nil
		}
		if p, err := strconv.Atoi(r[portCol]); err == nil {
			if r[portCol] == row[portCol] {
				return "", "", notShaped("port "+row[portCol]+" free in network.md", "line %d gives it to %s", t.first+i+1, r[nameCol])
			}
			ports = append(ports, p)
			rows = append(rows, i)
		}
	}
	keys := make([]string, len(ports))
	for i, p := range ports {
		keys[i] = strconv.Itoa(p)
	}
	at := orderedAt(keys, row[portCol], func(a, b string) bool { x, _ := strconv.Atoi(a); y, _ := strconv.Atoi(b); return x < y })
	idx := len(t.rows)
	if at < len(rows) {
		idx = rows[at]
		// Not inside a daemon's run of rows.
		for idx > 1 && idx < len(t.rows) && t.rows[idx-1][nameCol] == t.rows[idx][nameCol] {
			idx++
		}
	}
	order := "in port order"
	if !sort.SliceIsSorted(ports, func(i, j int) bool { return ports[i] < ports[j] }) {
		order = "last (the table is grouped by daemon, not sorted by port)"
	}
	out, err := insertRow(lines, t, idx, row, mayRepad)
	if err != nil {
		return "", "", err
	}
	return strings.Join(out, "\n"), fmt.Sprintf("network.md: port %d row added %s", v.Port, order), nil
}
