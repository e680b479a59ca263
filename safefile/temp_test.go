package safefile

import (
	"os"
	"strings"
	"testing"
)

// TestPrivateTempLeavesNothingOnDisk: the file is 0600, readable and
// writable by the process, and neither it nor its directory has a name
// another process could open.
func TestPrivateTempLeavesNothingOnDisk(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	f, err := PrivateTemp()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || info.Mode().Perm() != 0o600 || info.Sys() == nil {
		t.Fatalf("mode %v (%v), want 0600", info.Mode(), err)
	}
	if _, err := f.WriteAt([]byte("cell"), 0); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := f.ReadAt(buf, 0); err != nil || string(buf) != "cell" {
		t.Fatalf("read back %q, %v", buf, err)
	}
	entries, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if len(left) > 0 {
		t.Errorf("left in the temporary directory: %s", strings.Join(left, ", "))
	}
}
