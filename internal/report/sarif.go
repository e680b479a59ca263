package report

import (
	"io"

	"github.com/wazo-platform/wazo-servicekit/internal/rules"
)

// SARIF 2.1.0, the subset GitHub code scanning reads: one run, the catalogue
// as the driver's rules, one result per failure or unknown (passes are not
// results in SARIF). Waived failures carry a SARIF suppression with who waived them and why.

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties,omitempty"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifResult struct {
	RuleID       string             `json:"ruleId"`
	RuleIndex    int                `json:"ruleIndex"`
	Level        string             `json:"level"`
	Kind         string             `json:"kind"`
	Message      sarifText          `json:"message"`
	Locations    []sarifLocation    `json:"locations,omitempty"`
	Suppressions []sarifSuppression `json:"suppressions,omitempty"`
	// BaselineState compares with --baseline: new or unchanged.
	BaselineState string         `json:"baselineState,omitempty"`
	Properties    map[string]any `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification"`
}

func level(s rules.Severity) string {
	switch s {
	case rules.Error:
		return "error"
	case rules.Warning:
		return "warning"
	}
	return "note"
}

// sarifDriverOf is the driver: the catalogue's rules and the engine's
// diagnostics, with each rule's index.
func sarifDriverOf() (sarifDriver, map[string]int) {
	driver := sarifDriver{Name: "wazo-servicekit", InformationURI: "https://github.com/wazo-platform/wazo-servicekit"}
	index := map[string]int{}
	for _, r := range rules.All() {
		index[r.ID] = len(driver.Rules)
		driver.Rules = append(driver.Rules, sarifRule{
			ID: r.ID, ShortDescription: sarifText{r.Title}, FullDescription: sarifText{r.Rationale},
			Help: sarifText{r.Remediation}, DefaultConfiguration: sarifConfig{level(r.Severity)},
			Properties: map[string]any{"checklist": r.Checklist, "probes": r.Probes},
		})
	}
	index[rules.UnusedWaiver] = len(driver.Rules)
	driver.Rules = append(driver.Rules, sarifRule{ID: rules.UnusedWaiver,
		ShortDescription: sarifText{"A waiver matches no failure"}, FullDescription: sarifText{"Stale waivers hide the next real failure."},
		Help: sarifText{"Remove the entry from " + rules.WaiversFile + "."}, DefaultConfiguration: sarifConfig{"warning"}})

	index[rules.NodeUnreachable] = len(driver.Rules)
	driver.Rules = append(driver.Rules, sarifRule{ID: rules.NodeUnreachable,
		ShortDescription: sarifText{"A cluster node's wazo-doctord did not answer"}, FullDescription: sarifText{"Its services are unknown, not assumed fine."},
		Help: sarifText{"Check that wazo-doctord runs on the node and that the token has doctor.services.read."}, DefaultConfiguration: sarifConfig{"warning"}})
	return driver, index
}

// sarifResultOf is a result that did not pass, of a service on node.
func sarifResultOf(r rules.Result, index map[string]int, opts Options, node string) sarifResult {
	sr := sarifResult{RuleID: r.Rule, RuleIndex: index[r.Rule], Level: level(r.Severity), Kind: "fail",
		Message: sarifText{r.Service + ": " + r.Message}, Properties: map[string]any{"service": r.Service}}
	if r.Status == rules.Unknown {
		sr.Level, sr.Kind = "none", "review"
	}
	if r.Path != "" {
		loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: r.Path}}}
		if r.Line > 0 {
			loc.PhysicalLocation.Region = &sarifRegion{StartLine: r.Line}
		}
		sr.Locations = []sarifLocation{loc}
	}
	if opts.Baseline != "" && r.Status == rules.Fail {
		sr.BaselineState = "unchanged"
		if opts.change(r, node) == ChangeNewFail {
			sr.BaselineState = "new"
		}
	}
	if r.Suppressed != "" {
		why := r.Suppressed
		if r.WaivedBy != "" {
			why = "waived by the " + r.WaivedBy + ": " + why
		}
		sr.Suppressions = []sarifSuppression{{Kind: "external", Justification: why}}
	}
	return sr
}

func sarifLogOf(driver sarifDriver, results []sarifResult) sarifLog {
	return sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{{Tool: sarifTool{Driver: driver}, Results: results}},
	}
}

func writeSARIF(w io.Writer, rep *rules.Report, opts Options) error {
	driver, index := sarifDriverOf()
	results := []sarifResult{}
	for _, s := range rep.Services {
		for _, r := range s.Results {
			if r.Status != rules.Pass {
				results = append(results, sarifResultOf(r, index, opts, s.Node))
			}
		}
	}
	return writeJSON(w, sarifLogOf(driver, results))
}
