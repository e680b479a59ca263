//go:build e2e

package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// container is a Debian root booted with systemd-nspawn. It shares the host
// network, so its daemons are reachable on 127.0.0.1 from the test.
type container struct {
	root    string
	logPath string
	cmd     *exec.Cmd
	pid1    int // the container's systemd, as seen from the host
	done    chan struct{}
	booted  time.Time
}

// bootContainer boots root and waits until its systemd has finished
// starting up (nspawnArgs: more systemd-nspawn options, e.g.
// --private-network). The container is powered off (or killed) when owner's test
// ends (owner may be a parent of t, so that a container booted in one step
// serves the next ones).
func bootContainer(t *testing.T, owner *testing.T, root, logPath string, nspawnArgs ...string) *container {
	t.Helper()
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatalf("open nspawn log: %v", err)
	}
	c := &container{root: root, logPath: logPath, done: make(chan struct{})}
	c.cmd = exec.Command("systemd-nspawn", append([]string{"-D", root, "--register=no", "--keep-unit",
		"--console=pipe", "-b"}, nspawnArgs...)...)
	c.cmd.Stdout, c.cmd.Stderr = logFile, logFile
	// If the test binary dies, nspawn gets SIGTERM and halts the container.
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	c.booted = time.Now()
	if err := c.cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("start systemd-nspawn: %v", err)
	}
	go func() { c.cmd.Wait(); logFile.Close(); close(c.done) }()
	owner.Cleanup(func() { c.stop(owner) })

	deadline := time.Now().Add(60 * time.Second)
	for c.pid1 == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("container's systemd never appeared under nspawn PID %d; see %s", c.cmd.Process.Pid, logPath)
		}
		select {
		case <-c.done:
			t.Fatalf("systemd-nspawn exited during boot; see %s:\n%s", logPath, tail(logPath, 30))
		case <-time.After(50 * time.Millisecond):
		}
		c.pid1 = findDescendant(c.cmd.Process.Pid, "systemd", 3)
	}
	for {
		out, _ := c.run("systemctl", "is-system-running")
		state := strings.TrimSpace(out)
		if state == "running" || state == "degraded" {
			if state == "degraded" {
				failed, _ := c.run("systemctl", "--failed", "--no-legend", "--plain")
				t.Logf("container booted degraded; failed units:\n%s", failed)
			}
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("container not up after 60 s (state %q); see %s", state, logPath)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// findDescendant returns the PID of the first process named comm at most
// depth levels below pid, or 0.
func findDescendant(pid int, comm string, depth int) int {
	if depth == 0 {
		return 0
	}
	children, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	if err != nil {
		return 0
	}
	for _, f := range strings.Fields(string(children)) {
		child, _ := strconv.Atoi(f)
		name, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", child))
		if strings.TrimSpace(string(name)) == comm {
			return child
		}
		if d := findDescendant(child, comm, depth-1); d != 0 {
			return d
		}
	}
	return 0
}

// run executes a command inside the container (all its namespaces) with a
// clean environment, and returns its combined output.
func (c *container) run(args ...string) (string, error) {
	full := append([]string{"-t", strconv.Itoa(c.pid1), "-a", "env", "-i",
		"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "LANG=C.UTF-8",
		"DEBIAN_FRONTEND=noninteractive"}, args...)
	cmd := exec.Command("nsenter", full...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// must runs a command in the container and fails the test if it fails.
func (c *container) must(t *testing.T, args ...string) string {
	t.Helper()
	out, err := c.run(args...)
	if err != nil {
		t.Fatalf("in container: %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// poweroff shuts the container down cleanly and waits for nspawn to exit.
func (c *container) poweroff(t *testing.T) {
	t.Helper()
	c.run("systemctl", "poweroff") // the connection may drop: nspawn's exit is the proof
	select {
	case <-c.done:
	case <-time.After(60 * time.Second):
		t.Fatalf("container did not power off within 60 s; see %s", c.logPath)
	}
}

// stop is the cleanup: poweroff if still running, else SIGKILL nspawn and
// the container's init by PID.
func (c *container) stop(t *testing.T) {
	select {
	case <-c.done:
		return
	default:
	}
	if c.pid1 != 0 {
		c.run("systemctl", "poweroff")
	}
	select {
	case <-c.done:
		return
	case <-time.After(30 * time.Second):
	}
	t.Logf("container did not stop, killing nspawn PID %d and init PID %d", c.cmd.Process.Pid, c.pid1)
	if c.pid1 != 0 {
		syscall.Kill(c.pid1, syscall.SIGKILL)
	}
	c.cmd.Process.Kill()
	<-c.done
}

func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
