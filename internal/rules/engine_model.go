package rules

import (
	"sync"

	"github.com/wazo-platform/wazo-servicekit/internal/debiandata"
	"github.com/wazo-platform/wazo-servicekit/internal/ports"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
	"github.com/wazo-platform/wazo-servicekit/internal/service"
)

// Severity says how bad a failing rule is; --fail-on compares with it.
type Severity string

// Severities, from the most to the least severe.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Info    Severity = "info"
)

// Rank orders severities (error highest); unknown names rank 0.
func (s Severity) Rank() int {
	switch s {
	case Error:
		return 3
	case Warning:
		return 2
	case Info:
		return 1
	}
	return 0
}

// ParseSeverity validates a severity name given on the command line.
func ParseSeverity(s string) (Severity, bool) {
	v := Severity(s)
	return v, v.Rank() > 0
}

// Status is a probe's verdict. Unknown means the probe could not see (no
// sibling checkout, no permission, no agent) and always says why; it is
// never turned into a pass.
type Status string

// Statuses.
const (
	Pass    Status = "pass"
	Fail    Status = "fail"
	Unknown Status = "unknown"
)

// Finding is what a probe reports: one verdict with where and why.
type Finding struct {
	Status   Status   `json:"status"`
	Message  string   `json:"message"`
	Path     string   `json:"path,omitempty"`
	Line     int      `json:"line,omitempty"`
	Evidence []string `json:"evidence,omitempty"`
}

// Result is a finding attributed to a rule and a service: the unit every
// output format (text, JSON, SARIF, JUnit, doctord's API) is built from.
type Result struct {
	Rule     string   `json:"rule"`
	Service  string   `json:"service"`
	Severity Severity `json:"severity"`
	Finding
	// Suppressed holds the waiver's reason when this failure was waived
	// (JSON: waived), and WaivedBy who waived it (WaivedByRepository or
	// WaivedByPlatform and the profile); waived failures never count
	// against --fail-on.
	Suppressed string `json:"waived,omitempty"`
	WaivedBy   string `json:"waived_by,omitempty"`
}

// StaticEnv is what static probes may read besides the service itself.
type StaticEnv struct {
	Repo     *repo.Repo
	Siblings string // directory holding wazo-service/, wazo-backup/, ...; "" when not given
	Ports    *ports.Registry
	Debian   *debiandata.Index

	// platform and facts are the model of the services: derived once per
	// service (see factsOf), shared by every rule.
	platform *service.Platform
	facts    map[*repo.Service]*service.Facts

	// acls are the ACLs the repository's code requires, found once for
	// every service (requiredACLs).
	aclsOnce sync.Once
	acls     []aclUse
}

// factsOf returns the model of a service of the repository, derived on
// first use and kept for every other rule.
func factsOf(env *StaticEnv, s *repo.Service) *service.Facts {
	if env.facts == nil {
		env.facts = map[*repo.Service]*service.Facts{}
	}
	if f, ok := env.facts[s]; ok {
		return f
	}
	f := service.FromRepo(env.Repo, s, platformOf(env))
	env.facts[s] = f
	return f
}

// Rule is one catalogue entry. The probe functions are not serialised; the
// JSON form lists which probes exist in Probes.
type Rule struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Checklist   string   `json:"checklist"`
	Severity    Severity `json:"severity"`
	Rationale   string   `json:"rationale"`
	Remediation string   `json:"remediation"`
	Probes      []string `json:"probes"`
	// Tags classify the rule beyond its checklist item; TagPractice marks a
	// Wazo practice the checklist does not spell out, so reports can show
	// the checklist alone.
	Tags []string `json:"tags,omitempty"`

	static func(*repo.Service, *StaticEnv) []Finding
	live   func(*LiveService, *LiveEnv) []Finding
}

// TagPractice tags a rule that checks a Wazo practice rather than a line
// of the "New service guidelines" checklist.
const TagPractice = "practice"

// IsPractice reports whether the rule is tagged as a Wazo practice.
func (r Rule) IsPractice() bool {
	for _, t := range r.Tags {
		if t == TagPractice {
			return true
		}
	}
	return false
}

// HasStatic reports whether the rule can check a source repository.
func (r Rule) HasStatic() bool { return r.static != nil }

// HasLive reports whether the rule can check a host or an image root.
func (r Rule) HasLive() bool { return r.live != nil }

func pass(msg string, ev ...string) Finding { return Finding{Status: Pass, Message: msg, Evidence: ev} }

func fail(path string, line int, msg string, ev ...string) Finding {
	return Finding{Status: Fail, Message: msg, Path: path, Line: line, Evidence: ev}
}

func unknown(msg string) Finding { return Finding{Status: Unknown, Message: msg} }

// platformOf is the sibling checkouts of the run, read once and shared.
func platformOf(env *StaticEnv) *service.Platform {
	if env.platform == nil {
		env.platform = service.NewPlatform(env.Siblings)
	}
	return env.platform
}
