package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wazo-platform/wazo-servicekit/config"
	"github.com/wazo-platform/wazo-servicekit/internal/doctor"
	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// waitExit waits for the process to end, failing the test past within.
func (p *daemonProc) waitExit(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.exit
	case <-time.After(within):
		t.Fatalf("wazo-doctord still running %s later; stderr:\n%s", within, p.stderr)
		return -1
	}
}

// TestFIFOInConfDStopsStartUpWithAMessage: a FIFO in conf.d hung start-up
// forever (and SIGTERM was ignored meanwhile).
func TestFIFOInConfDStopsStartUpWithAMessage(t *testing.T) {
	p := launch(t, "log_file: ''\npid_file: ''\nuser: ''\n", []string{"--dev"})
	dir := filepath.Dir(p.cmd.Args[2])
	p.cmd.Process.Kill()
	<-p.done
	fifo := filepath.Join(dir, "conf.d", "50-fifo.yml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-c", p.cmd.Args[2], "--dev")
	cmd.Env = append(os.Environ(), "WAZO_DOCTORD_RUN_MAIN=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatal("start-up still blocked on the FIFO 20 s later")
	}
	if cmd.ProcessState.ExitCode() != 1 || !strings.Contains(stderr.String(), fifo) || !strings.Contains(stderr.String(), "FIFO") {
		t.Errorf("exit %d, stderr %q: want 1 and a message naming the FIFO", cmd.ProcessState.ExitCode(), stderr.String())
	}
}

// TestSIGHUPReopensTheLogAndStaysUp: SIGHUP killed the daemon (exit 129)
// without deregistering or removing the PID file. Now it reopens the log
// file (logrotate moved the old one away) and keeps serving.
func TestSIGHUPReopensTheLogAndStaysUp(t *testing.T) {
	dir := worldReadableTempDir(t)
	logFile, pidFile := filepath.Join(dir, "d.log"), filepath.Join(dir, "d.pid")
	p := start(t, devConfig(t, fmt.Sprintf("log_file: %s\npid_file: %s\n", logFile, pidFile)), []string{"--dev"})
	if err := os.Rename(logFile, logFile+".1"); err != nil {
		t.Fatal(err)
	}
	p.cmd.Process.Signal(syscall.SIGHUP)
	deadline := time.Now().Add(20 * time.Second)
	for {
		data, _ := os.ReadFile(logFile)
		if strings.Contains(string(data), "SIGHUP: log file reopened") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no new log file after SIGHUP; exited: %v; stderr:\n%s", p.cmd.ProcessState != nil, p.stderr)
		}
		time.Sleep(20 * time.Millisecond) // polling interval
	}
	if !p.waitServing(t, 10*time.Second) {
		t.Fatal("not serving after SIGHUP")
	}
	// The response line is written once the answer is sent: poll for it.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) { // polling interval
		data, _ := os.ReadFile(logFile)
		if strings.Contains(string(data), "response: GET /1.0/api/api.yml") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("requests after SIGHUP are not logged in the new file:\n%s", data)
		}
	}
	if code := p.stop(t); code != 0 {
		t.Errorf("exit %d", code)
	}
	if _, err := os.Stat(pidFile); !os.IsNotExist(err) {
		t.Error("PID file left")
	}
}

// TestStderrReaderGoneDoesNotKillTheDaemon: when the reader of stderr went
// away, the next WARNING (copied to stderr) killed the daemon with SIGPIPE,
// even though it logs to a file.
func TestStderrReaderGoneDoesNotKillTheDaemon(t *testing.T) {
	dir := worldReadableTempDir(t)
	logFile := filepath.Join(dir, "d.log")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	p := launch(t, devConfig(t, fmt.Sprintf("log_file: %s\n", logFile)), []string{"--dev"})
	p.cmd.Process.Kill()
	<-p.done
	// The same daemon again, its stderr a pipe whose reader will close.
	q := relaunch(t, p, w)
	cmd := q.cmd
	w.Close()
	if !q.waitServing(t, 20*time.Second) {
		t.Fatal("not serving")
	}
	r.Close()
	cmd.Process.Signal(syscall.SIGTERM) // the stop line is a WARNING: copied to stderr
	q.waitExit(t, 30*time.Second)
	if ws := cmd.ProcessState.Sys().(syscall.WaitStatus); ws.Signaled() || q.exit != 0 {
		t.Errorf("after stderr's reader went away: exit %d, signal %v; want a clean exit 0", q.exit, ws.Signal())
	}
	if data, _ := os.ReadFile(logFile); !strings.Contains(string(data), "wazo-doctord stopped") {
		t.Errorf("the log lacks the stop:\n%s", data)
	}
}

