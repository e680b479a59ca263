package auth

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wazo-platform/wazo-servicekit/config"
	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

func clientFor(host string, port int, timeout float64) *Client {
	return New(config.Auth{Host: host, Port: port, Timeout: timeout})
}

func protected(c *Client) http.Handler {
	return c.Require("doctor.status.read", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	}))
}

func TestTokenCheckAgainstWazoAuthProtocol(t *testing.T) {
	fake := testenv.StartFakeAuth(t)
	fake.AddToken("valid-token-1234567890", []string{"doctor.#"})
	fake.AddToken("narrow-token-abcdefgh", []string{"doctor.config.read"})
	fake.AddToken("tenant-token-12345678", []string{"doctor.*.read"}, "tenant-a")
	h := protected(clientFor(fake.Host, fake.Port, 5))

	for _, c := range []struct {
		name, token, tenant string
		status              int
		reason              string
	}{
		{"valid token with a wildcard ACL", "valid-token-1234567890", "", 200, ""},
		{"unknown token", "unknown-token-0000000", "", 401, "not_found_or_expired"},
		{"token without the ACL", "narrow-token-abcdefgh", "", 401, "missing_permission_or_invalid_tenant"},
		{"no token still asks wazo-auth", "", "", 401, "not_found_or_expired"},
		{"right tenant", "tenant-token-12345678", "tenant-a", 200, ""},
		{"wrong tenant", "tenant-token-12345678", "tenant-b", 401, "missing_permission_or_invalid_tenant"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := len(fake.Requests())
			req := httptest.NewRequest("GET", "/1.0/status", nil)
			if c.token != "" {
				req.Header.Set("X-Auth-Token", c.token)
			}
			if c.tenant != "" {
				req.Header.Set("Wazo-Tenant", c.tenant)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, c.status, rec.Body)
			}
			reqs := fake.Requests()
			if len(reqs) != before+1 {
				t.Fatalf("wazo-auth got %d checks, want exactly 1", len(reqs)-before)
			}
			got := reqs[len(reqs)-1]
			if got.Method != http.MethodHead || got.Scope != "doctor.status.read" || got.Token != c.token || got.Tenant != c.tenant {
				t.Errorf("check sent %+v", got)
			}
			if c.reason != "" {
				body := rec.Body.String()
				for _, want := range []string{`"error_id":"unauthorized"`, `"reason":"` + c.reason + `"`, `"required_access":"doctor.status.read"`, `"timestamp":`} {
					if !strings.Contains(body, want) {
						t.Errorf("body %s lacks %s", body, want)
					}
				}
				if c.token != "" && strings.Contains(body, c.token) {
					t.Errorf("the error body echoes the whole token: %s", body)
				}
			}
		})
	}
}

func TestTokenQueryParameterIsAccepted(t *testing.T) {
	fake := testenv.StartFakeAuth(t)
	fake.AddToken("query-token-12345678", []string{"doctor.status.read"})
	rec := httptest.NewRecorder()
	protected(clientFor(fake.Host, fake.Port, 5)).ServeHTTP(rec, httptest.NewRequest("GET", "/1.0/status?token=query-token-12345678", nil))
	if rec.Code != 200 {
		t.Errorf("status %d: %s", rec.Code, rec.Body)
	}
}

func TestAuthUnreachableIs503WithHostPortAndCause(t *testing.T) {
	port := testenv.FreePort(t) // nothing listens there
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/1.0/status", nil)
	req.Header.Set("X-Auth-Token", "secret-token-value-123")
	protected(clientFor("127.0.0.1", port, 2)).ServeHTTP(rec, req)
	body := rec.Body.String()
	if rec.Code != 503 || !strings.Contains(body, `"error_id":"authentication-server-unreachable"`) ||
		!strings.Contains(body, `"auth_server_host":"127.0.0.1"`) || !strings.Contains(body, `"auth_server_port":`) ||
		!strings.Contains(body, "connection refused") {
		t.Errorf("got %d %s", rec.Code, body)
	}
	if strings.Contains(body, "secret-token-value-123") {
		t.Errorf("the original error leaks the token: %s", body)
	}
}

func TestAuthTimeoutIs503(t *testing.T) {
	// A listener that accepts and never answers.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		protected(clientFor("127.0.0.1", port, 0.2)).ServeHTTP(rec, httptest.NewRequest("GET", "/1.0/status", nil))
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the check did not honour auth.timeout")
	}
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), "authentication-server-unreachable") {
		t.Errorf("got %d %s", rec.Code, rec.Body)
	}
}
