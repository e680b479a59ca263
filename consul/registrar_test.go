package consul

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wazo-platform/wazo-servicekit/config"
	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// Start → passing in the catalog with Wazo's fields; Wazo's acceptance
// lookup finds it; Stop → gone.
func TestRegistersOnStartWithWazoFields(t *testing.T) {
	c := testenv.StartConsul(t, testenv.ConsulOptions{})
	events := &recorder{}
	r := newRegistrar(t, Options{Consul: c.Config(), Discovery: discovery(), Events: events})

	// Nothing is sent before Start (readiness gate).
	var services map[string]any
	if err := c.Get("/v1/agent/services", &services); err != nil {
		t.Fatal(err)
	}
	if len(services) != 0 || r.Status() != "fail" {
		t.Fatalf("before Start: agent services %v, Status %q; want none and fail", services, r.Status())
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	id := r.ServiceID()
	if !uuidV4.MatchString(id) {
		t.Errorf("service id %q is not a version 4 UUID", id)
	}
	e, took := waitPassing(t, c, id, budget+slack)
	t.Logf("Start → passing in the catalog: %v", took)

	wantTags := []string{xivoUUID, name, "extra-1", "extra-2"}
	if e.Service.Service != name || !reflect.DeepEqual(e.Service.Tags, wantTags) ||
		e.Service.Address != "127.0.0.1" || e.Service.Port != 9504 {
		t.Errorf("catalog entry %+v; want name %s, tags %v, 127.0.0.1:9504", e.Service, name, wantTags)
	}
	var found bool
	for _, ch := range e.Checks {
		if ch.CheckID == "service:"+id {
			found = ch.Status == "passing" && ch.ServiceID == id
		}
	}
	if !found {
		t.Errorf("no passing check service:%s in %+v", id, e.Checks)
	}
	// The catalog may show the entry before the registrar has read the
	// agent's answer.
	waitStatus(t, r, "ok", 5*time.Second)

	// Wazo's acceptance assertion, replayed request by request.
	var dcs []string
	if err := c.Get("/v1/catalog/datacenters", &dcs); err != nil || len(dcs) == 0 {
		t.Fatalf("datacenters %v: %v", dcs, err)
	}
	var entries []healthEntry
	q := url.Values{"dc": {dcs[0]}, "passing": {"true"}, "tag": {xivoUUID}}
	if err := c.Get("/v1/health/service/"+name+"?"+q.Encode(), &entries); err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Service.ID != id {
		t.Errorf("Wazo's lookup returned %+v, want the one instance %s", entries, id)
	}
	// And the same through the kit's Finder.
	f, err := NewFinder(c.Config())
	if err != nil {
		t.Fatal(err)
	}
	found2, err := f.HealthyServices(context.Background(), name, xivoUUID)
	if err != nil || len(found2) != 1 || found2[0].ID != id || found2[0].Port != 9504 {
		t.Errorf("Finder.HealthyServices = %+v, %v; want the one instance %s", found2, err, id)
	}
	if other, err := f.HealthyServices(context.Background(), name, "another-uuid"); err != nil || len(other) != 0 {
		t.Errorf("lookup with another XIVO_UUID = %+v, %v; want nothing", other, err)
	}

	stop(t, r)
	if n := catalogCount(t, c); n != 0 {
		t.Errorf("after Stop the catalog still holds %d entries", n)
	}
	var checks map[string]any
	if err := c.Get("/v1/agent/checks", &checks); err != nil {
		t.Fatal(err)
	}
	if _, ok := checks["service:"+id]; ok {
		t.Errorf("after Stop the agent still has check service:%s", id)
	}
	if r.Status() != "fail" {
		t.Errorf("Status() = %q after Stop, want fail", r.Status())
	}
	got := events.all()
	if len(got) != 2 || got[0].name != "service_registered" || got[1].name != "service_deregistered" {
		t.Fatalf("events %+v; want service_registered then service_deregistered", got)
	}
	wantReg := map[string]any{"service_name": name, "service_id": id, "address": "127.0.0.1", "port": 9504, "tags": wantTags}
	if got[0].routingKey != "service.registered."+name || !reflect.DeepEqual(got[0].data, wantReg) {
		t.Errorf("service_registered %q %v; want %v", got[0].routingKey, got[0].data, wantReg)
	}
	wantDereg := map[string]any{"service_name": name, "service_id": id, "tags": wantTags}
	if got[1].routingKey != "service.deregistered."+name || !reflect.DeepEqual(got[1].data, wantDereg) {
		t.Errorf("service_deregistered %q %v; want %v", got[1].routingKey, got[1].data, wantDereg)
	}
}

// The TTL pass every refresh_interval keeps the check passing well past
// its TTL.
func TestRefreshKeepsCheckPassingPastTTL(t *testing.T) {
	c := testenv.StartConsul(t, testenv.ConsulOptions{})
	sd := discovery()
	sd.TTLInterval, sd.RefreshInterval = 1, 0.3
	r := newRegistrar(t, Options{Consul: c.Config(), Discovery: sd})
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitPassing(t, c, r.ServiceID(), 5*time.Second)
	// Observe three TTLs: without the refresh the check would go critical
	// after one.
	end := time.Now().Add(3 * time.Second)
	for time.Now().Before(end) {
		if len(passing(t, c)) != 1 {
			t.Fatal("the check stopped passing although the registrar refreshes it")
		}
		time.Sleep(50 * time.Millisecond) // polling interval
	}
}

// The agent is killed (no leave) and started again, 10 times: the service
// is passing again each time within refresh_interval + retry_interval (plus
// slack), and the catalog never holds two entries. Both kinds of agent: a
// -dev one forgets the registration, so it must be registered again; a
// persistent one restores it from disk (same id → still one entry).
func TestAgentRestartedTenTimes(t *testing.T) {
	for _, persistent := range []bool{false, true} {
		kind := map[bool]string{false: "dev", true: "persistent"}[persistent]
		t.Run(kind, func(t *testing.T) {
			c := testenv.StartConsul(t, testenv.ConsulOptions{Persistent: persistent})
			log, logs := testenv.NewLogger()
			events := &recorder{}
			r := newRegistrar(t, Options{Consul: c.Config(), Discovery: discovery(), Logger: log, Events: events})
			if err := r.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			id := r.ServiceID()
			waitPassing(t, c, id, 5*time.Second)
			// A persistent server holds a registration sent before its
			// leader is back in consul's RPC retry, which waits a random
			// stagger of up to rpc_hold_timeout/16 (7 s/16 ≈ 437 ms) before
			// trying again: consul's time, not the registrar's.
			var extra time.Duration
			if persistent {
				extra = 440 * time.Millisecond
			}
			var worstAgent, worstCatalog time.Duration
			for i := 1; i <= 10; i++ {
				c.Kill()
				waitStatus(t, r, "fail", 5*time.Second)
				c.Start()
				// The registrar's part: passing on the agent within
				// refresh+retry of the agent being ready again.
				waitAgentPassing(t, c, id, 10*time.Second)
				got := time.Since(c.ReadyAt)
				worstAgent = max(worstAgent, got)
				if got > budget+agentSlack+extra {
					t.Errorf("restart %d: passing on the agent %v after it was ready; budget %v + %v + %v", i, got, budget, agentSlack, extra)
				}
				// What Wazo's lookups see: the catalog, after the agent's sync.
				waitPassing(t, c, id, budget+slack)
				worstCatalog = max(worstCatalog, time.Since(c.ReadyAt))
				if r.ServiceID() != id {
					t.Fatal("the service id changed")
				}
				waitStatus(t, r, "ok", budget+slack)
			}
			t.Logf("%s agent, 10 restarts, from the agent ready (leader, node listed, a registration accepted): worst passing on the agent %v, in the catalog %v (refresh+retry %v)", kind, worstAgent, worstCatalog, budget)
			if !persistent && !strings.Contains(logs.String(), "registering again") {
				t.Errorf("no re-registration logged:\n%s", logs)
			}
			if n := len(events.all()); n < 2 {
				t.Errorf("%d service_registered events over 10 restarts; want one per re-registration", n)
			}
		})
	}
}

// The agent answers but has lost the registration (what an agent restarted
// between two TTL updates looks like): the update gets 404 and the
// registrar registers again at once instead of retrying the update.
func TestReregistersWhenAgentLostTheRegistration(t *testing.T) {
	c := testenv.StartConsul(t, testenv.ConsulOptions{})
	log, logs := testenv.NewLogger()
	events := &recorder{}
	sd := discovery()
	sd.TTLInterval, sd.RefreshInterval = 5, 1 // one update per second
	r := newRegistrar(t, Options{Consul: c.Config(), Discovery: sd, Logger: log, Events: events})
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	id := r.ServiceID()
	waitAgentPassing(t, c, id, 5*time.Second)
	for i := 1; i <= 3; i++ {
		if err := c.Put("/v1/agent/service/deregister/"+id, ""); err != nil {
			t.Fatal(err)
		}
		lost := time.Now()
		// Within one refresh_interval (the next update) plus slack.
		waitAgentPassing(t, c, id, time.Second+agentSlack+500*time.Millisecond)
		t.Logf("lost registration %d → passing again on the agent: %v", i, time.Since(lost))
	}
	// The event is published just after the registration the agent already
	// shows: wait for it (bounded) before counting.
	deadline := time.Now().Add(5 * time.Second)
	for len(events.all()) < 4 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := strings.Count(logs.String(), "consul refused the TTL update; registering again"); n != 3 {
		t.Errorf("%d re-registrations after a refused update, want 3; logs:\n%s", n, logs)
	}
	if n := len(events.all()); n != 4 {
		t.Errorf("%d service_registered events, want 4 (start + 3 re-registrations)", n)
	}
}

// The agent is down when the service starts: start-up is not delayed, and
// the service registers once the agent comes up, without a restart.
func TestRegistersWhenAgentComesUpLater(t *testing.T) {
	c := testenv.NewConsul(t, testenv.ConsulOptions{})
	log, logs := testenv.NewLogger()
	r := newRegistrar(t, Options{Consul: c.Config(), Discovery: discovery(), Logger: log})
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitLog(t, logs, "registering in consul failed", 5*time.Second)
	if r.Status() != "fail" {
		t.Errorf("Status() = %q with no agent, want fail", r.Status())
	}
	c.Start()
	_, took := waitPassing(t, c, r.ServiceID(), budget+slack)
	t.Logf("agent ready → passing: %v", took)
	waitStatus(t, r, "ok", time.Second)
}

// With ACLs on: the token travels as X-Consul-Token and is never logged; a
// wrong token is refused (Status fail) and not logged either.
func TestConsulTokenHeaderNeverLogged(t *testing.T) {
	const token = "0c4bbfd3-8a3b-4c64-9a8e-2f6d1a7e0001"
	c := testenv.StartConsul(t, testenv.ConsulOptions{ACLToken: token})

	var mu sync.Mutex
	var seen []string // token header and query of every request
	tokensSeen := map[string]bool{}
	proxy := httptest.NewServer(recordingProxy(t, c.Addr(), func(r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("X-Consul-Token")+" "+r.URL.RawQuery)
		tokensSeen[r.Header.Get("X-Consul-Token")] = true
		mu.Unlock()
	}))
	defer proxy.Close()
	pu, _ := url.Parse(proxy.URL)
	port := pu.Port()

	tests := []struct {
		token      string
		wantStatus string
		wantLog    string
	}{
		{token, "ok", ""},
		{"wrong-token-value", "fail", "HTTP 403: ACL not found"},
		{"", "fail", "HTTP 403: Permission denied"},
	}
	for _, tt := range tests {
		log, logs := testenv.NewLogger()
		cfg := config.Consul{Scheme: "http", Host: "127.0.0.1", Port: atoi(t, port), Token: tt.token}
		r := newRegistrar(t, Options{Consul: cfg, Discovery: discovery(), Logger: log})
		if err := r.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		if tt.wantStatus == "ok" {
			waitPassing(t, c, r.ServiceID(), budget+slack)
			// The catalog may show the entry before the registrar has
			// read the agent's answer through the proxy.
			waitStatus(t, r, "ok", 5*time.Second)
		} else {
			waitLog(t, logs, tt.wantLog, 5*time.Second)
			if got := r.Status(); got != tt.wantStatus {
				t.Errorf("token %q: Status() = %q, want %q", tt.token, got, tt.wantStatus)
			}
		}
		stop(t, r)
		if tt.token != "" && strings.Contains(logs.String(), tt.token) {
			t.Errorf("the consul token appears in the logs:\n%s", logs)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if !tokensSeen[token] || !tokensSeen["wrong-token-value"] || !tokensSeen[""] {
		t.Errorf("X-Consul-Token values seen by the agent: %v; want the right, the wrong and no token", tokensSeen)
	}
	for _, s := range seen {
		tok, query, _ := strings.Cut(s, " ")
		if tok != token && tok != "wrong-token-value" && tok != "" {
			t.Errorf("unexpected X-Consul-Token %q", tok)
		}
		if strings.Contains(query, "token") {
			t.Errorf("the token went in the query string: %q", query)
		}
	}
}

func atoi(t *testing.T, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// recordingProxy forwards to the real agent, showing each request to see.
func recordingProxy(t *testing.T, agentAddr string, see func(*http.Request)) http.Handler {
	target := &url.URL{Scheme: "http", Host: agentAddr}
	rp := httputil.NewSingleHostReverseProxy(target)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		see(r)
		rp.ServeHTTP(w, r)
	})
}

// Shutdown order: the TTL check is deregistered, then the service, as Wazo
// does; both requests reach the real agent.
func TestStopDeregistersCheckThenService(t *testing.T) {
	c := testenv.StartConsul(t, testenv.ConsulOptions{})
	var mu sync.Mutex
	var puts []string
	proxy := httptest.NewServer(recordingProxy(t, c.Addr(), func(r *http.Request) {
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "deregister") {
			mu.Lock()
			puts = append(puts, r.URL.Path)
			mu.Unlock()
		}
	}))
	defer proxy.Close()
	pu, _ := url.Parse(proxy.URL)
	cfg := config.Consul{Scheme: "http", Host: "127.0.0.1", Port: atoi(t, pu.Port())}
	r := newRegistrar(t, Options{Consul: cfg, Discovery: discovery()})
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	id := r.ServiceID()
	waitPassing(t, c, id, budget+slack)
	stop(t, r)
	want := []string{"/v1/agent/check/deregister/service:" + id, "/v1/agent/service/deregister/" + id}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(puts, want) {
		t.Errorf("deregistration requests %v, want %v", puts, want)
	}
	if n := catalogCount(t, c); n != 0 {
		t.Errorf("%d entries left in the catalog", n)
	}
}

