package consul

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/wazo-platform/wazo-servicekit/authtest"
	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// doctordBinary is bin/wazo-doctord, built by `make build` (`make test`
// builds it first).
func doctordBinary(tb testing.TB) string {
	tb.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		tb.Skip(err)
	}
	p := filepath.Join(root, "bin", "wazo-doctord")
	testenv.NeedFile(tb, p, "built by `make build`")
	return p
}

// doctordConfig writes a config file for wazo-doctord --dev -c: its REST
// API on port, registration in the agent c, events on busPort (0: no bus),
// auth on authPort.
func doctordConfig(tb testing.TB, dir string, port int, c *testenv.Consul, busPort, authPort int) string {
	tb.Helper()
	busConf := "bus: {enabled: false}\n"
	if busPort != 0 {
		busConf = fmt.Sprintf("bus: {enabled: true, host: 127.0.0.1, port: %d, username: guest, password: guest}\n", busPort)
	}
	conf := fmt.Sprintf(`rest_api: {listen: 127.0.0.1, port: %d, drain_timeout: 10}
log_file: %s
auth: {host: 127.0.0.1, port: %d}
consul: {scheme: http, host: 127.0.0.1, port: %d}
service_discovery:
  enabled: true
  advertise_address: 127.0.0.1
  advertise_port: %d
  ttl_interval: %v
  refresh_interval: %v
  retry_interval: %v
%s`, port, filepath.Join(dir, "wazo-doctord.log"), authPort, c.HTTPPort, port, ttl, refresh, retry, busConf)
	p := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(p, []byte(conf), 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

// The real daemon: once serving it is passing in consul and /status shows
// service_discovery and bus_publisher ok; on SIGTERM it leaves the catalog
// while it is still running (a request in flight holds the HTTP drain
// open), and a Wazo consumer got service_registered and
// service_deregistered.
func TestDoctordSIGTERMLeavesCatalogBeforeExit(t *testing.T) {
	bin := doctordBinary(t)
	rmq := testenv.SharedRabbitMQ(t)
	c := testenv.StartConsul(t, testenv.ConsulOptions{})
	auth := authtest.StartFakeAuth(t)
	auth.AddToken("status-token", []string{"doctor.#"})
	dir := t.TempDir()
	port := testenv.FreePort(t)
	cfg := doctordConfig(t, dir, port, c, rmq.Port, auth.Port)

	deliveries := rmq.Consume(t, "wazo-headers",
		amqp.Table{"x-match": "all", "name": "service_registered"},
		amqp.Table{"x-match": "all", "name": "service_deregistered"})

	cmd := exec.Command(bin, "--dev", "-c", cfg)
	cmd.Env = append(os.Environ(), "XIVO_UUID="+xivoUUID)
	// Killed with the test binary even if it dies (e.g. -timeout panic).
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stderr, err := os.Create(filepath.Join(dir, "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// exited receives the exit once; done is closed once it happened.
	exited := make(chan error, 1)
	done := make(chan struct{})
	go func() { exited <- cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		select {
		case <-done:
		default:
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "wazo-doctord.log"))
			e, _ := os.ReadFile(filepath.Join(dir, "stderr"))
			t.Logf("wazo-doctord log:\n%s\nstderr:\n%s", b, e)
		}
	})

	id := waitAnyPassing(t, c, 10*time.Second)
	// The bus connects in the background: poll /status until all is ok.
	deadline := time.Now().Add(10 * time.Second)
	for {
		status := getStatus(t, port, "status-token")
		if status["service_discovery"].Status == "ok" && status["bus_publisher"].Status == "ok" && status["rest_api"].Status == "ok" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/status = %v, want service_discovery, bus_publisher and rest_api ok", status)
		}
		time.Sleep(20 * time.Millisecond) // polling interval
	}

	// A request in flight: its token check is held at wazo-auth, so the
	// handler is still running when SIGTERM comes, and the HTTP drain
	// waits for it. The process must leave the catalog while this request
	// is still unanswered, i.e. before HTTP has drained.
	checks := len(auth.Requests())
	auth.Hold()
	released := false
	defer func() {
		if !released {
			auth.Release()
		}
	}()
	hold, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Close()
	if _, err := fmt.Fprintf(hold, "GET /1.0/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: status-token\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	for held := time.Now().Add(5 * time.Second); len(auth.Requests()) == checks; {
		if time.Now().After(held) {
			t.Fatal("the request never reached wazo-auth")
		}
		time.Sleep(10 * time.Millisecond) // polling interval
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	for catalogCount(t, c) != 0 {
		select {
		case err := <-exited:
			t.Fatalf("wazo-doctord exited (%v) while still in the catalog", err)
		default:
		}
		// Well inside the 5 s the drain is held: in the wrong order
		// (drain first) the entry would stay until then.
		if time.Since(sent) > 3*time.Second {
			t.Fatal("wazo-doctord still in the catalog 3 s after SIGTERM")
		}
		time.Sleep(10 * time.Millisecond) // polling interval
	}
	t.Logf("SIGTERM → gone from the catalog: %v", time.Since(sent))
	select {
	case err := <-exited:
		t.Fatalf("wazo-doctord exited (%v) before the check: the connection in flight did not hold the drain", err)
	default: // still running, already gone from the catalog
	}
	// The request is still unanswered: HTTP is still draining.
	_ = hold.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if n, err := hold.Read(make([]byte, 1)); n != 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("the request in flight was answered or cut (%v) before the deregistration: HTTP drained first", err)
	}
	// Let wazo-auth answer: the request completes, the drain ends, the
	// daemon exits 0.
	auth.Release()
	released = true
	_ = hold.SetReadDeadline(time.Now().Add(10 * time.Second))
	if line, err := bufio.NewReader(hold).ReadString('\n'); err != nil || !strings.HasPrefix(line, "HTTP/1.1 200") {
		t.Errorf("the request in flight got %q (%v), want its 200 after the drain", line, err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("wazo-doctord exit: %v, want status 0", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("wazo-doctord did not exit after SIGTERM")
	}

	for _, want := range []string{"service_registered", "service_deregistered"} {
		select {
		case m := <-deliveries:
			var body struct {
				Name string
				Data map[string]any
			}
			if err := json.Unmarshal(m.Body, &body); err != nil {
				t.Fatal(err)
			}
			if m.Headers["name"] != want || m.Headers["origin_uuid"] != xivoUUID || body.Data["service_id"] != id || body.Data["service_name"] != name {
				t.Errorf("event %v %s; want %s for service %s", m.Headers, m.Body, want, id)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s not received", want)
		}
	}
}

// waitAnyPassing waits for one passing wazo-doctord in the catalog and
// returns its id.
func waitAnyPassing(tb testing.TB, c *testenv.Consul, within time.Duration) string {
	tb.Helper()
	deadline := time.Now().Add(within)
	for {
		var entries []healthEntry
		if err := c.Get("/v1/health/service/"+name+"?passing=true&tag="+xivoUUID, &entries); err != nil {
			tb.Fatal(err)
		}
		if len(entries) == 1 {
			return entries[0].Service.ID
		}
		if len(entries) > 1 || time.Now().After(deadline) {
			tb.Fatalf("%d passing %s in the catalog (waited up to %v), want 1", len(entries), name, within)
		}
		time.Sleep(time.Millisecond) // polling interval
	}
}

func getStatus(t *testing.T, port int, token string) map[string]struct{ Status string } {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("http://127.0.0.1:%d/1.0/status", port), nil)
	req.Header.Set("X-Auth-Token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]struct{ Status string }
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /1.0/status: HTTP %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}
