package consul

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/wazo-platform/wazo-servicekit/config"
	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

const (
	xivoUUID = "5d2c5a8e-7a52-4b1f-8e44-1f0a0e8d3c21"
	name     = "wazo-doctord"
	// Short intervals so the tests run in seconds; the production defaults
	// are 30/27/2.
	ttl     = 2.0
	refresh = 0.2
	retry   = 0.1
)

// budget is the time allowed for passing again after an agent
// restart: refresh_interval + retry_interval.
const budget = time.Duration((refresh + retry) * float64(time.Second))

// slack covers what is not the registrar's: the agent syncing its catalog,
// the poll interval, and two busy cores shared by four test suites.
const slack = 1500 * time.Millisecond

// agentSlack covers the request and poll on the agent itself.
const agentSlack = 200 * time.Millisecond

func discovery() config.ServiceDiscovery {
	return config.ServiceDiscovery{
		Enabled:          true,
		AdvertiseAddress: "127.0.0.1",
		AdvertisePort:    9504,
		TTLInterval:      ttl,
		RefreshInterval:  refresh,
		RetryInterval:    retry,
		ExtraTags:        []string{"extra-1", "extra-2"},
	}
}

// event is one Publish call seen by recorder.
type event struct {
	name, routingKey string
	data             map[string]any
}

// recorder is an Events that remembers what the registrar published.
type recorder struct {
	mu     sync.Mutex
	events []event
}

func (r *recorder) Publish(name, routingKey string, data any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, event{name, routingKey, data.(map[string]any)})
}

func (r *recorder) all() []event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]event(nil), r.events...)
}

// newRegistrar builds a registrar and stops it (bounded) at the end.
func newRegistrar(t *testing.T, o Options) *Registrar {
	t.Helper()
	if o.Name == "" {
		o.Name = name
	}
	if o.UUID == "" {
		o.UUID = xivoUUID
	}
	r, err := NewRegistrar(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stop(t, r) })
	return r
}

func stop(t *testing.T, r *Registrar) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.Stop(ctx); err != nil {
		t.Errorf("Stop: %v", err)
	}
}

// healthEntry is one element of /v1/health/service/<name>.
type healthEntry struct {
	Service struct {
		ID, Service, Address string
		Port                 int
		Tags                 []string
	}
	Checks []struct {
		CheckID, Status, ServiceID string
	}
}

// passing returns the passing instances of the service in the catalog.
func passing(t *testing.T, c *testenv.Consul) []healthEntry {
	t.Helper()
	var entries []healthEntry
	if err := c.Get("/v1/health/service/"+name+"?passing=true", &entries); err != nil {
		t.Fatal(err)
	}
	return entries
}

// catalogCount is how many instances of the service the catalog holds,
// whatever their health.
func catalogCount(t testing.TB, c *testenv.Consul) int {
	t.Helper()
	var entries []map[string]any
	if err := c.Get("/v1/catalog/service/"+name, &entries); err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// waitPassing polls until id is the one passing instance in the catalog,
// failing the test after within, and checking at every poll that the
// catalog never holds two entries. It returns the entry and how long it
// took.
func waitPassing(t *testing.T, c *testenv.Consul, id string, within time.Duration) (healthEntry, time.Duration) {
	t.Helper()
	start := time.Now()
	for {
		if n := catalogCount(t, c); n > 1 {
			t.Fatalf("the catalog holds %d entries for %s, want at most 1", n, name)
		}
		for _, e := range passing(t, c) {
			if e.Service.ID == id {
				return e, time.Since(start)
			}
		}
		if time.Since(start) > within {
			t.Fatalf("service %s not passing in the catalog within %v", id, within)
		}
		time.Sleep(20 * time.Millisecond) // polling interval
	}
}

// waitAgentPassing polls the agent's own view of the service (what the
// registrar controls, before the catalog sync) until its checks pass.
func waitAgentPassing(t *testing.T, c *testenv.Consul, id string, within time.Duration) {
	t.Helper()
	start := time.Now()
	for {
		var out struct{ AggregatedStatus string }
		if c.Get("/v1/agent/health/service/id/"+id, &out) == nil && out.AggregatedStatus == "passing" {
			return
		}
		if time.Since(start) > within {
			t.Fatalf("service %s not passing on the agent within %v", id, within)
		}
		time.Sleep(5 * time.Millisecond) // polling interval
	}
}

// waitGone polls until the catalog holds no instance of the service.
func waitGone(t testing.TB, c *testenv.Consul, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for catalogCount(t, c) != 0 {
		if time.Since(start) > within {
			t.Fatalf("%s still in the catalog after %v", name, within)
		}
		time.Sleep(20 * time.Millisecond) // polling interval
	}
	return time.Since(start)
}

func waitStatus(t *testing.T, r *Registrar, want string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for r.Status() != want {
		if time.Now().After(deadline) {
			t.Fatalf("Status() = %q, want %q within %v", r.Status(), want, within)
		}
		time.Sleep(10 * time.Millisecond) // polling interval
	}
}

func waitLog(t *testing.T, logs *testenv.LogBuffer, substr string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !bytes.Contains([]byte(logs.String()), []byte(substr)) {
		if time.Now().After(deadline) {
			t.Fatalf("%q not logged within %v; logs:\n%s", substr, within, logs)
		}
		time.Sleep(10 * time.Millisecond) // polling interval
	}
}
