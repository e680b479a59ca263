package rules

import (
	"fmt"
	"sort"

	"github.com/wazo-platform/wazo-servicekit/internal/debiandata"
	"github.com/wazo-platform/wazo-servicekit/internal/ports"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
	"github.com/wazo-platform/wazo-servicekit/internal/service"
)

// Report is the result of one run of check or audit, the model every
// output format and doctord's API serialise.
type Report struct {
	Tool   string `json:"tool"`
	Mode   string `json:"mode"` // "check" or "audit"
	Target string `json:"target"`
	// Debian is the distribution the dependency rules judged against
	// (check only), e.g. "Debian 13 trixie (index of release 13.8)".
	Debian   string          `json:"debian,omitempty"`
	Services []ServiceReport `json:"services"`
}

// ServiceReport is every rule's verdict for one service.
type ServiceReport struct {
	Name     string `json:"name"`
	Node     string `json:"node,omitempty"` // cluster audits: the consul node
	Language string `json:"language,omitempty"`
	// Repo is the checkout the service was read from (check of a fleet).
	Repo string `json:"repo,omitempty"`
	// NotADaemon says why the package is not a daemon (no unit, no port);
	// then only the rules about any package (packaging, dependencies,
	// files) ran.
	NotADaemon string   `json:"not_a_daemon,omitempty"`
	Summary    Summary  `json:"summary"`
	Results    []Result `json:"results"`
	// Model is the service model every rule judged (check only), for a
	// caller that acts on the results (fix) without deriving it again.
	Model *service.Facts `json:"-"`
}

// Summary counts rules by their verdict (a rule's worst result), not
// findings; Status is the service's overall verdict: fail if any rule
// fails, else unknown if any is unknown, else pass.
type Summary struct {
	Status  Status `json:"status"`
	Pass    int    `json:"pass"`
	Fail    int    `json:"fail"`
	Unknown int    `json:"unknown"`
	// Suppressed counts rules whose failures are all waived (JSON: waived).
	Suppressed int `json:"waived,omitempty"`
}

// Results returns every result of every service, in order.
func (r *Report) Results() []Result {
	var out []Result
	for _, s := range r.Services {
		out = append(out, s.Results...)
	}
	return out
}

// CheckOptions configure a static check.
type CheckOptions struct {
	Siblings string // directory of sibling checkouts, or ""
	// Dist is the Debian distribution the dependency rules judge against,
	// by codename or number ("bookworm", "12"); "" is the latest stable.
	Dist string
	// Only restricts the run to these rule IDs (nil: all).
	Only []string
	// Platform, when given, is the sibling checkouts already read by an
	// earlier check of the same run (several repositories, one --siblings):
	// each sibling file is then read once for all of them.
	Platform *service.Platform
	// Repo, when given, is the repository at dir already read (fix reads
	// it once for check and for its edits of the service's own files).
	Repo *repo.Repo
}

// Check runs every static probe of the catalogue on the service(s) of the
// repository at dir. The error is a usage problem (dir unreadable, no
// service found); everything about the services is in the report.
func Check(dir string, opts CheckOptions) (*Report, error) {
	rp, err := opts.Repo, error(nil)
	if rp == nil {
		if rp, err = repo.Load(dir); err != nil {
			return nil, err
		}
	}
	reg, err := ports.Default()
	if err != nil {
		return nil, err
	}
	dist := debiandata.Latest
	if opts.Dist != "" {
		if dist, err = debiandata.Lookup(opts.Dist); err != nil {
			return nil, err
		}
	}
	ix, err := debiandata.ForDist(dist)
	if err != nil {
		return nil, err
	}
	env := &StaticEnv{Repo: rp, Siblings: opts.Siblings, Ports: reg, Debian: ix}
	if opts.Platform != nil && opts.Platform.Dir == opts.Siblings {
		env.platform = opts.Platform
	}
	rep := &Report{Tool: "wazo-servicekit", Mode: "check", Target: dir,
		Debian: fmt.Sprintf("%s (index of release %s)", ix.Dist, ix.Release)}
	only := map[string]bool{}
	for _, id := range opts.Only {
		if _, err := ByID(id); err != nil {
			return nil, err
		}
		only[id] = true
	}
	rules := All()
	for _, s := range rp.Services {
		f := factsOf(env, s) // the model first: every rule judges the same service
		sr := ServiceReport{Name: s.Name, Language: s.Language, Model: f}
		if !f.Daemon.Value {
			sr.NotADaemon = f.Daemon.Source + ": not a daemon, so only the packaging and dependency rules apply"
		}
		for _, r := range rules {
			if r.static == nil || (len(only) > 0 && !only[r.ID]) {
				continue
			}
			if sr.NotADaemon != "" && !packageRules[r.ID] {
				continue
			}
			for _, f := range runStatic(r, s, env) {
				sr.Results = append(sr.Results, Result{Rule: r.ID, Service: s.Name, Severity: r.Severity, Finding: f})
			}
		}
		rep.Services = append(rep.Services, sr)
	}
	rep.Summarise()
	return rep, nil
}

