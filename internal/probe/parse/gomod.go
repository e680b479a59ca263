package parse

import (
	"golang.org/x/mod/modfile"
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

// ParseGoMod reads a go.mod with the Go toolchain's own parser
// (golang.org/x/mod/modfile, lax: directives a dependency rule does not need
// are skipped). A malformed file is an error naming go.mod and the line,
// since guessing would hide a broken go.mod from the dependency rule.
func ParseGoMod(data []byte) (*GoMod, error) {
	f, err := modfile.ParseLax("go.mod", data, nil)
	if err != nil {
		return nil, err
	}
	m := &GoMod{}
	if f.Module != nil {
		m.Module = f.Module.Mod.Path
	}
	if f.Go != nil {
		m.Go = f.Go.Version
	}
	for _, r := range f.Require {
		m.Requires = append(m.Requires, GoRequire{Path: r.Mod.Path, Version: r.Mod.Version, Indirect: r.Indirect, Line: r.Syntax.Start.Line})
	}
	return m, nil
}
