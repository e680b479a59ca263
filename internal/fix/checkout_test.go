package fix

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// backupPatch is the certain wazo-backup patch of the fleet, planned on
// the checkout as it is.
func backupPatch(t *testing.T) (sib string, p Patch) {
	t.Helper()
	sib, dirs := fleet(t)
	res, err := Plan(dirs[:1], Options{Siblings: sib, Rules: []string{"backup-list"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Patches {
		if p.Repo == "wazo-backup" && p.Text != "" {
			return sib, p
		}
	}
	t.Fatal("no wazo-backup patch")
	return "", Patch{}
}

// TestApplyWantsAGitCheckoutOfItsOwn: --apply refuses a tree that is not
// a git checkout, one whose .git is a file pointing at a repository
// elsewhere or a link, and a file with uncommitted changes or not
// committed at all; it writes nothing, says why, and the repository the
// .git file points at is untouched.
func TestApplyWantsAGitCheckoutOfItsOwn(t *testing.T) {
	cases := []struct {
		name    string
		prepare func(t *testing.T, repo string)
		says    string
	}{
		{"not a git checkout", func(t *testing.T, repo string) {}, "not a git checkout"},
		{".git a file", func(t *testing.T, repo string) {
			elsewhere := t.TempDir()
			testenv.Git(t, elsewhere, "init", "-q")
			write(t, filepath.Join(repo, ".git"), "gitdir: "+filepath.Join(elsewhere, ".git")+"\n")
		}, "is a file"},
		{".git a link", func(t *testing.T, repo string) {
			elsewhere := t.TempDir()
			testenv.Git(t, elsewhere, "init", "-q")
			if err := os.Symlink(filepath.Join(elsewhere, ".git"), filepath.Join(repo, ".git")); err != nil {
				t.Fatal(err)
			}
		}, "symbolic link"},
		{"uncommitted changes", func(t *testing.T, repo string) {
			commitCheckout(t, repo)
			edit(t, repo, "bin/wazo-backup", "BACKUP_LIST=", "# the owner's work in progress\nBACKUP_LIST=")
		}, "uncommitted changes"},
		{"not committed", func(t *testing.T, repo string) {
			testenv.Git(t, repo, "init", "-q")
		}, "not committed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sib, p := backupPatch(t)
			repo := filepath.Join(sib, "wazo-backup")
			c.prepare(t, repo)
			if c.name == "uncommitted changes" {
				// Planned on the file with the owner's change in it.
				_, p = replan(t, sib, p)
			}
			before := read(t, filepath.Join(repo, "bin/wazo-backup"))
			for _, run := range []func(Patch) error{CheckApplies, Apply} {
				err := run(p)
				if err == nil || !strings.Contains(err.Error(), c.says) || !strings.Contains(err.Error(), "nothing applied") {
					t.Errorf("%v; want refused, saying %q and nothing applied", err, c.says)
				}
			}
			if read(t, filepath.Join(repo, "bin/wazo-backup")) != before {
				t.Error("bin/wazo-backup was written")
			}
		})
	}
	// Committed, the same patch applies.
	sib, p := backupPatch(t)
	commitCheckout(t, filepath.Join(sib, "wazo-backup"))
	if err := Apply(p); err != nil {
		t.Errorf("on a clean checkout: %v", err)
	}
}

// replan plans the wazo-backup patch again on the checkout as it is now.
func replan(t *testing.T, sib string, p Patch) (string, Patch) {
	t.Helper()
	res, err := Plan([]string{filepath.Join(filepath.Dir(sib), "wazo-tallyd")}, Options{Siblings: sib, Rules: []string{"backup-list"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range res.Patches {
		if q.Repo == p.Repo && q.Text != "" {
			return sib, q
		}
	}
	t.Fatal("no patch planned again")
	return "", Patch{}
}

// TestPatchNamesOnlyPlainFiles: an edit of a file whose name holds a
// newline or a space is refused before any diff names it.
func TestPatchNamesOnlyPlainFiles(t *testing.T) {
	for _, rel := range []string{"debian/x\n+++ b/evil", "debian/a b", "../outside", "/etc/passwd"} {
		_, err := applyEdits(t.TempDir(), []ownEdit{{rel: rel, create: true,
			change: func(string) (string, error) { return "x\n", nil },
			verify: func(string, string) error { return nil }}}, map[string][]byte{}, map[string]string{}, new([]string), nil)
		if err == nil || !strings.Contains(err.Error(), "not a file name") {
			t.Errorf("%q: %v, want refused", rel, err)
		}
	}
}

// TestUnknownIsListedApart: a sibling file check cannot read (a FIFO) is
// no failure to fix: the rule is listed apart as unknown, with what check
// could not see, and no patch names the file.
func TestUnknownIsListedApart(t *testing.T) {
	sib, dirs := fleet(t)
	backup := filepath.Join(sib, "wazo-backup", "bin", "wazo-backup")
	if err := os.Remove(backup); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(backup, 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Plan(dirs[:1], Options{Siblings: sib, Rules: []string{"backup-list"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 0 || len(res.Unknown) != 1 || !strings.Contains(res.Unknown[0].Why, "FIFO") {
		t.Errorf("items %+v, unknown %+v; want backup-list unknown, saying the file is a FIFO", res.Items, res.Unknown)
	}
	for _, p := range res.Patches {
		if p.Repo == "wazo-backup" && p.Text != "" {
			t.Errorf("wazo-backup patched:\n%s", p.Text)
		}
	}
}
