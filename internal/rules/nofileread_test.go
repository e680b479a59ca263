package rules

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// fileReadingImports are the packages through which code reaches files.
var fileReadingImports = map[string]bool{"os": true, "io/fs": true, "io/ioutil": true, "path/filepath": true,
	"github.com/wazo-platform/wazo-servicekit/safefile":            true,
	"github.com/wazo-platform/wazo-servicekit/internal/probe/host": true}

// fileReadingCalls are calls that open, list or stat a file, whatever
// their receiver (os.ReadFile, s.Host.ReadFile, h.Stat), and the helpers
// reading sibling checkouts.
var fileReadingCalls = map[string]bool{"ReadFile": true, "Open": true, "OpenFile": true, "ReadDir": true, "Stat": true,
	"Lstat": true, "Readlink": true, "WalkDir": true, "Walk": true, "ReadIn": true, "ReadRegular": true,
	"sibling": true, "siblingFinding": true, "readSibling": true, "EnabledLocations": true, "MonitChecks": true, "OwnLocations": true}

// fileReads lists where a Go file imports a file-reading package or calls
// something that reads a file.
func fileReads(t *testing.T, path string) []string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); fileReadingImports[p] {
			out = append(out, fset.Position(imp.Pos()).String()+": imports "+p)
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		name := ""
		switch fn := call.Fun.(type) {
		case *ast.Ident:
			name = fn.Name
		case *ast.SelectorExpr:
			name = fn.Sel.Name
			// Any method of the audited host (s.Host.User, s.Host.PIDOf)
			// reads its files or /proc.
			if recv, ok := fn.X.(*ast.SelectorExpr); ok && recv.Sel.Name == "Host" {
				out = append(out, fset.Position(call.Pos()).String()+": calls Host."+name)
				return true
			}
		}
		if fileReadingCalls[name] {
			out = append(out, fset.Position(call.Pos()).String()+": calls "+name)
		}
		return true
	})
	return out
}

// stillReading are the rule files whose live probe still reads the host
// itself (through LiveService.Host) or whose static side still reads a
// sibling file the model does not hold yet. The list only shrinks: a file
// that no longer reads must leave it.
var stillReading = map[string]bool{}

// TestRulesReadNoFiles: a rule judges the model of the service; reading
// the checkout, the siblings or the host is the model's job
// (internal/service) or the engine's (engine_*.go, helpers*.go).
func TestRulesReadNoFiles(t *testing.T) {
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var readers []string
	for _, n := range names {
		if strings.HasSuffix(n, "_test.go") || strings.HasPrefix(n, "engine_") || strings.HasPrefix(n, "helpers") || n == "doc.go" {
			continue
		}
		reads := fileReads(t, n)
		switch {
		case len(reads) > 0 && !stillReading[n]:
			t.Errorf("rule file %s reads files; judge the model (internal/service) instead:\n  %s", n, strings.Join(reads, "\n  "))
		case len(reads) == 0 && stillReading[n]:
			t.Errorf("rule file %s reads no file any more: remove it from stillReading", n)
		}
		if len(reads) > 0 {
			readers = append(readers, n)
		}
	}
	sort.Strings(readers)
	t.Logf("%d rule files still read files (live probes or sibling files): %s", len(readers), strings.Join(readers, ", "))
}

// TestRulesReadNoFilesCatchesAReader: the check sees a rule reading a file.
func TestRulesReadNoFilesCatchesAReader(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.go")
	src := "package rules\n\nimport \"os\"\n\nfunc x(s *LiveService) { os.ReadFile(\"/etc/passwd\"); s.Host.PIDOf(\"x\", \"\") }\n"
	write(t, p, src)
	got := strings.Join(fileReads(t, p), "\n")
	for _, want := range []string{"imports os", "calls ReadFile", "calls Host.PIDOf"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q not reported; got:\n%s", want, got)
		}
	}
}
