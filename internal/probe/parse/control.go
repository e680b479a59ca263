package parse

import "strings"

// Paragraph is one deb822 paragraph (debian/control, dpkg status): field
// name (canonical case as written) → value, continuation lines joined with
// "\n", plus the line where each field starts.
type Paragraph struct {
	Fields map[string]string
	Lines  map[string]int
}

// Get returns a field by case-insensitive name.
func (p Paragraph) Get(name string) string {
	for k, v := range p.Fields {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// Line returns where a field starts, by case-insensitive name (0 if absent).
func (p Paragraph) Line(name string) int {
	for k, v := range p.Lines {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return 0
}

// ParseDeb822 splits deb822 text into paragraphs. Comment lines (#) are
// skipped; a continuation line without a field before it is ignored.
func ParseDeb822(data []byte) []Paragraph {
	var out []Paragraph
	var cur *Paragraph
	// The field being read, its value built once (a field continued over
	// thousands of lines is not copied at each line).
	last := ""
	var value strings.Builder
	flush := func() {
		if cur != nil && last != "" {
			cur.Fields[last] = value.String()
		}
		value.Reset()
	}
	for i, raw := range strings.Split(string(data), "\n") {
		line := strings.TrimRight(raw, "\r")
		if strings.TrimSpace(line) == "" {
			flush()
			cur, last = nil, ""
			continue
		}
		if line[0] == '#' {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if cur != nil && last != "" {
				value.WriteString("\n")
				value.WriteString(strings.TrimSpace(line))
			}
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		flush()
		if cur == nil {
			out = append(out, Paragraph{Fields: map[string]string{}, Lines: map[string]int{}})
			cur = &out[len(out)-1]
		}
		last = strings.TrimSpace(k)
		value.WriteString(strings.TrimSpace(v))
		cur.Lines[last] = i + 1
	}
	flush()
	return out
}

// DependsNames returns the package names of a Depends-style field, without
// version constraints, alternatives flattened, substvars dropped.
func DependsNames(v string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '|' || r == '\n' }) {
		f := strings.Fields(part)
		if len(f) == 0 || strings.HasPrefix(f[0], "${") {
			continue
		}
		name, _, _ := strings.Cut(f[0], ":")
		out = append(out, name)
	}
	return out
}
