package parse

import (
	"fmt"
	"github.com/wazo-platform/wazo-servicekit/internal/lazyre"
	"sort"
	"strings"
)

// ListItem is one entry of a list, with where it is in the file: byte
// offsets of its text, and its line (from 1).
type ListItem struct {
	Text       string // the entry as written: "wazo-auth", "Service('wazo-auth')"
	Name       string // the service or path it names ("" when it names none)
	Start, End int
	Line       int
}

// List is a named list of a file: a shell NAME="a b c" assignment (the
// service lists of wazo-service, the BACKUP_LIST of wazo-backup) or a Python
// NAME = [ ... ] of wazo_service/main.py.
type List struct {
	Name        string
	Line        int
	Open, Close int // byte offsets of the opening and closing quote or bracket
	Items       []ListItem
	After       string // the rest of the closing line (" + WAZO_SERVICES")
}

// Names returns the names of the list's items, in order.
func (l List) Names() []string {
	out := make([]string, 0, len(l.Items))
	for _, it := range l.Items {
		if it.Name != "" {
			out = append(out, it.Name)
		}
	}
	return out
}

// Has reports whether the list names name.
func (l List) Has(name string) bool {
	for _, it := range l.Items {
		if it.Name == name {
			return true
		}
	}
	return false
}

// FindList returns the list called name.
func FindList(lists []List, name string) (List, bool) {
	for _, l := range lists {
		if l.Name == name {
			return l, true
		}
	}
	return List{}, false
}

var shellAssignRe = lazyre.New(`(?m)^[ \t]*([A-Za-z_][A-Za-z0-9_]*)="`)

// ParseShellLists returns the double-quoted assignments of a shell script,
// each value split into words (a value may span lines, as wazo-backup's
// BACKUP_LIST does). A value holding a backslash or an unterminated quote is
// skipped: its words cannot be read without a shell.
func ParseShellLists(data []byte) []List {
	s := string(data)
	lines := newLineIndex(s)
	var out []List
	done := 0 // where the last value ended: an assignment inside it is text
	for _, m := range shellAssignRe.FindAllStringSubmatchIndex(s, -1) {
		if m[0] < done {
			continue
		}
		open := m[1] - 1
		end := strings.IndexByte(s[open+1:], '"')
		if end < 0 {
			continue
		}
		closeAt := open + 1 + end
		done = closeAt + 1
		value := s[open+1 : closeAt]
		if strings.ContainsRune(value, '\\') {
			continue
		}
		l := List{Name: s[m[2]:m[3]], Line: lines.at(m[0]), Open: open, Close: closeAt, After: restOfLine(s, closeAt+1)}
		for _, w := range wordRe.FindAllStringIndex(value, -1) {
			st, en := open+1+w[0], open+1+w[1]
			l.Items = append(l.Items, ListItem{Text: s[st:en], Name: s[st:en], Start: st, End: en, Line: lines.at(st)})
		}
		out = append(out, l)
	}
	return out
}

var (
	wordRe       = lazyre.New(`\S+`)
	pyListRe     = lazyre.New(`(?m)^([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*\[`)
	pyServiceRe  = lazyre.New(`^Service\(\s*(?:'([^'\\]*)'|"([^"\\]*)")\s*(?:,[^()]*)?\)$`)
	pyOtherCall  = lazyre.New(`(?s)^[A-Za-z_][A-Za-z0-9_.]*\(.*\)$`)
	pyIdentifier = lazyre.New(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// ParsePythonLists returns the module-level NAME = [ ... ] lists of a
// Python file such as wazo-service's wazo_service/main.py, each item as
// written; an item Service('wazo-auth') (or with a second argument, the
// unit) is named by its first argument. It fails, naming the line, when a
// list has no closing bracket or an item that is neither a call, a string
// nor a name: such a file is not in the shape the lists are edited in.
func ParsePythonLists(data []byte) ([]List, error) {
	s := string(data)
	lines := newLineIndex(s)
	var out []List
	done := 0 // where the last list ended: a match inside it is not a list
	for _, m := range pyListRe.FindAllStringSubmatchIndex(s, -1) {
		if m[0] < done {
			continue
		}
		l := List{Name: s[m[2]:m[3]], Line: lines.at(m[0]), Open: m[1] - 1}
		items, closeAt, err := pySplit(s, m[1], lines)
		if err != nil {
			return nil, fmt.Errorf("line %d: %s = [: %v", l.Line, l.Name, err)
		}
		l.Close, done = closeAt, closeAt+1
		l.After = restOfLine(s, closeAt+1)
		for _, it := range items {
			text := s[it[0]:it[1]]
			item := ListItem{Text: text, Start: it[0], End: it[1], Line: lines.at(it[0])}
			switch sm := pyServiceRe.FindStringSubmatch(text); {
			case sm != nil:
				item.Name = sm[1] + sm[2]
			case pyOtherCall.MatchString(text), pyIdentifier.MatchString(text):
			case len(text) >= 2 && (text[0] == '\'' || text[0] == '"') && text[len(text)-1] == text[0]:
				item.Name = text[1 : len(text)-1]
			default:
				return nil, fmt.Errorf("line %d: %s: item %q is neither a call, a string nor a name", item.Line, l.Name, text)
			}
			l.Items = append(l.Items, item)
		}
		out = append(out, l)
	}
	return out, nil
}

// pySplit reads the items of a list whose "[" is just before from: their
// trimmed byte ranges (commas at depth 0 separate them; strings, brackets
// and comments are skipped over) and the offset of the closing "]".
func pySplit(s string, from int, lines lineIndex) ([][2]int, int, error) {
	var items [][2]int
	depth, start := 0, from
	flush := func(end int) {
		a, b := start, end
		for a < b && isSpace(s[a]) {
			a++
		}
		for b > a && isSpace(s[b-1]) {
			b--
		}
		if a < b {
			items = append(items, [2]int{a, b})
		}
	}
	for i := from; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'', '"':
			j := i + 1
			for j < len(s) && s[j] != c && s[j] != '\n' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) || s[j] != c {
				return nil, 0, fmt.Errorf("unterminated string at line %d", lines.at(i))
			}
			i = j
		case '#':
			// A comment runs to the end of the line; between items it
			// belongs to none of them.
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				return nil, 0, fmt.Errorf("no closing ]")
			}
			if depth == 0 {
				flush(i)
				start = i + j
			}
			i += j - 1
		case '(', '[', '{':
			depth++
		case ')', '}':
			depth--
		case ']':
			if depth == 0 {
				flush(i)
				return items, i, nil
			}
			depth--
		case ',':
			if depth == 0 {
				flush(i)
				start = i + 1
			}
		}
		if depth < 0 {
			return nil, 0, fmt.Errorf("unbalanced %q at line %d", s[i], lines.at(i))
		}
	}
	return nil, 0, fmt.Errorf("no closing ]")
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// lineIndex finds the line of a byte offset in O(log n), so that reading
// the many items of a big (or crafted) file stays linear.
type lineIndex []int // offsets of the "\n"s

func newLineIndex(s string) lineIndex {
	var idx lineIndex
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			idx = append(idx, i)
		}
	}
	return idx
}

// at returns the line (from 1) of byte offset off.
func (idx lineIndex) at(off int) int { return sort.SearchInts(idx, off) + 1 }

func restOfLine(s string, from int) string {
	if from > len(s) {
		return ""
	}
	rest := s[from:]
	if i := strings.IndexByte(rest, '\n'); i >= 0 {
		rest = rest[:i]
	}
	return strings.TrimRight(rest, "\r")
}
