package host

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPIDOfLooksAtThisMachinesProcessesOnlyForItsOwnRoot: a process of
// this machine named like the service is the service's only when the
// audited root is this machine's; for another root (an image, a test's
// fixture) it is somebody else's.
func TestPIDOfLooksAtThisMachinesProcessesOnlyForItsOwnRoot(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("needs sleep(1) to start a process of a known name")
	}
	const name = "wazo-pidoftest"
	bin := filepath.Join(t.TempDir(), name)
	data, err := os.ReadFile(sleep)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })

	own := &Host{Root: "/", Live: true}
	deadline := time.Now().Add(10 * time.Second)
	pid, err := own.PIDOf(name, "")
	for err != nil && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // polling interval: the child execs
		pid, err = own.PIDOf(name, "")
	}
	if err != nil || pid != cmd.Process.Pid {
		t.Fatalf("this machine's root: PIDOf = %d, %v; want %d", pid, err, cmd.Process.Pid)
	}

	other := &Host{Root: t.TempDir(), Live: true}
	if pid, err := other.PIDOf(name, ""); err == nil || !strings.Contains(err.Error(), "not those of") {
		t.Fatalf("another root: PIDOf = %d, %v; want an error saying this machine's processes are not the root's", pid, err)
	}
}
