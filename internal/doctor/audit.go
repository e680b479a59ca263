package doctor

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/wazo-platform/wazo-servicekit/rest"
)

// auditCache keeps the last report for a configured time, so that a
// dashboard polling /services does not re-probe the host each time, and
// runs at most one audit at once (concurrent callers wait for it).
type auditCache struct {
	run     func(context.Context) (*Report, error)
	ttl     time.Duration
	timeout time.Duration
	now     func() time.Time

	mu      sync.Mutex
	report  *Report
	at      time.Time
	running chan struct{} // closed when the audit in progress ends
	waiting int           // callers waiting for it (observability, tests)
}

// get returns a report no older than ttl, or a fresh one when refresh is
// set. The audit runs in its own context bounded by timeout, so a client
// that hangs up does not cancel it for the others waiting.
func (c *auditCache) get(ctx context.Context, refresh bool) (*Report, time.Time, error) {
	for {
		c.mu.Lock()
		if !refresh && c.report != nil && c.now().Sub(c.at) < c.ttl {
			rep, at := c.report, c.at
			c.mu.Unlock()
			return rep, at, nil
		}
		if wait := c.running; wait != nil {
			c.waiting++
			c.mu.Unlock()
			select {
			case <-wait:
				c.mu.Lock()
				c.waiting--
				c.mu.Unlock()
				refresh = false // the audit that just ended is fresh enough
				continue
			case <-ctx.Done():
				c.mu.Lock()
				c.waiting--
				c.mu.Unlock()
				return nil, time.Time{}, ctx.Err()
			}
		}
		done := make(chan struct{})
		c.running = done
		c.mu.Unlock()

		auditCtx, cancel := context.WithTimeout(context.Background(), c.timeout)
		rep, err := c.run(auditCtx)
		cancel()

		c.mu.Lock()
		c.running = nil
		if err == nil {
			c.report, c.at = rep, c.now()
		}
		at := c.at
		c.mu.Unlock()
		close(done)
		return rep, at, err
	}
}

// auditResources serves /rules, /services and /services/{name}.
type auditResources struct {
	engine Engine
	cache  *auditCache // its timeout bounds the catalogue's read too

	mu    sync.Mutex
	rules []json.RawMessage // the catalogue, once read: it is the engine's, fixed
}

func (a *auditResources) listRules(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	all := a.rules
	a.mu.Unlock()
	if all == nil {
		ctx, cancel := context.WithTimeout(r.Context(), a.cache.timeout)
		defer cancel()
		var err error
		if all, err = a.engine.Rules(ctx); err != nil {
			rest.WriteError(w, rest.NewError(http.StatusServiceUnavailable, "rules-unavailable", "The rule catalogue could not be read: "+err.Error(), nil))
			return
		}
		a.mu.Lock()
		a.rules = all
		a.mu.Unlock()
	}
	rest.WriteJSON(w, http.StatusOK, map[string]any{"items": all, "total": len(all)})
}

// serviceSummary is one entry of GET /services.
type serviceSummary struct {
	Name    string          `json:"name"`
	Summary json.RawMessage `json:"summary"`
}

func (a *auditResources) listServices(w http.ResponseWriter, r *http.Request) {
	rep, at, ok := a.report(w, r)
	if !ok {
		return
	}
	items := make([]serviceSummary, 0, len(rep.Services))
	for _, s := range rep.Services {
		items = append(items, serviceSummary{Name: s.Name, Summary: s.Summary})
	}
	rest.WriteJSON(w, http.StatusOK, map[string]any{"items": items, "total": len(items), "audited_at": at.UTC().Format(time.RFC3339Nano)})
}

func (a *auditResources) getService(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	rep, at, ok := a.report(w, r)
	if !ok {
		return
	}
	for _, s := range rep.Services {
		if s.Name == name {
			rest.WriteJSON(w, http.StatusOK, map[string]any{"name": s.Name, "summary": s.Summary, "results": s.Results, "audited_at": at.UTC().Format(time.RFC3339Nano)})
			return
		}
	}
	e := rest.NewError(http.StatusNotFound, "not-found", "No such service on this host: "+name, map[string]any{"name": name})
	e.Resource = "services"
	rest.WriteError(w, e)
}

// report reads ?refresh= and returns the cached or fresh report, answering
// the error itself when it cannot.
func (a *auditResources) report(w http.ResponseWriter, r *http.Request) (*Report, time.Time, bool) {
	refresh := false
	if v := r.URL.Query().Get("refresh"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			rest.WriteError(w, rest.NewError(http.StatusBadRequest, "invalid-data", "refresh must be true or false", map[string]any{"refresh": v}))
			return nil, time.Time{}, false
		}
		refresh = b
	}
	rep, at, err := a.cache.get(r.Context(), refresh)
	if err != nil {
		rest.WriteError(w, rest.NewError(http.StatusServiceUnavailable, "audit-failed", "The audit of this host could not run: "+err.Error(), nil))
		return nil, time.Time{}, false
	}
	return rep, at, true
}
