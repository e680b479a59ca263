package safefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestReadRegularRefusesFIFOAndDevices(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "config.yml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{fifo, "/dev/zero", t.TempDir()} {
		_, err := ReadRegular(path, 1<<20)
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("ReadRegular(%s) = %v, want a refusal", path, err)
		}
	}
}

func TestReadRegularIsBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(path, make([]byte, 2000), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadRegular(path, 1000); !errors.Is(err, ErrTooLarge) {
		t.Errorf("2000 bytes with a 1000 limit: %v, want ErrTooLarge", err)
	}
	if data, err := ReadRegular(path, 2000); err != nil || len(data) != 2000 {
		t.Errorf("2000 bytes with a 2000 limit: %d bytes, %v", len(data), err)
	}
}

func TestWriteInStaysInside(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	if err := os.Symlink(outside, filepath.Join(root, "dir")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "f"), filepath.Join(root, "f")); err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"dir/x", "f", "../x", "/tmp/x", "a/../../x", ""} {
		if err := WriteIn(root, rel, []byte("x"), 0o644); err == nil {
			t.Errorf("WriteIn(%q) succeeded", rel)
		}
		if err := CheckWritable(root, rel); err == nil && rel != "a/../../x" {
			t.Errorf("CheckWritable(%q) = nil", rel)
		}
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("%d files written outside", len(entries))
	}
	if err := WriteIn(root, "new/sub/file", []byte("ok"), 0o600); err != nil {
		t.Fatal(err)
	}
	data, err := ReadIn(root, "new/sub/file", 10)
	if err != nil || string(data) != "ok" {
		t.Errorf("ReadIn = %q, %v", data, err)
	}
	if info, _ := os.Stat(filepath.Join(root, "new/sub/file")); info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", info.Mode().Perm())
	}
	if _, err := ReadIn(root, "dir/x", 10); err == nil {
		t.Error("ReadIn through a directory link succeeded")
	}
	if _, err := ReadIn(root, "missing", 10); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadIn(missing) = %v, want ErrNotExist", err)
	}
}

func TestResolveInStaysInTheRoot(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "etc/x/conf.d"), 0o755)
	os.WriteFile(filepath.Join(root, "etc/real.yml"), []byte("a: 1\n"), 0o644)
	os.Symlink("/etc/real.yml", filepath.Join(root, "etc/x/abs.yml"))
	os.Symlink("../../../../../../etc/passwd", filepath.Join(root, "etc/x/up.yml"))
	os.Symlink("/", filepath.Join(root, "etc/x/slash"))
	os.Symlink("loop", filepath.Join(root, "etc/x/loop"))
	for p, want := range map[string]string{
		"/etc/x/abs.yml":        "etc/real.yml",
		"etc/x/abs.yml":         "etc/real.yml",
		"../../etc/passwd":      "etc/passwd",
		"/etc/x/up.yml":         "etc/passwd",
		"/etc/x/slash/etc/host": "etc/host",
		"/etc/x/conf.d/../..":   "etc",
	} {
		got, err := ResolveIn(root, p, true)
		if err != nil || got != filepath.Join(root, want) {
			t.Errorf("ResolveIn(%s) = %s, %v; want %s under the root", p, got, err, want)
		}
	}
	if _, err := ResolveIn(root, "/etc/x/loop", true); err == nil {
		t.Error("a link loop resolved")
	}
	if got, _ := ResolveIn(root, "/etc/x/abs.yml", false); got != filepath.Join(root, "etc/x/abs.yml") {
		t.Errorf("followLast false resolved the last link: %s", got)
	}
}
