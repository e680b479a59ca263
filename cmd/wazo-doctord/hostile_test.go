package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wazo-platform/wazo-servicekit/authtest"
)

// devConfig is the config of a --dev daemon with the given extra YAML
// (which may set log_file, pid_file or user itself).
func devConfig(t *testing.T, extra string) string {
	fake := authtest.StartFakeAuth(t)
	cfg := fmt.Sprintf("auth: {host: 127.0.0.1, port: %d}\n", fake.Port)
	for _, k := range []string{"log_file", "pid_file", "user"} {
		if !strings.HasPrefix(extra, k+":") && !strings.Contains(extra, "\n"+k+":") {
			cfg += k + ": ''\n"
		}
	}
	return cfg + extra
}

// keptAlive opens a connection, gets api.yml over it and leaves it idle.
func keptAlive(t *testing.T, p *daemonProc) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(p.port))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "GET /1.0/api/api.yml HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	r := bufio.NewReader(c)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return c, r
}

// closedWithin reports whether the daemon closes c (a read gives EOF or a
// reset) before the deadline.
func closedWithin(c net.Conn, r *bufio.Reader, within time.Duration) bool {
	c.SetReadDeadline(time.Now().Add(within))
	_, err := r.ReadByte()
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}

// TestIdleKeepAliveConnectionsAreClosed: 300 idle keep-alive connections
// were all still open at 75 s; rest_api.idle_timeout closes them.
func TestIdleKeepAliveConnectionsAreClosed(t *testing.T) {
	p := start(t, devConfig(t, "rest_api: {idle_timeout: 0.5}\n"), []string{"--dev"})
	type held struct {
		c net.Conn
		r *bufio.Reader
	}
	var conns []held
	for i := 0; i < 20; i++ {
		c, r := keptAlive(t, p)
		conns = append(conns, held{c, r})
	}
	for i, h := range conns {
		if !closedWithin(h.c, h.r, 20*time.Second) {
			t.Fatalf("idle connection %d still open 20 s after a 0.5 s idle_timeout", i)
		}
	}
}

// TestIncompleteBodyDoesNotHoldTheAnswer: a client that declares a body and
// sends part of it got no answer at all (not even the 401) for as long as
// it kept the connection; rest_api.read_timeout bounds it.
func TestIncompleteBodyDoesNotHoldTheAnswer(t *testing.T) {
	p := start(t, devConfig(t, "rest_api: {read_timeout: 1}\n"), []string{"--dev"})
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(p.port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "PATCH /1.0/config HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n[{\"op\"")
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer 20 s after a 1 s read_timeout: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("status %d, want 401", resp.StatusCode)
	}
}

// TestConnectionLimitKeepsRoomForRealClients: under `ulimit -n 64`, held
// connections made real requests fail. The default connection limit stays
// under the file descriptor limit, and when idle connections fill it, the
// one idle the longest is closed to make room for a new client.
func TestConnectionLimitKeepsRoomForRealClients(t *testing.T) {
	p := start(t, devConfig(t, "rest_api: {idle_timeout: 600}\n"), []string{"--dev"}, "WAZO_DOCTORD_TEST_NOFILE=64")
	held := 0
	for i := 0; i < 100; i++ {
		c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(p.port))
		if err != nil {
			continue
		}
		t.Cleanup(func() { c.Close() })
		fmt.Fprintf(c, "GET /1.0/api/api.yml HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err == nil {
			io.Copy(io.Discard, resp.Body)
			held++
		}
	}
	t.Logf("%d of 100 keep-alive clients got an answer", held)
	client := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for i := 0; i < 5; i++ {
		resp, err := client.Get(p.url("/1.0/api/api.yml"))
		if err != nil {
			t.Fatalf("request %d with 100 keep-alive connections held, ulimit -n 64: %v", i, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("request %d: status %d", i, resp.StatusCode)
		}
	}
}

