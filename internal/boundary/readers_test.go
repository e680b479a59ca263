package boundary

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The tools read hostile input (a checkout, its siblings and waivers, an
// image root, a live service's files, update's kit) and write where a
// checkout may have planted links. Every file they open goes through
// package safefile: bounded, regular files only (never a FIFO or a
// device), links refused or resolved inside their root, writes no-follow.
// These calls bypass it.
var bypasses = map[string][]string{
	"os":            {"Open", "OpenFile", "ReadFile", "ReadDir", "Create", "WriteFile", "DirFS", "NewFile"},
	"io/ioutil":     {"ReadFile", "ReadDir", "WriteFile", "TempFile"},
	"path/filepath": {"Walk", "WalkDir", "Glob"},
	"syscall":       {"Open", "Openat", "Creat"},
}

// readerAllowed are the uses of those calls that read or write nothing
// from outside, each with why.
var readerAllowed = map[string]string{
	"internal/scaffold/internal/doctordsrc/doctordsrc.go os.WriteFile": "go generate: writes the copies of wazo-doctord's files into this repository's own testdata",
}

// notTools are the packages of internal/ that are the project's own test
// and development tooling, never shipped nor run on outside input.
var notTools = []string{"internal/attack", "internal/testenv", "internal/benchkit", "internal/testsum", "internal/boundary"}

// TestEveryReadGoesThroughSafefile fails when a file of internal/ or cmd/
// (tests and the project's own tooling aside) calls one of bypasses.
func TestEveryReadGoesThroughSafefile(t *testing.T) {
	root := moduleRoot(t)
	var found []string
	used := map[string]bool{}
	for _, top := range []string{"internal", "cmd"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			rel = filepath.ToSlash(rel)
			if d.IsDir() {
				for _, nt := range notTools {
					if rel == nt || d.Name() == "testdata" {
						return fs.SkipDir
					}
				}
				return nil
			}
			if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
				return nil
			}
			for _, call := range bypassCalls(t, p) {
				key := rel + " " + call.name
				if _, ok := readerAllowed[key]; ok {
					used[key] = true
					continue
				}
				found = append(found, rel+":"+strconv.Itoa(call.line)+": "+call.name)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(found)
	for _, f := range found {
		t.Errorf("%s bypasses package safefile: read with safefile.ReadIn (a checkout or sibling file), ReadRegular (a file the user or the system named), ReadDir or Walk (bounded listings), write with WriteIn or WriteOutput", f)
	}
	for key := range readerAllowed {
		if !used[key] {
			t.Errorf("readerAllowed lists %q, which no longer occurs: remove it", key)
		}
	}
}

type call struct {
	name string // pkg.Func, the package by its last element
	line int
}

// bypassCalls parses a Go file and lists its calls of bypasses, whatever
// name the package is imported under.
func bypassCalls(t *testing.T, path string) []call {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	local := map[string]string{} // name in the file -> import path
	for _, imp := range f.Imports {
		ip, _ := strconv.Unquote(imp.Path.Value)
		name := ip[strings.LastIndex(ip, "/")+1:]
		if imp.Name != nil {
			name = imp.Name.Name
		}
		local[name] = ip
	}
	var out []call
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		id, ok := sel.X.(*ast.Ident)
		if !ok {
			return true
		}
		ip, ok := local[id.Name]
		if !ok {
			return true
		}
		for _, fn := range bypasses[ip] {
			if sel.Sel.Name == fn {
				out = append(out, call{name: ip[strings.LastIndex(ip, "/")+1:] + "." + fn, line: fset.Position(sel.Pos()).Line})
			}
		}
		return true
	})
	return out
}
