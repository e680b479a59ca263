package host

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestAuditRootReadsOnlyInsideTheImage: a relative extra_config_files
// read the host's files; links in the image pointed at the host's.
func TestAuditRootReadsOnlyInsideTheImage(t *testing.T) {
	outside := t.TempDir()
	writeFile(t, outside+"/conf.d/10-host.yml", "user: from-the-host\n")
	writeFile(t, outside+"/secret.yml", "user: host-secret\n")
	root := t.TempDir()
	etc := root + "/etc/wazo-x"
	up := strings.Repeat("../", strings.Count(root, "/")+2)
	writeFile(t, etc+"/config.yml", fmt.Sprintf("log_level: info\nextra_config_files: %s%s/conf.d\n", up, outside))
	if err := os.MkdirAll(etc+"/conf.d", 0o755); err != nil {
		t.Fatal(err)
	}
	got, _ := Open(root).Config("wazo-x")
	if got["user"] == "from-the-host" {
		t.Errorf("a relative extra_config_files read the host's %s/conf.d", outside)
	}

	writeFile(t, etc+"/config.yml", "log_level: info\n")
	if err := os.Symlink(outside+"/secret.yml", etc+"/conf.d/20-link.yml"); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside+"/conf.d", root+"/etc/wazo-x/conf.d/30-dir.yml"); err != nil {
		t.Fatal(err)
	}
	got, _ = Open(root).Config("wazo-x")
	if got["user"] == "host-secret" {
		t.Errorf("an absolute link in the image read the host's %s", outside+"/secret.yml")
	}
	// Resolved inside the image, the same link reads the image's file.
	writeFile(t, root+outside+"/secret.yml", "user: image-file\n")
	if got, _ = Open(root).Config("wazo-x"); got["user"] != "image-file" {
		t.Errorf("an absolute link in the image: user = %v, want the image's file", got["user"])
	}
}

// TestAuditRootRefusesDevicesAndFIFOs: config.yml -> /dev/zero took 2 GB
// and a FIFO hung the audit forever.
func TestAuditRootRefusesDevicesAndFIFOs(t *testing.T) {
	root := t.TempDir()
	etc := root + "/etc/wazo-x"
	os.MkdirAll(etc+"/conf.d", 0o755)
	os.MkdirAll(root+"/dev", 0o755)
	if err := syscall.Mkfifo(root+"/dev/fifo", 0o644); err != nil {
		t.Fatal(err)
	}
	os.Symlink("/dev/zero", etc+"/config.yml")
	if _, problems := Open(root).Config("wazo-x"); len(problems) == 0 {
		t.Error("config.yml -> /dev/zero (absent from the image) gave no problem")
	}
	os.Remove(etc + "/config.yml")
	if err := syscall.Mkfifo(etc+"/config.yml", 0o644); err != nil {
		t.Fatal(err)
	}
	if _, problems := Open(root).Config("wazo-x"); len(problems) == 0 || !strings.Contains(problems[0], "FIFO") {
		t.Errorf("config.yml a FIFO: %v", problems)
	}
	// Open("/") reads the real /dev/zero only as a refusal.
	if _, err := Open("/").ReadFile(filepath.Clean("/dev/zero")); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("ReadFile(/dev/zero) = %v", err)
	}
}

// TestAuditRootOpenStaysInTheImage: the log-format probe opened the log
// file through a link out of the image, and would block on a FIFO.
func TestAuditRootOpenStaysInTheImage(t *testing.T) {
	outside := t.TempDir()
	writeFile(t, outside+"/host.log", "host line\n")
	root := t.TempDir()
	os.MkdirAll(root+"/var/log", 0o755)
	os.Symlink(outside+"/host.log", root+"/var/log/wazo-x.log")
	if f, err := Open(root).Open("/var/log/wazo-x.log"); err == nil {
		f.Close()
		t.Error("Open followed a link out of the image")
	}
	syscall.Mkfifo(root+"/var/log/fifo.log", 0o644)
	if _, err := Open(root).Open("/var/log/fifo.log"); err == nil || !strings.Contains(err.Error(), "FIFO") {
		t.Errorf("Open of a FIFO: %v", err)
	}
	os.Symlink(outside, root+"/etc-link")
	if entries, _ := Open(root).ReadDir("/etc-link"); len(entries) != 0 {
		t.Errorf("ReadDir listed %d entries of a directory out of the image", len(entries))
	}
}

// The audited service's user owns its PID file: made a link to /dev/zero,
// a FIFO or a huge file, it is refused at once (the process is then found
// by name), not read until memory runs out nor waited on forever.
func TestPIDFileIsReadBounded(t *testing.T) {
	dir := t.TempDir()
	zero := filepath.Join(dir, "zero.pid")
	fifo := filepath.Join(dir, "fifo.pid")
	big := filepath.Join(dir, "big.pid")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(big, []byte(strconv.Itoa(os.Getpid())+"\n"+strings.Repeat(" ", 1<<20)), 0o644); err != nil {
		t.Fatal(err)
	}
	h := Open("/")
	for _, p := range []string{zero, fifo, big} {
		done := make(chan error, 1)
		go func() { _, err := h.PIDOf("no-such-daemon-x", p); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "no running process") {
				t.Errorf("PIDOf(%s) = %v, want the PID file ignored", p, err)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("PIDOf(%s) still reading after 20 s", p)
		}
	}
	// A good PID file is still read.
	good := filepath.Join(dir, "good.pid")
	os.WriteFile(good, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644)
	if pid, err := h.PIDOf("no-such-daemon-x", good); err != nil || pid != os.Getpid() {
		t.Errorf("PIDOf(good) = %d, %v; want %d", pid, err, os.Getpid())
	}
}
