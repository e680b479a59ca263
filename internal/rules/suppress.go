package rules

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// SuppressionsFile is the file, at the root of a checked repository, that
// waives findings. Each entry needs a reason, like lintian overrides and
// golangci-lint's nolintlint require-explanation:
//
//	suppressions:
//	  - rule: monit-check
//	    service: wazo-foo          # optional
//	    path: "etc/monit/**"       # optional glob on the finding's file
//	    reason: systemd Restart= supervises this one-shot service
const SuppressionsFile = ".servicekit-suppressions.yml"

// UnusedSuppression is the diagnostic ID reported for an entry that waived
// nothing: a stale suppression hides the next real failure.
const UnusedSuppression = "unused-suppression"

// Suppression is one waiver.
type Suppression struct {
	Rule    string `yaml:"rule"`
	Service string `yaml:"service"`
	Path    string `yaml:"path"`
	Reason  string `yaml:"reason"`
	Line    int    `yaml:"-"`
	used    bool
}

// LoadSuppressions reads dir's suppressions file (none: nil, nil). A
// malformed file is an error naming file and line: a waiver that silently
// does not apply is worse than a failed run.
func LoadSuppressions(dir string) ([]*Suppression, error) {
	p := filepath.Join(dir, SuppressionsFile)
	data, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var doc struct {
		Suppressions []yaml.Node `yaml:"suppressions"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %v", SuppressionsFile, err)
	}
	var out []*Suppression
	for _, n := range doc.Suppressions {
		s := &Suppression{Line: n.Line}
		if err := n.Decode(s); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", SuppressionsFile, n.Line, err)
		}
		if _, err := ByID(s.Rule); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", SuppressionsFile, n.Line, err)
		}
		if strings.TrimSpace(s.Reason) == "" {
			return nil, fmt.Errorf("%s:%d: suppression of %s has no reason: say why the rule does not apply", SuppressionsFile, n.Line, s.Rule)
		}
		if s.Path != "" {
			if _, err := path.Match(s.Path, "x"); err != nil {
				return nil, fmt.Errorf("%s:%d: bad path glob %q: %v", SuppressionsFile, n.Line, s.Path, err)
			}
		}
		out = append(out, s)
	}
	return out, nil
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
// unused-suppression warning for each entry that matched nothing.
func (r *Report) Apply(sups []*Suppression) {
	for i := range r.Services {
		for j := range r.Services[i].Results {
			res := &r.Services[i].Results[j]
			if res.Status != Fail {
				continue
			}
			for _, s := range sups {
				if s.matches(*res) {
					res.Suppressed, s.used = s.Reason, true
					break
				}
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
