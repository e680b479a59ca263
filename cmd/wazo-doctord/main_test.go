package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wazo-platform/wazo-servicekit/authtest"
	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
	"github.com/wazo-platform/wazo-servicekit/privilege"
)

// TestMain lets the tests start this test binary as the real daemon: with
// WAZO_DOCTORD_RUN_MAIN=1 it runs main() instead of the tests.
func TestMain(m *testing.M) {
	if os.Getenv("WAZO_DOCTORD_RUN_MAIN") == "1" {
		if n, err := strconv.ParseUint(os.Getenv("WAZO_DOCTORD_TEST_NOFILE"), 10, 64); err == nil {
			// As `ulimit -n N` before the daemon starts (hard limit too,
			// so the Go runtime cannot raise it back).
			syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: n, Max: n})
		}
		main()
		return
	}
	os.Exit(m.Run())
}

// daemonProc is a wazo-doctord process started by a test.
type daemonProc struct {
	cmd    *exec.Cmd
	port   int
	stderr *bytes.Buffer
	done   chan struct{}
	exit   int
}

// start runs the daemon with a config file holding cfg (YAML) and extra
// arguments, and waits until api.yml answers (or the process exits).
func start(t *testing.T, cfg string, args []string, env ...string) *daemonProc {
	t.Helper()
	p := launch(t, cfg, args, env...)
	if !p.waitServing(t, 20*time.Second) {
		t.Fatalf("wazo-doctord did not serve; exit %d, stderr:\n%s", p.exit, p.stderr)
	}
	return p
}

func launch(t *testing.T, cfg string, args []string, env ...string) *daemonProc {
	t.Helper()
	dir := worldReadableTempDir(t)
	port := testenv.FreePort(t)
	path := filepath.Join(dir, "config.yml")
	base := fmt.Sprintf("extra_config_files: %s\nrest_api: {port: %d}\nbus: {enabled: false}\nservice_discovery: {enabled: false}\n",
		filepath.Join(dir, "conf.d"), port)
	os.Mkdir(filepath.Join(dir, "conf.d"), 0o755)
	// The test's own settings go in conf.d, which wins over config.yml.
	if err := os.WriteFile(path, []byte(base), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "conf.d", "00-test.yml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	p := &daemonProc{port: port, stderr: &bytes.Buffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(os.Args[0], append([]string{"-c", path}, args...)...)
	p.cmd.Env = append(append(os.Environ(), "WAZO_DOCTORD_RUN_MAIN=1", "XIVO_UUID=test-uuid"), env...)
	p.cmd.Stderr = &lockedWriter{w: p.stderr}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.cmd.Wait()
		p.exit = p.cmd.ProcessState.ExitCode()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// worldReadableTempDir is a t.TempDir() the service user can traverse (the
// testing package makes its parent 0700).
func worldReadableTempDir(t *testing.T) string {
	dir := t.TempDir()
	os.Chmod(filepath.Dir(dir), 0o755)
	os.Chmod(dir, 0o755)
	return dir
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func (p *daemonProc) url(path string) string {
	return "http://127.0.0.1:" + strconv.Itoa(p.port) + path
}

// waitServing polls api.yml until it answers 200, the process exits, or the
// deadline passes.
func (p *daemonProc) waitServing(t *testing.T, within time.Duration) bool {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return false
		default:
		}
		if resp, err := http.Get(p.url("/1.0/api/api.yml")); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return true
			}
		}
		time.Sleep(20 * time.Millisecond) // polling interval, not synchronisation
	}
	return false
}

// stop sends SIGTERM and waits for the exit status.
func (p *daemonProc) stop(t *testing.T) int {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatal("wazo-doctord did not exit within 30 s of SIGTERM")
	}
	return p.exit
}

