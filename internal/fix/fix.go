// Package fix turns check's failing results into patches of the sibling
// repositories that make them pass: for each failing rule with a fixer, the
// edit the sibling package already makes for a new service, computed from
// what the service model says of the existing service; or an edit of the
// service's own repository (maintainer scripts, unit, requirements.txt). A fixer says whether
// its change is certain (a list entry, a table row) or needs review (a
// choice the tool cannot make for the owner); a failing rule without a fixer
// is listed with why.
package fix

import (
	"fmt"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
	"github.com/wazo-platform/wazo-servicekit/internal/rules"
	"github.com/wazo-platform/wazo-servicekit/internal/service"
	"github.com/wazo-platform/wazo-servicekit/internal/siblings"
	"github.com/wazo-platform/wazo-servicekit/logging"
	"github.com/wazo-platform/wazo-servicekit/safefile"
)

// Certainty says how sure a fixer is that its change is the right one.
type Certainty string

// Certainties: a certain change is written by default; one that needs
// review only with Options.Uncertain.
const (
	Certain     Certainty = "certain"
	NeedsReview Certainty = "needs review"
)

// Options configure a run.
type Options struct {
	Siblings  string   // the sibling checkouts (required)
	Dist      string   // the Debian distribution check judges against
	Rules     []string // only these rules (nil: all)
	Uncertain bool     // also write the fixes that need review
}

// Item is one failing rule of one service and what fix does about it.
type Item struct {
	Service   string
	Dir       string // the service's checkout
	Rule      string
	Repo      string    // the repository the fix edits ("" without fix)
	Certainty Certainty // "" without fix
	Written   bool      // part of a patch
	Why       string    // what the fix does, or why there is none / it is not written
	// Left are the rule's findings a fix leaves failing (it fixes the
	// others), each with why: the rule still fails after it.
	Left []Left
}

// Left is a finding of a rule that its fix leaves as it is.
type Left struct {
	Path string
	Line int
	Why  string
}

func (l Left) String() string {
	if l.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", l.Path, l.Line, l.Why)
	}
	return l.Path + ": " + l.Why
}

// Patch is one repository's patch and its commit message.
type Patch struct {
	siblings.FixPatch
	Root    string // the directory holding the repository's checkout
	Message string
}

// Result is a run's plan: every failing rule's item and the patches.
type Result struct {
	Items   []Item
	Patches []Patch
	// Unknown are the results check could not settle of rules fix has a
	// fixer for: nothing is fixed there until check can see (Why says
	// what it could not).
	Unknown []Item
}

// maxSpec bounds what is read of an api.yml to find its basePath.
const maxSpec = 4 << 20

