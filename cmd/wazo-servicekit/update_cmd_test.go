package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// TestUpdateConflictCommand: `new`, commit, the description line of
// README.md edited and committed here while the kit renders it differently
// (a changed answer in .servicekit.yml). update exits 1, names the file,
// says how to resolve, and leaves conflict markers in it; once resolved
// and committed, update is clean again.
func TestUpdateConflictCommand(t *testing.T) {
	testenv.RequireCommand(t, "git")
	repo := newForUpdate(t)
	var stdout, stderr bytes.Buffer
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
			"GIT_AUTHOR_NAME=test", "GIT_AUTHOR_EMAIL=test@localhost", "GIT_COMMITTER_NAME=test", "GIT_COMMITTER_EMAIL=test@localhost")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	readme := filepath.Join(repo, "README.md")
	edit := func(path string, f func(string) string) {
		t.Helper()
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(f(string(data))), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q")
	git("add", "-A")
	git("commit", "-q", "-m", "wazo-servicekit new")
	edit(readme, func(s string) string { return strings.Replace(s, "Example service.\n", "Our own words.\n", 1) })
	git("commit", "-q", "-am", "own description")
	setDescription(t, repo, "The kit's new description")

	steps := []struct {
		name    string
		args    []string
		code    int
		says    []string
		markers bool // README.md holds conflict markers afterwards
	}{
		{"dry run", []string{"update", repo, "--dry-run"}, exitFindings,
			[]string{"conflict", "README.md", "1 conflicting region"}, false},
		{"update", []string{"update", repo}, exitFindings,
			[]string{"conflict", "README.md", "remove the markers", "git commit", "updated          debian/control"}, true},
	}
	for _, s := range steps {
		stdout.Reset()
		stderr.Reset()
		code := run(s.args, &stdout, &stderr)
		out := stdout.String() + stderr.String()
		if code != s.code {
			t.Errorf("%s: exit %d, want %d\n%s", s.name, code, s.code, out)
		}
		for _, w := range s.says {
			if !strings.Contains(out, w) {
				t.Errorf("%s: output does not say %q:\n%s", s.name, w, out)
			}
		}
		data, err := os.ReadFile(readme)
		if err != nil {
			t.Fatal(err)
		}
		hasMarkers := strings.Contains(string(data), "<<<<<<< local\nOur own words.\n") &&
			strings.Contains(string(data), "\n=======\nThe kit's new description.\n>>>>>>> wazo-servicekit ")
		if hasMarkers != s.markers {
			t.Errorf("%s: README.md has conflict markers: %v, want %v\n%s", s.name, hasMarkers, s.markers, data)
		}
	}

	// Resolved by hand (ours and theirs), committed: update is clean.
	edit(readme, func(s string) string {
		start, end := strings.Index(s, "<<<<<<< "), strings.Index(s, ">>>>>>> ")
		end += strings.Index(s[end:], "\n") + 1
		return s[:start] + "Our own words, and the kit's.\n" + s[end:]
	})
	git("commit", "-q", "-am", "resolved")
	stdout.Reset()
	if code := run([]string{"update", repo}, &stdout, &stderr); code != exitClean || strings.Contains(stdout.String(), "conflict") {
		t.Errorf("update after resolving: exit %d\n%s", code, stdout.String())
	}
}

// TestUpdateNotMergedCommand: outside git, an edited file the kit changed
// is left alone; update says why, where the new rendering is, and exits 1.
func TestUpdateNotMergedCommand(t *testing.T) {
	repo := newForUpdate(t)
	var stdout, stderr bytes.Buffer
	setDescription(t, repo, "The kit's new description")
	f, err := os.OpenFile(filepath.Join(repo, "README.md"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("\nLocal notes.\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	stdout.Reset()
	code := run([]string{"update", repo}, &stdout, &stderr)
	out := stdout.String()
	for _, w := range []string{"conflict         README.md  (not merged: not a git repository", "README.md.servicekit-new", "merge FILE.servicekit-new into FILE by hand"} {
		if !strings.Contains(out, w) {
			t.Errorf("output does not say %q:\n%s", w, out)
		}
	}
	if code != exitFindings {
		t.Errorf("exit %d, want %d\n%s", code, exitFindings, out)
	}
	if _, err := os.Stat(filepath.Join(repo, "README.md.servicekit-new")); err != nil {
		t.Error(err)
	}
}

// newForUpdate runs `new` in a temporary directory (outside any git
// repository) with the description "Example service" and returns the repo.
func newForUpdate(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("GIT_CEILING_DIRECTORIES", dir)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"new", "wazo-exampled", "--dir", dir, "--description", "Example service"}, &stdout, &stderr); code != exitClean {
		t.Fatalf("new: exit %d\n%s", code, stderr.String())
	}
	return filepath.Join(dir, "wazo-exampled")
}

// setDescription changes the description answer in .servicekit.yml (given
// as "Example service" to new), as a kit change would: README.md's
// description line and a few other files render differently.
func setDescription(t *testing.T, repo, desc string) {
	t.Helper()
	path := filepath.Join(repo, ".servicekit.yml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const old = "\ndescription: Example service\n"
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("%s does not hold %q:\n%s", path, old, data)
	}
	data = bytes.Replace(data, []byte(old), []byte("\ndescription: "+desc+"\n"), 1)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
