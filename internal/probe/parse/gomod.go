package parse

import (
	"fmt"
	"strings"
)

// GoMod is the part of a go.mod file the dependency rules need.
type GoMod struct {
	Module   string
	Go       string
	Requires []GoRequire
}

// GoRequire is one required module. Indirect ones carry "// indirect".
type GoRequire struct {
	Path     string
	Version  string
	Indirect bool
	Line     int
}

// ParseGoMod reads module, go and require directives (single and block
// form). Other directives are skipped. A require line that is not "path
// version" is an error naming the line, since guessing would hide a broken
// go.mod from the dependency rule.
func ParseGoMod(data []byte) (*GoMod, error) {
	m := &GoMod{}
	inRequire, inOther := false, false
	for i, raw := range strings.Split(string(data), "\n") {
		lineNo := i + 1
		line, comment, _ := strings.Cut(raw, "//")
		indirect := strings.Contains(comment, "indirect")
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		switch {
		case inRequire || inOther:
			if f[0] == ")" {
				inRequire, inOther = false, false
				continue
			}
			if inRequire {
				r, err := goRequire(f, indirect, lineNo)
				if err != nil {
					return nil, err
				}
				m.Requires = append(m.Requires, r)
			}
		case f[0] == "module" && len(f) >= 2:
			m.Module = strings.Trim(f[1], `"`)
		case f[0] == "go" && len(f) >= 2:
			m.Go = f[1]
		case f[0] == "require":
			if len(f) == 2 && f[1] == "(" {
				inRequire = true
				continue
			}
			r, err := goRequire(f[1:], indirect, lineNo)
			if err != nil {
				return nil, err
			}
			m.Requires = append(m.Requires, r)
		case len(f) == 2 && f[1] == "(":
			inOther = true
		}
	}
	return m, nil
}

func goRequire(f []string, indirect bool, line int) (GoRequire, error) {
	if len(f) != 2 || strings.Trim(f[0], `"`) == "" {
		return GoRequire{}, fmt.Errorf("go.mod:%d: require wants \"module version\", got %q", line, strings.Join(f, " "))
	}
	return GoRequire{Path: strings.Trim(f[0], `"`), Version: f[1], Indirect: indirect, Line: line}, nil
}
