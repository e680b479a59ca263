package doctor

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/wazo-platform/wazo-servicekit/authtest"
	"github.com/wazo-platform/wazo-servicekit/config"
	"github.com/wazo-platform/wazo-servicekit/daemon"
	"github.com/wazo-platform/wazo-servicekit/status"
)

// countingAuditor returns a report naming how many audits ran, so a test
// can tell a cached answer from a fresh one.
type countingAuditor struct {
	calls   atomic.Int32
	release chan struct{} // when set, audits wait for it
}

func (c *countingAuditor) Rules(context.Context) ([]json.RawMessage, error) {
	return []json.RawMessage{json.RawMessage(`{"id":"user-not-root"}`), json.RawMessage(`{"id":"pid-file"}`)}, nil
}

func (c *countingAuditor) Audit(ctx context.Context) (*Report, error) {
	n := c.calls.Add(1)
	if c.release != nil {
		select {
		case <-c.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return &Report{Services: []ServiceReport{{
		Name:    "wazo-doctord",
		Summary: json.RawMessage(`{"status":"pass","pass":1,"fail":0,"unknown":0}`),
		Results: json.RawMessage(`[{"rule":"user-not-root","service":"wazo-doctord","severity":"error","status":"pass","message":"audit ` + string(rune('0'+n)) + `"}]`),
	}}}, nil
}

// engineFunc is an engine whose audit is a function, with the counting
// engine's catalogue.
type engineFunc func(context.Context) (*Report, error)

func (f engineFunc) Rules(ctx context.Context) ([]json.RawMessage, error) {
	return (&countingAuditor{}).Rules(ctx)
}
func (f engineFunc) Audit(ctx context.Context) (*Report, error) { return f(ctx) }

func TestAuditCacheServesWithinTTLAndRefreshes(t *testing.T) {
	a := &countingAuditor{}
	now := time.Unix(1000, 0)
	c := &auditCache{run: a.Audit, ttl: time.Minute, timeout: time.Second, now: func() time.Time { return now }}
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if _, _, err := c.get(ctx, false); err != nil {
			t.Fatal(err)
		}
	}
	if a.calls.Load() != 1 {
		t.Errorf("%d audits within the TTL, want 1", a.calls.Load())
	}
	c.get(ctx, true)
	if a.calls.Load() != 2 {
		t.Errorf("refresh=true did not run a new audit")
	}
	now = now.Add(2 * time.Minute)
	c.get(ctx, false)
	if a.calls.Load() != 3 {
		t.Errorf("an expired report was served")
	}
}

func TestAuditCacheRunsOneAuditForConcurrentCallers(t *testing.T) {
	a := &countingAuditor{release: make(chan struct{})}
	c := &auditCache{run: a.Audit, ttl: time.Minute, timeout: 10 * time.Second, now: time.Now}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, err := c.get(context.Background(), true); err != nil {
				t.Error(err)
			}
		}()
	}
	// Release the audit only once one runs and the seven others wait for it
	// (a caller arriving after it ended would rightly start a new one).
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		ready := a.calls.Load() == 1 && c.waiting == 7
		c.mu.Unlock()
		if ready {
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(a.release)
	wg.Wait()
	if n := a.calls.Load(); n > 2 {
		t.Errorf("%d audits for 8 concurrent refreshes; callers waiting on a running audit must share it", n)
	}
}

func TestAuditFailureIsNotCached(t *testing.T) {
	calls := 0
	c := &auditCache{run: func(context.Context) (*Report, error) {
		calls++
		if calls == 1 {
			return nil, errors.New("boom")
		}
		return &Report{}, nil
	}, ttl: time.Minute, timeout: time.Second, now: time.Now}
	if _, _, err := c.get(context.Background(), false); err == nil {
		t.Fatal("want the audit's error")
	}
	if _, _, err := c.get(context.Background(), false); err != nil || calls != 2 {
		t.Errorf("after a failure the next request must audit again: err %v, calls %d", err, calls)
	}
}

func testHandler(t *testing.T, engine Engine) (http.Handler, *authtest.FakeAuth) {
	t.Helper()
	fake := authtest.StartFakeAuth(t)
	cfg := &Config{Common: config.Common{
		Auth:    config.Auth{Host: fake.Host, Port: fake.Port, Timeout: 5},
		RestAPI: config.RestAPI{Port: 9504},
	}, Audit: Audit{CacheSeconds: 60, TimeoutSeconds: 5}}
	var tree yaml.Node
	tree.Encode(map[string]any{"debug": false})
	rt := &daemon.Runtime{Name: "wazo-doctord", Loaded: &config.Loaded{Tree: &tree},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Level: new(slog.LevelVar), Status: status.NewAggregator()}
	h, err := NewHandler(rt, cfg, engine)
	if err != nil {
		t.Fatal(err)
	}
	return h, fake
}

