// Package drift finds where the "New service guidelines" checklist and the
// platform drifted apart: the items that fail on (nearly) every service of
// a fleet for one shared cause. A service cannot fix those alone; the
// checklist's owners can, by changing the text or the platform. For each
// item it says what the text says, what the services do, the evidence (a
// file the checklist names that a sibling repository deleted, and the
// commit that deleted it), and a suggested edit of the guidelines page.
package drift

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/wazo-platform/wazo-servicekit/internal/rules"
	"github.com/wazo-platform/wazo-servicekit/internal/scaffold/udiff"
	"github.com/wazo-platform/wazo-servicekit/safefile"
)

// Pages are where wazo-platform.org keeps the guidelines page, newest
// layout first.
var Pages = []string{"website/docs/contribute/new-service.md", "content/contribute/new_service.md"}

// Options configure an analysis.
type Options struct {
	// Threshold is the share of the judged services that must fail an
	// item for one cause (0.8: four in five).
	Threshold float64
	// Siblings is the directory of sibling checkouts ("" when none).
	Siblings string
	// Profile documents the platform's known departures: their practice,
	// evidence and suggested edit. nil: causes are only counted.
	Profile *rules.Profile
}

// Report is the drift of one fleet.
type Report struct {
	Services  int     `json:"services"`
	Threshold float64 `json:"threshold"`
	Profile   string  `json:"profile,omitempty"`
	Items     []Item  `json:"items"`
	// Page is the guidelines page the edits apply to (wazo-platform.org
	// relative path), Diff the suggested edit, Edited the page edited.
	Page   string `json:"page,omitempty"`
	Diff   string `json:"diff,omitempty"`
	Edited string `json:"-"`
	// PageNote says why no edit could be made ("" when Diff is set or
	// nothing drifts).
	PageNote string `json:"page_note,omitempty"`
}

// Item is one checklist item that drifted.
type Item struct {
	Rule      string `json:"rule"`
	Checklist string `json:"checklist"`
	Judged    int    `json:"judged"`
	Failing   int    `json:"failing"`
	// Cause is the shared cause: the failures the profile's entry
	// explains, else the most common message.
	Cause    Cause      `json:"cause"`
	Practice string     `json:"practice,omitempty"`
	Reason   string     `json:"reason,omitempty"`
	Evidence []Evidence `json:"evidence,omitempty"`
	Bullet   string     `json:"bullet,omitempty"`
	Edit     *string    `json:"edit,omitempty"`
}

// Cause is a set of failures with one explanation.
type Cause struct {
	Text     string   `json:"text"`
	Count    int      `json:"count"`
	Services []string `json:"services"`
	Examples []string `json:"examples,omitempty"`
}

// Evidence is a file the checklist names that a sibling repository no
// longer has, and the commit that deleted it.
type Evidence struct {
	Repo     string   `json:"repo"`
	Path     string   `json:"path"`
	Services []string `json:"services,omitempty"`
	Commit   string   `json:"commit,omitempty"`
	Date     string   `json:"date,omitempty"`
	Subject  string   `json:"subject,omitempty"`
	// Unknown says why the commit could not be read.
	Unknown string `json:"unknown,omitempty"`
	// Present is set when the file is still there; Never when the
	// history has no commit deleting it (it never had it).
	Present bool `json:"present,omitempty"`
	Never   bool `json:"never,omitempty"`
}

// Analyse finds the drift in rep, a check of a fleet without waivers (a
// waiver must not hide drift). The profile's waivers must have been
// prepared for each repository when they judge against a distribution.
func Analyse(rep *rules.Report, opts Options) *Report {
	if opts.Threshold <= 0 || opts.Threshold > 1 {
		opts.Threshold = 0.8
	}
	out := &Report{Threshold: opts.Threshold, Items: []Item{}}
	if opts.Profile != nil {
		out.Profile = opts.Profile.Name
	}
	var daemons []rules.ServiceReport
	for _, s := range rep.Services {
		if s.NotADaemon == "" {
			daemons = append(daemons, s)
		}
	}
	out.Services = len(daemons)
	for _, r := range rules.All() {
		if item, ok := analyseRule(r, daemons, opts); ok {
			out.Items = append(out.Items, item)
		}
	}
	out.suggestEdit(opts.Siblings)
	return out
}

