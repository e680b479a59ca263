package scaffold

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
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
	for _, f := range []string{"service.mk", "build-deb.sh", "debian-root.sh", "debian-vendor.sh"} {
		if !regexp.MustCompile(`scripts/` + regexp.QuoteMeta(f) + `\b`).Match(rules) {
			t.Fatalf("debian/rules does not install scripts/%s in the -dev package", f)
		}
		data, err := os.ReadFile(filepath.Join("../../scripts", f))
		if err != nil {
			t.Fatal(err)
		}
		writeKitFile(t, filepath.Join(kit, "scripts", f), data)
		if strings.HasSuffix(f, ".sh") {
			if err := os.Chmod(filepath.Join(kit, "scripts", f), 0o755); err != nil {
				t.Fatal(err)
			}
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

// TestVendorFromDebianPackages: a generated repository built against the
// installed kit package (make test KIT=<its sources>, as on a Wazo builder)
// resolves every import from the Debian packages' sources through the
// vendor/ the kit's script links, with no network and an empty module
// cache, and go.mod is as new wrote it.
func TestVendorFromDebianPackages(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("needs go")
	}
	testenv.RequireCommand(t, "make")
	src := installFakeKit(t)
	kit := filepath.Join(src, "github.com/wazo-platform/wazo-servicekit")
	dir := t.TempDir()
	if err := Generate(Options{Name: "wazo-exampled", Dir: dir}); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "wazo-exampled")
	mod, _ := os.ReadFile(filepath.Join(root, "go.mod"))
	env := append(os.Environ(), "GOPROXY=off", "GOTOOLCHAIN=local", "GOMODCACHE="+t.TempDir())
	mk := exec.Command("make", "test", "KIT="+kit)
	mk.Dir, mk.Env = root, env
	if out, err := mk.CombinedOutput(); err != nil {
		t.Fatalf("make test KIT=%s: %v\n%s", kit, err, out)
	}
	if after, _ := os.ReadFile(filepath.Join(root, "go.mod")); string(after) != string(mod) {
		t.Errorf("make test changed go.mod:\n%s", after)
	}
	list := exec.Command(goBin, "list", "-deps", "-test", "-f", "{{if not .Standard}}{{.ImportPath}} {{.Dir}}{{end}}", "./...")
	list.Dir, list.Env = root, append(env, "GOFLAGS=-mod=vendor", "GOWORK=off")
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
