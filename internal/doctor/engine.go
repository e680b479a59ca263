package doctor

import (
	"context"
	"encoding/json"
	"fmt"
)

// Engine is what the routes need of the checklist engine: its rule
// catalogue and a live audit of this host. The daemon's engine is a
// process of its own (Process); tests give theirs.
type Engine interface {
	// Rules returns the rule catalogue, each rule as the engine wrote it.
	Rules(ctx context.Context) ([]json.RawMessage, error)
	// Audit audits this host.
	Audit(ctx context.Context) (*Report, error)
}

// Report is one audit of this host. Each service's summary and results are
// kept as the engine wrote them: the daemon serves them without reading
// them, so it needs none of the engine's types.
type Report struct {
	Services []ServiceReport `json:"services"`
}

// ServiceReport is every rule's verdict for one service.
type ServiceReport struct {
	Name    string          `json:"name"`
	Summary json.RawMessage `json:"summary"`
	Results json.RawMessage `json:"results"`
}

// check says what is missing from a report the engine wrote.
func (r *Report) check() error {
	if r.Services == nil {
		return fmt.Errorf("the report has no services list")
	}
	for i, s := range r.Services {
		if s.Name == "" || len(s.Summary) == 0 || len(s.Results) == 0 {
			return fmt.Errorf("service %d of the report lacks its name, summary or results", i+1)
		}
	}
	return nil
}
