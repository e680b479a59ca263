// Package realworld compares `check --siblings` on real Wazo service
// repositories with verdicts.tsv, the verdicts a reviewer wrote after
// reading each repository and its sibling repositories.
package realworld

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/rules"
)

// verdict is one row of verdicts.tsv.
type verdict struct {
	repo, commit, rule, want, reason string
	line                             int
}

func readVerdicts(t testing.TB) []verdict {
	t.Helper()
	f, err := os.Open("verdicts.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []verdict
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if n == 1 {
			continue // header
		}
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) != 5 {
			t.Fatalf("verdicts.tsv:%d: %d columns, want repo, commit, rule, expected, reason", n, len(cols))
		}
		v := verdict{cols[0], cols[1], cols[2], cols[3], cols[4], n}
		if v.want != "pass" && v.want != "fail" && v.want != "unknown" {
			t.Fatalf("verdicts.tsv:%d: verdict %q, want pass, fail or unknown", n, v.want)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTableCoversTheCatalogue: every rule of the catalogue has a verdict for
// every daemon of the table, every rule about any package for a repository
// the table reads as not a daemon (one with no daemon-only row), all rows of
// a repository name one commit, and no verdict names an unknown rule.
func TestTableCoversTheCatalogue(t *testing.T) {
	rows := readVerdicts(t)
	have := map[[2]string]bool{}
	commits := map[string]string{}
	for _, v := range rows {
		if _, err := rules.ByID(v.rule); err != nil {
			t.Errorf("verdicts.tsv:%d: %v", v.line, err)
		}
		if have[[2]string{v.repo, v.rule}] {
			t.Errorf("verdicts.tsv:%d: second verdict for %s %s", v.line, v.repo, v.rule)
		}
		have[[2]string{v.repo, v.rule}] = true
		if c, ok := commits[v.repo]; ok && c != v.commit {
			t.Errorf("verdicts.tsv:%d: %s at commit %s, but earlier rows say %s: one commit per repository", v.line, v.repo, v.commit, c)
		}
		commits[v.repo] = v.commit
	}
	daemons := tableDaemons(rows)
	for repo := range commits {
		for _, r := range rules.All() {
			needed := daemons[repo] || rules.AppliesToAnyPackage(r.ID)
			if r.HasStatic() && needed && !have[[2]string{repo, r.ID}] {
				t.Errorf("verdicts.tsv has no verdict for %s %s", repo, r.ID)
			}
		}
	}
}

// tableDaemons returns the repositories the table reads as daemons: those
// with a verdict for a rule that is run on daemons only.
func tableDaemons(rows []verdict) map[string]bool {
	out := map[string]bool{}
	for _, v := range rows {
		if !rules.AppliesToAnyPackage(v.rule) {
			out[v.repo] = true
		}
	}
	return out
}

// TestCheckAgreesWithTheReviewedVerdicts runs check --siblings on each
// repository of the table and compares each rule's verdict (fail if any
// finding fails, else unknown if any is unknown, else pass), and whether
// check reads the package as a daemon as the table does. A checkout at
// another commit than the table's fails that repository: the verdicts were
// written for that commit and do not judge another.
func TestCheckAgreesWithTheReviewedVerdicts(t *testing.T) {
	dir := os.Getenv("WAZO_REPOS")
	if dir == "" {
		t.Skip("WAZO_REPOS=DIR not set: it names the directory holding the real Wazo checkouts (wazo-auth/, ..., wazo-service/, wazo-platform.org/, ...)")
	}
	rows := readVerdicts(t)
	daemons := tableDaemons(rows)
	byRepo := map[string][]verdict{}
	for _, v := range rows {
		byRepo[v.repo] = append(byRepo[v.repo], v)
	}
	var names []string
	for n := range byRepo {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		rows := byRepo[name]
		t.Run(name, func(t *testing.T) {
			root := filepath.Join(dir, name)
			if c := checkoutCommit(root); c != rows[0].commit {
				t.Fatalf("%s is at commit %q; the verdicts are for %s: extract that commit there (git archive %s), then write it to %s",
					root, c, rows[0].commit, rows[0].commit, filepath.Join(root, ".commit"))
			}
			rep, err := rules.Check(root, rules.CheckOptions{Siblings: dir})
			if err != nil {
				t.Fatal(err)
			}
			sr, err := serviceOf(rep, name)
			if err != nil {
				t.Fatal(err)
			}
			if isDaemon := sr.NotADaemon == ""; isDaemon != daemons[name] {
				t.Errorf("check reads %s (package %s) as a daemon: %v (%s); the table: %v", name, sr.Name, isDaemon, sr.NotADaemon, daemons[name])
			}
			got := verdicts(sr)
			for _, v := range rows {
				if g := got[v.rule]; g.status != v.want {
					t.Errorf("%s: check says %q, the table %s (verdicts.tsv:%d: %s)\n\tcheck: %s", v.rule, g.status, v.want, v.line, v.reason, g.message)
				}
			}
		})
	}
}

// serviceOf picks the service a repository's row judges: the one named
// like the repository, else its only service (xivo-confgend builds
// wazo-confgend, wazo-bus builds wazo-bus-python3).
func serviceOf(rep *rules.Report, repo string) (*rules.ServiceReport, error) {
	var names []string
	for i := range rep.Services {
		if rep.Services[i].Name == repo {
			return &rep.Services[i], nil
		}
		names = append(names, rep.Services[i].Name)
	}
	if len(rep.Services) == 1 {
		return &rep.Services[0], nil
	}
	return nil, fmt.Errorf("check found services %v in %s, none named %s: the table cannot say which one it judges", names, repo, repo)
}

type ruleVerdict struct{ status, message string }

func verdicts(sr *rules.ServiceReport) map[string]ruleVerdict {
	rank := map[rules.Status]int{rules.Pass: 1, rules.Unknown: 2, rules.Fail: 3}
	out := map[string]ruleVerdict{}
	for _, r := range sr.Results {
		if cur, ok := out[r.Rule]; !ok || rank[r.Status] > rank[rules.Status(cur.status)] {
			out[r.Rule] = ruleVerdict{string(r.Status), r.Message}
		}
	}
	return out
}

// checkoutCommit reads the commit an extracted checkout records in .commit
// ("sha date"), or "" when it records none.
func checkoutCommit(root string) string {
	data, err := os.ReadFile(filepath.Join(root, ".commit"))
	if err != nil {
		return ""
	}
	var sha string
	fmt.Sscan(string(data), &sha)
	return sha
}

// BenchmarkCheck times check --siblings on each repository of the table
// (WAZO_REPOS=DIR): go test -bench . -benchtime 5x ./test/realworld.
func BenchmarkCheck(b *testing.B) {
	dir := os.Getenv("WAZO_REPOS")
	if dir == "" {
		b.Skip("WAZO_REPOS=DIR not set: it names the directory holding the real Wazo checkouts")
	}
	seen := map[string]bool{}
	var names []string
	for _, v := range readVerdicts(b) {
		if !seen[v.repo] {
			seen[v.repo] = true
			names = append(names, v.repo)
		}
	}
	for _, name := range names {
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := rules.Check(filepath.Join(dir, name), rules.CheckOptions{Siblings: dir}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
