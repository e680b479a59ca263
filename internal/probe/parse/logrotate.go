package parse

import "strings"

// LogrotateEntry is one "path... { directives }" block of a logrotate file.
type LogrotateEntry struct {
	Paths      []string
	Directives map[string]string // directive → rest of line ("" for flags)
	Line       int
}

// ParseLogrotate reads logrotate blocks. Global directives outside a block
// and postrotate scripts are skipped.
func ParseLogrotate(data []byte) []LogrotateEntry {
	var out []LogrotateEntry
	var pending []string
	in, script := false, false
	start := 0
	for i, raw := range strings.Split(string(data), "\n") {
		line := strings.TrimSpace(raw)
		if line == "" || line[0] == '#' {
			continue
		}
		if script {
			if line == "endscript" {
				script = false
			}
			continue
		}
		if !in {
			if start == 0 {
				start = i + 1
			}
			head, open := strings.CutSuffix(line, "{")
			pending = append(pending, strings.Fields(head)...)
			if open {
				out = append(out, LogrotateEntry{Paths: pending, Directives: map[string]string{}, Line: start})
				pending, in, start = nil, true, 0
			} else if !strings.HasPrefix(line, "/") {
				pending, start = nil, 0 // a global directive
			}
			continue
		}
		if line == "}" {
			in = false
			continue
		}
		k, v, _ := strings.Cut(line, " ")
		switch k {
		case "postrotate", "prerotate", "firstaction", "lastaction", "preremove":
			script = true
		}
		out[len(out)-1].Directives[k] = strings.TrimSpace(v)
	}
	return out
}
