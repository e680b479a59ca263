package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/wazo-platform/wazo-servicekit/authtest"
	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// Daemon corners: attacks that need a wazo-doctord of their own (its
// connection limit, its log file, its directories) rather than the shared
// one.

func init() {
	register(
		attack{"N10", "more silent connections than max_connections, reopened when closed: a real client waits", silentConnections},
		daemonAttack("N11", "spaces, [ ] and = in the path forge trace ids, client and status; U+2028/2029/202E raw", logFieldForging),
		daemonAttack("N17", "the log file is created readable by every user", logFileMode),
		attack{"N12", "log_file is a FIFO: start-up hangs and ignores SIGTERM", fifoLogFile},
		attack{"N12", "as root, an ancestor's owner swaps the log directory for a link to root's", ancestorLink},
		attack{"N13", "GET /config shows pass, pwd, auth, cookie, a DSN password, keys, a *_path secret", moreConfigSecrets},
	)
}

// ownDaemon starts a wazo-doctord of its own on 127.0.0.1, logging in dir,
// with extra YAML appended to its config (a key given there wins), and
// waits until it serves. A fake wazo-auth of its own accepts token.
func (e *env) ownDaemon(dir, extra string) (*target, func(), error) {
	port, err := freePort()
	if err != nil {
		return nil, nil, err
	}
	auth, err := authtest.NewFakeAuth()
	if err != nil {
		return nil, nil, err
	}
	auth.AddToken(token, []string{"doctor.#"})
	t := &target{base: fmt.Sprintf("http://127.0.0.1:%d", port), addr: fmt.Sprintf("127.0.0.1:%d", port),
		logFile: filepath.Join(dir, "wazo-doctord.log"), auth: auth}
	conf := fmt.Sprintf("log_file: %s\npid_file: ''\nuser: ''\nauth: {host: 127.0.0.1, port: %d}\nbus: {enabled: false}\nservice_discovery: {enabled: false}\n",
		t.logFile, auth.Port)
	if !strings.Contains(extra, "rest_api:") {
		conf += fmt.Sprintf("rest_api: {port: %d}\n", port)
	} else {
		extra = strings.Replace(extra, "rest_api: {", fmt.Sprintf("rest_api: {port: %d, ", port), 1)
	}
	cfg := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfg, []byte(conf+extra), 0o644); err != nil {
		auth.Close()
		return nil, nil, err
	}
	t.cmd = exec.Command(e.doctordBin, "--dev", "-c", cfg)
	t.cmd.Stderr = io.Discard
	if err := t.cmd.Start(); err != nil {
		auth.Close()
		return nil, nil, err
	}
	stop := func() {
		t.cmd.Process.Kill()
		t.cmd.Wait()
		auth.Close()
	}
	if !pollUntil(10*time.Second, func() bool {
		status, _, _ := get(t, "/1.0/api/api.yml", nil)
		return status == 200
	}) {
		stop()
		return nil, nil, fmt.Errorf("%s did not serve within 10 s", e.doctordBin)
	}
	return t, stop, nil
}

// silentConnections: 40 connections that never send a byte, reopened as
// soon as the daemon closes one, against max_connections 20 and the
// default 10 s header timeout. Each real request must be answered within
// 5 s (it waited 11 to 15 s).
func silentConnections(e *env) (bool, string) {
	t, stop, err := e.ownDaemon(e.tempDir("silent"), "rest_api: {max_connections: 20}\n")
	if err != nil {
		return false, err.Error()
	}
	defer stop()
	ctx, cancel := context.WithCancel(context.Background())
	wait := testenv.SilentClients(ctx, t.addr, 40, 8000)
	defer func() { cancel(); wait() }()
	slowest := time.Duration(0)
	quick := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for i := 0; i < 5; i++ {
		begin := time.Now()
		resp, err := quick.Get(t.base + "/1.0/api/api.yml")
		if err != nil {
			return false, fmt.Sprintf("request %d: no answer within 5 s: %v", i, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		slowest = max(slowest, time.Since(begin))
	}
	return true, fmt.Sprintf("5 real requests answered, the slowest in %s (silent connections closed after 1 s when the limit is full)", slowest.Round(time.Millisecond))
}

// logFieldForging sends the report's path and looks at the line it made.
func logFieldForging(t *target) (bool, string) {
	get(t, "/1.0/status%20%5Bspan_id=1111111111111111%20parent_id=-%20trace_id=deadbeefdeadbeefdeadbeefdeadbeef%5D%20client=10.9.8.7:4444%20status=200%20bytes=27", nil)
	get(t, "/1.0/attack%E2%80%A8next%E2%80%A9line%E2%80%AEreversed", nil)
	var forged, reordered string
	for _, line := range strings.Split(syncedLog(t), "\n") {
		if strings.Contains(line, "deadbeef") {
			forged = line
		}
		if strings.Contains(line, "attack") && strings.Contains(line, "reversed") {
			reordered = line
		}
	}
	if forged == "" || reordered == "" {
		return false, "the requests were not logged"
	}
	for _, field := range []string{"trace_id=", "client=", "status=", "bytes="} {
		if n := strings.Count(forged, field); n != 1 {
			return false, fmt.Sprintf("%q %d times on the line: %.200s", field, n, forged)
		}
	}
	if strings.ContainsAny(reordered, "\u2028\u2029\u202e") {
		return false, "U+2028, U+2029 or U+202E written raw"
	}
	return true, "each field once on the line (the path percent-encoded), separators and bidi controls escaped"
}

// logFileMode: the log of the shared daemon, which created it.
func logFileMode(t *target) (bool, string) {
	info, err := os.Stat(t.logFile)
	if err != nil {
		return false, err.Error()
	}
	if info.Mode().Perm()&0o007 != 0 {
		return false, fmt.Sprintf("created with mode %04o", info.Mode().Perm())
	}
	return true, fmt.Sprintf("created with mode %04o", info.Mode().Perm())
}

// fifoLogFile starts the daemon with a FIFO as log_file and no reader; it
// must refuse at once (it blocked in open, and ignored SIGTERM and SIGINT).
func fifoLogFile(e *env) (bool, string) {
	dir := e.tempDir("fifo-log")
	fifo := filepath.Join(dir, "fifo.log")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		return false, err.Error()
	}
	cfg := filepath.Join(dir, "config.yml")
	conf := fmt.Sprintf("log_file: %s\npid_file: ''\nuser: ''\nrest_api: {port: 1}\nbus: {enabled: false}\nservice_discovery: {enabled: false}\n", fifo)
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		return false, err.Error()
	}
	cmd := exec.Command(e.doctordBin, "--dev", "-c", cfg)
	var stderr strings.Builder
	cmd.Stderr = &limited{w: &stderr, n: 64 << 10}
	if err := cmd.Start(); err != nil {
		return false, err.Error()
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
			return false, "still starting 5 s later (SIGTERM ended it)"
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
			return false, "still starting 5 s later, and 5 s after SIGTERM: killed"
		}
	}
	if cmd.ProcessState.ExitCode() == 0 || !strings.Contains(stderr.String(), "FIFO") {
		return false, fmt.Sprintf("exit %d: %s", cmd.ProcessState.ExitCode(), firstLine(stderr.String()))
	}
	return true, fmt.Sprintf("exit %d at once: %s", cmd.ProcessState.ExitCode(), firstLine(stderr.String()))
}