func get(t *testing.T, h http.Handler, path, token string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("X-Auth-Token", token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var body map[string]any
	json.Unmarshal(rec.Body.Bytes(), &body)
	return rec.Code, body
}

func TestAuditResources(t *testing.T) {
	a := &countingAuditor{}
	h, fake := testHandler(t, a)
	fake.AddToken("reader-token-123456789", []string{"doctor.rules.read", "doctor.services.read"})
	fake.AddToken("status-only-123456789", []string{"doctor.status.read"})

	code, body := get(t, h, "/1.0/rules", "reader-token-123456789")
	if code != 200 || body["total"].(float64) != 2 {
		t.Errorf("GET /rules: %d total=%v, want every rule", code, body["total"])
	}
	if code, _ := get(t, h, "/1.0/rules", "status-only-123456789"); code != 401 {
		t.Errorf("GET /rules without doctor.rules.read: %d", code)
	}

	code, body = get(t, h, "/1.0/services", "reader-token-123456789")
	items, _ := body["items"].([]any)
	if code != 200 || len(items) != 1 || items[0].(map[string]any)["summary"].(map[string]any)["status"] != "pass" {
		t.Errorf("GET /services: %d %v", code, body)
	}
	code, body = get(t, h, "/1.0/services/wazo-doctord", "reader-token-123456789")
	results, _ := body["results"].([]any)
	if code != 200 || len(results) != 1 || results[0].(map[string]any)["rule"] != "user-not-root" {
		t.Errorf("GET /services/wazo-doctord: %d %v", code, body)
	}
	if a.calls.Load() != 1 {
		t.Errorf("%d audits for two reads within the cache time", a.calls.Load())
	}
	get(t, h, "/1.0/services?refresh=true", "reader-token-123456789")
	if a.calls.Load() != 2 {
		t.Errorf("?refresh=true did not re-audit")
	}
	if code, body := get(t, h, "/1.0/services/wazo-nothing", "reader-token-123456789"); code != 404 || body["error_id"] != "not-found" {
		t.Errorf("unknown service: %d %v", code, body)
	}
	if code, body := get(t, h, "/1.0/services?refresh=maybe", "reader-token-123456789"); code != 400 || body["error_id"] != "invalid-data" {
		t.Errorf("bad refresh: %d %v", code, body)
	}
}

func TestAuditErrorIs503(t *testing.T) {
	h, fake := testHandler(t, engineFunc(func(context.Context) (*Report, error) { return nil, errors.New("cannot read /proc") }))
	fake.AddToken("reader-token-123456789", []string{"doctor.#"})
	if code, body := get(t, h, "/1.0/services", "reader-token-123456789"); code != 503 || body["error_id"] != "audit-failed" {
		t.Errorf("%d %v", code, body)
	}
}

// flakyCatalogue fails its first listing of the rules, then answers.
type flakyCatalogue struct {
	countingAuditor
	calls atomic.Int32
}

func (f *flakyCatalogue) Rules(ctx context.Context) ([]json.RawMessage, error) {
	if f.calls.Add(1) == 1 {
		return nil, errors.New("wazo-doctord-audit: exit status 1")
	}
	return f.countingAuditor.Rules(ctx)
}

func TestRulesFailureIs503AndNotKept(t *testing.T) {
	f := &flakyCatalogue{}
	h, fake := testHandler(t, f)
	fake.AddToken("reader-token-123456789", []string{"doctor.#"})
	if code, body := get(t, h, "/1.0/rules", "reader-token-123456789"); code != 503 || body["error_id"] != "rules-unavailable" {
		t.Errorf("engine failing: %d %v", code, body)
	}
	for i := 0; i < 2; i++ {
		if code, body := get(t, h, "/1.0/rules", "reader-token-123456789"); code != 200 || body["total"] != float64(2) {
			t.Errorf("engine back: %d %v", code, body)
		}
	}
	if n := f.calls.Load(); n != 2 {
		t.Errorf("the catalogue was read %d times, want 2 (once failing, once kept)", n)
	}
}