func request(t *testing.T, method, url, token, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

// throwawayUser creates a system user and a supplementary group for it, and
// removes both when the test ends.
func throwawayUser(t *testing.T) privilege.Identity {
	t.Helper()
	testenv.RequireRoot(t)
	testenv.RequireCommand(t, "useradd")
	name := fmt.Sprintf("wsk%d", os.Getpid()%100000)
	extra := name + "x"
	run := func(args ...string) {
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	run("groupadd", "--system", extra)
	t.Cleanup(func() { exec.Command("groupdel", extra).Run() })
	run("useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", "--groups", extra, name)
	t.Cleanup(func() { exec.Command("userdel", name).Run() })
	id, err := privilege.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestDropsToServiceUserOnEveryThreadBeforeOpeningFiles(t *testing.T) {
	id := throwawayUser(t)
	base := worldReadableTempDir(t)
	logDir, runDir := filepath.Join(base, "log"), filepath.Join(base, "run", "wazo-doctord")
	for _, d := range []string{logDir, runDir} {
		os.MkdirAll(d, 0o755)
		os.Chown(d, id.UID, id.GID)
	}
	logFile, pidFile := filepath.Join(logDir, "wazo-doctord.log"), filepath.Join(runDir, "wazo-doctord.pid")
	fake := authtest.StartFakeAuth(t)
	p := start(t, fmt.Sprintf("user: %s\nlog_file: %s\npid_file: %s\nauth: {host: 127.0.0.1, port: %d}\n", id.Name, logFile, pidFile, fake.Port), nil)
	pid := p.cmd.Process.Pid

	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", pid))
	if len(tasks) < 2 {
		t.Fatalf("expected a multi-threaded Go process, found %d threads", len(tasks))
	}
	for _, task := range tasks {
		ids, err := privilege.ReadTaskIDs(task)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range ids.UIDs {
			if u != id.UID {
				t.Errorf("%s: uids %v, want all %d", task, ids.UIDs, id.UID)
				break
			}
		}
		for _, g := range ids.GIDs {
			if g != id.GID {
				t.Errorf("%s: gids %v, want all %d", task, ids.GIDs, id.GID)
				break
			}
		}
		if fmt.Sprint(ids.Groups) != fmt.Sprint(id.Groups) {
			t.Errorf("%s: supplementary groups %v, want %v", task, ids.Groups, id.Groups)
		}
	}
	for _, f := range []string{logFile, pidFile} {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if owner := st.Sys().(*syscall.Stat_t).Uid; int(owner) != id.UID {
			t.Errorf("%s is owned by uid %d: it was created before the drop", f, owner)
		}
	}
	if data, _ := os.ReadFile(pidFile); strings.TrimSpace(string(data)) != strconv.Itoa(pid) {
		t.Errorf("PID file holds %q, want %d", data, pid)
	}
	if code := p.stop(t); code != 0 {
		t.Errorf("exit status %d after SIGTERM, stderr:\n%s", code, p.stderr)
	}
	if _, err := os.Stat(pidFile); !os.IsNotExist(err) {
		t.Errorf("PID file left after a clean stop")
	}
	if data, _ := os.ReadFile(logFile); !strings.Contains(string(data), "Stopping wazo-doctord: SIGTERM") {
		t.Errorf("the log lacks the stop line:\n%s", data)
	}
}

func TestFilesInRootOwnedDirectoriesFailAfterTheDrop(t *testing.T) {
	id := throwawayUser(t)
	rootOnly := worldReadableTempDir(t)
	for name, cfg := range map[string]string{
		"log file": fmt.Sprintf("log_file: %s/x.log\npid_file: ''\n", rootOnly),
		"PID file": fmt.Sprintf("log_file: ''\npid_file: %s/x.pid\n", rootOnly),
	} {
		p := launch(t, "user: "+id.Name+"\n"+cfg, nil)
		<-p.done
		if p.exit == 0 || !strings.Contains(p.stderr.String(), rootOnly) {
			t.Errorf("%s in a root-owned dir: exit %d, stderr %q (the daemon must open it as the service user and fail)", name, p.exit, p.stderr)
		}
	}
}

func TestUnknownUserIsRefused(t *testing.T) {
	p := launch(t, "user: no-such-user-wsk\nlog_file: ''\npid_file: ''\n", nil)
	<-p.done
	if p.exit != 1 || !strings.Contains(p.stderr.String(), "no-such-user-wsk") {
		t.Errorf("exit %d, stderr %q", p.exit, p.stderr)
	}
}

func TestBadConfigStopsBeforeServing(t *testing.T) {
	for _, c := range []struct{ name, conf, want string }{
		{"malformed YAML", "log_level: [info\n", "conf.d/10-bad.yml:"},
		{"unknown log level", "\nlog_level: loud\n", "conf.d/10-bad.yml:2: log_level"},
		{"wrong type", "rest_api:\n  port: high\n", "conf.d/10-bad.yml:2: cannot unmarshal"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := launch(t, "log_file: ''\npid_file: ''\nuser: ''\n", []string{"--dev"})
			// The config dir was created by launch; put the bad file there
			// and start a second process that reads it.
			dir := filepath.Dir(p.cmd.Args[2])
			p.cmd.Process.Kill()
			<-p.done
			os.WriteFile(filepath.Join(dir, "conf.d", "10-bad.yml"), []byte(c.conf), 0o644)
			bad := &daemonProc{port: p.port, stderr: &bytes.Buffer{}}
			cmd := exec.Command(os.Args[0], "-c", p.cmd.Args[2], "--dev")
			cmd.Env = append(os.Environ(), "WAZO_DOCTORD_RUN_MAIN=1")
			cmd.Stderr = bad.stderr
			err := cmd.Run()
			if err == nil || cmd.ProcessState.ExitCode() != 1 {
				t.Fatalf("want exit status 1, got %v", err)
			}
			if !strings.Contains(bad.stderr.String(), filepath.Join(dir, c.want)) {
				t.Errorf("stderr %q does not name %s", bad.stderr, filepath.Join(dir, c.want))
			}
			if conn, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(p.port)); err == nil {
				conn.Close()
				t.Errorf("something listens on the daemon's port after a config error")
			}
		})
	}
}

func TestSIGTERMUnderLoadLosesNoInFlightRequest(t *testing.T) {
	fake := authtest.StartFakeAuth(t)
	fake.AddToken("load-token-0123456789", []string{"doctor.status.read"})
	p := start(t, fmt.Sprintf("log_file: ''\npid_file: ''\nuser: ''\nauth: {host: 127.0.0.1, port: %d}\n", fake.Port), []string{"--dev"})

	const inFlight = 24
	fake.Hold() // every /status request now waits inside the daemon for wazo-auth
	type result struct {
		status int
		err    error
	}
	results := make(chan result, inFlight)
	for i := 0; i < inFlight; i++ {
		go func() {
			req, _ := http.NewRequest("GET", p.url("/1.0/status"), nil)
			req.Header.Set("X-Auth-Token", "load-token-0123456789")
			resp, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
			if err != nil {
				results <- result{err: err}
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			results <- result{status: resp.StatusCode}
		}()
	}
	deadline := time.Now().Add(20 * time.Second)
	for len(fake.Requests()) < inFlight {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d requests reached wazo-auth", len(fake.Requests()), inFlight)
		}
		time.Sleep(10 * time.Millisecond)
	}

	p.cmd.Process.Signal(syscall.SIGTERM)
	// Shutdown has begun once new connections are refused; the in-flight
	// requests must still be answered after that.
	for {
		conn, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(p.port))
		if err != nil {
			break
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatal("the listener never closed after SIGTERM")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case <-p.done:
		t.Fatal("the process exited while requests were still in flight")
	default:
	}
	fake.Release()
	for i := 0; i < inFlight; i++ {
		r := <-results
		if r.err != nil || r.status != 200 {
			t.Errorf("in-flight request lost: status %d, error %v", r.status, r.err)
		}
	}
	<-p.done
	if p.exit != 0 {
		t.Errorf("exit status %d, stderr:\n%s", p.exit, p.stderr)
	}
}

func TestNotifiesSystemdReadyThenStopping(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	p := start(t, "log_file: ''\npid_file: ''\nuser: ''\n", []string{"--dev"}, "NOTIFY_SOCKET="+sock)
	read := func() string {
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		buf := make([]byte, 256)
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("no notification: %v", err)
		}
		return string(buf[:n])
	}
	if got := read(); got != "READY=1" {
		t.Errorf("first notification %q, want READY=1", got)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	if got := read(); got != "STOPPING=1" {
		t.Errorf("second notification %q, want STOPPING=1", got)
	}
	<-p.done
}

func TestConfigResource(t *testing.T) {
	fake := authtest.StartFakeAuth(t)
	fake.AddToken("config-token-01234567", []string{"doctor.config.*"})
	logFile := filepath.Join(t.TempDir(), "doctord.log")
	p := start(t, fmt.Sprintf("log_file: %s\npid_file: ''\nuser: ''\nauth: {host: 127.0.0.1, port: %d, password: auth-secret, username: me}\nbus: {password: bus-secret}\n", logFile, fake.Port), []string{"--dev"})

	status, body := request(t, "GET", p.url("/1.0/config"), "config-token-01234567", "")
	if status != 200 {
		t.Fatalf("GET /config: %d %s", status, body)
	}
	for _, secret := range []string{"auth-secret", "bus-secret"} {
		if bytes.Contains(body, []byte(secret)) {
			t.Errorf("GET /config leaks %q", secret)
		}
	}
	var cfg map[string]any
	json.Unmarshal(body, &cfg)
	if cfg["debug"] != false || cfg["rest_api"].(map[string]any)["port"] != float64(p.port) || cfg["uuid"] != "test-uuid" {
		t.Errorf("unexpected effective config: debug=%v rest_api=%v uuid=%v", cfg["debug"], cfg["rest_api"], cfg["uuid"])
	}

	for _, c := range []struct {
		body   string
		status int
	}{
		{`[{"op": "replace", "path": "/log_level", "value": "debug"}]`, 400},
		{`[{"op": "add", "path": "/debug", "value": true}]`, 400},
		{`{"op": "replace"`, 400},
		{`[]`, 400},
		{`[{"op":"replace","path":"/debug","value":"` + strings.Repeat("x", 2<<20) + `"}]`, 413},
	} {
		if status, body := request(t, "PATCH", p.url("/1.0/config"), "config-token-01234567", c.body); status != c.status || !bytes.Contains(body, []byte(`"error_id"`)) {
			t.Errorf("PATCH %.60s: %d %s, want %d with a Wazo error", c.body, status, body, c.status)
		}
	}
	status, body = request(t, "PATCH", p.url("/1.0/config"), "config-token-01234567", `[{"op": "replace", "path": "/debug", "value": true}]`)
	if status != 200 || !bytes.Contains(body, []byte(`"debug":true`)) {
		t.Fatalf("PATCH debug: %d %s", status, body)
	}
	request(t, "GET", p.url("/1.0/api/api.yml"), "", "")
	// The log file gets its lines in order, shortly after they are logged:
	// once a debug line is there, every line before it is too.
	if !waitLog(t, logFile, "(DEBUG)", 10*time.Second) {
		t.Fatal("PATCH debug=true did not turn on debug logging")
	}
	data, _ := os.ReadFile(logFile)
	enabled := regexp.MustCompile(`response: PATCH /1\.0/config .*status=200`).FindIndex(data)
	if details := bytes.Index(data, []byte("request details")); enabled == nil || details >= 0 && details < enabled[0] {
		t.Fatalf("debug lines logged before debug was enabled (or the PATCH that enabled it not logged):\n%s", data)
	}
	if status, _ := request(t, "PATCH", p.url("/1.0/config"), "wrong-token-012345678", `[{"op":"replace","path":"/debug","value":false}]`); status != 401 {
		t.Errorf("PATCH with a bad token: %d, want 401", status)
	}
}

// waitLog polls the log file until a line holds s (true) or timeout.
func waitLog(t *testing.T, path, s string, timeout time.Duration) bool {
	t.Helper()
	for deadline := time.Now().Add(timeout); !logHas(path, s); time.Sleep(10 * time.Millisecond) { // polling interval
		if time.Now().After(deadline) {
			return false
		}
	}
	return true
}

func logHas(path, s string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.Contains(sc.Text(), s) {
			return true
		}
	}
	return false
}

func TestServedAPISpecIsValidAndMatchesThePort(t *testing.T) {
	p := start(t, "log_file: ''\npid_file: ''\nuser: ''\n", []string{"--dev"})
	for _, script := range []string{"", "/api/doctor"} {
		req, _ := http.NewRequest("GET", p.url("/1.0/api/api.yml"), nil)
		if script != "" {
			req.Header.Set("X-Script-Name", script)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !bytes.Contains(body, []byte(fmt.Sprintf("x-xivo-port: %d\n", p.port))) || !bytes.Contains(body, []byte("x-xivo-name: doctor\n")) ||
			!bytes.Contains(body, []byte("basePath: "+script+"/1.0\n")) {
			t.Errorf("X-Script-Name %q: wrong port, name or basePath in\n%s", script, body)
		}
		if err := testenv.ValidateSwagger(t, body); err != nil {
			t.Errorf("X-Script-Name %q: %v", script, err)
		}
	}
}