// verdictOf folds a rule's results for one service: fail, pass, unknown.
func verdictOf(results []rules.Result) rules.Status {
	st := rules.Status("")
	for _, r := range results {
		switch {
		case r.Status == rules.Fail:
			return rules.Fail
		case r.Status == rules.Unknown:
			st = rules.Unknown
		case st == "":
			st = rules.Pass
		}
	}
	return st
}

func analyseRule(r rules.Rule, daemons []rules.ServiceReport, opts Options) (Item, bool) {
	item := Item{Rule: r.ID, Checklist: r.Checklist}
	causes := map[string]*Cause{}
	var entry *rules.Waiver
	explained := &Cause{}
	for _, s := range daemons {
		var mine []rules.Result
		for _, res := range s.Results {
			if res.Rule == r.ID {
				mine = append(mine, res)
			}
		}
		v := verdictOf(mine)
		if v == rules.Pass || v == rules.Fail {
			item.Judged++
		}
		if v != rules.Fail {
			continue
		}
		item.Failing++
		counted := map[string]bool{}
		for _, res := range mine {
			if res.Status != rules.Fail {
				continue
			}
			if opts.Profile != nil {
				if w := opts.Profile.Explains(res); w != nil {
					entry = w
					if !counted["\x00profile"] {
						counted["\x00profile"] = true
						explained.Count++
						explained.Services = append(explained.Services, s.Name)
						if len(explained.Examples) < 3 {
							explained.Examples = append(explained.Examples, example(s.Name, res))
						}
					}
					continue
				}
			}
			key := normalise(res.Message, s.Name)
			c := causes[key]
			if c == nil {
				c = &Cause{Text: key}
				causes[key] = c
			}
			if !counted[key] {
				counted[key] = true
				c.Count++
				c.Services = append(c.Services, s.Name)
				if len(c.Examples) < 3 {
					c.Examples = append(c.Examples, example(s.Name, res))
				}
			}
		}
	}
	if item.Judged < 3 {
		return item, false
	}
	best := explained
	if entry != nil {
		best.Text = "as the profile " + opts.Profile.Name + " documents: " + entry.Practice
	}
	for _, c := range causes {
		if c.Count > best.Count || (c.Count == best.Count && best.Text != "" && entry == nil && c.Text < best.Text) {
			best = c
		}
	}
	if float64(best.Count) < opts.Threshold*float64(item.Judged) {
		return item, false
	}
	item.Cause = *best
	if best == explained && entry != nil {
		item.Practice, item.Reason, item.Bullet = entry.Practice, entry.Reason, entry.Bullet
		if entry.Bullet != "" {
			edit := entry.Edit
			item.Edit = &edit
		}
		if entry.Deleted != "" {
			item.Evidence = deletions(opts.Siblings, entry.Deleted, best.Services)
		}
	}
	return item, true
}

func example(service string, r rules.Result) string {
	loc := ""
	if r.Path != "" {
		loc = " (" + r.Path
		if r.Line > 0 {
			loc += ":" + strconv.Itoa(r.Line)
		}
		loc += ")"
	}
	return service + ": " + r.Message + loc
}

var (
	commitID = regexp.MustCompile(`^[0-9a-f]{40,64}$`)
	numbers  = regexp.MustCompile(`\b\d+\b`)
	lookedIn = regexp.MustCompile(`\s*\(looked in [^)]*\)`)
)

// normalise makes one service's message comparable with another's: its
// name, its short name and numbers become placeholders.
func normalise(msg, service string) string {
	msg = lookedIn.ReplaceAllString(msg, "")
	msg = strings.ReplaceAll(msg, service, "<service>")
	msg = strings.ReplaceAll(msg, strings.TrimPrefix(service, "wazo-"), "<name>")
	return numbers.ReplaceAllString(msg, "N")
}

// deletions looks up, for each service (or once when the path names no
// {service}), the commit of the sibling repository that deleted the file.
func deletions(siblings, deleted string, services []string) []Evidence {
	repo, rel, _ := strings.Cut(deleted, "/")
	paths := map[string][]string{}
	if strings.Contains(rel, "{service}") {
		for _, s := range services {
			p := strings.ReplaceAll(rel, "{service}", s)
			paths[p] = append(paths[p], s)
		}
	} else {
		paths[rel] = nil
	}
	var list []string
	for p := range paths {
		list = append(list, p)
	}
	sort.Strings(list)
	byCommit := map[string]*Evidence{}
	var out []Evidence
	var order []string
	for _, p := range list {
		ev := lookUpDeletion(siblings, repo, p)
		key := ev.Commit + "\x00" + ev.Unknown
		if ev.Present || ev.Commit == "" {
			key += "\x00" + p
		}
		if e, ok := byCommit[key]; ok {
			e.Services = append(e.Services, paths[p]...)
			continue
		}
		ev.Services = append(ev.Services, paths[p]...)
		byCommit[key] = &ev
		order = append(order, key)
	}
	for _, k := range order {
		out = append(out, *byCommit[k])
	}
	return out
}

