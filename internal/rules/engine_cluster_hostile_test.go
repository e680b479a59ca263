package rules

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// TestAuditClusterSendsNoConsulTokenInClear: the consul token went in
// clear to any agent address; only https or this host get it, and the
// refusal comes before any connection.
func TestAuditClusterSendsNoConsulTokenInClear(t *testing.T) {
	for _, u := range []string{"http://192.0.2.10:8500", "http://consul.example:8500"} {
		_, err := AuditCluster(context.Background(), ClusterOptions{ConsulURL: u, Token: "tok", ConsulToken: "secret-consul-token", Timeout: time.Second})
		if err == nil || !strings.Contains(err.Error(), "in clear") {
			t.Errorf("%s with a consul token: err = %v, want a refusal", u, err)
		}
	}
}

// TestAuditClusterSendsTheTokenOnlyToTrustedNodes: the wazo-auth token
// went in clear to whatever address the catalog listed (any loopback
// port), and over TLS checked against the system's roots elsewhere. Now
// this host's doctord is asked at its own port, another node only with
// the operator's doctor CA or when named with --trust-node, and an
// address that could rewrite the URL is not asked at all.
func TestAuditClusterSendsTheTokenOnlyToTrustedNodes(t *testing.T) {
	ca, _, _ := testenv.SelfSignedCert(t)
	without, err := newNodeTrust(clusterDefaults(ClusterOptions{TrustedNodes: []string{"127.0.0.1:7000", "[::1]:7001", "192.0.2.9:443"}}))
	if err != nil {
		t.Fatal(err)
	}
	with, err := newNodeTrust(clusterDefaults(ClusterOptions{DoctorCAFile: ca}))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		trust     *nodeTrust
		addr      string
		port      int
		want, why string // want "" = refused, with why in the reason
	}{
		{without, "127.0.0.1", 9504, "http://127.0.0.1:9504/1.0", ""},
		{without, "::1", 9504, "http://[::1]:9504/1.0", ""},
		{without, "127.0.0.1", 19661, "", "not at wazo-doctord's port 9504"},
		{without, "127.0.0.1", 7000, "http://127.0.0.1:7000/1.0", ""},
		{without, "0:0:0:0:0:0:0:1", 7001, "http://[0:0:0:0:0:0:0:1]:7001/1.0", ""},
		{without, "192.0.2.1", 9504, "", "no --doctor-cacert"},
		{without, "node2.example", 443, "", "no --doctor-cacert"},
		{without, "192.0.2.9", 443, "https://192.0.2.9:443/1.0", ""},
		{with, "192.0.2.1", 9504, "https://192.0.2.1:9504/1.0", ""},
		{with, "node2.example", 443, "https://node2.example:443/1.0", ""},
		{with, "127.0.0.1", 19661, "", "not at wazo-doctord's port"},
		{with, "evil.example/x?", 9504, "", "not an IP address"},
		{with, "user@evil.example", 9504, "", "not an IP address"},
		{with, "127.0.0.1", 0, "", "not a TCP port"},
		{with, "", 9504, "", "not an IP address"},
	} {
		got, err := c.trust.base(c.addr, c.port)
		if c.want != got || c.want == "" && (err == nil || !strings.Contains(err.Error(), c.why)) {
			t.Errorf("%s port %d: %q, %v; want %q (%s)", c.addr, c.port, got, err, c.want, c.why)
		}
	}
	for _, bad := range []string{"127.0.0.1", "127.0.0.1:0", "evil/x:80", "h:99999"} {
		if _, err := newNodeTrust(clusterDefaults(ClusterOptions{TrustedNodes: []string{bad}})); err == nil {
			t.Errorf("--trust-node %q accepted", bad)
		}
	}
}

