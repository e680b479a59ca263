package scaffold

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/wazo-platform/wazo-servicekit/internal/ports"
)

func readManifest(t *testing.T, root string) Manifest {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, ".servicekit.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var m Manifest
	if err := yaml.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func writeManifest(t *testing.T, root string, m Manifest) {
	t.Helper()
	data, err := yaml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, ".servicekit.yml"), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestUpdateKeepsKitAndAnswers: a repository generated with --kit and
// --port is re-rendered, without either flag, exactly as generated: the
// replace line stays, port_reason stays; update --check finds it current,
// then behind once a file is as an older kit wrote it, writing nothing.
func TestUpdateKeepsKitAndAnswers(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("GIT_CEILING_DIRECTORIES", dir)
	kit, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	reg, err := ports.Load()
	if err != nil {
		t.Fatal(err)
	}
	port, _ := reg.Next()
	if err := Generate(Options{Name: "wazo-exampled", Dir: dir, Port: port, KitDir: kit}); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "wazo-exampled")
	before := readManifest(t, root)
	if before.KitSource != KitCheckout || before.KitDir != kit || !strings.HasPrefix(before.PortReason, "asked with --port") {
		t.Fatalf("recorded kit %q %q, port_reason %q", before.KitSource, before.KitDir, before.PortReason)
	}
	for _, dry := range []bool{true, false} {
		acts, err := Update(UpdateOptions{Root: root, DryRun: dry})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range acts {
			if a.Action != Unchanged {
				t.Errorf("dry run %v: %s %s %s, want unchanged", dry, a.File, a.Action, a.Note)
			}
		}
	}
	after := readManifest(t, root)
	if after.PortReason != before.PortReason || after.KitDir != kit {
		t.Errorf("update rewrote the answers: port_reason %q → %q, kit_dir %q → %q", before.PortReason, after.PortReason, before.KitDir, after.KitDir)
	}
	mod, _ := os.ReadFile(filepath.Join(root, "go.mod"))
	if !strings.Contains(string(mod), "replace github.com/wazo-platform/wazo-servicekit => "+kit) {
		t.Errorf("go.mod lost its replace line:\n%s", mod)
	}

	acts, err := Update(UpdateOptions{Root: root, Check: true})
	if err != nil || Behind(acts) {
		t.Fatalf("right after new: behind=%v, err %v", Behind(acts), err)
	}
	// README.md as an older kit wrote it: --check says behind, writes nothing.
	old := []byte("old readme\n")
	if err := os.WriteFile(filepath.Join(root, "README.md"), old, 0o644); err != nil {
		t.Fatal(err)
	}
	m := readManifest(t, root)
	m.Files["README.md"] = sha256Hex(old)
	m.ServicekitVersion = "0.0.1"
	writeManifest(t, root, m)
	acts, err = Update(UpdateOptions{Root: root, Check: true})
	if err != nil {
		t.Fatal(err)
	}
	if !Behind(acts) {
		t.Errorf("README.md from an older kit: not behind: %+v", acts)
	}
	says := map[string]UpdateAction{}
	for _, a := range acts {
		says[a.File] = a
	}
	if a := says["README.md"]; a.Action != Updated || a.LinesAdded == 0 || a.LinesRemoved != 1 {
		t.Errorf("README.md: %+v, want updated with its line counts", a)
	}
	if a := says[".servicekit.yml"]; !strings.Contains(a.Note, `servicekit_version "0.0.1"`) {
		t.Errorf(".servicekit.yml: %+v, want the version change named", a)
	}
	if got, _ := os.ReadFile(filepath.Join(root, "README.md")); string(got) != string(old) {
		t.Error("--check wrote README.md")
	}

	// A repository from before kit_source was recorded: the kit is read
	// from go.mod's replace line.
	m.KitSource, m.KitDir = "", ""
	writeManifest(t, root, m)
	if _, err := Update(UpdateOptions{Root: root}); err != nil {
		t.Fatal(err)
	}
	if m := readManifest(t, root); m.KitSource != KitCheckout || m.KitDir != kit {
		t.Errorf("kit from go.mod: %q %q", m.KitSource, m.KitDir)
	}
	// The recorded checkout is gone: an error that says what to do.
	m = readManifest(t, root)
	m.KitDir = filepath.Join(dir, "gone")
	writeManifest(t, root, m)
	if _, err := Update(UpdateOptions{Root: root}); err == nil || !strings.Contains(err.Error(), "pass --kit DIR") {
		t.Errorf("gone kit: err %v", err)
	}
}

// TestNewWithTheInstalledKit: the kit's -dev package sources as the kit
// (what `new` does by default when it is installed): make links them in
// as vendor/, go.mod needs no replace line, .servicekit.yml records
// "package".
func TestNewWithTheInstalledKit(t *testing.T) {
	dir := t.TempDir()
	installed := filepath.Join(dir, "usr/share/gocode/src/github.com/wazo-platform/wazo-servicekit")
	if err := os.MkdirAll(installed, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(installed+"/go.mod", []byte("module github.com/wazo-platform/wazo-servicekit\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	saved := installedKit
	installedKit = installed
	t.Cleanup(func() { installedKit = saved })
	if InstalledKitDir() != installed || KitFor(installed) != KitPackage {
		t.Fatalf("installed kit not found at %s", installed)
	}
	if err := Generate(Options{Name: "wazo-exampled", Dir: dir, KitDir: installed, KitSource: KitPackage}); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "wazo-exampled")
	mod, _ := os.ReadFile(filepath.Join(root, "go.mod"))
	if !strings.Contains(string(mod), "golang-github-wazo-platform-wazo-servicekit-dev") || strings.Contains(string(mod), "\nreplace ") {
		t.Errorf("go.mod:\n%s", mod)
	}
	if mk, _ := os.ReadFile(filepath.Join(root, "Makefile")); !strings.Contains(string(mk), "test: $(VENDOR)") ||
		!strings.Contains(string(mk), "VENDOR := vendor/modules.txt") {
		t.Errorf("Makefile does not link vendor/ before testing:\n%s", mk)
	}
	if m := readManifest(t, root); m.KitSource != KitPackage || m.KitDir != installed {
		t.Errorf("recorded kit %q %q", m.KitSource, m.KitDir)
	}
	if _, err := os.Stat(filepath.Join(root, "sibling-patches/wazo-servicekit.diff")); err == nil {
		t.Error("a registry patch against the installed package's sources")
	}
	acts, err := Update(UpdateOptions{Root: root, Check: true})
	if err != nil || Behind(acts) {
		t.Errorf("after new: behind=%v err %v", Behind(acts), err)
	}
}
