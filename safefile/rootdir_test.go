package safefile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRootDirCheckWalksEveryAncestor: with a log directory below a
// directory of another user, that user replaced the directory with a link
// to one of root's, and the root daemon appended its log and wrote its PID
// file there: only the last directory was checked, through the link.
func TestRootDirCheckWalksEveryAncestor(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the check only applies to root, and the test gives a directory to another uid")
	}
	const other = 64123
	base := t.TempDir()
	atk, rootDir := filepath.Join(base, "atk"), filepath.Join(base, "rootdir")
	for _, d := range []string{atk, rootDir} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(atk, other, other); err != nil {
		t.Fatal(err)
	}
	// What the other user does: atk/sub becomes a link to root's directory.
	if err := os.Symlink(rootDir, filepath.Join(atk, "sub")); err != nil {
		t.Fatal(err)
	}
	os.Lchown(filepath.Join(atk, "sub"), other, other)
	err := CheckDirForRoot(filepath.Join(atk, "sub"))
	if err == nil || !strings.Contains(err.Error(), atk+" belongs to uid 64123") {
		t.Errorf("a directory below another user's: %v", err)
	}

	if err := CheckDirForRoot(rootDir); err != nil {
		t.Errorf("root's own directory refused: %v", err)
	}
	// A link of root's in root's directory is followed (as /var/run is).
	rootLink := filepath.Join(base, "rootlink")
	if err := os.Symlink("rootdir", rootLink); err != nil {
		t.Fatal(err)
	}
	if err := CheckDirForRoot(filepath.Join(rootLink)); err != nil {
		t.Errorf("a link of root's to root's directory refused: %v", err)
	}
	otherLink := filepath.Join(base, "otherlink")
	os.Symlink(rootDir, otherLink)
	if err := os.Lchown(otherLink, other, other); err != nil {
		t.Fatal(err)
	}
	if err := CheckDirForRoot(filepath.Join(otherLink)); err == nil || !strings.Contains(err.Error(), "symbolic link owned by uid 64123") {
		t.Errorf("a link of another user's: %v", err)
	}
	// A world-writable directory above without the sticky bit.
	open := filepath.Join(base, "open")
	os.Mkdir(open, 0o755)
	os.Chmod(open, 0o777)
	os.Mkdir(filepath.Join(open, "log"), 0o755)
	if err := CheckDirForRoot(filepath.Join(open, "log")); err == nil || !strings.Contains(err.Error(), "without the sticky bit") {
		t.Errorf("below a world-writable directory: %v", err)
	}
	os.Chmod(open, os.ModeSticky|0o777)
	if err := CheckDirForRoot(filepath.Join(open, "log")); err != nil {
		t.Errorf("below a sticky world-writable directory (as /tmp): %v", err)
	}
}
