package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// serveWithin is the bound on one request while the connection limit is
// full: well under the 10 s header timeout that used to be the only way a
// silent connection gave its slot back.
const serveWithin = 5 * time.Second

// silentClients holds n connections that never send a byte, opening a new
// one whenever the daemon closes one, until the test ends (bounded to 5000
// connections in all).
func silentClients(t *testing.T, p *daemonProc, n int) {
	ctx, cancel := context.WithCancel(context.Background())
	wait := testenv.SilentClients(ctx, "127.0.0.1:"+strconv.Itoa(p.port), n, 5000)
	t.Cleanup(func() { cancel(); wait() })
}

// timedGet gets api.yml on a new connection; the error says when it took
// more than serveWithin.
func timedGet(t *testing.T, p *daemonProc, what string) error {
	client := &http.Client{Timeout: serveWithin, Transport: &http.Transport{DisableKeepAlives: true}}
	begin := time.Now()
	resp, err := client.Get(p.url("/1.0/api/api.yml"))
	if err != nil {
		return fmt.Errorf("%s: no answer within %s: %v", what, serveWithin, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("%s: status %d", what, resp.StatusCode)
	}
	t.Logf("%s: served in %s", what, time.Since(begin).Round(time.Millisecond))
	return nil
}

// TestSilentConnectionsDoNotLockOutClients: connections that never send a
// request held their slot for the whole header timeout (10 s), so more of
// them than max_connections made every client wait that long, again and
// again as the attacker reconnected. Once full, the daemon closes the
// oldest one silent for a second to make room.
func TestSilentConnectionsDoNotLockOutClients(t *testing.T) {
	p := start(t, devConfig(t, "rest_api: {max_connections: 8, read_timeout: 600, idle_timeout: 600}\n"), []string{"--dev"})
	http.DefaultClient.CloseIdleConnections() // waitServing's
	silentClients(t, p, 20)
	for i := 0; i < 5; i++ {
		if err := timedGet(t, p, fmt.Sprintf("request %d with 20 silent connections and max_connections: 8", i)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFullLimitLooksAgainWhenAConnectionTurnsIdle: when every connection
// was busy at the moment the limit filled, the daemon waited for one to
// close, and a keep-alive client never closes: a client arriving then
// waited for the idle timeout although a connection had long turned idle.
func TestFullLimitLooksAgainWhenAConnectionTurnsIdle(t *testing.T) {
	p := start(t, devConfig(t, "rest_api: {max_connections: 2, read_timeout: 600, idle_timeout: 600}\n"), []string{"--dev"})
	http.DefaultClient.CloseIdleConnections() // waitServing's
	// Two clients each send a request header and hold its body back: both
	// connections are busy, the limit is full.
	var busy []net.Conn
	for i := 0; i < 2; i++ {
		c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(p.port))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		io.WriteString(c, "PUT /1.0/api/api.yml HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n")
		busy = append(busy, c)
	}
	deadline := time.Now().Add(10 * time.Second)
	for openConns(t, p.cmd.Process.Pid) < 3 && time.Now().Before(deadline) { // the listener and both clients
		time.Sleep(10 * time.Millisecond) // polling interval
	}
	// A client arrives while both are busy, then both finish their
	// requests and stay connected, idle.
	done := make(chan error)
	go func() { done <- timedGet(t, p, "request arriving while max_connections: 2 are busy") }()
	for _, c := range busy {
		io.WriteString(c, "{}")
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