// scheme https with verify as a CA file, true (system roots: our test CA is
// not among them) and false.
func TestHTTPSVerify(t *testing.T) {
	ca, cert, key := testenv.SelfSignedCert(t)
	c := testenv.StartConsul(t, testenv.ConsulOptions{TLS: &testenv.ConsulTLS{CertFile: cert, KeyFile: key}})
	tests := []struct {
		name    string
		verify  config.Verify
		wantErr string // logged when the registration must fail
	}{
		{"ca-file", config.Verify{Enabled: true, CAFile: ca}, ""},
		{"insecure", config.Verify{Enabled: false}, ""},
		{"system-roots", config.Verify{Enabled: true}, "certificate signed by unknown authority"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log, logs := testenv.NewLogger()
			cfg := config.Consul{Scheme: "https", Host: "127.0.0.1", Port: c.HTTPSPort, Verify: tt.verify}
			r := newRegistrar(t, Options{Consul: cfg, Discovery: discovery(), Logger: log})
			if err := r.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			if tt.wantErr == "" {
				waitPassing(t, c, r.ServiceID(), budget+slack)
				waitStatus(t, r, "ok", time.Second)
			} else {
				waitLog(t, logs, tt.wantErr, 5*time.Second)
				if r.Status() != "fail" {
					t.Errorf("Status() = %q, want fail", r.Status())
				}
			}
			stop(t, r)
			waitGone(t, c, 5*time.Second)
		})
	}
}

