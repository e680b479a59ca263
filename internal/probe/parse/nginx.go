package parse

import "strings"

// NginxLocation is one "location [modifier] path { ... }" block with the
// directives a Wazo API location uses.
type NginxLocation struct {
	Modifier  string // "^~", "=", "~", "~*" or ""
	Path      string
	ProxyPass string
	Headers   map[string]string // proxy_set_header name → value
	Includes  []string
	Line      int
}

// ParseNginx returns every location block of an nginx config fragment, at
// any nesting depth. It tokenises like nginx (words, quoted strings, ';',
// '{', '}', '#' comments) and never fails: unbalanced braces end the file.
func ParseNginx(data []byte) []NginxLocation {
	toks := nginxTokens(string(data))
	var out []NginxLocation
	type frame struct{ loc int } // index in out, or -1
	var stack []frame
	var stmt []nginxTok
	for _, t := range toks {
		switch t.text {
		case "{":
			idx := -1
			if len(stmt) >= 2 && stmt[0].text == "location" {
				l := NginxLocation{Headers: map[string]string{}, Line: stmt[0].line}
				if len(stmt) >= 3 {
					l.Modifier, l.Path = stmt[1].text, stmt[2].text
				} else {
					l.Path = stmt[1].text
				}
				out = append(out, l)
				idx = len(out) - 1
			}
			stack = append(stack, frame{idx})
			stmt = nil
		case "}":
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			stmt = nil
		case ";":
			if len(stack) > 0 && stack[len(stack)-1].loc >= 0 && len(stmt) > 0 {
				l := &out[stack[len(stack)-1].loc]
				switch stmt[0].text {
				case "proxy_pass":
					if len(stmt) >= 2 {
						l.ProxyPass = stmt[1].text
					}
				case "proxy_set_header":
					if len(stmt) >= 3 {
						l.Headers[strings.ToLower(stmt[1].text)] = stmt[2].text
					}
				case "include":
					if len(stmt) >= 2 {
						l.Includes = append(l.Includes, stmt[1].text)
					}
				}
			}
			stmt = nil
		default:
			stmt = append(stmt, t)
		}
	}
	return out
}

type nginxTok struct {
	text string
	line int
}

func nginxTokens(s string) []nginxTok {
	var toks []nginxTok
	line := 1
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '#':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '{' || c == '}' || c == ';':
			toks = append(toks, nginxTok{string(c), line})
			i++
		case c == '"' || c == '\'':
			j := i + 1
			start := line
			for j < len(s) && s[j] != c {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				if s[j] == '\n' {
					line++
				}
				j++
			}
			toks = append(toks, nginxTok{s[i+1 : min(j, len(s))], start})
			i = j + 1
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\r\n{};#", rune(s[j])) {
				j++
			}
			toks = append(toks, nginxTok{s[i:j], line})
			i = j
		}
	}
	return toks
}
