package parse

import (
	"strconv"
	"strings"
)

// MonitCheck is one "check <kind> <name> ..." statement of a monit control
// file, with the settings that matter to the checklist.
type MonitCheck struct {
	Kind         string // process, program, host, file, ...
	Name         string
	PIDFile      string // "with pidfile PATH"
	Matching     string // "matching REGEX"
	StartProgram string
	StopProgram  string
	// Port is the first "port N" of a connection test ("if failed host
	// 127.0.0.1 port 9504 ..."), 0 when there is none.
	Port int
	Line int
}

// ParseMonit returns the check statements of a monit file. Monit's grammar
// is free-form; this reads the statements Wazo writes (one check per stanza,
// keywords on their own lines) and ignores the rest.
func ParseMonit(data []byte) []MonitCheck {
	var checks []MonitCheck
	for i, raw := range strings.Split(string(data), "\n") {
		line := raw
		if j := strings.IndexByte(line, '#'); j >= 0 {
			line = line[:j]
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if strings.EqualFold(f[0], "check") && len(f) >= 3 {
			c := MonitCheck{Kind: strings.ToLower(f[1]), Name: f[2], Line: i + 1}
			c.PIDFile = after(f, "pidfile")
			c.Matching = after(f, "matching")
			checks = append(checks, c)
			continue
		}
		if len(checks) == 0 {
			continue
		}
		c := &checks[len(checks)-1]
		if c.PIDFile == "" {
			c.PIDFile = after(f, "pidfile")
		}
		if c.Port == 0 {
			if p, err := strconv.Atoi(after(f, "port")); err == nil {
				c.Port = p
			}
		}
		if len(f) >= 2 && strings.EqualFold(f[1], "program") {
			prog := quoted(line)
			switch strings.ToLower(f[0]) {
			case "start":
				c.StartProgram = prog
			case "stop":
				c.StopProgram = prog
			}
		}
	}
	return checks
}

// after returns the word following keyword in f, without quotes.
func after(f []string, keyword string) string {
	for i := 0; i+1 < len(f); i++ {
		if strings.EqualFold(f[i], keyword) {
			return strings.Trim(f[i+1], `"'`)
		}
	}
	return ""
}

// quoted returns the first double-quoted string of line, or "".
func quoted(line string) string {
	i := strings.IndexByte(line, '"')
	if i < 0 {
		return ""
	}
	j := strings.IndexByte(line[i+1:], '"')
	if j < 0 {
		return line[i+1:]
	}
	return line[i+1 : i+1+j]
}
