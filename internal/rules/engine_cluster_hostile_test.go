package rules

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wazo-platform/wazo-servicekit/consul"
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

// TestAuditClusterAsksRemoteNodesOverHTTPS: the wazo-auth token went in
// clear to whatever address the catalog listed; a node that is not this
// host is asked over https, and an address that could rewrite the URL is
// not asked at all.
func TestAuditClusterAsksRemoteNodesOverHTTPS(t *testing.T) {
	for _, c := range []struct {
		node consul.CatalogNode
		want string // "" = refused
	}{
		{consul.CatalogNode{Address: "127.0.0.1", ServicePort: 9504}, "http://127.0.0.1:9504/1.0"},
		{consul.CatalogNode{Address: "10.0.0.1", ServiceAddress: "::1", ServicePort: 9504}, "http://[::1]:9504/1.0"},
		{consul.CatalogNode{Address: "192.0.2.1", ServicePort: 9504}, "https://192.0.2.1:9504/1.0"},
		{consul.CatalogNode{ServiceAddress: "node2.example", ServicePort: 443}, "https://node2.example:443/1.0"},
		{consul.CatalogNode{ServiceAddress: "evil.example/x?", ServicePort: 9504}, ""},
		{consul.CatalogNode{ServiceAddress: "user@evil.example", ServicePort: 9504}, ""},
		{consul.CatalogNode{ServiceAddress: "127.0.0.1", ServicePort: 0}, ""},
		{consul.CatalogNode{}, ""},
	} {
		got, err := nodeBase(c.node)
		if c.want == "" && err == nil || c.want != "" && got != c.want {
			t.Errorf("%+v: %q, %v; want %q", c.node, got, err, c.want)
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

	deadline := time.Now().Add(10 * time.Second)
	for {
		rep, err := AuditCluster(context.Background(), ClusterOptions{ConsulURL: "http://" + c.Addr(), Token: "tok", ConsulToken: c.Config().Token, Timeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Services) == 1 {
			r := rep.Results()[0]
			if r.Rule != NodeUnreachable || r.Status != Unknown || !strings.Contains(r.Message, "not followed") {
				t.Errorf("a redirecting node: %+v, want unknown, redirect not followed", r)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the registration never showed in the catalog")
		}
		time.Sleep(100 * time.Millisecond) // polling the catalog, bounded by the deadline
	}
	if leaked.Load() != 0 {
		t.Errorf("the token reached the host the node redirected to")
	}
}
