package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// TestFixCommand: fix on the metamorphic daemon missing from wazo-backup's
// list writes the patch with --out, applies it with --apply, and check then
// passes backup-list; without --siblings it is a usage error.
func TestFixCommand(t *testing.T) {
	if code, _, errs := runCLI(t, "fix", "."); code != exitUsage || !strings.Contains(errs, "--siblings") {
		t.Errorf("fix without --siblings: exit %d, %q", code, errs)
	}
	root := testenv.CopyTree(t, "../../test/metamorphic/testdata", nil)
	sib, svc := filepath.Join(root, "siblings"), filepath.Join(root, "wazo-tallyd")
	backup := filepath.Join(sib, "wazo-backup", "bin", "wazo-backup")
	mutate(t, backup, "                 /etc/wazo-tallyd/\n", "")
	// --apply writes into a git checkout, over files as committed.
	testenv.Git(t, filepath.Join(sib, "wazo-backup"), "init", "-q")
	testenv.Git(t, filepath.Join(sib, "wazo-backup"), "add", "-A")
	testenv.Git(t, filepath.Join(sib, "wazo-backup"), "commit", "-q", "-m", "as the owner left it")
	out := t.TempDir()
	code, stdout, errs := runCLI(t, "fix", svc, "--siblings", sib, "--rule", "backup-list", "--out", out, "--diff")
	if code != exitClean || !strings.Contains(stdout, "+                 /etc/wazo-tallyd/") {
		t.Fatalf("fix --out --diff: exit %d\n%s%s", code, stdout, errs)
	}
	for _, f := range []string{"wazo-backup.diff", "wazo-backup.msg"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("--out: %v", err)
		}
	}
	if code, _, _ := runCLI(t, "check", svc, "--siblings", sib, "--rule", "backup-list"); code != exitFindings {
		t.Fatalf("check before --apply: exit %d, want the failure (nothing applied yet)", code)
	}
	if code, stdout, errs := runCLI(t, "fix", svc, "--siblings", sib, "--rule", "backup-list", "--apply", "--dry-run"); code != exitClean || !strings.Contains(stdout, "not applied") {
		t.Fatalf("fix --apply --dry-run: exit %d\n%s%s", code, stdout, errs)
	}
	if code, stdout, errs := runCLI(t, "fix", svc, "--siblings", sib, "--rule", "backup-list", "--apply"); code != exitClean || !strings.Contains(stdout, "wazo-backup: applied") {
		t.Fatalf("fix --apply: exit %d\n%s%s", code, stdout, errs)
	}
	if code, stdout, _ := runCLI(t, "check", svc, "--siblings", sib, "--rule", "backup-list"); code != exitClean {
		t.Errorf("check after --apply: exit %d\n%s", code, stdout)
	}
}
