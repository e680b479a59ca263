package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/wazo-platform/wazo-servicekit/authtest"
)

// The daemon attacks share one wazo-doctord (env.daemon starts it on first
// use), behind a fake wazo-auth reached through an nginx-like prefix proxy.

const (
	token      = "attack-token-0123456789abcdef"
	idleSecs   = 2
	readSecs   = 2
	drainSecs  = 5
	maxConns   = 64
	heldConns  = 200 // more than maxConns and fdLimit, bounded
	fdLimit    = 128
	idleProbes = 50
)

func init() {
	register(
		daemonAttack("D2", "token ../api/api.yml through auth.prefix (nginx in front of wazo-auth)", tokenTraversal),
		daemonAttack("D3", "%0a in the path forges a log line; %1b writes ESC", logForging),
		daemonAttack("D4", "idle keep-alive connections are closed", idleClosed),
		daemonAttack("D4", "a half-sent body still gets its answer", stalledBody),
		daemonAttack("D4", fmt.Sprintf("%d held connections, then a real request", heldConns), flood),
		daemonAttack("D6", "?tok%65n=<token> authenticates: the log must not show it", disguisedQueryToken),
		daemonAttack("D-L8", "GET /config shows api_key, passwd, Authorization, password: mappings", configSecrets),
		daemonAttack("D-L10", "a 512 KB token makes one log line of that size", longToken),
		daemonAttack("D-L11", "CONNECT gets a Wazo error body", connect),
		daemonAttack("D-L11", "a JSON body of the wrong type: the error names Go types", goTypes),
		daemonAttack("D-L12", "X-Script-Name of invalid UTF-8 drops the proxy prefix silently", scriptName),
	)
	// Last: it stops the daemon.
	registerLast(daemonAttack("D4", "SIGTERM with idle and stalled clients exits 0 within the drain", sigterm))
}

// daemonAttack adapts an attack on the shared daemon.
func daemonAttack(id, name string, do func(*target) (bool, string)) attack {
	return attack{id: id, name: name, do: func(e *env) (bool, string) {
		t, err := e.daemon()
		if err != nil {
			return false, "could not start wazo-doctord: " + err.Error()
		}
		return do(t)
	}}
}

// target is the daemon under attack and what it logs to.
type target struct {
	cmd     *exec.Cmd
	base    string // http://127.0.0.1:PORT
	addr    string
	logFile string
	decoy   *atomic.Int32 // HEADs that reached something else than the token resource
	auth    *authtest.FakeAuth
}