// Plan checks every checkout in dirs against the sibling checkouts and
// computes the patches that fix what can be fixed. The error is a usage
// problem (a checkout that cannot be read); everything else is in Result.
func Plan(dirs []string, opts Options) (*Result, error) {
	if opts.Siblings == "" {
		return nil, fmt.Errorf("fix needs --siblings: the fixers edit the sibling checkouts")
	}
	res := &Result{}
	var wants []siblings.Want
	var jobs []ownJob
	checked := checkAll(dirs, opts)
	for i, dir := range dirs {
		rp, rep, err := checked[i].repo, checked[i].report, checked[i].err
		if err != nil {
			return nil, err
		}
		loaded := func() (*repo.Repo, error) { return rp, nil }
		for _, sr := range rep.Services {
			f := sr.Model // the model check judged, not derived again
			res.Unknown = append(res.Unknown, unknownFixable(sr, dir)...)
			for _, rule := range failingRules(sr) {
				it := Item{Service: sr.Name, Dir: dir, Rule: rule.id}
				c := &ownCtx{dir: dir, service: sr.Name, facts: f, opts: opts, repo: loaded}
				if edits, why := ownFix(c, rule); edits != nil || why != "" {
					it, write := fixOwn(it, dir, edits, why, opts.Uncertain)
					if edits != nil && len(c.left) > 0 {
						it.Left = c.left
						for _, l := range c.left {
							it.Why += "; leaves " + l.String()
						}
					}
					res.Items = append(res.Items, it)
					if write {
						jobs = append(jobs, ownJob{item: len(res.Items) - 1, dir: dir, edits: edits})
					}
					continue
				}
				if fx, ok := fileFixers[rule.id]; ok && f != nil {
					target, edits, why := "", []ownEdit(nil), "no fix: the service's name "+strconv.Quote(sr.Name)+" is not a Debian package name: no file is named after it"
					if packageNameRe.MatchString(sr.Name) {
						target, edits, why = fx(c, rule)
					}
					it, write := fixOwn(it, target, edits, why, opts.Uncertain)
					res.Items = append(res.Items, it)
					if write {
						jobs = append(jobs, ownJob{item: len(res.Items) - 1, dir: target, edits: edits})
					}
					continue
				}
				repo, ok := siblings.FixRepo(rule.id)
				if !ok || f == nil {
					it.Why = noFixer(rule.id)
					res.Items = append(res.Items, it)
					continue
				}
				it.Repo = repo
				v, certainty, why := target(dir, f, rule)
				it.Certainty, it.Why = certainty, why
				if certainty == "" {
					it.Repo = ""
				} else if certainty == Certain || opts.Uncertain {
					it.Written = true
					wants = append(wants, siblings.Want{Rule: rule.id, Service: v})
				} else {
					it.Why += "; not written without --uncertain"
				}
				res.Items = append(res.Items, it)
			}
		}
	}
	for _, p := range ownPatches(res.Items, jobs) {
		p.Message = message(p.FixPatch, res.Items)
		res.Patches = append(res.Patches, p)
	}
	if len(wants) == 0 {
		return res, nil
	}
	patches, err := siblings.ComputeFixes(opts.Siblings, wants)
	if err != nil {
		return nil, err
	}
	// An item whose edit was refused is not fixed: say so.
	for i, it := range res.Items {
		for _, p := range patches {
			for _, r := range p.Refused {
				if it.Written && p.Repo == it.Repo && r.Rule == it.Rule && (r.Service == "" || r.Service == it.Service) {
					res.Items[i].Written = false
					res.Items[i].Why = fmt.Sprintf("not written: %s/%s: %s", p.Repo, r.Rel, r.Why)
				}
			}
		}
	}
	for _, p := range patches {
		res.Patches = append(res.Patches, Patch{FixPatch: p, Root: opts.Siblings, Message: message(p, res.Items)})
	}
	return res, nil
}

// fixOwn makes the item of a rule fixed in the service's own repository,
// and says whether its edits are to be written (ownPatches makes them).
func fixOwn(it Item, dir string, edits []ownEdit, why string, uncertain bool) (Item, bool) {
	if edits == nil {
		it.Why = why
		return it, false
	}
	it.Repo, it.Certainty = filepath.Base(dir), Certain
	var does []string
	for _, e := range edits {
		if e.certainty == NeedsReview {
			it.Certainty = NeedsReview
		}
		does = append(does, e.does)
	}
	it.Why = strings.Join(does, "; ")
	if it.Certainty == NeedsReview && !uncertain {
		it.Why += "; not written without --uncertain"
		return it, false
	}
	return it, true
}

// checked is one checkout read and checked, its waivers applied.
type checked struct {
	repo   *repo.Repo
	report *rules.Report
	err    error
}

// checkAll reads and checks every checkout, as many at once as there are
// processors (as check does), the sibling checkouts read once for all of
// them; the results are in dirs' order.
func checkAll(dirs []string, opts Options) []checked {
	plat := service.NewPlatform(opts.Siblings)
	out := make([]checked, len(dirs))
	slots := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, dir := range dirs {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			out[i] = checkOne(dir, opts, plat)
		}()
	}
	wg.Wait()
	return out
}

// checkOne reads the checkout once, for check and the own-file fixers.
func checkOne(dir string, opts Options, plat *service.Platform) checked {
	rp, err := repo.Load(dir)
	if err != nil {
		return checked{err: err}
	}
	rep, err := rules.Check(dir, rules.CheckOptions{Siblings: opts.Siblings, Dist: opts.Dist, Only: opts.Rules, Platform: plat, Repo: rp})
	if err != nil {
		return checked{err: err}
	}
	waivers, err := rules.LoadWaivers(dir)
	if err != nil {
		return checked{err: err}
	}
	rep.Apply(waivers)
	return checked{repo: rp, report: rep}
}

