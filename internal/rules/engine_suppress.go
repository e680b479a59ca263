package rules

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/wazo-platform/wazo-servicekit/config"
	"github.com/wazo-platform/wazo-servicekit/safefile"
)

// WaiversFile is the file, at the root of a checked repository, that waives
// failures. Each entry needs a reason, like lintian overrides and
// golangci-lint's nolintlint require-explanation, and an owner who answers
// for it; an expiry date makes the waiver lapse on its own, so a temporary
// exception cannot become a permanent one:
//
//	waivers:
//	  - rule: monit-check
//	    service: wazo-foo          # optional
//	    path: "etc/monit/**"       # optional glob on the failure's file
//	    when: "no `check process"  # optional regular expression on its message
//	    owner: jdoe@wazo.io
//	    expires: 2027-03-31        # optional, ISO 8601 date (or date-time)
//	    reason: systemd Restart= supervises this one-shot service
//
// A date alone waives through the end of that day (UTC). Any other key is
// an error naming file and line: a misspelt key would otherwise waive more,
// or less, than its author meant.
const WaiversFile = ".servicekit-waivers.yml"

// oldWaiversFile is the name the waiver file had; one found there is
// refused with the new name rather than silently ignored.
const oldWaiversFile = ".servicekit-suppressions.yml"

// UnusedWaiver is the diagnostic ID reported for a repository's waiver that
// waived nothing: a stale waiver hides the next real failure.
const UnusedWaiver = "unused-waiver"

// waiverKeys are the keys an entry may have.
var waiverKeys = map[string]bool{"rule": true, "service": true, "path": true, "when": true, "owner": true, "expires": true, "reason": true}

// Waiver is one entry of a waiver file or of a platform profile.
type Waiver struct {
	Rule    string `yaml:"rule"`
	Service string `yaml:"service"`
	Path    string `yaml:"path"`
	When    string `yaml:"when"`
	Owner   string `yaml:"owner"`
	Expires string `yaml:"expires"`
	Reason  string `yaml:"reason"`
	// File and Line say where the entry is written.
	File string `yaml:"-"`
	Line int    `yaml:"-"`
	// Until is the first instant the waiver no longer applies (zero: never
	// expires), parsed from Expires.
	Until time.Time `yaml:"-"`
	// Platform names the platform profile the entry belongs to ("" for a
	// repository's own waiver): its waived failures say so, and an entry
	// that matches nothing in one service is no diagnostic there.
	Platform  string `yaml:"-"`
	Departure `yaml:",inline"`
	when      *regexp.Regexp
	used      bool
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

// maxWaiversFile bounds the waiver file (a few hundred waivers).
const maxWaiversFile = 1 << 20

// LoadWaivers reads dir's waiver file (none: nil, nil). A malformed file is
// an error naming file and line: a waiver that silently does not apply is
// worse than a failed run.
func LoadWaivers(dir string) ([]*Waiver, error) {
	if _, err := os.Lstat(filepath.Join(dir, oldWaiversFile)); err == nil {
		return nil, fmt.Errorf("%s: the waiver file is now %s, its list under the key \"waivers\": rename it", filepath.Join(dir, oldWaiversFile), WaiversFile)
	}
	p := filepath.Join(dir, WaiversFile)
	// Read as every file of the checkout: no link followed, never a FIFO
	// or a device, bounded; decoded within the YAML bounds.
	data, err := safefile.ReadIn(dir, WaiversFile, maxWaiversFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return parseWaivers(p, data, map[string]bool{"waivers": true}, waiverKeys)
}

// parseWaivers reads the "waivers" list of a waiver file or a profile (p
// names it in errors); top lists the top-level keys the document may have.
func parseWaivers(p string, data []byte, top, keys map[string]bool) ([]*Waiver, error) {
	doc, err := config.ParseYAML(p, data)
	if err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, nil // an empty file waives nothing
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: want a mapping with a \"waivers\" list", p, root.Line)
	}
	var list *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i]
		if !top[k.Value] {
			return nil, fmt.Errorf("%s:%d: unknown key %q (want %s)", p, k.Line, k.Value, keyList(top))
		}
		if k.Value == "waivers" {
			list = root.Content[i+1]
		}
	}
	if list == nil {
		return nil, nil
	}
	if list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s:%d: \"waivers\" is not a list", p, list.Line)
	}
	var out []*Waiver
	for _, n := range list.Content {
		w, err := parseWaiver(p, n, keys)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}