// TestRootRefusesPlantedLinksInWritableDirectories: started as root with a
// PID or log directory another user can write, planted links were
// followed (a root-owned file got the pid, log lines went to another file).
func TestRootRefusesPlantedLinksInWritableDirectories(t *testing.T) {
	testenv.RequireRoot(t)
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("root's file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, what := range []string{"log_file", "pid_file"} {
		open := worldReadableTempDir(t)
		os.Chmod(open, 0o1777) // like /tmp: anyone may plant a link
		planted := filepath.Join(open, "wazo-doctord."+what)
		if err := os.Symlink(victim, planted); err != nil {
			t.Fatal(err)
		}
		if what == "pid_file" {
			// The temporary file's name is predictable too.
			for pid := 0; pid < 3; pid++ {
				os.Symlink(victim, fmt.Sprintf("%s.%d", planted, pid))
			}
		}
		p := launch(t, devConfig(t, what+": "+planted+"\n"), []string{"--dev"})
		code := p.waitExit(t, 20*time.Second)
		if code != 1 || !strings.Contains(p.stderr.String(), "writable by other users") {
			t.Errorf("%s in a world-writable directory as root: exit %d, stderr %q", what, code, p.stderr)
		}
		if data, _ := os.ReadFile(victim); string(data) != "root's file\n" {
			t.Errorf("%s: the planted link was followed: %q", what, data)
		}
	}
}

// TestConfigWarningsNameTheFile: unknown keys and broken conf.d links were
// accepted silently.
func TestConfigWarningsNameTheFile(t *testing.T) {
	dir := worldReadableTempDir(t)
	logFile := filepath.Join(dir, "d.log")
	p := launch(t, devConfig(t, fmt.Sprintf("log_file: %s\nlog_levl: debug\nrest_api: {max_conections: 3}\n", logFile)), []string{"--dev"})
	confd := filepath.Join(filepath.Dir(p.cmd.Args[2]), "conf.d")
	p.cmd.Process.Kill()
	<-p.done
	os.Symlink("/nonexistent/x.yml", filepath.Join(confd, "60-broken.yml"))
	q := relaunch(t, p, nil)
	if !q.waitServing(t, 20*time.Second) {
		t.Fatalf("not serving: %s", q.stderr)
	}
	q.stop(t)
	test := filepath.Join(confd, "00-test.yml")
	written, _ := os.ReadFile(test)
	lineOf := func(key string) int {
		return strings.Count(string(written[:bytes.Index(written, []byte(key))]), "\n") + 1
	}
	data, _ := os.ReadFile(logFile)
	for _, want := range []string{
		"(WARNING)", fmt.Sprintf("%s:%d: unknown key log_levl", test, lineOf("log_levl")),
		fmt.Sprintf("%s:%d: unknown key rest_api.max_conections", test, lineOf("max_conections")),
		filepath.Join(confd, "60-broken.yml") + ": skipped",
	} {
		if !strings.Contains(string(data), want) {
			t.Errorf("the log lacks %q:\n%s", want, data)
		}
	}
}

// TestShippedConfigHasNoUnknownKeys: the packaged config.yml and the
// built-in defaults give no unknown-key warning.
func TestShippedConfigHasNoUnknownKeys(t *testing.T) {
	var cfg doctor.Config
	loaded, err := config.Load(config.Options{Defaults: defaults, Args: []string{"-c", "../../etc/wazo-doctord/config.yml"}, Getenv: func(string) string { return "u" }}, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range loaded.Notes {
		if strings.Contains(n, "unknown key") {
			t.Error(n)
		}
	}
}

// relaunch starts the command line of an ended p again, its stderr to
// stderr (nil: a buffer).
func relaunch(t *testing.T, p *daemonProc, stderr *os.File) *daemonProc {
	t.Helper()
	q := &daemonProc{port: p.port, stderr: &bytes.Buffer{}, done: make(chan struct{})}
	q.cmd = exec.Command(os.Args[0], p.cmd.Args[1:]...)
	q.cmd.Env = p.cmd.Env
	if stderr != nil {
		q.cmd.Stderr = stderr
	} else {
		q.cmd.Stderr = &lockedWriter{w: q.stderr}
	}
	if err := q.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { q.cmd.Wait(); q.exit = q.cmd.ProcessState.ExitCode(); close(q.done) }()
	t.Cleanup(func() {
		select {
		case <-q.done:
		default:
			q.cmd.Process.Kill()
			<-q.done
		}
	})
	return q
}
