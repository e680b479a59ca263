package parse

import (
	"github.com/wazo-platform/wazo-servicekit/internal/lazyre"
	"strconv"
	"strings"
)

// PyDefaults reads the default configuration a Wazo Python daemon declares
// in its config.py: the dict literal assigned to a module-level name
// containing DEFAULT (_DEFAULT_CONFIG = {...}). Values that are string,
// integer, boolean or None literals, module constants (_DEFAULT_HTTP_PORT =
// 9497) and f-strings over such constants are kept; a value computed at
// run time (an imported name, a call) is kept as Computed, so a fact drawn
// from it is unknown, never a guess; lists and tuples are left out.
// Lines maps a dotted key path ("rest_api.port") to its 1-based line.
func PyDefaults(data []byte) (values map[string]any, lines map[string]int) {
	src := string(data)
	consts := pyConstants(src)
	values, lines = map[string]any{}, map[string]int{}
	for _, m := range pyDefaultDictRe.FindAllStringSubmatchIndex(src, -1) {
		open := m[1] - 1
		p := &pyDictReader{src: src, pos: open, consts: consts, lines: lines}
		if v, ok := p.dict(""); ok {
			for k, x := range v {
				if _, seen := values[k]; !seen {
					values[k] = x
				}
			}
		}
	}
	return values, lines
}

var (
	pyDefaultDictRe = lazyre.New(`(?m)^[A-Za-z_]*DEFAULT[A-Za-z_]*\s*(?::\s*[^=\n]+)?=\s*\{`)
	pyConstRe       = lazyre.New(`(?m)^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*('[^'\n]*'|"[^"\n]*"|-?\d+)\s*(?:#.*)?$`)
	pyFieldRe       = lazyre.New(`\{([A-Za-z_][A-Za-z0-9_]*)\}`)
)

func pyConstants(src string) map[string]any {
	out := map[string]any{}
	for _, m := range pyConstRe.FindAllStringSubmatch(src, -1) {
		if n, err := strconv.Atoi(m[2]); err == nil {
			out[m[1]] = n
		} else {
			out[m[1]] = m[2][1 : len(m[2])-1]
		}
	}
	return out
}

// pyDictReader walks a Python dict literal. It only understands what Wazo
// config defaults use; an unknown value is skipped up to the next comma at
// the same depth.
type pyDictReader struct {
	src    string
	pos    int
	consts map[string]any
	lines  map[string]int
}

const pyMaxDepth = 16

func (p *pyDictReader) line() int { return strings.Count(p.src[:p.pos], "\n") + 1 }

func (p *pyDictReader) skipSpace() {
	for p.pos < len(p.src) {
		switch c := p.src[p.pos]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			p.pos++
		case c == '#':
			for p.pos < len(p.src) && p.src[p.pos] != '\n' {
				p.pos++
			}
		default:
			return
		}
	}
}

// dict reads {...} at p.pos; prefix is the dotted path of the dict.
func (p *pyDictReader) dict(prefix string) (map[string]any, bool) {
	if strings.Count(prefix, ".") > pyMaxDepth || p.pos >= len(p.src) || p.src[p.pos] != '{' {
		return nil, false
	}
	p.pos++
	out := map[string]any{}
	for {
		p.skipSpace()
		if p.pos >= len(p.src) {
			return out, false
		}
		if p.src[p.pos] == '}' {
			p.pos++
			return out, true
		}
		if p.src[p.pos] == ',' {
			p.pos++
			continue
		}
		line := p.line()
		start := p.pos
		key, ok := p.str()
		if !ok {
			p.pos = start
			p.skipValue()
			if p.pos == start {
				p.pos++ // a stray closing bracket: step over it
			}
			continue
		}
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			before := p.pos
			p.skipValue()
			if p.pos == before && p.pos < len(p.src) && p.src[p.pos] != '}' && p.src[p.pos] != ',' {
				p.pos++
			}
			continue
		}
		p.pos++
		p.skipSpace()
		path := key
		if prefix != "" {
			path = prefix + "." + key
		}
		p.lines[path] = line
		if p.pos < len(p.src) && p.src[p.pos] == '{' {
			if v, ok := p.dict(path); ok {
				out[key] = v
				continue
			}
			return out, false
		}
		if v, ok := p.scalar(); ok {
			out[key] = v
		} else if c := p.src[p.pos]; c != '[' && c != '(' {
			// A name imported from elsewhere or an expression: the key
			// is there, its value is not known.
			out[key] = Computed{Expr: p.expr()}
		}
		before := p.pos
		p.skipValue()
		if p.pos == before && p.pos < len(p.src) && p.src[p.pos] != '}' && p.src[p.pos] != ',' {
			p.pos++ // a stray closing bracket: step over it
		}
	}
}

// Computed is a default whose value the reader cannot know without
// running the code (an imported name, a call, arithmetic): the key is set,
// so a fact drawn from it is unknown, never taken as absent.
type Computed struct{ Expr string }

func (c Computed) String() string { return "computed (" + c.Expr + ")" }