// unknownFixable are the service's unknown results of rules with a fixer.
func unknownFixable(sr rules.ServiceReport, dir string) []Item {
	var out []Item
	for _, r := range sr.Results {
		_, own := ownFixers[r.Rule]
		_, file := fileFixers[r.Rule]
		_, sib := siblings.FixRepo(r.Rule)
		if r.Status == rules.Unknown && (own || file || sib) {
			out = append(out, Item{Service: sr.Name, Dir: dir, Rule: r.Rule, Why: "check could not settle it: " + r.Message})
		}
	}
	return out
}

type failing struct {
	id       string
	messages []string
	paths    []string // each message's file, as the result names it
	lines    []int    // and its line (0 when not said)
}

// failingRules are the rules failing (not waived) for the service, in the
// catalogue's order, with their messages.
func failingRules(sr rules.ServiceReport) []failing {
	var out []failing
	idx := map[string]int{}
	for _, r := range sr.Results {
		if r.Status != rules.Fail || r.Suppressed != "" {
			continue
		}
		i, ok := idx[r.Rule]
		if !ok {
			i = len(out)
			idx[r.Rule] = i
			out = append(out, failing{id: r.Rule})
		}
		out[i].messages = append(out[i].messages, r.Message)
		out[i].paths = append(out[i].paths, r.Path)
		out[i].lines = append(out[i].lines, r.Line)
	}
	return out
}

// noFixers says why a rule has no fixer, for the rules where the reason is
// more than "not written yet".
var noFixers = map[string]string{
	"consul-registration": "whether the service registers in consul, and under which name, is the service's design",
	"api-spec":            "an API specification is written by the service's authors",
	"acceptance-service-discovery": "a row needs wazo-acceptance's service_discovery.feature; where it was removed with its consul step, " +
		"recreating it would add a scenario whose step no longer exists",
}

func noFixer(rule string) string {
	if why, ok := noFixers[rule]; ok {
		return "no fixer: " + why
	}
	r, err := rules.ByID(rule)
	if err != nil {
		return "no fixer"
	}
	return "no fixer yet (the remedy: " + r.Remediation + ")"
}

// target is the sibling edit's view of the service for the failing rule,
// with the fixer's certainty and what it does; certainty "" when the model
// does not say enough to write the edit (why says what is missing).
func target(dir string, f *service.Facts, rule failing) (siblings.Service, Certainty, string) {
	v := siblings.Service{Name: f.Service, Short: strings.TrimPrefix(f.Service, "wazo-"), HAGroup: "default"}
	switch rule.id {
	case "backup-list":
		return v, Certain, "adds /etc/" + v.Name + "/ to wazo-backup's BACKUP_LIST"
	case "backup-documented":
		return v, Certain, "adds /etc/" + v.Name + "/ to backup_restore.md's list"
	case "port-documented":
		for _, m := range rule.messages {
			if strings.Contains(m, "common test port") {
				return v, "", "no fix: the port itself must change (" + m + ")"
			}
		}
		if !f.Ports.Known() {
			return v, "", "no fix: the service's port is unknown (" + f.Ports.Unknown + ")"
		}
		seen := map[int]bool{}
		for _, p := range f.Ports.Value {
			seen[p.Number] = true
		}
		if len(seen) != 1 {
			return v, "", fmt.Sprintf("no fix: %d ports, and the network.md row written is one HTTP port's", len(seen))
		}
		v.Port = f.Ports.Value[0].Number
		if !f.Ports.Value[0].HTTP {
			return v, "", fmt.Sprintf("no fix: port %d is not HTTP, and network.md's Service cell for it is not in the model", v.Port)
		}
		return v, Certain, fmt.Sprintf("adds network.md's row for %s on port %d (HTTP, TCP, 127.0.0.1, authenticated, enabled: the row's other cells are the checklist's defaults)", v.Name, v.Port)
	case "acceptance-http":
		for _, m := range rule.messages {
			if strings.HasPrefix(m, "no HTTP API") {
				return v, "", "no fix: the service has no REST API for a row to reach (" + m + ")"
			}
		}
		if !f.APIName.Known() || f.APIName.Value == "" {
			return v, "", "no fix: the API's name under /api/ is unknown (" + f.APIName.Unknown + ")"
		}
		v.Short = f.APIName.Value
		ver, status, why := specVersion(dir, f)
		if ver == "" {
			return v, "", "no fix: " + why
		}
		v.APIVersion = ver
		url := "/api/" + v.Short + "/" + ver + "/status"
		if !status {
			return v, NeedsReview, "adds GET " + url + " to http.feature, but no api.yml declares /status: check the URL answers"
		}
		return v, Certain, "adds GET " + url + " to http.feature"
	case "wazo-service-listed":
		if unitSkipsWhenDisabled(dir, f) {
			v.HAGroup = "wazo"
			return v, Certain, "adds " + v.Name + " to wazo_services and WAZO_SERVICES (its unit does not start while /var/lib/wazo/disabled exists: the wazo group)"
		}
		return v, NeedsReview, "adds " + v.Name + " to default_services and DEFAULT_SERVICES (keeps running on an HA secondary): whether it should is the owner's choice"
	}
	return v, "", noFixer(rule.id)
}

