package parse

import "strings"

// Unit is a systemd unit file: section name → key → values in file order.
// Keys may repeat (ExecStartPre=, WantedBy=), so each holds a list.
type Unit struct {
	Sections map[string]map[string][]Value
}

// Value is one assignment with the line it came from.
type Value struct {
	Text string
	Line int
}

// ParseUnit reads a systemd unit. Continuation lines (trailing backslash)
// are joined; comments (# or ;) and lines without '=' are skipped. An empty
// assignment ("Key=") resets the list, as systemd does.
func ParseUnit(data []byte) *Unit {
	u := &Unit{Sections: map[string]map[string][]Value{}}
	section := ""
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		lineNo := i + 1
		line := strings.TrimSpace(strings.TrimSuffix(lines[i], "\r"))
		if strings.HasSuffix(line, "\\") && i+1 < len(lines) {
			// Joined once, not copied at each continued line.
			var b strings.Builder
			for strings.HasSuffix(line, "\\") && i+1 < len(lines) {
				b.WriteString(strings.TrimSuffix(line, "\\"))
				b.WriteString(" ")
				i++
				line = strings.TrimSpace(strings.TrimSuffix(lines[i], "\r"))
			}
			b.WriteString(line)
			line = b.String()
		}
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' && strings.HasSuffix(line, "]") {
			section = line[1 : len(line)-1]
			if u.Sections[section] == nil {
				u.Sections[section] = map[string][]Value{}
			}
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || section == "" {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if v == "" {
			u.Sections[section][k] = nil
			continue
		}
		u.Sections[section][k] = append(u.Sections[section][k], Value{Text: v, Line: lineNo})
	}
	return u
}

// Get returns the last value of key in section (systemd's "last wins" for
// single-valued keys) and whether it was set.
func (u *Unit) Get(section, key string) (Value, bool) {
	vs := u.Sections[section][key]
	if len(vs) == 0 {
		return Value{}, false
	}
	return vs[len(vs)-1], true
}

// All returns every value of key in section, splitting space-separated lists
// (WantedBy=a b) into one value each.
func (u *Unit) All(section, key string) []Value {
	var out []Value
	for _, v := range u.Sections[section][key] {
		for _, f := range strings.Fields(v.Text) {
			out = append(out, Value{Text: f, Line: v.Line})
		}
	}
	return out
}
