package scaffold

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// installFakeKit lays out what golang-github-wazo-platform-wazo-servicekit-dev
// installs (debian/rules' KIT_PACKAGES and go.mod, from this checkout) in a
// GOPATH tree next to links to the Debian -dev packages of its
// dependencies, and returns the tree's src directory.
func installFakeKit(t *testing.T) string {
	t.Helper()
	rules, err := os.ReadFile("../../debian/rules")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^KIT_PACKAGES := (.+)$`).FindSubmatch(rules)
	if m == nil {
		t.Fatal("debian/rules has no KIT_PACKAGES")
	}
	src := filepath.Join(t.TempDir(), "usr/share/gocode/src")
	kit := filepath.Join(src, "github.com/wazo-platform/wazo-servicekit")
	for _, pkg := range strings.Fields(string(m[1])) {
		files, _ := filepath.Glob(filepath.Join("../..", pkg, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			writeKitFile(t, filepath.Join(kit, pkg, filepath.Base(f)), data)
		}
	}
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	writeKitFile(t, filepath.Join(kit, "go.mod"), mod)
	for _, dep := range regexp.MustCompile(`(?m)^\s*(?:require\s+)?([a-z0-9.]+\.[a-z]+/\S+) v\S+`).FindAllSubmatch(mod, -1) {
		d := string(dep[1])
		debian := filepath.Join("/usr/share/gocode/src", d)
		if _, err := os.Stat(filepath.Join(debian, "go.mod")); err != nil {
			t.Skipf("needs the Debian -dev package of %s (%s/go.mod): `make deps` installs it", d, debian)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(src, d)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(debian, filepath.Join(src, d)); err != nil {
			t.Fatal(err)
		}
	}
	return src
}

func writeKitFile(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestVendorFromDebianPackages: a repository made with the installed kit
// resolves every import from the Debian packages' sources through the
// vendor/ its script links, with no network and an empty module cache.
func TestVendorFromDebianPackages(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("needs go")
	}
	src := installFakeKit(t)
	saved := installedKit
	installedKit = filepath.Join(src, "github.com/wazo-platform/wazo-servicekit")
	t.Cleanup(func() { installedKit = saved })
	dir := t.TempDir()
	if err := Generate(Options{Name: "wazo-exampled", Dir: dir, KitDir: installedKit, KitSource: KitPackage}); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "wazo-exampled")
	if mod, _ := os.ReadFile(filepath.Join(root, "go.mod")); strings.Contains(string(mod), "\nreplace ") {
		t.Errorf("go.mod has a replace line; the installed kit comes through vendor/:\n%s", mod)
	}
	env := append(os.Environ(), "GOCODE="+src, "GOPROXY=off", "GOFLAGS=-mod=vendor", "GOTOOLCHAIN=local",
		"GOMODCACHE="+t.TempDir(), "GOWORK=off")
	script := exec.Command("scripts/debian-vendor.sh")
	script.Dir, script.Env = root, env
	if out, err := script.CombinedOutput(); err != nil {
		t.Fatalf("debian-vendor.sh: %v\n%s", err, out)
	}
	list := exec.Command(goBin, "list", "-deps", "-test", "-f", "{{if not .Standard}}{{.ImportPath}} {{.Dir}}{{end}}", "./...")
	list.Dir, list.Env = root, env
	out, err := list.CombinedOutput()
	if err != nil {
		t.Fatalf("go list with vendor/ from the Debian sources: %v\n%s", err, out)
	}
	for _, want := range []string{"github.com/wazo-platform/wazo-servicekit/daemon " + filepath.Join(root, "vendor/github.com/wazo-platform/wazo-servicekit/daemon"), "gopkg.in/yaml.v3 "} {
		if !strings.Contains(string(out), want) {
			t.Errorf("go list does not resolve %q:\n%s", want, out)
		}
	}
}
