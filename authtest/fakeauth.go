package authtest

import (
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/config"
)

// FakeAuth speaks wazo-auth's token-check protocol:
// HEAD /0.1/token/<token>?scope=<acl>&tenant=<uuid> answers 204 when the
// token is known and one of its ACLs matches scope (with wazo-auth's
// wildcards: * one word, # one or more words), 403 when the token is known
// but the ACL or tenant is not granted, and 404 for an unknown token.
type FakeAuth struct {
	URL  string
	Host string
	Port int

	mu       sync.Mutex
	tokens   map[string]grant
	requests []AuthRequest
	gate     chan struct{} // when not nil, checks wait for it to close
	server   *http.Server
}

type grant struct {
	acls    []*regexp.Regexp
	tenants []string
}

// AuthRequest is one check the fake received, with the traceparent header
// the caller sent (empty when none).
type AuthRequest struct {
	Method, Token, Scope, Tenant, Traceparent string
}

// StartFakeAuth listens on a free loopback port until the test ends.
func StartFakeAuth(t testing.TB) *FakeAuth {
	t.Helper()
	f, err := NewFakeAuth()
	if err != nil {
		t.Fatalf("fake wazo-auth: %v", err)
	}
	t.Cleanup(f.Close)
	return f
}

// NewFakeAuth listens on a free loopback port until Close (for benchmarks
// that run outside `go test`).
func NewFakeAuth() (*FakeAuth, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	return ServeFakeAuth(ln), nil
}

// ServeFakeAuth serves the fake on a listener the caller made (one bound
// in another network namespace, at wazo-auth's own port), until Close.
func ServeFakeAuth(ln net.Listener) *FakeAuth {
	addr := ln.Addr().(*net.TCPAddr)
	f := &FakeAuth{URL: "http://" + addr.String(), Host: addr.IP.String(), Port: addr.Port, tokens: map[string]grant{}}
	f.server = &http.Server{Handler: f}
	go f.server.Serve(ln)
	return f
}

// Close stops the server, releasing held checks first.
func (f *FakeAuth) Close() {
	f.Release()
	f.server.Close()
}

// AddToken grants acls to token, for the given tenants (none: any tenant).
func (f *FakeAuth) AddToken(token string, acls []string, tenants ...string) {
	g := grant{tenants: tenants}
	for _, acl := range acls {
		g.acls = append(g.acls, aclPattern(acl))
	}
	f.mu.Lock()
	f.tokens[token] = g
	f.mu.Unlock()
}

// Hold makes every following check wait until Release, to keep requests in
// flight on purpose.
func (f *FakeAuth) Hold() {
	f.mu.Lock()
	f.gate = make(chan struct{})
	f.mu.Unlock()
}

// Release lets held checks answer.
func (f *FakeAuth) Release() {
	f.mu.Lock()
	if f.gate != nil {
		close(f.gate)
		f.gate = nil
	}
	f.mu.Unlock()
}

// Requests returns the checks received so far.
func (f *FakeAuth) Requests() []AuthRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]AuthRequest(nil), f.requests...)
}

func (f *FakeAuth) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutPrefix(r.URL.Path, "/0.1/token/")
	if !ok || (r.Method != http.MethodHead && r.Method != http.MethodGet) {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	f.mu.Lock()
	f.requests = append(f.requests, AuthRequest{Method: r.Method, Token: token, Scope: q.Get("scope"), Tenant: q.Get("tenant"), Traceparent: r.Header.Get("traceparent")})
	g, known := f.tokens[token]
	gate := f.gate
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case !known || token == "":
		w.WriteHeader(http.StatusNotFound)
	case !g.allows(q.Get("scope"), q.Get("tenant")):
		w.WriteHeader(http.StatusForbidden)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func (g grant) allows(scope, tenant string) bool {
	if tenant != "" && len(g.tenants) > 0 {
		found := false
		for _, t := range g.tenants {
			found = found || t == tenant
		}
		if !found {
			return false
		}
	}
	if scope == "" {
		return true
	}
	for _, re := range g.acls {
		if re.MatchString(scope) {
			return true
		}
	}
	return false
}

// aclPattern turns a wazo-auth ACL into a regexp the way
// xivo.auth_verifier.AccessCheck does: * → one word, # → anything.
func aclPattern(acl string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for _, r := range acl {
		switch r {
		case '*':
			b.WriteString(`[^.#]*?`)
		case '#':
			b.WriteString(`.*?`)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// AuthConfig is the auth section that sends a service's token checks to
// this fake (plain HTTP on loopback, 5 s timeout).
func (f *FakeAuth) AuthConfig() config.Auth {
	return config.Auth{Host: f.Host, Port: f.Port, Timeout: 5}
}

// Scopes lists the ACLs the checks received so far asked for, in order.
func (f *FakeAuth) Scopes() []string {
	var out []string
	for _, r := range f.Requests() {
		out = append(out, r.Scope)
	}
	return out
}
