package rules

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// doctordOver serves, like wazo-doctord, the audit of an image root:
// GET /1.0/services and /1.0/services/{name}, token required.
func doctordOver(t *testing.T, root string) *httptest.Server {
	mux := http.NewServeMux()
	audit := func(w http.ResponseWriter, r *http.Request) *Report {
		if r.Header.Get("X-Auth-Token") != "tok" {
			http.Error(w, `{"message":"Unauthorized"}`, http.StatusUnauthorized)
			return nil
		}
		rep, err := Audit(r.Context(), AuditOptions{Root: root})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return nil
		}
		return rep
	}
	mux.HandleFunc("GET /1.0/services", func(w http.ResponseWriter, r *http.Request) {
		if rep := audit(w, r); rep != nil {
			items := []map[string]any{}
			for _, s := range rep.Services {
				items = append(items, map[string]any{"name": s.Name, "summary": s.Summary})
			}
			json.NewEncoder(w).Encode(map[string]any{"items": items, "total": len(items)})
		}
	})
	mux.HandleFunc("GET /1.0/services/{name}", func(w http.ResponseWriter, r *http.Request) {
		if rep := audit(w, r); rep != nil {
			for _, s := range rep.Services {
				if s.Name == r.PathValue("name") {
					json.NewEncoder(w).Encode(map[string]any{"name": s.Name, "summary": s.Summary, "results": s.Results})
					return
				}
			}
			http.NotFound(w, r)
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func register(t *testing.T, consul, id string, port int) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"ID": id, "Name": "wazo-doctord", "Address": "127.0.0.1", "Port": port})
	req, _ := http.NewRequest(http.MethodPut, "http://"+consul+"/v1/agent/service/register", bytes.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("register %s: HTTP %d", id, resp.StatusCode)
	}
}

// TestAuditClusterThroughARealConsulCatalog: two healthy doctords, one
// broken install and one node whose doctord is gone.
func TestAuditClusterThroughARealConsulCatalog(t *testing.T) {
	c := testenv.StartConsul(t, testenv.ConsulOptions{})
	good := installedRoot(t)
	broken := installedRoot(t)
	edit(t, broken+"/etc/passwd", ":/usr/sbin/nologin", ":/bin/bash")
	var trusted []string
	for i, root := range []string{good, broken} {
		addr := doctordOver(t, root).Listener.Addr().String()
		_, p, _ := net.SplitHostPort(addr)
		port, _ := strconv.Atoi(p)
		register(t, c.Addr(), fmt.Sprintf("doctord-%d", i), port)
		trusted = append(trusted, addr)
	}
	gone := testenv.FreePort(t)
	register(t, c.Addr(), "doctord-gone", gone)
	trusted = append(trusted, "127.0.0.1:"+strconv.Itoa(gone))
	waitListed(t, c, "doctord-0", "doctord-1", "doctord-gone")
	rep, err := AuditCluster(context.Background(), ClusterOptions{ConsulURL: "http://" + c.Addr(), Token: "tok", Timeout: 2 * time.Second, TrustedNodes: trusted})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Services) != 3 {
		t.Fatalf("%d service reports, want 3: %+v", len(rep.Services), rep.Services)
	}
	var fails, unreachable int
	for _, r := range rep.Results() {
		if r.Status == Fail {
			fails++
			if r.Rule != "user-no-login-shell" {
				t.Errorf("unexpected failure %s: %s", r.Rule, r.Message)
			}
		}
		if r.Rule == NodeUnreachable {
			unreachable++
			if r.Status != Unknown || !strings.Contains(r.Message, strconv.Itoa(gone)) {
				t.Errorf("unreachable node: %+v", r)
			}
		}
	}
	if fails != 1 || unreachable != 1 {
		t.Fatalf("fails=%d unreachable=%d, want 1 and 1", fails, unreachable)
	}
}

// waitListed polls the catalog until every ID is a wazo-doctord instance
// in it (the agent syncs its registrations to the catalog asynchronously).
func waitListed(t *testing.T, c *testenv.Consul, ids ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var entries []struct{ Service struct{ ID string } }
		if err := c.Get("/v1/health/service/wazo-doctord", &entries); err != nil {
			t.Fatal(err)
		}
		found := 0
		for _, e := range entries {
			for _, id := range ids {
				if e.Service.ID == id {
					found++
				}
			}
		}
		if found == len(ids) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s the catalog lists %d of %v", found, ids)
		}
		time.Sleep(50 * time.Millisecond) // polling the catalog, bounded by the deadline
	}
}