// packageRules are the rules about any Debian package, daemon or not: they
// are the only ones run on a package that is not a daemon.
var packageRules = map[string]bool{"debian-packaging": true, "deps-in-debian": true, "deps-pinned-to-debian": true,
	"deps-wazo-packaging": true, "files-parse": true}

// AppliesToAnyPackage reports whether the rule judges every Debian package,
// daemon or not (packaging, dependencies, files); the others are run on
// daemons only.
func AppliesToAnyPackage(id string) bool { return packageRules[id] }

// runStatic calls a probe, turning a panic into an unknown result naming
// the rule: one broken probe must not hide the other rules' results.
func runStatic(r Rule, s *repo.Service, env *StaticEnv) (out []Finding) {
	defer func() {
		if p := recover(); p != nil {
			out = []Finding{unknown(fmt.Sprintf("internal error in probe %s: %v (please report it)", r.ID, p))}
		}
	}()
	out = r.static(s, env)
	if len(out) == 0 {
		out = []Finding{unknown("the probe returned no verdict")}
	}
	return out
}

// Summarise recomputes every service's summary (after suppressions).
func (r *Report) Summarise() {
	for i := range r.Services {
		s := &r.Services[i]
		// One verdict per rule: its worst result (an unsuppressed failure,
		// then a waived one, then unknown, then pass), so a rule with five
		// failing dependencies counts once.
		const (
			passed = iota
			unknownSeen
			waived
			failed
		)
		worst := map[string]int{}
		var order []string
		for _, res := range s.Results {
			v := passed
			switch {
			case res.Status == Fail && res.Suppressed == "":
				v = failed
			case res.Status == Fail:
				v = waived
			case res.Status == Unknown:
				v = unknownSeen
			}
			cur, seen := worst[res.Rule]
			if !seen {
				order = append(order, res.Rule)
			}
			if !seen || v > cur {
				worst[res.Rule] = v
			}
		}
		sum := Summary{}
		for _, id := range order {
			switch worst[id] {
			case failed:
				sum.Fail++
			case waived:
				sum.Suppressed++
			case unknownSeen:
				sum.Unknown++
			default:
				sum.Pass++
			}
		}
		switch {
		case sum.Fail > 0:
			sum.Status = Fail
		case sum.Unknown > 0:
			sum.Status = Unknown
		default:
			sum.Status = Pass
		}
		s.Summary = sum
	}
	sort.SliceStable(r.Services, func(i, j int) bool {
		if r.Services[i].Node != r.Services[j].Node {
			return r.Services[i].Node < r.Services[j].Node
		}
		return r.Services[i].Name < r.Services[j].Name
	})
}

// FailsAt reports whether the result is a failure, not waived, at or
// above the threshold severity: what fails a run.
func (r Result) FailsAt(threshold Severity) bool {
	return r.Status == Fail && r.Suppressed == "" && r.Severity.Rank() >= threshold.Rank()
}

// Failing returns the unsuppressed failures at or above threshold.
func (r *Report) Failing(threshold Severity) []Result {
	var out []Result
	for _, res := range r.Results() {
		if res.FailsAt(threshold) {
			out = append(out, res)
		}
	}
	return out
}
