package safefile

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A report named on the command line inside a hostile checkout: a link
// planted at the name, or at a directory on the way, is never written
// through; a FIFO or a directory there is refused; a plain file is replaced.
func TestWriteOutputNeverThroughALink(t *testing.T) {
	work := t.TempDir()
	victim := filepath.Join(t.TempDir(), "authorized_keys")
	if err := os.WriteFile(victim, []byte("victim's own key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	outside := t.TempDir()
	must(t, os.Symlink(victim, filepath.Join(work, "scorecard.html")))
	must(t, os.Symlink(outside, filepath.Join(work, "reports")))
	must(t, os.Symlink(filepath.Join(work, "nowhere"), filepath.Join(work, "dangling.json")))
	must(t, syscall.Mkfifo(filepath.Join(work, "fifo.sarif"), 0o644))
	must(t, os.Mkdir(filepath.Join(work, "dir.xml"), 0o755))
	chdir(t, work)
	for _, name := range []string{"scorecard.html", "reports/scorecard.html", "dangling.json", filepath.Join(work, "scorecard.html"), "fifo.sarif", "dir.xml"} {
		if err := CheckOutput(name); err == nil {
			t.Errorf("CheckOutput(%s) = nil, want a refusal", name)
		}
		err := WriteOutput(name, []byte("REPORT\n"), 0o644)
		if err == nil || !strings.Contains(err.Error(), "refused") {
			t.Errorf("WriteOutput(%s) = %v, want a refusal", name, err)
		}
	}
	if data, _ := os.ReadFile(victim); string(data) != "victim's own key\n" {
		t.Errorf("the link's target was written: %q", data)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("a file was created through the linked directory: %v", entries)
	}
	if _, err := os.Lstat(filepath.Join(work, "nowhere")); err == nil {
		t.Error("the dangling link's target was created")
	}
	// A plain file, new or existing, relative or absolute, is (re)written.
	for _, name := range []string{"new.html", filepath.Join(work, "abs.json"), "new.html"} {
		if err := CheckOutput(name); err != nil {
			t.Errorf("CheckOutput(%s) = %v", name, err)
		}
		if err := WriteOutput(name, []byte("R\n"), 0o644); err != nil {
			t.Errorf("WriteOutput(%s) = %v", name, err)
		}
		if data, _ := os.ReadFile(name); string(data) != "R\n" {
			t.Errorf("%s holds %q", name, data)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// chdir changes the working directory for the rest of the test.
func chdir(t *testing.T, dir string) {
	t.Helper()
	old, err := os.Getwd()
	must(t, err)
	must(t, os.Chdir(dir))
	t.Cleanup(func() { os.Chdir(old) })
}
