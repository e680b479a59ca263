package parse

import (
	"github.com/wazo-platform/wazo-servicekit/internal/lazyre"
	"strings"
)

// Requirement is one line of a pip requirements file.
type Requirement struct {
	Name     string // as written; compare with NormalizePyName
	Op       string // "==", ">=", ... or "" when unpinned
	Version  string
	URL      string // set for "https://.../archive/master.zip" style lines
	Line     int
	Original string
}

var reqRe = lazyre.New(`^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(===|==|~=|!=|>=|<=|>|<)?\s*([^\s,;]*)`)

// ParseRequirements reads requirements.txt: comments, blank lines and pip
// options (-r, -e, --index-url) are skipped; URLs are kept as URL entries
// (Wazo's own libraries come from GitHub archives).
func ParseRequirements(data []byte) []Requirement {
	var out []Requirement
	for i, raw := range strings.Split(string(data), "\n") {
		line := strings.TrimSpace(raw)
		if j := strings.Index(line, " #"); j >= 0 {
			line = strings.TrimSpace(line[:j])
		}
		if line == "" || line[0] == '#' || line[0] == '-' {
			continue
		}
		r := Requirement{Line: i + 1, Original: line}
		if strings.Contains(line, "://") {
			r.URL = line
			if name, _, ok := strings.Cut(line, "@"); ok && !strings.Contains(name, "/") {
				r.Name = strings.TrimSpace(name)
			}
			out = append(out, r)
			continue
		}
		m := reqRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		r.Name, r.Op, r.Version = m[1], m[3], m[4]
		out = append(out, r)
	}
	return out
}

// NormalizePyName is PEP 503's name normalisation: lower case, runs of
// "-", "_" and "." become one "-".
func NormalizePyName(n string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(n) {
		if c == '-' || c == '_' || c == '.' {
			dash = true
			continue
		}
		if dash && b.Len() > 0 {
			b.WriteByte('-')
		}
		dash = false
		b.WriteRune(c)
	}
	return b.String()
}