// A killed process (no deregistration) leaves a critical entry that consul
// reaps after DeregisterCriticalServiceAfter (1 min, consul's minimum) plus
// its reap interval (30 s). The agent's API does not show that setting of
// a TTL check, so this is how it is proven: without it the entry would stay.
func TestKilledProcessIsReapedByConsul(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for consul's reaper (up to 2 min)")
	}
	t.Parallel()
	c := testenv.StartConsul(t, testenv.ConsulOptions{})
	sd := discovery()
	sd.TTLInterval = 1
	r := newRegistrar(t, Options{Consul: c.Config(), Discovery: sd})
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitPassing(t, c, r.ServiceID(), 5*time.Second)
	// What SIGKILL does to the process: the loop ends, nothing deregisters.
	r.mu.Lock()
	r.stopped = true // Stop (in cleanup) does nothing now
	close(r.stopping)
	r.mu.Unlock()
	<-r.done
	took := waitGone(t, c, 3*time.Minute)
	t.Logf("killed → reaped by consul after %v", took)
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*Options)
		wantErr string
	}{
		{"no port", func(o *Options) { o.Discovery.AdvertisePort = 0 }, "advertise_port"},
		{"refresh not below ttl", func(o *Options) { o.Discovery.RefreshInterval = 30; o.Discovery.TTLInterval = 30 }, "refresh_interval"},
		{"negative retry", func(o *Options) { o.Discovery.RetryInterval = -1 }, "retry_interval"},
		{"bad scheme", func(o *Options) { o.Consul.Scheme = "ftp" }, "consul.scheme"},
		{"missing CA", func(o *Options) { o.Consul.Scheme = "https"; o.Consul.Verify.CAFile = "/nonexistent/ca.pem" }, "/nonexistent/ca.pem"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := Options{Name: name, UUID: xivoUUID, Discovery: discovery()}
			tt.edit(&o)
			_, err := NewRegistrar(o)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want one naming %q", err, tt.wantErr)
			}
		})
	}
}

