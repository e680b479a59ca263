package scaffold

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hostileRepo is a repository from `new`, not in git, with the given
// files of the checkout replaced by symbolic links to target.
func hostileRepo(t *testing.T, links map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("GIT_CEILING_DIRECTORIES", dir)
	if err := Generate(Options{Name: "wazo-exampled", Dir: dir}); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "wazo-exampled")
	for f, target := range links {
		p := filepath.Join(root, filepath.FromSlash(f))
		os.Remove(p)
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// TestUpdateDoesNotFollowADanglingLink: a committed Makefile that is a
// dangling link to a file outside the checkout; update used to create the
// outside file.
func TestUpdateDoesNotFollowADanglingLink(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "created-outside")
	root := hostileRepo(t, map[string]string{"Makefile": outside})
	_, err := Update(UpdateOptions{Root: root})
	if err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("update through a dangling Makefile link: err = %v, want a refusal naming the link", err)
	}
	if _, err := os.Lstat(outside); err == nil {
		t.Errorf("update created %s outside the checkout", outside)
	}
}

// TestUpdateDoesNotOverwriteThroughAConflictFileLink: README.md edited
// (so the new rendering goes to README.md.servicekit-new), which is a link
// to a file outside, a shell rc in the attack.
func TestUpdateDoesNotOverwriteThroughAConflictFileLink(t *testing.T) {
	outside := filepath.Join(t.TempDir(), ".bashrc")
	if err := os.WriteFile(outside, []byte("# rc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	root := hostileRepo(t, map[string]string{"README.md" + ConflictSuffix: outside})
	writeTestFile(t, root, "README.md", "edited here\n")
	setDescription(t, root, "Example service, redescribed")
	_, err := Update(UpdateOptions{Root: root})
	if err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("update with README.md.servicekit-new a link: err = %v, want a refusal naming the link", err)
	}
	if got := readTestFile(t, filepath.Dir(outside), ".bashrc"); got != "# rc\n" {
		t.Errorf("the outside file was overwritten: %q", got)
	}
	if got := readTestFile(t, root, "README.md"); got != "edited here\n" {
		t.Errorf("a refused update still wrote README.md: %q", got)
	}
}

// TestUpdateDoesNotWriteThroughADirectoryLink: debian/ is a link to a
// directory outside the checkout.
func TestUpdateDoesNotWriteThroughADirectoryLink(t *testing.T) {
	outside := t.TempDir()
	root := hostileRepo(t, nil)
	if err := os.RemoveAll(filepath.Join(root, "debian")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "debian")); err != nil {
		t.Fatal(err)
	}
	if _, err := Update(UpdateOptions{Root: root}); err == nil {
		t.Error("update through a debian/ link succeeded")
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("update wrote %d files in the directory debian/ links to", len(entries))
	}
}

// TestUpdateValidatesTheManifestAnswers: .servicekit.yml is outside input;
// an answer `new` would refuse (a description with a newline and shell, a
// name with a slash) is refused by update too, before any write.
func TestUpdateValidatesTheManifestAnswers(t *testing.T) {
	for _, tc := range []struct{ key, value string }{
		{"description", "\"x\\n$(touch /tmp/pwned)\""},
		{"description", "\"<img src=x onerror=alert(1)> {x}\""},
		{"description", "\"[x](javascript:alert(2))\""},
		{"name", "../wazo-exampled"},
		{"api_version", "\"1.0/../../x\""},
		{"ha_group", "\"wazo\\nExecStart=/bin/sh\""},
	} {
		root := hostileRepo(t, nil)
		before := readTestFile(t, root, "README.md")
		data := readTestFile(t, root, ".servicekit.yml")
		var lines []string
		for _, l := range strings.Split(data, "\n") {
			if strings.HasPrefix(l, tc.key+":") {
				l = tc.key + ": " + tc.value
			}
			lines = append(lines, l)
		}
		writeTestFile(t, root, ".servicekit.yml", strings.Join(lines, "\n"))
		if _, err := Update(UpdateOptions{Root: root}); err == nil {
			t.Errorf("update with %s: %s accepted", tc.key, tc.value)
		}
		if readTestFile(t, root, "README.md") != before {
			t.Errorf("update with %s: %s wrote README.md", tc.key, tc.value)
		}
	}
}

// TestUpdateRefusesAManifestLink: .servicekit.yml itself a link out.
func TestUpdateRefusesAManifestLink(t *testing.T) {
	root := hostileRepo(t, nil)
	outside := filepath.Join(t.TempDir(), "manifest.yml")
	data := readTestFile(t, root, ".servicekit.yml")
	if err := os.WriteFile(outside, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(root, ".servicekit.yml"))
	if err := os.Symlink(outside, filepath.Join(root, ".servicekit.yml")); err != nil {
		t.Fatal(err)
	}
	if _, err := Update(UpdateOptions{Root: root}); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("update with .servicekit.yml a link: err = %v, want a refusal", err)
	}
}

// TestUpdateIgnoresARecordedKitDir: a .servicekit.yml from before the
// kit was found at build time recorded kit_dir (even a crafted one); it is
// not read, and the re-rendering writes no path and no replace line.
func TestUpdateIgnoresARecordedKitDir(t *testing.T) {
	kit, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	root := hostileRepo(t, nil)
	quoted, _ := json.Marshal(kit + "\ntoolchain go1.99")
	writeTestFile(t, root, ".servicekit.yml", readTestFile(t, root, ".servicekit.yml")+"kit_source: checkout\nkit_dir: "+string(quoted)+"\n")
	if _, err := Update(UpdateOptions{Root: root}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"go.mod", ".servicekit.yml"} {
		if got := readTestFile(t, root, f); strings.Contains(got, kit) || strings.Contains(got, "toolchain") {
			t.Errorf("%s after update:\n%s", f, got)
		}
	}
}

// A kit directory whose port registry is a link (to /dev/zero here) is
// refused, not read until memory runs out.
func TestUpdateReadsTheKitRegistryBounded(t *testing.T) {
	kit := t.TempDir()
	os.MkdirAll(filepath.Join(kit, "internal", "ports"), 0o755)
	os.WriteFile(filepath.Join(kit, "go.mod"), []byte("module github.com/wazo-platform/wazo-servicekit\n"), 0o644)
	if err := os.Symlink("/dev/zero", filepath.Join(kit, "internal", "ports", "registry.yml")); err != nil {
		t.Fatal(err)
	}
	root := hostileRepo(t, nil)
	_, err := Update(UpdateOptions{Root: root, DryRun: true, KitDir: kit})
	if err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("err = %v, want the registry link refused", err)
	}
}

// The description is written into Markdown and MDX pages: markup there is
// refused by new, naming the character.
func TestDescriptionMarkupRefused(t *testing.T) {
	for _, desc := range []string{"<img src=x onerror=alert(1)>", "a {x} b", "[x](javascript:alert(2))", "a | b", "`code`", "a \\ b"} {
		err := Generate(Options{Name: "wazo-exampled", Dir: t.TempDir(), Description: desc})
		if err == nil || !strings.Contains(err.Error(), "markup") {
			t.Errorf("description %q: %v, want a refusal", desc, err)
		}
	}
	if err := Generate(Options{Name: "wazo-exampled", Dir: t.TempDir(), Description: "The kit's own service: 100% Go, for (almost) everyone"}); err != nil {
		t.Errorf("a plain description: %v", err)
	}
}