// TestMaxConnectionsIsConfigurable: rest_api.max_connections is honoured:
// of 8 keep-alive connections, the daemon keeps at most 4 open, closing
// idle ones (those idle the longest) to let the others in.
func TestMaxConnectionsIsConfigurable(t *testing.T) {
	p := start(t, devConfig(t, "rest_api: {max_connections: 4, idle_timeout: 600}\n"), []string{"--dev"})
	http.DefaultClient.CloseIdleConnections() // waitServing's
	type held struct {
		c      net.Conn
		r      *bufio.Reader
		closed bool
	}
	var conns []*held
	for i := 0; i < 8; i++ {
		c, r := keptAlive(t, p)
		conns = append(conns, &held{c: c, r: r})
	}
	// Every eviction was done by the time the last one was accepted; poll
	// until the clients see them.
	closed := 0
	for deadline := time.Now().Add(20 * time.Second); closed < 4 && time.Now().Before(deadline); {
		for _, h := range conns {
			if !h.closed && closedWithin(h.c, h.r, 50*time.Millisecond) {
				h.closed = true
				closed++
			}
		}
	}
	if closed < 4 {
		t.Errorf("%d of 8 idle connections closed with max_connections: 4: more than 4 open", closed)
	}
}

// TestSIGTERMEndsIdleAndStalledConnectionsAtOnce: one client holding a
// half-sent body made SIGTERM wait the whole drain and exit 1.
func TestSIGTERMEndsIdleAndStalledConnectionsAtOnce(t *testing.T) {
	p := start(t, devConfig(t, "rest_api: {drain_timeout: 5, read_timeout: 600, idle_timeout: 600}\n"), []string{"--dev"})
	for i := 0; i < 10; i++ {
		keptAlive(t, p)
	}
	stalled := func(head string) {
		c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(p.port))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		io.WriteString(c, head)
	}
	stalled("PATCH /1.0/config HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n[")
	stalled("GET /1.0/api/api.yml HTTP/1.1\r\nHost: x\r\nX-Half: ")
	// Poll until the daemon has read the stalled request's headers (its
	// 401 is held by the unread body).
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if n := openConns(t, p.cmd.Process.Pid); n >= 12 {
			break
		}
		time.Sleep(20 * time.Millisecond) // polling interval
	}
	if code := p.stop(t); code != 0 {
		t.Errorf("exit status %d after SIGTERM with idle and stalled clients, want 0; stderr:\n%s", code, p.stderr)
	}
}

// openConns counts the TCP sockets of pid (its fds that are sockets).
func openConns(t *testing.T, pid int) int {
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range entries {
		if l, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, e.Name())); err == nil && strings.HasPrefix(l, "socket:") {
			n++
		}
	}
	return n
}

// rawExchange sends one raw request and returns the answer's status line,
// content type and body.
func rawExchange(t *testing.T, p *daemonProc, raw string) (int, string, string) {
	t.Helper()
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(p.port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	io.WriteString(c, raw)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("%q: %v", raw, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(body)
}

// TestOddRequestsGetWazoErrors: CONNECT got a plain-text 404, error bodies
// named Go types, and an X-Script-Name of invalid UTF-8 silently dropped
// the proxy prefix from api.yml.
func TestOddRequestsGetWazoErrors(t *testing.T) {
	fake := authtest.StartFakeAuth(t)
	fake.AddToken("odd-token-0123456789", []string{"doctor.#"})
	p := start(t, fmt.Sprintf("log_file: ''\npid_file: ''\nuser: ''\nauth: {host: 127.0.0.1, port: %d}\n", fake.Port), []string{"--dev"})
	for _, c := range []struct{ name, raw string }{
		{"CONNECT", "CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n"},
		{"X-Script-Name not UTF-8", "GET /1.0/api/api.yml HTTP/1.1\r\nHost: x\r\nX-Script-Name: /api/\xff\xfe\r\nConnection: close\r\n\r\n"},
		{"PATCH /config of the wrong JSON type", "PATCH /1.0/config HTTP/1.1\r\nHost: x\r\nX-Auth-Token: odd-token-0123456789\r\nContent-Type: application/json\r\nContent-Length: 12\r\nConnection: close\r\n\r\n{\"op\":\"add\"}"},
	} {
		status, ctype, body := rawExchange(t, p, c.raw)
		if status < 400 || !strings.HasPrefix(ctype, "application/json") || !strings.Contains(body, `"error_id"`) {
			t.Errorf("%s: %d %s %s, want a Wazo error body", c.name, status, ctype, body)
		}
		for _, goism := range []string{"Go value", "Go struct", "baseapi.", "[]", "main."} {
			if strings.Contains(body, goism) {
				t.Errorf("%s: the error names Go types (%q): %s", c.name, goism, body)
			}
		}
	}
}
