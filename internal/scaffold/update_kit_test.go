package scaffold

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/wazo-platform/wazo-servicekit/internal/ports"
	"github.com/wazo-platform/wazo-servicekit/internal/siblings"
	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
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

// TestUpdateKeepsAnswers: a repository generated with --kit and --port is
// re-rendered, without either flag, exactly as generated (port_reason
// stays, no path of the machine anywhere); update --check finds it
// current, then behind once a file is as an older kit wrote it, writing
// nothing.
func TestUpdateKeepsAnswers(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("GIT_CEILING_DIRECTORIES", dir)
	reg, err := ports.Load()
	if err != nil {
		t.Fatal(err)
	}
	port, _ := reg.Next()
	if err := Generate(Options{Name: "wazo-exampled", Dir: dir, Port: port, KitDir: kitRoot(t)}); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "wazo-exampled")
	assertNoPath(t, root, kitRoot(t), dir)
	before := readManifest(t, root)
	if !strings.HasPrefix(before.PortReason, "asked with --port") {
		t.Fatalf("port_reason %q", before.PortReason)
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
	if after := readManifest(t, root); after.PortReason != before.PortReason {
		t.Errorf("update rewrote the answers: port_reason %q → %q", before.PortReason, after.PortReason)
	}
	if _, err := os.Stat(filepath.Join(root, "sibling-patches/wazo-servicekit.diff")); err != nil {
		t.Errorf("update without --kit dropped the kit's registry patch: %v", err)
	}
	assertBehind(t, root, false, "right after new")
	// README.md as an older kit wrote it: --check says behind, writes nothing.
	old := []byte("old readme\n")
	if err := os.WriteFile(filepath.Join(root, "README.md"), old, 0o644); err != nil {
		t.Fatal(err)
	}
	m := readManifest(t, root)
	m.Files["README.md"] = sha256Hex(old)
	m.ServicekitVersion = "0.0.1"
	writeManifest(t, root, m)
	acts := assertBehind(t, root, true, "README.md from an older kit")
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
}

// assertBehind runs update --check and fails unless it says behind as want.
func assertBehind(t *testing.T, root string, want bool, when string) []UpdateAction {
	t.Helper()
	acts, err := Update(UpdateOptions{Root: root, Check: true})
	if err != nil {
		t.Fatalf("%s: %v", when, err)
	}
	if Behind(acts) != want {
		t.Errorf("%s: behind = %v, want %v: %+v", when, !want, want, acts)
	}
	return acts
}

// TestUpdateCheckAfterNewWithSiblings: patches computed against sibling
// checkouts that differ from the built-in baselines are not recomputed
// against the baselines: update --check exits clean right after new, with
// or without --siblings, and no path is recorded; the checkouts given
// again give the same patches.
func TestUpdateCheckAfterNewWithSiblings(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("GIT_CEILING_DIRECTORIES", dir)
	sib := filepath.Join(dir, "siblings")
	if err := siblings.WriteBaselines(sib); err != nil {
		t.Fatal(err)
	}
	// Checkouts a little ahead of the baselines: another service listed.
	pkgs := filepath.Join(sib, "xivo-build-tools/etc/xivo-build-tools/packages")
	data, err := os.ReadFile(pkgs)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pkgs, append([]byte("aaa-newer\n"), data...), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Generate(Options{Name: "wazo-exampled", Dir: dir, SiblingsDir: sib}); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "wazo-exampled")
	testenv.Git(t, root, "init", "-q")
	testenv.Git(t, root, "add", "-A")
	testenv.Git(t, root, "commit", "-q", "-m", "new")
	assertNoPath(t, root, dir)
	if m := readManifest(t, root); m.Siblings != SiblingsCheckouts {
		t.Errorf("siblings: %q", m.Siblings)
	}
	patch := readTestFile(t, root, "sibling-patches/xivo-build-tools.diff")
	assertBehind(t, root, false, "right after new --siblings, update without --siblings")
	acts, err := Update(UpdateOptions{Root: root, Check: true, SiblingsDir: sib})
	if err != nil || Behind(acts) {
		t.Errorf("update --check --siblings (the same checkouts): behind %v, %v", Behind(acts), err)
	}
	if _, err := Update(UpdateOptions{Root: root}); err != nil {
		t.Fatal(err)
	}
	if got := readTestFile(t, root, "sibling-patches/xivo-build-tools.diff"); got != patch {
		t.Errorf("update without --siblings rewrote a patch computed against checkouts:\n%s\nwas\n%s", got, patch)
	}
	assertBehind(t, root, false, "after an update without --siblings")
}
