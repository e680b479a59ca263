package rules

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// ruleLiteral is one `Rule{ID: "..."}` found in a source file.
type ruleLiteral struct {
	id, constructor string
}

// ruleLiterals lists the Rule composite literals with a literal ID in a Go
// file, with the name of the function building each.
func ruleLiterals(t *testing.T, path string) []ruleLiteral {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []ruleLiteral
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Body == nil {
			continue
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			if id, ok := lit.Type.(*ast.Ident); !ok || id.Name != "Rule" {
				return true
			}
			for _, e := range lit.Elts {
				kv, ok := e.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "ID" {
					v := "(not a string literal)"
					if b, ok := kv.Value.(*ast.BasicLit); ok && b.Kind == token.STRING {
						v, _ = strconv.Unquote(b.Value)
					}
					out = append(out, ruleLiteral{id: v, constructor: fn.Name.Name})
				}
			}
			return true
		})
	}
	return out
}

// layoutProblems checks the files of dir against the layout doc.go
// describes: engine_*.go and helpers*.go hold no rule, every other file
// holds exactly one, named by its ID, and every rule of catalogue lives in
// its file.
func layoutProblems(t *testing.T, dir string, catalogue []Rule) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var problems []string
	found := map[string]string{}
	for _, p := range names {
		base := filepath.Base(p)
		if strings.HasSuffix(base, "_test.go") {
			continue
		}
		lits := ruleLiterals(t, p)
		stem := strings.TrimSuffix(base, ".go")
		if base == "doc.go" || strings.HasPrefix(base, "engine_") || strings.HasPrefix(base, "helpers") {
			for _, l := range lits {
				problems = append(problems, base+" is an engine or helper file but defines rule "+l.id+" (in "+l.constructor+"): move it to "+strings.ReplaceAll(l.id, "-", "_")+".go")
			}
			continue
		}
		want := strings.ReplaceAll(stem, "_", "-")
		switch {
		case len(lits) == 0:
			problems = append(problems, base+" defines no rule: a helper belongs in helpers*.go, engine code in engine_*.go")
			continue
		case len(lits) > 1:
			var ids []string
			for _, l := range lits {
				ids = append(ids, l.id)
			}
			problems = append(problems, base+" defines "+strconv.Itoa(len(lits))+" rules ("+strings.Join(ids, ", ")+"): one rule per file")
			continue
		}
		l := lits[0]
		if l.id != want {
			problems = append(problems, base+" defines rule "+l.id+": name the file "+strings.ReplaceAll(l.id, "-", "_")+".go")
			continue
		}
		if !strings.EqualFold(l.constructor, strings.ReplaceAll(l.id, "-", "")) {
			problems = append(problems, base+": rule "+l.id+" is built by "+l.constructor+"; name the constructor after the ID (camelCase)")
		}
		found[l.id] = base
	}
	for _, r := range catalogue {
		if _, ok := found[r.ID]; !ok {
			problems = append(problems, "rule "+r.ID+" of the catalogue is not defined in "+strings.ReplaceAll(r.ID, "-", "_")+".go")
		}
	}
	sort.Strings(problems)
	return problems
}

func TestFileLayout(t *testing.T) {
	for _, p := range layoutProblems(t, ".", All()) {
		t.Error(p)
	}
}

// TestFileLayoutCatchesViolations runs the same check on a copy of this
// package's files broken on purpose, so TestFileLayout cannot pass vacuously.
func TestFileLayoutCatchesViolations(t *testing.T) {
	dir := t.TempDir()
	names, _ := filepath.Glob("*.go")
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if p := layoutProblems(t, dir, All()); len(p) != 0 {
		t.Fatalf("the unbroken copy already has problems: %v", p)
	}
	mustRename := func(from, to string) {
		if err := os.Rename(filepath.Join(dir, from), filepath.Join(dir, to)); err != nil {
			t.Fatal(err)
		}
	}
	// A rule file not named by its ID, and a helper among the rules.
	mustRename("ha_secondary_state.go", "ha_slave.go")
	if err := os.WriteFile(filepath.Join(dir, "strings.go"), []byte("package rules\n\nfunc trimAll(s string) string { return s }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(layoutProblems(t, dir, All()), "\n")
	for _, want := range []string{
		"ha_slave.go defines rule ha-secondary-state: name the file ha_secondary_state.go",
		"strings.go defines no rule",
		"rule ha-secondary-state of the catalogue is not defined in ha_secondary_state.go",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q; got:\n%s", want, got)
		}
	}
	// A rule defined in an engine file.
	mustRename("ha_slave.go", "engine_ha.go")
	if got := strings.Join(layoutProblems(t, dir, All()), "\n"); !strings.Contains(got, "engine_ha.go is an engine or helper file but defines rule ha-secondary-state") {
		t.Errorf("a rule in an engine file is not reported; got:\n%s", got)
	}
}

// isRuleFile reports whether a file of this package holds one rule (not
// the engine, the shared helpers, the package doc or a test).
func isRuleFile(base string) bool {
	return strings.HasSuffix(base, ".go") && !strings.HasSuffix(base, "_test.go") && base != "doc.go" &&
		!strings.HasPrefix(base, "engine_") && !strings.HasPrefix(base, "helpers")
}

// sharedPrivateNames finds unexported top-level names a rule file defines
// that another file of the package uses: a rule file holds its rule and
// nothing another rule needs (shared helpers live in helpers*.go or with
// the model, internal/service).
func sharedPrivateNames(t *testing.T, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	files := map[string]*ast.File{}
	for _, p := range names {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(p)] = f
	}
	definedIn := map[string]string{}
	for base, f := range files {
		if !isRuleFile(base) {
			continue
		}
		for _, d := range f.Decls {
			var idents []*ast.Ident
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					idents = append(idents, d.Name)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.ValueSpec:
						idents = append(idents, s.Names...)
					case *ast.TypeSpec:
						idents = append(idents, s.Name)
					}
				}
			}
			constructor := strings.ReplaceAll(strings.TrimSuffix(base, ".go"), "_", "")
			for _, id := range idents {
				// The rule's constructor is what the catalogue lists.
				if !ast.IsExported(id.Name) && id.Name != "_" && id.Name != "init" && !strings.EqualFold(id.Name, constructor) {
					definedIn[id.Name] = base
				}
			}
		}
	}
	var problems []string
	seen := map[string]bool{}
	for base, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			id, ok := n.(*ast.Ident)
			if !ok {
				return true
			}
			home, defined := definedIn[id.Name]
			if defined && home != base && id.Obj == nil {
				key := id.Name + " " + base
				if !seen[key] {
					seen[key] = true
					problems = append(problems, id.Name+" is defined in "+home+" and used in "+base+": move it to helpers*.go or the model")
				}
			}
			return true
		})
	}
	sort.Strings(problems)
	return problems
}

func TestRuleFilesShareNothing(t *testing.T) {
	for _, p := range sharedPrivateNames(t, ".") {
		t.Error(p)
	}
}
