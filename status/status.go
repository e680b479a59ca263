// Package status aggregates the health of a daemon's parts into Wazo's
// /status body: {"<component>": {"status": "ok"|"fail"}}.
package status

import (
	"sort"
	"sync"
)

// OK and Fail are the two states Wazo clients understand.
const (
	OK   = "ok"
	Fail = "fail"
)

// Aggregator asks each registered component for its state when /status is read.
type Aggregator struct {
	mu    sync.RWMutex
	names []string
	funcs map[string]func() string
}

// NewAggregator returns an aggregator with no component.
func NewAggregator() *Aggregator { return &Aggregator{funcs: map[string]func() string{}} }

// Add registers a component under a snake_case name. f must be cheap and
// must not block: it runs on every /status request.
func (a *Aggregator) Add(name string, f func() string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, dup := a.funcs[name]; !dup {
		a.names = append(a.names, name)
		sort.Strings(a.names)
	}
	a.funcs[name] = f
}

// Component is one entry of the /status body.
type Component struct {
	Status string `json:"status"`
}

// Report reads every component now.
func (a *Aggregator) Report() map[string]Component {
	a.mu.RLock()
	defer a.mu.RUnlock()
	out := make(map[string]Component, len(a.names))
	for _, name := range a.names {
		s := a.funcs[name]()
		if s != OK {
			s = Fail
		}
		out[name] = Component{Status: s}
	}
	return out
}