func parseWaiver(p string, n *yaml.Node, keys map[string]bool) (*Waiver, error) {
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: a waiver is a mapping (rule, reason, owner, ...)", p, n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; !keys[k.Value] {
			return nil, fmt.Errorf("%s:%d: unknown key %q in a waiver (want %s)", p, k.Line, k.Value, keyList(keys))
		}
	}
	w := &Waiver{File: p, Line: n.Line}
	if err := n.Decode(w); err != nil {
		return nil, fmt.Errorf("%s:%d: %v", p, n.Line, err)
	}
	if _, err := ByID(w.Rule); err != nil {
		return nil, fmt.Errorf("%s:%d: %v", p, keyLine(n, "rule"), err)
	}
	if strings.TrimSpace(w.Reason) == "" {
		return nil, fmt.Errorf("%s:%d: waiver of %s has no reason: say why the rule does not apply", p, n.Line, w.Rule)
	}
	if strings.TrimSpace(w.Owner) == "" {
		return nil, fmt.Errorf("%s:%d: waiver of %s has no owner: say who answers for it (owner: name or e-mail)", p, n.Line, w.Rule)
	}
	if w.Expires != "" {
		until, err := parseExpiry(w.Expires)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: waiver of %s: %v", p, keyLine(n, "expires"), w.Rule, err)
		}
		w.Until = until
	}
	if w.Path != "" {
		if _, err := path.Match(w.Path, "x"); err != nil {
			return nil, fmt.Errorf("%s:%d: bad path glob %q: %v", p, keyLine(n, "path"), w.Path, err)
		}
	}
	if w.When != "" {
		re, err := regexp.Compile(w.When)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: bad when expression %q: %v", p, keyLine(n, "when"), w.When, err)
		}
		w.when = re
	}
	return w, nil
}

// keyList lists a key set, sorted, for an error message.
func keyList(keys map[string]bool) string {
	var l []string
	for k := range keys {
		l = append(l, k)
	}
	sort.Strings(l)
	return strings.Join(l, ", ")
}

// keyLine is the line of key's value in the mapping n, else n's own line.
func keyLine(n *yaml.Node, key string) int {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1].Line
		}
	}
	return n.Line
}

// expired reports whether the waiver has lapsed at now.
func (w *Waiver) expired(now time.Time) bool {
	return !w.Until.IsZero() && !now.Before(w.Until)
}

// note is what a waived result carries.
func (w *Waiver) note() string {
	n := w.Reason + " (owner: " + w.Owner
	if w.Expires != "" {
		n += ", expires " + w.Expires
	}
	return n + ")"
}

// By says who waived: the repository, or the platform profile.
func (w *Waiver) By() string {
	if w.Platform != "" {
		return WaivedByPlatform + " " + w.Platform
	}
	return WaivedByRepository
}

// Who waived a result (Result.WaivedBy): the checked repository's own
// waiver file, or a platform profile, shown apart so a platform-wide
// departure from the checklist is never mistaken for a service's choice.
const (
	WaivedByRepository = "repository"
	WaivedByPlatform   = "platform"
)

func (w *Waiver) matches(r Result) bool {
	if w.Rule != r.Rule || (w.Service != "" && w.Service != r.Service) {
		return false
	}
	if w.when != nil && !w.when.MatchString(r.Message) {
		return false
	}
	if w.Dist != "" && (w.failsOnDist == nil || w.failsOnDist[distKey(r)]) {
		return false
	}
	if w.Path == "" {
		return true
	}
	if prefix, ok := strings.CutSuffix(w.Path, "/**"); ok {
		return r.Path == prefix || strings.HasPrefix(r.Path, prefix+"/")
	}
	ok, _ := path.Match(w.Path, r.Path)
	return ok
}

// Apply marks matching failures waived and appends an unused-waiver warning
// for each repository entry that matched nothing. A waiver past its expiry
// waives nothing: its failure counts again and says so.
func (r *Report) Apply(ws []*Waiver) { r.ApplyAt(ws, time.Now()) }

// ApplyAt is Apply with the expiry dates compared to now.
func (r *Report) ApplyAt(ws []*Waiver, now time.Time) {
	for i := range r.Services {
		for j := range r.Services[i].Results {
			res := &r.Services[i].Results[j]
			if res.Status != Fail || res.Suppressed != "" {
				continue
			}
			for _, w := range ws {
				if !w.matches(*res) {
					continue
				}
				w.used = true
				if w.expired(now) {
					note := fmt.Sprintf("the waiver at %s:%d (owner: %s) expired on %s: fix this, or renew the waiver with a new date", filepath.Base(w.File), w.Line, w.Owner, w.Expires)
					if w.Platform != "" {
						note = fmt.Sprintf("platform profile %s's waiver (owner: %s) expired on %s: the departure is the service's to fix again", w.Platform, w.Owner, w.Expires)
					}
					res.Message += " [" + note + "]"
					res.Evidence = append(res.Evidence, "expired waiver: "+w.Reason)
					break
				}
				res.Suppressed, res.WaivedBy = w.note(), w.By()
				break
			}
		}
	}
	for _, w := range ws {
		if w.used || w.Platform != "" {
			continue
		}
		res := Result{Rule: UnusedWaiver, Severity: Warning, Finding: fail(WaiversFile, w.Line,
			fmt.Sprintf("waiver of %s matches no failure: remove it", w.Rule))}
		// Attach it to the service it names, else to the first one.
		idx := 0
		for i := range r.Services {
			if r.Services[i].Name == w.Service {
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
