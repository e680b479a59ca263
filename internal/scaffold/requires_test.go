package scaffold

import (
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"
)

// The requirements new leaves out are exactly those of this repository that
// no kit package needs (go list's view of the kit's dependencies), so a
// generated go.mod has what the kit needs and nothing more.
func TestToolOnlyModulesAreWhatTheKitDoesNotImport(t *testing.T) {
	const module = "github.com/wazo-platform/wazo-servicekit"
	kit := exec.Command("go", "list", "-e", "-f", "{{.ImportPath}}", "../../...")
	all, err := kit.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var kitPkgs []string
	for _, p := range strings.Fields(string(all)) {
		rel := strings.TrimPrefix(p, module+"/")
		if first, _, _ := strings.Cut(rel, "/"); first != "internal" && first != "cmd" && first != "test" {
			kitPkgs = append(kitPkgs, p)
		}
	}
	deps := exec.Command("go", append([]string{"list", "-deps", "-f", "{{if .Module}}{{.Module.Path}}{{end}}"}, kitPkgs...)...)
	mods, err := deps.Output()
	if err != nil {
		t.Fatalf("go list -deps of the kit: %v", err)
	}
	used := map[string]bool{}
	for _, m := range strings.Fields(string(mods)) {
		used[m] = true
	}
	data, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	f, err := modfile.Parse("go.mod", data, nil)
	if err != nil {
		t.Fatal(err)
	}
	var want, got []string
	for _, r := range f.Require {
		if !used[r.Mod.Path] {
			want = append(want, r.Mod.Path)
		}
	}
	for m := range toolOnlyModules {
		got = append(got, m)
	}
	sort.Strings(want)
	sort.Strings(got)
	if strings.Join(want, " ") != strings.Join(got, " ") {
		t.Fatalf("modules no kit package imports: %v; toolOnlyModules lists %v", want, got)
	}
}

// wazo-doctord's --version (its main.go's version, which a generated
// service inherits) is the package's, debian/changelog's.
func TestDoctordVersionIsTheChangelogs(t *testing.T) {
	mainGo, err := os.ReadFile("../../cmd/wazo-doctord/main.go")
	if err != nil {
		t.Fatal(err)
	}
	changelog, err := os.ReadFile("../../debian/changelog")
	if err != nil {
		t.Fatal(err)
	}
	v := regexp.MustCompile(`(?m)^const version = "([^"]+)"$`).FindSubmatch(mainGo)
	c := regexp.MustCompile(`^wazo-doctord \(([^)]+)\)`).FindSubmatch(changelog)
	if v == nil || c == nil || string(v[1]) != string(c[1]) {
		t.Fatalf("main.go's version %q, debian/changelog's %q", v, c)
	}
}