// gitTimeout bounds one git run in a sibling checkout.
const gitTimeout = 10 * time.Second

// lookUpDeletion asks the sibling's git history for the commit that
// deleted path. The checkout may be hostile: git runs on its .git
// directory only, with no system or global configuration, and with every
// setting that could run a program of the repository's choosing off.
func lookUpDeletion(siblings, repo, path string) Evidence {
	ev := Evidence{Repo: repo, Path: path}
	if siblings == "" {
		ev.Unknown = "no --siblings: " + repo + " was not given"
		return ev
	}
	dir := filepath.Join(siblings, repo)
	if _, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(path))); err == nil {
		ev.Present = true
		return ev
	}
	if st, err := os.Lstat(filepath.Join(dir, ".git")); err != nil || !st.IsDir() {
		ev.Unknown = repo + " is not a git checkout (no .git directory), so the commit that deleted it cannot be read"
		return ev
	}
	ctx, cancel := context.WithTimeout(context.Background(), gitTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", "--git-dir="+filepath.Join(dir, ".git"), "--no-pager", "--no-replace-objects",
		"-c", "log.showSignature=false", "-c", "gpg.program=false", "-c", "core.fsmonitor=false", "-c", "log.follow=false",
		"log", "--diff-filter=D", "-n", "1", "--format=%H%x09%ad%x09%s", "--date=short", "--", path)
	cmd.Env = []string{"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME=/nonexistent", "PATH=/usr/bin:/bin", "LC_ALL=C"}
	outBytes, err := cmd.Output()
	if err != nil {
		ev.Unknown = fmt.Sprintf("git log in %s failed: %v", repo, err)
		return ev
	}
	line := strings.TrimSpace(string(outBytes))
	if len(line) > 4096 {
		line = line[:4096]
	}
	f := strings.SplitN(line, "\t", 3)
	if len(f) < 3 || !commitID.MatchString(f[0]) {
		ev.Never = true
		return ev
	}
	ev.Commit, ev.Date, ev.Subject = f[0], f[1], f[2]
	return ev
}

// suggestEdit edits the guidelines page in the wazo-platform.org checkout:
// each drifting item's bullet replaced by its suggested line (or removed).
func (r *Report) suggestEdit(siblings string) {
	var edits []Item
	for _, it := range r.Items {
		if it.Edit != nil && it.Bullet != "" {
			edits = append(edits, it)
		}
	}
	if len(edits) == 0 {
		return
	}
	if siblings == "" {
		r.PageNote = "no --siblings: the guidelines page of wazo-platform.org was not given"
		return
	}
	var page []byte
	for _, p := range Pages {
		data, err := safefile.ReadIn(filepath.Join(siblings, "wazo-platform.org"), filepath.FromSlash(p), 1<<20)
		if err == nil {
			r.Page, page = p, data
			break
		}
	}
	if r.Page == "" {
		r.PageNote = "wazo-platform.org has no guidelines page (looked for " + strings.Join(Pages, ", ") + ")"
		return
	}
	lines := strings.SplitAfter(string(page), "\n")
	var missing []string
	for _, it := range edits {
		i := findBullet(lines, it.Bullet)
		if i < 0 {
			missing = append(missing, it.Rule)
			continue
		}
		if *it.Edit == "" {
			lines[i] = ""
		} else {
			lines[i] = *it.Edit + "\n"
		}
	}
	r.Edited = strings.Join(lines, "")
	r.Diff = udiff.File(r.Page, page, []byte(r.Edited), false)
	if len(missing) > 0 {
		r.PageNote = "no bullet of " + r.Page + " reads as the profile's for " + strings.Join(missing, ", ") + ": not edited"
	}
}

// findBullet is the index of the page's line that is bullet, read without
// the Markdown code marks and surrounding blanks.
func findBullet(lines []string, bullet string) int {
	want := plain(bullet)
	for i, l := range lines {
		if plain(l) == want {
			return i
		}
	}
	return -1
}

func plain(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "`", "")), " ")
}
