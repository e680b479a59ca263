package auth

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/wazo-platform/wazo-servicekit/authtest"
	"github.com/wazo-platform/wazo-servicekit/config"
	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
	"github.com/wazo-platform/wazo-servicekit/rest"
)

func clientFor(host string, port int, timeout config.Seconds) *Client {
	return New(config.Auth{Host: host, Port: port, Timeout: timeout})
}

func protected(c *Client) http.Handler {
	return c.Require("doctor.status.read", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	}))
}

func TestTokenCheckAgainstWazoAuthProtocol(t *testing.T) {
	fake := authtest.StartFakeAuth(t)
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
	fake := authtest.StartFakeAuth(t)
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
		req := httptest.NewRequest("GET", "/1.0/status", nil)
		req.Header.Set("X-Auth-Token", "some-token-0123456789")
		protected(clientFor("127.0.0.1", port, 0.2)).ServeHTTP(rec, req)
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

// TestTokenCannotChangeTheCheckedPath: through nginx (auth.prefix), the
// token ../api/api.yml turned the check into HEAD /0.1/api/api.yml, which
// answers 200. Tokens that are not wazo-auth tokens are refused with 401
// before wazo-auth is asked; only the token resource's answer counts.
func TestTokenCannotChangeTheCheckedPath(t *testing.T) {
	fake := authtest.StartFakeAuth(t)
	// nginx in front of wazo-auth: decodes and normalises the path (so
	// %2F..%2F climbs out of /token/) and serves other resources beside
	// the token one, here anything answering 200 to HEAD.
	decoy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.URL.Path = path.Clean(r.URL.Path)
		if strings.HasPrefix(r.URL.Path, "/auth/0.1/token/") {
			r.URL.Path = strings.TrimPrefix(r.URL.Path, "/auth")
			fake.ServeHTTP(w, r)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer decoy.Close()
	addr := decoy.Listener.Addr().(*net.TCPAddr)
	prefix := "/auth"
	h := protected(New(config.Auth{Host: "127.0.0.1", Port: addr.Port, Prefix: &prefix, Timeout: 5}))
	for _, token := range []string{"", "../api/api.yml", "..%2fapi%2fapi.yml", "a/../../api/api.yml", "tok en", "tok\x00en", "tok\nen", "tok.en", "%2e%2e", strings.Repeat("a", MaxTokenLength+1)} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/1.0/config", nil)
		req.Header["X-Auth-Token"] = []string{token}
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("token %q: status %d, want 401", token, rec.Code)
		}
	}
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("wazo-auth was asked %d times about tokens that cannot be tokens", n)
	}
}

// TestTokenCheckDoesNotFollowRedirects: a redirect from the auth address is
// not followed (the token would go to another host); it is not a pass.
func TestTokenCheckDoesNotFollowRedirects(t *testing.T) {
	var followed bool
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		followed = true
		w.WriteHeader(http.StatusNoContent)
	}))
	defer other.Close()
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer redirector.Close()
	port := redirector.Listener.Addr().(*net.TCPAddr).Port
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/1.0/status", nil)
	req.Header.Set("X-Auth-Token", "valid-token-1234567890")
	protected(clientFor("127.0.0.1", port, 5)).ServeHTTP(rec, req)
	if rec.Code == http.StatusOK || followed {
		t.Errorf("redirected token check: status %d, followed %v", rec.Code, followed)
	}
}

// FuzzValidToken: whatever the token, a token ValidToken accepts puts
// exactly one path segment after /0.1/token/, and Check never panics.
func FuzzValidToken(f *testing.F) {
	for _, s := range []string{"valid-token-1234567890", "../api/api.yml", "%2e", "a b", "\x00", "", "é"} {
		f.Add(s)
	}
	c := clientFor("127.0.0.1", 1, 0.001) // nothing listens on port 1
	f.Fuzz(func(t *testing.T, token string) {
		if ValidToken(token) {
			u, err := url.Parse("http://h/0.1/token/" + url.PathEscape(token) + "?scope=x")
			if err != nil || u.Path != "/0.1/token/"+token || strings.ContainsAny(token, "/.%?# \t\r\n") {
				t.Fatalf("accepted token %q gives path %v (%v)", token, u, err)
			}
			return
		}
		e := c.Check(context.Background(), token, "doctor.status.read", "")
		if e == nil || e.Status != http.StatusUnauthorized {
			t.Fatalf("refused token %q: %+v, want 401 without asking", token, e)
		}
		if got := e.Details["invalid_token"]; got != rest.MaskToken(token) {
			t.Fatalf("the 401 of %q shows the token as %q, want it masked", token, got)
		}
	})
}