// ancestorLink: log_file and pid_file are in DIR/atk/sub, atk belongs to
// another user, who replaces sub with a link to a directory of root's. The
// root daemon appended its log and wrote its PID file there.
func ancestorLink(e *env) (bool, string) {
	if os.Geteuid() != 0 {
		return false, "needs root (the daemon runs as root, and atk/ is given to another uid): run make attack as root"
	}
	const other = 64123
	dir := e.tempDir("ancestor-link")
	atk, rootDir := filepath.Join(dir, "atk"), filepath.Join(dir, "rootdir")
	os.Mkdir(atk, 0o755)
	os.Mkdir(rootDir, 0o755)
	if err := os.Chown(atk, other, other); err != nil {
		return false, err.Error()
	}
	victim := filepath.Join(rootDir, "wazo-x.log")
	os.WriteFile(victim, []byte("ROOT-OWNED-VICTIM\n"), 0o644)
	sub := filepath.Join(atk, "sub")
	if err := os.Symlink(rootDir, sub); err != nil { // what the other user does
		return false, err.Error()
	}
	os.Lchown(sub, other, other)
	cfg := filepath.Join(dir, "config.yml")
	conf := fmt.Sprintf("log_file: %s\npid_file: %s\nuser: ''\nrest_api: {port: 1}\nbus: {enabled: false}\nservice_discovery: {enabled: false}\n",
		filepath.Join(sub, "wazo-x.log"), filepath.Join(sub, "wazo-x.pid"))
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		return false, err.Error()
	}
	bin, err := filepath.Abs(e.doctordBin)
	if err != nil {
		return false, err.Error()
	}
	o := runBounded(dir, bin, []string{"-c", cfg}, nil)
	data, _ := os.ReadFile(victim)
	if string(data) != "ROOT-OWNED-VICTIM\n" {
		return false, fmt.Sprintf("root's file in the link's target was appended to (%d bytes)", len(data))
	}
	if _, err := os.Stat(filepath.Join(rootDir, "wazo-x.pid")); err == nil {
		return false, "the PID file was written in the link's target"
	}
	if o.code == 0 || !strings.Contains(o.stderr, "belongs to uid 64123") {
		return false, fmt.Sprintf("%s: %s", o.figures(), firstLine(o.stderr))
	}
	return true, fmt.Sprintf("refused, exit %d: %.160s", o.code, firstLine(o.stderr))
}

// moreConfigSecrets: the report's conf.d keys, on a daemon of its own.
func moreConfigSecrets(e *env) (bool, string) {
	extra := `extra: {smtp: {login: u, pass: LEAK-pass}, pwd: LEAK-pwd, auth: 'Basic LEAK-basic-auth',
        dsn: 'host=db user=u password=LEAK-dsn-password', cookie: LEAK-cookie, keys: [LEAK-keys-list],
        api_key_path: LEAK-not-a-path}
`
	t, stop, err := e.ownDaemon(e.tempDir("config-secrets"), extra)
	if err != nil {
		return false, err.Error()
	}
	defer stop()
	return configSecrets(t)
}
