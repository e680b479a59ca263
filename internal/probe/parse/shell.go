package parse

import "strings"

// Command is one simple command of a shell script (a maintainer script),
// after joining continuation lines, splitting on ; && || | and expanding the
// plain variables the script assigned earlier (USER=wazo-x; ... $USER).
type Command struct {
	Args []string
	Line int
}

// Name is the command's program name without its directory.
func (c Command) Name() string {
	if len(c.Args) == 0 {
		return ""
	}
	n := c.Args[0]
	if i := strings.LastIndexByte(n, '/'); i >= 0 {
		n = n[i+1:]
	}
	return n
}

// Has reports whether flag is one of the arguments (exact match).
func (c Command) Has(flag string) bool {
	for _, a := range c.Args[1:] {
		if a == flag {
			return true
		}
	}
	return false
}

// Option returns the value of "--opt VALUE" or "--opt=VALUE" (or a short
// option "-o VALUE"), and whether the option is present.
func (c Command) Option(names ...string) (string, bool) {
	for i := 1; i < len(c.Args); i++ {
		for _, n := range names {
			if c.Args[i] == n {
				if i+1 < len(c.Args) {
					return c.Args[i+1], true
				}
				return "", true
			}
			if strings.HasPrefix(c.Args[i], n+"=") {
				return c.Args[i][len(n)+1:], true
			}
		}
	}
	return "", false
}

// Positional returns the arguments that are not options nor option values
// of the given value-taking options.
func (c Command) Positional(valued ...string) []string {
	var out []string
	for i := 1; i < len(c.Args); i++ {
		a := c.Args[i]
		if strings.HasPrefix(a, "-") {
			for _, v := range valued {
				if a == v {
					i++
					break
				}
			}
			continue
		}
		out = append(out, a)
	}
	return out
}

// ParseShell returns the simple commands of a shell script. It is not a
// shell: it understands what Debian maintainer scripts use (assignments,
// quotes, continuation lines, control keywords) well enough to find the
// adduser/install/chown/ln calls the rules look at.
func ParseShell(data []byte) []Command {
	vars := map[string]string{}
	var out []Command
	// loop is the innermost `for NAME in ITEMS...; do`: a command of its
	// body that uses $NAME stands for one command per item.
	var loop *forLoop
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		lineNo := i + 1
		line := lines[i]
		for strings.HasSuffix(strings.TrimRight(line, " \t\r"), "\\") && i+1 < len(lines) {
			line = strings.TrimSuffix(strings.TrimRight(line, " \t\r"), "\\") + " " + lines[i+1]
			i++
		}
		for _, words := range shellSplit(line) {
			if len(words) > 0 && words[0] == "done" {
				loop = nil
			}
			words = stripKeywords(words)
			if len(words) >= 3 && words[0] == "for" && isShellName(words[1]) && words[2] == "in" {
				loop = &forLoop{name: words[1]}
				for _, w := range words[3:] {
					loop.items = append(loop.items, expand(w, vars))
				}
				continue
			}
			if len(words) == 0 {
				continue
			}
			// Leading assignments: X=1 Y=2 cmd ... or a bare X=1.
			j := 0
			for ; j < len(words); j++ {
				k, v, ok := strings.Cut(words[j], "=")
				if !ok || !isShellName(k) {
					break
				}
				vars[k] = expand(v, vars)
			}
			if j == len(words) {
				continue
			}
			if loop != nil && usesVar(words[j:], loop.name) && len(loop.items) <= maxLoopItems {
				saved, had := vars[loop.name]
				for _, item := range loop.items {
					vars[loop.name] = item
					out = append(out, Command{Args: expandAll(words[j:], vars), Line: lineNo})
				}
				if had {
					vars[loop.name] = saved
				} else {
					delete(vars, loop.name)
				}
				continue
			}
			out = append(out, Command{Args: expandAll(words[j:], vars), Line: lineNo})
		}
	}
	return out
}

type forLoop struct {
	name  string
	items []string
}

// maxLoopItems bounds how many commands one loop body line may stand for.
const maxLoopItems = 64

func usesVar(words []string, name string) bool {
	for _, w := range words {
		if strings.Contains(w, "$"+name) || strings.Contains(w, "${"+name+"}") {
			return true
		}
	}
	return false
}

func expandAll(words []string, vars map[string]string) []string {
	args := make([]string, 0, len(words))
	for _, w := range words {
		args = append(args, expand(w, vars))
	}
	return args
}

var shellKeywords = map[string]bool{"if": true, "then": true, "else": true, "elif": true, "fi": true,
	"do": true, "done": true, "while": true, "until": true, "!": true, "{": true, "}": true, "esac": true, ";;": true}

func stripKeywords(w []string) []string {
	for len(w) > 0 && shellKeywords[w[0]] {
		w = w[1:]
	}
	// case patterns: "configure)" or "abort-upgrade|abort-remove)"
	if len(w) > 0 && strings.HasSuffix(w[0], ")") && !strings.Contains(w[0], "(") {
		w = w[1:]
	}
	return w
}

func isShellName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// expand replaces $NAME and ${NAME} with known values; unknown ones stay.
func expand(s string, vars map[string]string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		j, name := i+1, ""
		if s[j] == '{' {
			k := strings.IndexByte(s[j:], '}')
			if k < 0 {
				b.WriteByte(s[i])
				continue
			}
			name = s[j+1 : j+k]
			j += k + 1
		} else {
			k := j
			for k < len(s) && isShellName(s[j:k+1]) {
				k++
			}
			name = s[j:k]
			j = k
			if name == "" { // "$-", "$1", "$ ": not a variable we track
				b.WriteByte('$')
				continue
			}
		}
		if v, ok := vars[name]; ok && name != "" {
			b.WriteString(v)
		} else {
			b.WriteString(s[i:j])
		}
		i = j - 1
	}
	return b.String()
}

// shellSplit splits one logical line into words per simple command,
// honouring quotes and stopping at an unquoted '#'.
func shellSplit(line string) [][]string {
	var cmds [][]string
	var words []string
	var cur strings.Builder
	inWord := false
	flushWord := func() {
		if inWord {
			words = append(words, cur.String())
			cur.Reset()
			inWord = false
		}
	}
	flushCmd := func() {
		flushWord()
		if len(words) > 0 {
			cmds = append(cmds, words)
			words = nil
		}
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\'' || c == '"':
			j := strings.IndexByte(line[i+1:], c)
			if j < 0 {
				j = len(line) - i - 1
			}
			cur.WriteString(line[i+1 : i+1+j])
			inWord = true
			i += j + 1
		case c == '\\' && i+1 < len(line):
			cur.WriteByte(line[i+1])
			inWord = true
			i++
		case c == '#' && !inWord:
			flushCmd()
			return cmds
		case c == ';' || c == '|' || c == '&' || c == '(' || c == ')' && !inWord:
			if c == ')' || c == '(' {
				flushCmd()
				continue
			}
			flushCmd()
		case c == ')':
			cur.WriteByte(c)
			flushCmd()
		case c == ' ' || c == '\t' || c == '\r' || c == '`':
			flushWord()
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	flushCmd()
	return cmds
}
