package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// env is what every attack may use.
type env struct {
	doctordBin    string
	servicekitBin string
	fixtures      string // internal/rules/testdata
	scratch       string // removed at the end

	shared   *target // the daemon, once started
	stop     func()
	startErr error
	started  bool
	n        int // scratch directories handed out
}

// daemon returns the shared wazo-doctord, starting it on first use.
func (e *env) daemon() (*target, error) {
	if !e.started {
		e.started = true
		e.shared, e.stop, e.startErr = start(e.doctordBin)
	}
	return e.shared, e.startErr
}

func (e *env) cleanup() {
	if e.stop != nil {
		e.stop()
	}
	os.RemoveAll(e.scratch)
}

// tempDir is a new empty directory under the scratch directory.
func (e *env) tempDir(name string) string {
	e.n++
	dir := filepath.Join(e.scratch, fmt.Sprintf("%02d-%s", e.n, name))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		panic(err)
	}
	return dir
}

// checkout copies the rules' test checkout fixture (go-service,
// python-service) to a new scratch directory, for an attack to plant its
// traps in.
func (e *env) checkout(fixture string) string {
	dst := filepath.Join(e.tempDir(fixture), fixture)
	cmd := exec.Command("cp", "-a", filepath.Join(e.fixtures, fixture), dst)
	if out, err := cmd.CombinedOutput(); err != nil {
		panic(fmt.Sprintf("copy %s: %v %s", fixture, err, out))
	}
	return dst
}

// Bounds of one command under attack: a tool that withstands answers in
// well under a second with a few tens of MB.
const (
	cmdTimeout = 20 * time.Second
	cmdMaxRSS  = 1 << 20 // kB: 1 GB
)

// outcome is what a command under attack did.
type outcome struct {
	code           int    // exit status; -1 when it was killed
	killed         string // why it was killed (a bound), or ""
	stdout, stderr string
	peakKB         int64 // peak resident memory
	elapsed        time.Duration
}

// figures is the outcome's cost, for a verdict line.
func (o outcome) figures() string {
	return fmt.Sprintf("exit %d, peak RSS %d MB, %s", o.code, o.peakKB>>10, o.elapsed.Round(10*time.Millisecond))
}

// bounded says whether the command ended on its own within the bounds.
func (o outcome) bounded() bool { return o.killed == "" }

// servicekit runs wazo-servicekit with args in dir, killed past cmdTimeout
// or cmdMaxRSS. env adds variables (NAME=value).
func (e *env) servicekit(dir string, args []string, env ...string) outcome {
	bin, err := filepath.Abs(e.servicekitBin)
	if err != nil {
		return outcome{code: -1, killed: err.Error()}
	}
	return runBounded(dir, bin, args, env)
}

func runBounded(dir, bin string, args, env []string) outcome {
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout = &limited{w: &out, n: 16 << 20}
	cmd.Stderr = &limited{w: &errb, n: 1 << 20}
	begin := time.Now()
	if err := cmd.Start(); err != nil {
		return outcome{code: -1, killed: err.Error()}
	}
	done := make(chan struct{})
	var killed string
	go func() {
		tick := time.NewTicker(50 * time.Millisecond) // RSS sampling
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				switch {
				case time.Since(begin) > cmdTimeout:
					killed = fmt.Sprintf("still running after %s: killed", cmdTimeout)
				case rssKB(cmd.Process.Pid) > cmdMaxRSS:
					killed = fmt.Sprintf("resident memory over %d MB: killed", cmdMaxRSS>>10)
				default:
					continue
				}
				cmd.Process.Kill()
				return
			}
		}
	}()
	cmd.Wait()
	close(done)
	o := outcome{code: cmd.ProcessState.ExitCode(), killed: killed, stdout: out.String(), stderr: errb.String(), elapsed: time.Since(begin)}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		o.peakKB = ru.Maxrss
	}
	return o
}

// rssKB is pid's resident memory now (0 once it is gone).
func rssKB(pid int) int64 { return procField(pid, "VmRSS:") }

// limited keeps at most n bytes of what a command writes (and drops the
// rest), so an attack that makes output explode cannot exhaust this process.
type limited struct {
	w io.Writer
	n int
}

func (l *limited) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		l.w.Write(p[:k])
		l.n -= k
	}
	return len(p), nil
}