// start runs the fake wazo-auth behind an nginx-like prefix proxy and the
// daemon, all on 127.0.0.1.
func start(bin string) (*target, func(), error) {
	auth, err := authtest.NewFakeAuth()
	if err != nil {
		return nil, nil, err
	}
	auth.AddToken(token, []string{"doctor.#"})
	var decoy atomic.Int32
	// nginx decodes and normalises the path; beside the token resource it
	// serves other things (here: 200 to anything).
	proxy, err := listen(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.URL.Path = path.Clean(r.URL.Path)
		if rest, ok := strings.CutPrefix(r.URL.Path, "/auth/0.1/token/"); ok {
			r.URL.Path = "/0.1/token/" + rest
			auth.ServeHTTP(w, r)
			return
		}
		decoy.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	if err != nil {
		auth.Close()
		return nil, nil, err
	}
	dir, err := os.MkdirTemp("", "attack")
	if err != nil {
		return nil, nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, nil, err
	}
	t := &target{base: fmt.Sprintf("http://127.0.0.1:%d", port), addr: fmt.Sprintf("127.0.0.1:%d", port),
		logFile: filepath.Join(dir, "wazo-doctord.log"), decoy: &decoy, auth: auth}
	conf := fmt.Sprintf(`log_file: %s
extra_config_files: %s
auth: {host: 127.0.0.1, port: %d, prefix: /auth}
rest_api: {port: %d, read_timeout: %d, idle_timeout: %d, drain_timeout: %d, max_connections: %d}
bus: {enabled: false}
service_discovery: {enabled: false}
`, t.logFile, filepath.Join(dir, "conf.d"), proxy.Addr().(*net.TCPAddr).Port, port, readSecs, idleSecs, drainSecs, maxConns)
	os.MkdirAll(filepath.Join(dir, "conf.d"), 0o755)
	secrets := "attack_secrets:\n  api_key: LEAK-api-key\n  passwd: LEAK-passwd\n  headers: {Authorization: Bearer LEAK-bearer}\n  password: {value: LEAK-password-map}\n"
	if err := os.WriteFile(filepath.Join(dir, "conf.d", "50-secrets.yml"), []byte(secrets), 0o644); err != nil {
		return nil, nil, err
	}
	cfg := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		return nil, nil, err
	}
	// As under a tight `ulimit -n`: held connections must not starve the
	// daemon of file descriptors.
	t.cmd = exec.Command("/bin/sh", "-c", "ulimit -n "+strconv.Itoa(fdLimit)+" && exec \"$0\" \"$@\"", bin, "--dev", "-c", cfg)
	t.cmd.Stderr = io.Discard
	if err := t.cmd.Start(); err != nil {
		return nil, nil, err
	}
	cleanup := func() {
		if t.cmd.ProcessState == nil {
			t.cmd.Process.Kill()
			t.cmd.Wait()
		}
		proxy.Close()
		auth.Close()
		os.RemoveAll(dir)
	}
	if !pollUntil(10*time.Second, func() bool {
		status, _, _ := get(t, "/1.0/api/api.yml", nil)
		return status == 200
	}) {
		cleanup()
		return nil, nil, fmt.Errorf("%s did not serve within 10 s", bin)
	}
	return t, cleanup, nil
}

func listen(h http.Handler) (net.Listener, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	go http.Serve(ln, h)
	return ln, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// pollUntil calls ok until it is true or within has passed.
func pollUntil(within time.Duration, ok func() bool) bool {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if ok() {
			return true
		}
		time.Sleep(50 * time.Millisecond) // polling interval
	}
	return false
}

var client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

func get(t *target, target string, headers map[string]string) (int, string, error) {
	req, err := http.NewRequest(http.MethodGet, t.base+target, nil)
	if err != nil {
		return 0, "", err
	}
	for k, v := range headers {
		req.Header[k] = []string{v}
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(body), nil
}

// raw sends one request as bytes and reads the answer.
func raw(t *target, request string) (*http.Response, string, error) {
	c, err := net.DialTimeout("tcp", t.addr, 5*time.Second)
	if err != nil {
		return nil, "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, request)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp, string(body), nil
}

func logText(t *target) string {
	data, _ := os.ReadFile(t.logFile)
	return string(data)
}

// logSyncs numbers the requests syncedLog sends.
var logSyncs atomic.Int64

// syncedLog is the log once it holds the lines of every request answered
// before the call: the daemon writes its log in batches, in order, so it
// sends one more request and waits (10 s at most) for that request's line.
func syncedLog(t *target) string {
	marker := fmt.Sprintf("/1.0/log-sync-%d", logSyncs.Add(1))
	get(t, marker, nil)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) { // polling interval
		if text := logText(t); strings.Contains(text, marker) || time.Now().After(deadline) {
			return text
		}
	}
}

func tokenTraversal(t *target) (bool, string) {
	before := t.decoy.Load()
	for _, tok := range []string{"", "../api/api.yml", "..%2fapi%2fapi.yml", "x/../../api/api.yml"} {
		headers := map[string]string{}
		if tok != "" {
			headers["X-Auth-Token"] = tok
		}
		status, _, err := get(t, "/1.0/config", headers)
		if err != nil || status != http.StatusUnauthorized {
			return false, fmt.Sprintf("token %q: status %d (%v)", tok, status, err)
		}
	}
	if n := t.decoy.Load() - before; n != 0 {
		return false, fmt.Sprintf("%d checks reached another resource than the token one", n)
	}
	return true, "401 for each (and for no token), no check sent outside /0.1/token/<token>"
}

func logForging(t *target) (bool, string) {
	forged := "2026-01-01 00:00:00,000 [pid 1] (WARNING) (wazo-doctord): Stopping wazo-doctord: SIGTERM"
	get(t, "/1.0/x%0a"+strings.ReplaceAll(forged, " ", "%20"), nil)
	get(t, "/1.0/%1b[31mred%1b[0m", nil)
	text := syncedLog(t)
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "2026-01-01 00:00:00,000") {
			return false, "the forged line is in the log"
		}
	}
	if strings.ContainsRune(text, 0x1b) {
		return false, "ESC reached the log"
	}
	return true, "newline and ESC escaped on one line"
}

