package rules

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
	"github.com/wazo-platform/wazo-servicekit/safefile"
)

// SuppressionsFile is the file, at the root of a checked repository, that
// waives findings. Each entry needs a reason, like lintian overrides and
// golangci-lint's nolintlint require-explanation, and an owner who answers
// for it; an expiry date makes the waiver lapse on its own, so a temporary
// exception cannot become a permanent one:
//
//	suppressions:
//	  - rule: monit-check
//	    service: wazo-foo          # optional
//	    path: "etc/monit/**"       # optional glob on the finding's file
//	    owner: jdoe@wazo.io
//	    expires: 2027-03-31        # optional, ISO 8601 date (or date-time)
//	    reason: systemd Restart= supervises this one-shot service
//
// A date alone waives through the end of that day (UTC).
const SuppressionsFile = ".servicekit-suppressions.yml"

// UnusedSuppression is the diagnostic ID reported for an entry that waived
// nothing: a stale suppression hides the next real failure.
const UnusedSuppression = "unused-suppression"

// Suppression is one waiver.
type Suppression struct {
	Rule    string `yaml:"rule"`
	Service string `yaml:"service"`
	Path    string `yaml:"path"`
	Owner   string `yaml:"owner"`
	Expires string `yaml:"expires"`
	Reason  string `yaml:"reason"`
	Line    int    `yaml:"-"`
	// Until is the first instant the waiver no longer applies (zero: never
	// expires), parsed from Expires.
	Until time.Time `yaml:"-"`
	used  bool
}

// parseExpiry reads an ISO 8601 date (2027-03-31: waived through that day,
// UTC) or date-time (2027-03-31T18:00:00Z, with a zone).
func parseExpiry(v string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t.AddDate(0, 0, 1), nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("expires %q is not an ISO 8601 date (YYYY-MM-DD) or date-time (YYYY-MM-DDThh:mm:ssZ)", v)
}

// maxSuppressionsFile bounds the waivers file (a few hundred waivers).
const maxSuppressionsFile = 1 << 20

// LoadSuppressions reads dir's suppressions file (none: nil, nil). A
// malformed file is an error naming file and line: a waiver that silently
// does not apply is worse than a failed run.
func LoadSuppressions(dir string) ([]*Suppression, error) {
	p := filepath.Join(dir, SuppressionsFile)
	// Read as every file of the checkout: no link followed, never a FIFO
	// or a device, bounded; decoded within the YAML bounds.
	data, err := safefile.ReadIn(dir, SuppressionsFile, maxSuppressionsFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var doc struct {
		Suppressions []yaml.Node `yaml:"suppressions"`
	}
	if err := parse.DecodeYAML(p, data, &doc); err != nil {
		return nil, err
	}
	var out []*Suppression
	for _, n := range doc.Suppressions {
		s := &Suppression{Line: n.Line}
		if err := n.Decode(s); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", p, n.Line, err)
		}
		if _, err := ByID(s.Rule); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", p, n.Line, err)
		}
		if strings.TrimSpace(s.Reason) == "" {
			return nil, fmt.Errorf("%s:%d: suppression of %s has no reason: say why the rule does not apply", p, n.Line, s.Rule)
		}
		if strings.TrimSpace(s.Owner) == "" {
			return nil, fmt.Errorf("%s:%d: suppression of %s has no owner: say who answers for it (owner: name or e-mail)", p, n.Line, s.Rule)
		}
		if s.Expires != "" {
			until, err := parseExpiry(s.Expires)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: suppression of %s: %v", p, keyLine(n, "expires"), s.Rule, err)
			}
			s.Until = until
		}
		if s.Path != "" {
			if _, err := path.Match(s.Path, "x"); err != nil {
				return nil, fmt.Errorf("%s:%d: bad path glob %q: %v", p, n.Line, s.Path, err)
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// keyLine is the line of key's value in the mapping n, else n's own line.
func keyLine(n yaml.Node, key string) int {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1].Line
		}
	}
	return n.Line
}

// expired reports whether the waiver has lapsed at now.
func (s *Suppression) expired(now time.Time) bool {
	return !s.Until.IsZero() && !now.Before(s.Until)
}

// note is what a waived result carries besides the reason.
func (s *Suppression) note() string {
	n := s.Reason + " (owner: " + s.Owner
	if s.Expires != "" {
		n += ", expires " + s.Expires
	}
	return n + ")"
}

func (s *Suppression) matches(r Result) bool {
	if s.Rule != r.Rule || (s.Service != "" && s.Service != r.Service) {
		return false
	}
	if s.Path == "" {
		return true
	}
	if prefix, ok := strings.CutSuffix(s.Path, "/**"); ok {
		return r.Path == prefix || strings.HasPrefix(r.Path, prefix+"/")
	}
	ok, _ := path.Match(s.Path, r.Path)
	return ok
}

// Apply marks matching failures suppressed and appends an
// unused-suppression warning for each entry that matched nothing. A waiver
// past its expiry waives nothing: its failure counts again and says so.
func (r *Report) Apply(sups []*Suppression) { r.ApplyAt(sups, time.Now()) }

// ApplyAt is Apply with the expiry dates compared to now.
func (r *Report) ApplyAt(sups []*Suppression, now time.Time) {
	for i := range r.Services {
		for j := range r.Services[i].Results {
			res := &r.Services[i].Results[j]
			if res.Status != Fail {
				continue
			}
			for _, s := range sups {
				if !s.matches(*res) {
					continue
				}
				s.used = true
				if s.expired(now) {
					note := fmt.Sprintf("the waiver at %s:%d (owner: %s) expired on %s: fix this, or renew the waiver with a new date", SuppressionsFile, s.Line, s.Owner, s.Expires)
					res.Message += " [" + note + "]"
					res.Evidence = append(res.Evidence, "expired waiver: "+s.Reason)
					break
				}
				res.Suppressed = s.note()
				break
			}
		}
	}
	for _, s := range sups {
		if s.used {
			continue
		}
		res := Result{Rule: UnusedSuppression, Severity: Warning, Finding: fail(SuppressionsFile, s.Line,
			fmt.Sprintf("suppression of %s matches no failure: remove it", s.Rule))}
		// Attach it to the service it names, else to the first one.
		idx := 0
		for i := range r.Services {
			if r.Services[i].Name == s.Service {
				idx = i
			}
		}
		if len(r.Services) > 0 {
			res.Service = r.Services[idx].Name
			r.Services[idx].Results = append(r.Services[idx].Results, res)
		}
	}
	r.Summarise()
}
