package boundary

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/wazo-platform/wazo-servicekit"

// moduleRoot is the directory holding go.mod, two levels up.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod at %s: %v", root, err)
	}
	return root
}

// modulePackages lists the module's packages (relative paths) with the
// module packages each imports outside its tests, as `go list` sees them.
func modulePackages(t *testing.T, root string) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-f", "{{.ImportPath}}|{{join .Imports \" \"}}", "./...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list ./...: %v", err)
	}
	pkgs := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, imports, _ := strings.Cut(line, "|")
		rel, ok := relPath(path)
		if !ok {
			continue
		}
		var own []string
		for _, imp := range strings.Fields(imports) {
			if r, ok := relPath(imp); ok {
				own = append(own, r)
			}
		}
		pkgs[rel] = own
	}
	return pkgs
}

// relPath is an import path of this module relative to its root.
func relPath(importPath string) (string, bool) {
	if importPath == module {
		return ".", true
	}
	return strings.CutPrefix(importPath, module+"/")
}

// isKit says whether a package belongs to the kit: every package of the
// module except the tools (internal/), the commands (cmd/) and the
// end-to-end tests (test/).
func isKit(rel string) bool {
	first, _, _ := strings.Cut(rel, "/")
	return first != "internal" && first != "cmd" && first != "test"
}

var kitPackagesLine = regexp.MustCompile(`(?m)^KIT_PACKAGES\s*:?=(.*)$`)

// boundaryProblems compares the module's packages with debian/rules'
// KIT_PACKAGES: a kit package importing a non-kit package, a kit package
// nested in another (the -dev package copies one directory level), or a
// difference between the two lists.
func boundaryProblems(pkgs map[string][]string, debianRules string) []string {
	var problems []string
	kit := map[string]bool{}
	for p, imports := range pkgs {
		if !isKit(p) {
			continue
		}
		kit[p] = true
		if strings.Contains(p, "/") {
			problems = append(problems, "kit package "+p+" is nested: debian/rules ships one directory level per kit package; move it to the module root")
		}
		for _, imp := range imports {
			if !isKit(imp) {
				problems = append(problems, "kit package "+p+" imports "+imp+", which is not in the kit: a daemon importing "+p+" could not build from the -dev package")
			}
		}
	}
	m := kitPackagesLine.FindStringSubmatch(debianRules)
	if m == nil {
		return append(problems, "debian/rules has no KIT_PACKAGES := line")
	}
	shipped := map[string]bool{}
	for _, p := range strings.Fields(m[1]) {
		shipped[p] = true
		if !kit[p] {
			problems = append(problems, "debian/rules KIT_PACKAGES lists "+p+", which is not a kit package of the module")
		}
	}
	for p := range kit {
		if !shipped[p] {
			problems = append(problems, "kit package "+p+" is missing from KIT_PACKAGES in debian/rules: the -dev package would not ship it")
		}
	}
	sort.Strings(problems)
	return problems
}

func readDebianRules(t *testing.T, root string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "debian", "rules"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestKitBoundary(t *testing.T) {
	root := moduleRoot(t)
	pkgs := modulePackages(t, root)
	if !isKit("config") || len(pkgs) < 10 {
		t.Fatalf("go list found only %d packages: %v", len(pkgs), pkgs)
	}
	for _, p := range boundaryProblems(pkgs, readDebianRules(t, root)) {
		t.Error(p)
	}
}

// TestKitBoundaryCatchesViolations breaks the real package list and
// debian/rules on purpose, so TestKitBoundary cannot pass vacuously.
func TestKitBoundaryCatchesViolations(t *testing.T) {
	root := moduleRoot(t)
	pkgs := modulePackages(t, root)
	rules := readDebianRules(t, root)
	if p := boundaryProblems(pkgs, rules); len(p) != 0 {
		t.Fatalf("the real tree already has problems: %v", p)
	}
	pkgs["config"] = append(pkgs["config"], "internal/rules")
	pkgs["consul/agentapi"] = nil
	rules = strings.Replace(rules, " status", "", 1)
	rules = strings.Replace(rules, "KIT_PACKAGES := ", "KIT_PACKAGES := scaffold ", 1)
	got := strings.Join(boundaryProblems(pkgs, rules), "\n")
	for _, want := range []string{
		"kit package config imports internal/rules, which is not in the kit",
		"kit package consul/agentapi is nested",
		"kit package status is missing from KIT_PACKAGES",
		"KIT_PACKAGES lists scaffold, which is not a kit package",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q; got:\n%s", want, got)
		}
	}
}
