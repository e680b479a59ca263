package rules

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// declared lists the top-level names of a kit package ("Load") and its
// methods ("Spec.ServeHTTP"), parsed from its non-test files.
func declared(t *testing.T, dir string) map[string]bool {
	t.Helper()
	pkgs, err := parser.ParseDir(token.NewFileSet(), dir, func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, p := range pkgs {
		for _, f := range p.Files {
			for _, d := range f.Decls {
				switch d := d.(type) {
				case *ast.FuncDecl:
					if d.Recv == nil {
						names[d.Name.Name] = true
						continue
					}
					typ := d.Recv.List[0].Type
					if s, ok := typ.(*ast.StarExpr); ok {
						typ = s.X
					}
					if id, ok := typ.(*ast.Ident); ok {
						names[id.Name+"."+d.Name.Name] = true
					}
				case *ast.GenDecl:
					for _, s := range d.Specs {
						switch s := s.(type) {
						case *ast.TypeSpec:
							names[s.Name.Name] = true
						case *ast.ValueSpec:
							for _, n := range s.Names {
								names[n.Name] = true
							}
						}
					}
				}
			}
		}
	}
	return names
}

// whereProblems checks every rule of catalogue against the map m: an entry
// for each rule and none for unknown IDs, every kit reference an exported
// symbol of a kit package, every file a file of the repository at root.
func whereProblems(t *testing.T, root string, catalogue []Rule, m map[string]Where) []string {
	t.Helper()
	var problems []string
	known := map[string]bool{}
	symbols := map[string]map[string]bool{}
	for _, r := range catalogue {
		known[r.ID] = true
		w, ok := m[r.ID]
		if !ok {
			problems = append(problems, r.ID+": no entry in the where map (engine_where.go)")
			continue
		}
		if len(w.Kit)+len(w.Packaging)+len(w.Generator) == 0 {
			problems = append(problems, r.ID+": an empty entry")
		}
		for _, ref := range w.Kit {
			pkg, sym, ok := strings.Cut(ref, ".")
			if !ok || strings.HasPrefix(pkg, "internal") || pkg == "cmd" || !ast.IsExported(strings.Split(sym, ".")[0]) {
				problems = append(problems, r.ID+": kit reference "+ref+" is not package.ExportedSymbol of a kit package")
				continue
			}
			if symbols[pkg] == nil {
				if st, err := os.Stat(filepath.Join(root, pkg)); err != nil || !st.IsDir() {
					problems = append(problems, r.ID+": kit reference "+ref+": no package "+pkg)
					continue
				}
				symbols[pkg] = declared(t, filepath.Join(root, pkg))
			}
			if !symbols[pkg][sym] {
				problems = append(problems, r.ID+": kit reference "+ref+": package "+pkg+" declares no "+sym)
			}
		}
		for _, p := range append(append([]string(nil), w.Packaging...), w.Generator...) {
			if st, err := os.Stat(filepath.Join(root, filepath.FromSlash(p))); err != nil || st.IsDir() {
				problems = append(problems, r.ID+": file "+p+" does not exist")
			}
		}
	}
	for id := range m {
		if !known[id] {
			problems = append(problems, id+": in the where map but not in the catalogue")
		}
	}
	sort.Strings(problems)
	return problems
}

func TestWhereReferencesExist(t *testing.T) {
	for _, p := range whereProblems(t, "../..", All(), where) {
		t.Error(p)
	}
}

// TestWhereCatchesStaleReferences breaks a copy of the map on purpose, so
// TestWhereReferencesExist cannot pass vacuously.
func TestWhereCatchesStaleReferences(t *testing.T) {
	broken := map[string]Where{}
	for id, w := range where {
		broken[id] = w
	}
	delete(broken, "starts-on-boot")
	broken["no-such-rule"] = Where{Generator: []string{siblingGen}}
	broken["api-spec"] = Where{Kit: []string{"apispec.Loader", "apispec.Spec.Serve", "internal/rules.All"}, Packaging: []string{"debian/api.yml"}}
	got := strings.Join(whereProblems(t, "../..", All(), broken), "\n")
	for _, want := range []string{
		"starts-on-boot: no entry",
		"no-such-rule: in the where map but not in the catalogue",
		"kit reference apispec.Loader: package apispec declares no Loader",
		"kit reference apispec.Spec.Serve: package apispec declares no Spec.Serve",
		"kit reference internal/rules.All is not package.ExportedSymbol of a kit package",
		"file debian/api.yml does not exist",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q; got:\n%s", want, got)
		}
	}
}

var updateArchitecture = flag.Bool("update-architecture", false, "rewrite the map in ARCHITECTURE.md from engine_where.go")

// whereTable renders the map as the Markdown table ARCHITECTURE.md carries.
func whereTable() string {
	var b strings.Builder
	b.WriteString("| rule | kit code | packaging (wazo-doctord) | generated from |\n|---|---|---|---|\n")
	cell := func(refs []string) string {
		if len(refs) == 0 {
			return "—"
		}
		out := make([]string, len(refs))
		for i, r := range refs {
			out[i] = "`" + strings.TrimPrefix(r, doctordCopy) + "`"
			if strings.HasPrefix(r, doctordCopy) {
				out[i] = "copy of `" + strings.TrimPrefix(r, doctordCopy) + "`"
			}
		}
		return strings.Join(out, ", ")
	}
	for _, r := range All() {
		w := WhereOf(r.ID)
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", r.ID, cell(w.Kit), cell(w.Packaging), cell(w.Generator))
	}
	return b.String()
}

const mapStart, mapEnd = "<!-- where map: start -->\n", "<!-- where map: end -->\n"

// ARCHITECTURE.md draws the same map as `rules --explain`, from the same
// table: it cannot drift (go test ./internal/rules -update-architecture
// rewrites it).
func TestArchitectureDrawsTheWhereMap(t *testing.T) {
	path := filepath.Join("..", "..", "ARCHITECTURE.md")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	i, j := strings.Index(s, mapStart), strings.Index(s, mapEnd)
	if i < 0 || j < i {
		t.Fatalf("%s has no %q ... %q section", path, mapStart, mapEnd)
	}
	want := whereTable()
	if got := s[i+len(mapStart) : j]; got != want {
		if *updateArchitecture {
			if err := os.WriteFile(path, []byte(s[:i+len(mapStart)]+want+s[j:]), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("the map in %s differs from engine_where.go; run go test ./internal/rules -run TestArchitectureDrawsTheWhereMap -update-architecture", path)
	}
}