// expr is the source text of the value at the reader's position, up to the
// end of its line or the next comma, bounded for messages.
func (p *pyDictReader) expr() string {
	rest := p.src[p.pos:]
	if i := strings.IndexAny(rest, ",\n}"); i >= 0 {
		rest = rest[:i]
	}
	if len(rest) > 60 {
		rest = rest[:60] + "..."
	}
	return strings.TrimSpace(rest)
}

// str reads a quoted string (optionally an f-string over constants).
func (p *pyDictReader) str() (string, bool) {
	f := false
	if p.pos < len(p.src) && p.src[p.pos] == 'f' {
		f = true
		p.pos++
	}
	if p.pos >= len(p.src) || (p.src[p.pos] != '\'' && p.src[p.pos] != '"') {
		return "", false
	}
	q := p.src[p.pos]
	end := strings.IndexByte(p.src[p.pos+1:], q)
	if end < 0 || strings.Contains(p.src[p.pos+1:p.pos+1+end], "\n") {
		return "", false
	}
	s := p.src[p.pos+1 : p.pos+1+end]
	p.pos += end + 2
	if f {
		unresolved := false
		s = pyFieldRe.ReplaceAllStringFunc(s, func(m string) string {
			v, ok := p.consts[m[1:len(m)-1]]
			if !ok {
				unresolved = true
				return m
			}
			return toString(v)
		})
		if unresolved {
			return "", false
		}
	}
	return s, true
}

var pyWordRe = lazyre.New(`^(-?\d+|True|False|None|[A-Za-z_][A-Za-z0-9_]*)`)

func (p *pyDictReader) scalar() (any, bool) {
	if p.pos >= len(p.src) {
		return nil, false
	}
	if c := p.src[p.pos]; c == '\'' || c == '"' || (c == 'f' && p.pos+1 < len(p.src) && (p.src[p.pos+1] == '\'' || p.src[p.pos+1] == '"')) {
		start := p.pos
		s, ok := p.str()
		if !ok {
			p.pos = start
		}
		return s, ok
	}
	if m := pyJoinRe.FindStringSubmatch(p.src[p.pos:]); m != nil {
		return p.pathJoin(m)
	}
	w := pyWordRe.FindString(p.src[p.pos:])
	if w == "" {
		return nil, false
	}
	rest := strings.TrimLeft(p.src[p.pos+len(w):], " \t")
	if rest != "" && rest[0] != ',' && rest[0] != '}' && rest[0] != '\n' && rest[0] != '#' {
		return nil, false // an expression: not a literal
	}
	p.pos += len(w)
	switch w {
	case "True":
		return true, true
	case "False":
		return false, true
	case "None":
		return nil, true
	}
	if n, err := strconv.Atoi(w); err == nil {
		return n, true
	}
	v, ok := p.consts[w]
	return v, ok
}

// pyJoinRe is os.path.join over literals and constants, on one line:
// os.path.join(_PID_DIR, 'celery-worker.pid').
var pyJoinRe = lazyre.New(`^os\.path\.join\(([^()\n]*)\)`)

// pathJoin evaluates os.path.join(...) when every argument is a string
// literal or a string constant; anything else is not a literal.
func (p *pyDictReader) pathJoin(m []string) (any, bool) {
	rest := strings.TrimLeft(p.src[p.pos+len(m[0]):], " \t")
	if rest != "" && rest[0] != ',' && rest[0] != '}' && rest[0] != '\n' && rest[0] != '#' {
		return nil, false
	}
	var parts []string
	for _, a := range strings.Split(m[1], ",") {
		a = strings.TrimSpace(a)
		switch {
		case a == "":
			continue
		case len(a) >= 2 && (a[0] == '\'' || a[0] == '"') && a[len(a)-1] == a[0]:
			parts = append(parts, a[1:len(a)-1])
		default:
			v, ok := p.consts[a].(string)
			if !ok {
				return nil, false
			}
			parts = append(parts, v)
		}
	}
	if len(parts) == 0 {
		return nil, false
	}
	p.pos += len(m[0])
	out := parts[0]
	for _, x := range parts[1:] {
		if strings.HasPrefix(x, "/") {
			out = x // os.path.join restarts at an absolute part
			continue
		}
		out = strings.TrimSuffix(out, "/") + "/" + x
	}
	return out, true
}

// skipValue advances past the current value to the next comma or closing
// brace at depth 0 (brackets and strings balanced).
func (p *pyDictReader) skipValue() {
	depth := 0
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '\'' || c == '"':
			end := strings.IndexByte(p.src[p.pos+1:], c)
			if end < 0 {
				p.pos = len(p.src)
				return
			}
			p.pos += end + 2
			continue
		case c == '#':
			p.skipSpace()
			continue
		case c == '(' || c == '[' || c == '{':
			depth++
		case c == ')' || c == ']' || c == '}':
			if depth == 0 {
				return
			}
			depth--
		case c == ',' && depth == 0:
			return
		}
		p.pos++
	}
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	}
	return ""
}
