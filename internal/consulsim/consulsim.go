// Package consulsim serves, on 127.0.0.1, a consul catalogue and
// wazo-doctord nodes made up for a test, a benchmark or an attack replay:
// what `audit --consul` meets in a cluster of hundreds of nodes, or in a
// catalogue someone hostile wrote. The real cluster (consul agents,
// doctords, TLS) is exercised by the cluster test; this package is for
// sizes and hostility a test machine cannot host for real.
package consulsim

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"
)

// Entry is one wazo-doctord instance in the catalogue.
type Entry struct {
	Node     string
	Address  string // the service's address
	Port     int
	Critical bool // the node's serfHealth check is critical
}

// Catalog is a consul agent's HTTP API reduced to what a cluster audit
// reads: /v1/catalog/nodes and /v1/health/service/wazo-doctord.
type Catalog struct {
	*httptest.Server
	Requests atomic.Int64
}

// ServeCatalog starts a catalogue listing entries.
func ServeCatalog(entries []Entry) *Catalog {
	type check struct{ CheckID, Name, Status, Output string }
	var nodes, health []any
	seen := map[string]bool{}
	for _, e := range entries {
		if !seen[e.Node] {
			seen[e.Node] = true
			nodes = append(nodes, map[string]any{"Node": e.Node, "Address": e.Address})
		}
		st, out := "passing", "Agent alive and reachable"
		if e.Critical {
			st, out = "critical", "Agent not live or unreachable"
		}
		health = append(health, map[string]any{
			"Node":    map[string]any{"Node": e.Node, "Address": e.Address},
			"Service": map[string]any{"ID": "wazo-doctord-" + e.Node, "Service": "wazo-doctord", "Address": e.Address, "Port": e.Port},
			"Checks":  []check{{"serfHealth", "Serf Health Status", st, out}},
		})
	}
	if nodes == nil {
		nodes, health = []any{}, []any{}
	}
	nb, _ := json.Marshal(nodes)
	hb, _ := json.Marshal(health)
	c := &Catalog{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/catalog/nodes", func(w http.ResponseWriter, r *http.Request) {
		c.Requests.Add(1)
		w.Write(nb)
	})
	mux.HandleFunc("GET /v1/health/service/wazo-doctord", func(w http.ResponseWriter, r *http.Request) {
		c.Requests.Add(1)
		w.Write(hb)
	})
	c.Server = httptest.NewServer(mux)
	return c
}

// Doctord answers like wazo-doctord for every node that points at it:
// Services services per node, Results results per service.
type Doctord struct {
	Services int
	Results  int
	// Delay is waited before each answer; Hang waits until the client
	// gives up instead.
	Delay time.Duration
	Hang  bool
	// Padding adds this many bytes to each service's answer (a node that
	// answers too much).
	Padding int

	Requests  atomic.Int64
	Tokens    atomic.Int64 // requests that carried an X-Auth-Token
	BytesSent atomic.Int64
	inflight  atomic.Int64
	peak      atomic.Int64
}

// Peak is the largest number of requests it answered at the same time.
func (d *Doctord) Peak() int64 { return d.peak.Load() }

// Serve starts it on 127.0.0.1 and says on which port; Close the server
// when done.
func (d *Doctord) Serve() (*httptest.Server, int) {
	srv := httptest.NewServer(d)
	return srv, srv.Listener.Addr().(*net.TCPAddr).Port
}

func (d *Doctord) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.Requests.Add(1)
	if r.Header.Get("X-Auth-Token") != "" {
		d.Tokens.Add(1)
	}
	n := d.inflight.Add(1)
	defer d.inflight.Add(-1)
	for {
		p := d.peak.Load()
		if n <= p || d.peak.CompareAndSwap(p, n) {
			break
		}
	}
	if d.Hang {
		<-r.Context().Done()
		return
	}
	if d.Delay > 0 {
		select {
		case <-time.After(d.Delay):
		case <-r.Context().Done():
			return
		}
	}
	var body []byte
	name, one := strings.CutPrefix(r.URL.Path, "/1.0/services/")
	switch {
	case r.URL.Path == "/1.0/services":
		items := make([]map[string]string, d.Services)
		for i := range items {
			items[i] = map[string]string{"name": fmt.Sprintf("wazo-sim%d", i)}
		}
		body, _ = json.Marshal(map[string]any{"items": items, "total": len(items)})
	case one:
		results := make([]map[string]any, d.Results)
		for i := range results {
			results[i] = map[string]any{"rule": fmt.Sprintf("rule-%d", i), "service": name, "severity": "warning",
				"status": "pass", "message": "simulated verdict of " + name}
		}
		body, _ = json.Marshal(map[string]any{"name": name, "results": results, "padding": strings.Repeat("x", d.Padding)})
	default:
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	n64, _ := w.Write(body)
	d.BytesSent.Add(int64(n64))
}

// ServeNodes starts a catalogue of n nodes (node0000, node0001, ...) whose
// doctords are all at 127.0.0.1:port.
func ServeNodes(n, port int) *Catalog {
	entries := make([]Entry, n)
	for i := range entries {
		entries[i] = Entry{Node: fmt.Sprintf("node%04d", i), Address: "127.0.0.1", Port: port}
	}
	return ServeCatalog(entries)
}
