package siblings

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/scaffold/udiff"
)

// Want is one fix an existing service asks of a sibling repository: the
// edit that makes the rule Rule pass for Service.
type Want struct {
	Rule    string
	Service Service
}

// FileChange is one file a fix patch changes: its content as read (Old,
// exactly the bytes the patch was computed against) and after the edits
// (New), so the patch can be applied by writing New once Old is still there.
// Created marks a file the patch creates: it must still be absent.
type FileChange struct {
	Rel      string
	Old, New []byte
	Created  bool
}

// FixPatch is the patch of one sibling repository for every Want on it:
// each file's edits for all the services at once (one BACKUP_LIST edit
// adding every missing service), each edit verified on the text the previous
// one left.
type FixPatch struct {
	Repo    string
	Text    string // the unified diff ("" when nothing to change)
	Files   []FileChange
	Rules   []string  // the rules it fixes, sorted
	Notes   []string  // what it does
	Refused []Refusal // edits not made
}

// Refusal is an edit not made: the file, the rule, the service ("" when the
// whole file was left alone; each file is one rule's), and why: what was expected, what was found.
type Refusal struct {
	Rel, Service, Rule, Why string
}

// fixEdits maps a rule to the repository and the edits that make it pass.
var fixEdits = map[string]struct {
	repo  string
	edits func(v Service, src source) []edit
}{
	"backup-list":         {"wazo-backup", func(v Service, _ source) []edit { return wazoBackupEdits(v) }},
	"backup-documented":   {"wazo-platform.org", func(v Service, src source) []edit { return only(wazoPlatformOrgEdits(v, src), backupPage) }},
	"port-documented":     {"wazo-platform.org", func(v Service, src source) []edit { return only(wazoPlatformOrgEdits(v, src), networkPage) }},
	"acceptance-http":     {"wazo-acceptance", func(v Service, _ source) []edit { return only(wazoAcceptanceEdits(v), httpFeature) }},
	"wazo-service-listed": {"wazo-service", func(v Service, _ source) []edit { return wazoServiceEdits(v) }},
}

const (
	backupPage  = "website/uc-doc/system/backup_restore.md"
	networkPage = "website/uc-doc/contributors/network.md"
	httpFeature = "features/daily/http.feature"
)

// FixRepo returns the sibling repository whose edit fixes rule, and false
// when no sibling edit fixes it.
func FixRepo(rule string) (string, bool) {
	f, ok := fixEdits[rule]
	return f.repo, ok
}

func only(edits []edit, rel string) []edit {
	for _, e := range edits {
		if e.rel == rel {
			return []edit{e}
		}
	}
	return nil
}

// ComputeFixes returns one patch per sibling repository under siblingsDir
// for the wants, in repository order. Every edit of a file is made on the
// text the previous one left and verified there (parsed again, every
// existing entry kept byte for byte, the order rule and line endings kept);
// an edit that does not check is left out and said so in Refused, the
// others stay.
func ComputeFixes(siblingsDir string, wants []Want) ([]FixPatch, error) {
	if siblingsDir == "" {
		return nil, errors.New("fix needs the sibling checkouts (--siblings)")
	}
	src := source{dir: siblingsDir}
	type fileWork struct {
		rel   string
		steps []struct {
			rule string
			v    Service
			e    edit
		}
	}
	byRepo := map[string][]*fileWork{}
	rulesOf := map[string]map[string]bool{}
	for _, w := range wants {
		f, ok := fixEdits[w.Rule]
		if !ok {
			return nil, fmt.Errorf("no sibling fixer for rule %s", w.Rule)
		}
		if rulesOf[f.repo] == nil {
			rulesOf[f.repo] = map[string]bool{}
		}
		rulesOf[f.repo][w.Rule] = true
		for _, e := range f.edits(w.Service, src) {
			var fw *fileWork
			for _, x := range byRepo[f.repo] {
				if x.rel == e.rel {
					fw = x
				}
			}
			if fw == nil {
				fw = &fileWork{rel: e.rel}
				byRepo[f.repo] = append(byRepo[f.repo], fw)
			}
			fw.steps = append(fw.steps, struct {
				rule string
				v    Service
				e    edit
			}{w.Rule, w.Service, e})
		}
	}
	repos := make([]string, 0, len(byRepo))
	for r := range byRepo {
		repos = append(repos, r)
	}
	sort.Strings(repos)
	var out []FixPatch
	for _, repo := range repos {
		fp := FixPatch{Repo: repo}
		for r := range rulesOf[repo] {
			fp.Rules = append(fp.Rules, r)
		}
		sort.Strings(fp.Rules)
		var diff strings.Builder
		for _, fw := range byRepo[repo] {
			old, err := src.read(repo, fw.rel)
			if err != nil {
				if errors.Is(err, errNotThere) {
					err = errors.New("the file is not there")
				}
				fp.Refused = append(fp.Refused, Refusal{Rel: fw.rel, Rule: fw.steps[0].rule, Why: err.Error()})
				continue
			}
			text, crlf, err := toLF(string(old))
			if err != nil {
				fp.Refused = append(fp.Refused, Refusal{Rel: fw.rel, Rule: fw.steps[0].rule, Why: err.Error()})
				continue
			}
			cur := text
			for _, st := range fw.steps {
				changed, note, err := st.e.change(cur)
				if err == nil && changed != "" && changed != cur {
					if verr := st.e.verify(cur, changed); verr != nil {
						err = fmt.Errorf("the edit does not check (nothing written): %v", verr)
					}
				}
				if err != nil {
					fp.Refused = append(fp.Refused, Refusal{Rel: fw.rel, Service: st.v.Name, Rule: st.rule, Why: err.Error()})
					continue
				}
				if note != "" {
					fp.Notes = append(fp.Notes, note)
				}
				if changed != "" {
					cur = changed
				}
			}
			if cur == text {
				continue
			}
			if crlf {
				cur = strings.ReplaceAll(cur, "\n", "\r\n")
			}
			diff.WriteString(udiff.File(fw.rel, old, []byte(cur), false))
			fp.Files = append(fp.Files, FileChange{Rel: fw.rel, Old: old, New: []byte(cur)})
		}
		fp.Text = diff.String()
		out = append(out, fp)
	}
	return out, nil
}