// Without XIVO_UUID the daemon still registers (see debian/README.Debian),
// without the empty tag, and says why Wazo lookups will not find it.
func TestEmptyXIVOUUIDWarnsAndDropsTheTag(t *testing.T) {
	log, logs := testenv.NewLogger()
	r, err := NewRegistrar(Options{Name: name, UUID: "", Discovery: discovery(), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{name, "extra-1", "extra-2"}; !reflect.DeepEqual(r.tags, want) {
		t.Errorf("tags %q, want %q", r.tags, want)
	}
	if !strings.Contains(logs.String(), "XIVO_UUID is empty") {
		t.Errorf("no warning logged:\n%s", logs)
	}
}

// Disabled (the kit's default): nothing to do, Status ok, not shown.
func TestDisabled(t *testing.T) {
	r, err := NewRegistrar(Options{Name: name, Discovery: config.ServiceDiscovery{Enabled: false}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Enabled() || r.Status() != "ok" {
		t.Errorf("Enabled() %v, Status() %q; want false, ok", r.Enabled(), r.Status())
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := r.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestFreshUUIDPerRegistrar(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		r, err := NewRegistrar(Options{Name: name, UUID: xivoUUID, Discovery: discovery()})
		if err != nil {
			t.Fatal(err)
		}
		if !uuidV4.MatchString(r.ServiceID()) || seen[r.ServiceID()] {
			t.Fatalf("service id %q: not a fresh version 4 UUID", r.ServiceID())
		}
		seen[r.ServiceID()] = true
	}
}