// TestAuditClusterTokenNotSentToAnAttackersLoopbackPort replays the
// report's reproduction with a real consul agent: a local user registers
// wazo-doctord at 127.0.0.1:<their port>; their listener receives no
// request, and the node says why it was not asked.
func TestAuditClusterTokenNotSentToAnAttackersLoopbackPort(t *testing.T) {
	c := testenv.StartConsul(t, testenv.ConsulOptions{})
	var got atomic.Int32
	attacker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
	}))
	defer attacker.Close()
	_, p, _ := net.SplitHostPort(attacker.Listener.Addr().String())
	port, _ := strconv.Atoi(p)
	register(t, c.Addr(), "doctord-steal", port)
	waitListed(t, c, "doctord-steal")
	rep, err := AuditCluster(context.Background(), ClusterOptions{ConsulURL: "http://" + c.Addr(), Token: "OPERATOR-TOKEN", Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if got.Load() != 0 {
		t.Fatalf("the attacker's listener got %d request(s)", got.Load())
	}
	var seen bool
	for _, r := range rep.Results() {
		if r.Rule == NodeUnreachable && strings.Contains(r.Message, "any local user can register") {
			seen = true
		}
	}
	if !seen {
		t.Fatalf("no result says why the entry was not asked: %+v", rep.Results())
	}
}

// TestAuditClusterTLSOnlyWithTheDoctorCA: a node behind TLS whose
// certificate another CA signed, and a node that speaks plain HTTP where
// TLS is expected, never see the token; the node whose certificate the
// doctor CA signed does.
func TestAuditClusterTLSOnlyWithTheDoctorCA(t *testing.T) {
	ours := testenv.NewCA(t, "cluster CA")
	theirs := testenv.NewCA(t, "another CA")
	trust, err := newNodeTrust(clusterDefaults(ClusterOptions{DoctorCAFile: ours.File, Timeout: 2 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	var tokens atomic.Int32
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Auth-Token") != "" {
			tokens.Add(1)
		}
		w.Write([]byte(`{"items": []}`))
	})
	serve := func(ca *testenv.CA) string {
		srv := httptest.NewUnstartedServer(handler)
		if ca != nil {
			certFile, keyFile := ca.Issue("127.0.0.1")
			cert, err := tls.LoadX509KeyPair(certFile, keyFile)
			if err != nil {
				t.Fatal(err)
			}
			srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
			srv.StartTLS()
		} else {
			srv.Start()
		}
		t.Cleanup(srv.Close)
		return "https://" + srv.Listener.Addr().String() + "/1.0"
	}
	opts := clusterDefaults(ClusterOptions{Token: "OPERATOR-TOKEN", Timeout: 2 * time.Second})
	for _, c := range []struct {
		name   string
		base   string
		tokens int32
	}{
		{"plain HTTP", serve(nil), 0},
		{"another CA", serve(theirs), 0},
		{"the doctor CA", serve(ours), 1},
	} {
		tokens.Store(0)
		srs := askNode(context.Background(), trust.client(c.base), "n", c.base, opts, &byteBudget{left: MaxClusterBytes})
		if tokens.Load() != c.tokens {
			t.Errorf("%s: the token arrived %d time(s), want %d", c.name, tokens.Load(), c.tokens)
		}
		if asked := len(srs) == 0; asked != (c.tokens == 1) {
			t.Errorf("%s: %+v", c.name, srs)
		}
	}
}

// TestAuditClusterFollowsNoRedirect: a node's doctord that redirects to
// another host got the token there; the redirect is now the node's
// (unknown) answer, and the other host sees nothing.
func TestAuditClusterFollowsNoRedirect(t *testing.T) {
	c := testenv.StartConsul(t, testenv.ConsulOptions{})
	var leaked atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Auth-Token") != "" {
			leaked.Add(1)
		}
	}))
	defer other.Close()
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
	}))
	defer redirector.Close()
	_, p, _ := net.SplitHostPort(redirector.Listener.Addr().String())
	port, _ := strconv.Atoi(p)
	register(t, c.Addr(), "doctord-redirect", port)
	waitListed(t, c, "doctord-redirect")
	rep, err := AuditCluster(context.Background(), ClusterOptions{ConsulURL: "http://" + c.Addr(), Token: "tok", Timeout: 2 * time.Second,
		TrustedNodes: []string{redirector.Listener.Addr().String()}})
	if err != nil {
		t.Fatal(err)
	}
	if r := rep.Results(); len(r) != 1 || r[0].Rule != NodeUnreachable || r[0].Status != Unknown || !strings.Contains(r[0].Message, "not followed") {
		t.Errorf("a redirecting node: %+v, want unknown, redirect not followed", r)
	}
	if leaked.Load() != 0 {
		t.Errorf("the token reached the host the node redirected to")
	}
}