var basePathRe = regexp.MustCompile(`(?m)^basePath:\s*['"]?(\S*?)['"]?\s*$`)
var versionRe = regexp.MustCompile(`^\d+\.\d+$`)
var statusPathRe = regexp.MustCompile(`(?m)^  /status:\s*$`)

// specVersion reads the API version from the basePath of the service's
// api.yml files, and whether one of them declares /status.
func specVersion(dir string, f *service.Facts) (string, bool, string) {
	version, status := "", false
	for _, s := range f.APISpec.Value {
		data, err := safefile.ReadIn(dir, s.Value, maxSpec)
		if err != nil {
			continue
		}
		status = status || statusPathRe.Match(data)
		if m := basePathRe.FindSubmatch(data); m != nil && version == "" {
			parts := strings.Split(strings.Trim(string(m[1]), "/"), "/")
			if last := parts[len(parts)-1]; versionRe.MatchString(last) {
				version = last
			}
		}
	}
	if version == "" {
		return "", false, fmt.Sprintf("no api.yml of the service has a basePath ending in the API version (read %d)", len(f.APISpec.Value))
	}
	return version, status, ""
}

// unitSkipsWhenDisabled reports whether the service's unit has
// ConditionPathExists=!/var/lib/wazo/disabled, the wazo group's mark.
func unitSkipsWhenDisabled(dir string, f *service.Facts) bool {
	for _, u := range f.Units.Value {
		rel, _, _ := strings.Cut(u.Source, ":")
		data, err := safefile.ReadIn(dir, rel, 1<<20)
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(data), "\n") {
			k, val, ok := strings.Cut(strings.TrimSpace(l), "=")
			if ok && strings.TrimSpace(k) == "ConditionPathExists" && strings.TrimSpace(val) == "!/var/lib/wazo/disabled" {
				return true
			}
		}
	}
	return false
}

// message is a commit-ready message for one repository's patch: a subject,
// then each rule with its checklist item and the services it is fixed for
// (only the edits made), then what each edit does.
func message(p siblings.FixPatch, items []Item) string {
	services := map[string][]string{}
	var ids, all []string
	for _, it := range items {
		if it.Written && it.Repo == p.Repo {
			if services[it.Rule] == nil {
				ids = append(ids, it.Rule)
			}
			services[it.Rule] = append(services[it.Rule], logging.Escape(it.Service))
			all = append(all, logging.Escape(it.Service))
		}
	}
	sort.Strings(ids)
	all = dedup(all)
	var b strings.Builder
	subject := strings.Join(all, ", ")
	if len(all) > 3 {
		subject = strconv.Itoa(len(all)) + " services"
	}
	fmt.Fprintf(&b, "%s for %s\n\n", strings.Join(ids, ", "), subject)
	for _, id := range ids {
		r, _ := rules.ByID(id)
		fmt.Fprintf(&b, "Rule %s, checklist item %q: %s.\n", id, r.Checklist, strings.Join(dedup(services[id]), ", "))
	}
	for _, n := range p.Notes {
		fmt.Fprintf(&b, "- %s\n", logging.Escape(n))
	}
	b.WriteString("\nWritten by wazo-servicekit fix; every edit re-parsed and checked.\n")
	return b.String()
}

func dedup(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