// keptAlive opens n connections, each with one answered request, and
// returns them open.
// (Bounded: at most 10 s in all, however many the daemon leaves unanswered.)
func keptAlive(t *target, n int) []net.Conn {
	var conns []net.Conn
	end := time.Now().Add(10 * time.Second)
	for i := 0; i < n && time.Now().Before(end); i++ {
		c, err := net.DialTimeout("tcp", t.addr, 2*time.Second)
		if err != nil {
			continue
		}
		deadline := time.Now().Add(2 * time.Second)
		if deadline.After(end) {
			deadline = end
		}
		c.SetDeadline(deadline)
		io.WriteString(c, "GET /1.0/api/api.yml HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
		if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err == nil {
			io.Copy(io.Discard, resp.Body)
		}
		c.SetDeadline(time.Time{})
		conns = append(conns, c)
	}
	return conns
}

func closeAll(conns []net.Conn) {
	for _, c := range conns {
		c.Close()
	}
}

// closedByPeer reports whether the daemon closed c before within.
func closedByPeer(c net.Conn, within time.Duration) bool {
	c.SetReadDeadline(time.Now().Add(within))
	_, err := c.Read(make([]byte, 1))
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}

func idleClosed(t *target) (bool, string) {
	conns := keptAlive(t, idleProbes)
	defer closeAll(conns)
	begin := time.Now()
	for i, c := range conns {
		if !closedByPeer(c, time.Duration(idleSecs+5)*time.Second-time.Since(begin)) {
			return false, fmt.Sprintf("connection %d of %d still open %s after idle_timeout %d s", i, len(conns), time.Since(begin).Round(time.Millisecond), idleSecs)
		}
	}
	return true, fmt.Sprintf("%d of %d closed by the daemon within %s (idle_timeout %d s)", len(conns), idleProbes, time.Since(begin).Round(100*time.Millisecond), idleSecs)
}

func stalledBody(t *target) (bool, string) {
	c, err := net.DialTimeout("tcp", t.addr, 2*time.Second)
	if err != nil {
		return false, err.Error()
	}
	defer c.Close()
	begin := time.Now()
	io.WriteString(c, "PATCH /1.0/config HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n[{\"op\"")
	c.SetReadDeadline(time.Now().Add(time.Duration(readSecs+5) * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return false, fmt.Sprintf("no answer %s later: %v", time.Since(begin).Round(time.Millisecond), err)
	}
	resp.Body.Close()
	return true, fmt.Sprintf("%d after %s (read_timeout %d s)", resp.StatusCode, time.Since(begin).Round(100*time.Millisecond), readSecs)
}

func flood(t *target) (bool, string) {
	conns := keptAlive(t, heldConns)
	defer closeAll(conns)
	status, _, err := get(t, "/1.0/api/api.yml", nil)
	if err != nil || status != 200 {
		return false, fmt.Sprintf("with %d held: status %d (%v)", len(conns), status, err)
	}
	return true, fmt.Sprintf("%d held under ulimit -n %d (max_connections %d: the oldest idle make room), real request 200", len(conns), fdLimit, maxConns)
}

func disguisedQueryToken(t *target) (bool, string) {
	status, _, err := get(t, "/1.0/status?tok%65n="+token, nil)
	if err != nil || status != 200 {
		return false, fmt.Sprintf("status %d (%v): the attack itself did not authenticate", status, err)
	}
	if strings.Contains(syncedLog(t), token) {
		return false, "the whole token is in the log"
	}
	return true, "200, the log shows tok%65n=<hidden>"
}

func configSecrets(t *target) (bool, string) {
	status, body, err := get(t, "/1.0/config", map[string]string{"X-Auth-Token": token})
	if err != nil || status != 200 {
		return false, fmt.Sprintf("status %d (%v)", status, err)
	}
	if strings.Contains(body, "LEAK-") {
		i := strings.Index(body, "LEAK-")
		return false, "shown: " + body[i:min(len(body), i+30)]
	}
	return true, "every one <hidden>"
}

func longToken(t *target) (bool, string) {
	before := len(syncedLog(t))
	get(t, "/1.0/status", map[string]string{"X-Auth-Token": strings.Repeat("t", 512<<10)})
	added := syncedLog(t)[before:]
	longest := 0
	for _, l := range strings.Split(added, "\n") {
		longest = max(longest, len(l))
	}
	if longest > 16<<10 {
		return false, fmt.Sprintf("a %d-byte line", longest)
	}
	return true, fmt.Sprintf("401, longest log line %d bytes", longest)
}

func isWazoError(resp *http.Response, body string) bool {
	return resp.StatusCode >= 400 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") && strings.Contains(body, `"error_id"`)
}

func connect(t *target) (bool, string) {
	resp, body, err := raw(t, "CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n")
	if err != nil || !isWazoError(resp, body) {
		return false, fmt.Sprintf("%v %q", err, body)
	}
	return true, fmt.Sprintf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
}

func goTypes(t *target) (bool, string) {
	resp, body, err := raw(t, "PATCH /1.0/config HTTP/1.1\r\nHost: x\r\nX-Auth-Token: "+token+"\r\nContent-Type: application/json\r\nContent-Length: 12\r\nConnection: close\r\n\r\n{\"op\":\"add\"}")
	if err != nil || !isWazoError(resp, body) || strings.Contains(body, "Go ") || strings.Contains(body, "baseapi.") {
		return false, fmt.Sprintf("%v %q", err, body)
	}
	return true, fmt.Sprintf("%d, no Go type named", resp.StatusCode)
}

func scriptName(t *target) (bool, string) {
	resp, body, err := raw(t, "GET /1.0/api/api.yml HTTP/1.1\r\nHost: x\r\nX-Script-Name: /api/\xff\xfe\r\nConnection: close\r\n\r\n")
	if err != nil || !isWazoError(resp, body) {
		return false, fmt.Sprintf("%v: %.80q", err, body)
	}
	return true, fmt.Sprintf("%d Wazo error, not a silently unprefixed api.yml", resp.StatusCode)
}

func sigterm(t *target) (bool, string) {
	conns := keptAlive(t, 10)
	defer closeAll(conns)
	for _, head := range []string{
		"PATCH /1.0/config HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n[",
		"GET /1.0/api/api.yml HTTP/1.1\r\nHost: x\r\nX-Half: ",
	} {
		if c, err := net.DialTimeout("tcp", t.addr, 2*time.Second); err == nil {
			defer c.Close()
			io.WriteString(c, head)
		}
	}
	// Until the daemon holds all of them (its sockets in /proc), bounded.
	pollUntil(5*time.Second, func() bool { return sockets(t.cmd.Process.Pid) >= len(conns)+2 })
	begin := time.Now()
	t.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- t.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(time.Duration(drainSecs+5) * time.Second):
		return false, fmt.Sprintf("still running %d s after SIGTERM", drainSecs+5)
	}
	took := time.Since(begin).Round(10 * time.Millisecond)
	if code := t.cmd.ProcessState.ExitCode(); code != 0 {
		return false, fmt.Sprintf("exit %d after %s", code, took)
	}
	if !bytes.Contains([]byte(logText(t)), []byte("wazo-doctord stopped")) {
		return false, "no stop line in the log"
	}
	return true, fmt.Sprintf("exit 0 after %s (drain_timeout %d s)", took, drainSecs)
}

// sockets counts the sockets among pid's file descriptors.
func sockets(pid int) int {
	entries, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	n := 0
	for _, e := range entries {
		if l, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, e.Name())); err == nil && strings.HasPrefix(l, "socket:") {
			n++
		}
	}
	return n
}
