package pidfile

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestMain lets a test start this same binary as a long-running process, so
// that a PID file can hold the pid of a live process with our name.
func TestMain(m *testing.M) {
	if os.Getenv("PIDFILE_TEST_SLEEP") == "1" {
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestCreateWritesPidAndRemoves(t *testing.T) {
	path := filepath.Join(t.TempDir(), "svc.pid")
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if string(data) != strconv.Itoa(os.Getpid())+"\n" {
		t.Errorf("content %q, want our pid and a newline", data)
	}
	if left, _ := filepath.Glob(path + ".*"); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	if err := f.Remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("PID file still there after Remove: %v", err)
	}
}

func TestStaleFileIsReplaced(t *testing.T) {
	for name, content := range map[string]string{
		"dead pid":        deadPID(t) + "\n",
		"other program":   otherProgramPID(t) + "\n",
		"garbage":         "not a pid\n",
		"empty":           "",
		"negative number": "-5\n",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "svc.pid")
			os.WriteFile(path, []byte(content), 0o644)
			f, err := Create(path)
			if err != nil {
				t.Fatalf("a stale file (%s) must be replaced: %v", name, err)
			}
			defer f.Remove()
			data, _ := os.ReadFile(path)
			if strings.TrimSpace(string(data)) != strconv.Itoa(os.Getpid()) {
				t.Errorf("content %q", data)
			}
		})
	}
}

func TestLiveInstanceIsRefused(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PIDFILE_TEST_SLEEP=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	path := filepath.Join(t.TempDir(), "svc.pid")
	os.WriteFile(path, []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o644)
	if _, err := Create(path); err == nil || !strings.Contains(err.Error(), "already running") {
		t.Fatalf("want a refusal naming the running instance, got %v", err)
	}
	data, _ := os.ReadFile(path)
	if strings.TrimSpace(string(data)) != strconv.Itoa(cmd.Process.Pid) {
		t.Errorf("the live instance's PID file was changed: %q", data)
	}
}

func TestRemoveLeavesAnotherInstancesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "svc.pid")
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, []byte("12345\n"), 0o644) // a newer instance took over
	if err := f.Remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("Remove deleted a file that no longer held our pid: %v", err)
	}
}

func TestUnwritableDirectoryIsExplained(t *testing.T) {
	_, err := Create(filepath.Join(t.TempDir(), "no-such-dir", "svc.pid"))
	if err == nil || !strings.Contains(err.Error(), "no-such-dir") {
		t.Errorf("want an error naming the directory, got %v", err)
	}
}

func deadPID(t *testing.T) string {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("needs true(1)")
	}
	return strconv.Itoa(cmd.Process.Pid)
}

func otherProgramPID(t *testing.T) string {
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Skip("needs sleep(1)")
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return strconv.Itoa(cmd.Process.Pid)
}
