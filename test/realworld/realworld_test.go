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
// every repository of the table, and no verdict names an unknown rule.
func TestTableCoversTheCatalogue(t *testing.T) {
	rows := readVerdicts(t)
	have := map[[2]string]bool{}
	repos := map[string]bool{}
	for _, v := range rows {
		if _, err := rules.ByID(v.rule); err != nil {
			t.Errorf("verdicts.tsv:%d: %v", v.line, err)
		}
		if have[[2]string{v.repo, v.rule}] {
			t.Errorf("verdicts.tsv:%d: second verdict for %s %s", v.line, v.repo, v.rule)
		}
		have[[2]string{v.repo, v.rule}] = true
		repos[v.repo] = true
	}
	for repo := range repos {
		for _, r := range rules.All() {
			if r.HasStatic() && !have[[2]string{repo, r.ID}] {
				t.Errorf("verdicts.tsv has no verdict for %s %s", repo, r.ID)
			}
		}
	}
}

// TestCheckAgreesWithTheReviewedVerdicts runs check --siblings on each
// repository of the table and compares each rule's verdict (fail if any
// finding fails, else unknown if any is unknown, else pass). A checkout at
// another commit than the table's is reported, since the verdicts were
// written for that commit.
func TestCheckAgreesWithTheReviewedVerdicts(t *testing.T) {
	dir := os.Getenv("WAZO_REPOS")
	if dir == "" {
		t.Skip("WAZO_REPOS=DIR not set: it names the directory holding the real Wazo checkouts (wazo-auth/, ..., wazo-service/, wazo-platform.org/, ...)")
	}
	byRepo := map[string][]verdict{}
	for _, v := range readVerdicts(t) {
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
			if c := checkoutCommit(root); c != "" && c != rows[0].commit {
				t.Logf("%s is at %s; the verdicts are for %s", root, c, rows[0].commit)
			}
			rep, err := rules.Check(root, rules.CheckOptions{Siblings: dir})
			if err != nil {
				t.Fatal(err)
			}
			got := verdicts(rep, name)
			for _, v := range rows {
				if g := got[v.rule]; g.status != v.want {
					t.Errorf("%s: check says %s, the table %s (verdicts.tsv:%d: %s)\n\tcheck: %s", v.rule, g.status, v.want, v.line, v.reason, g.message)
				}
			}
		})
	}
}

type ruleVerdict struct{ status, message string }

func verdicts(rep *rules.Report, service string) map[string]ruleVerdict {
	rank := map[rules.Status]int{rules.Pass: 1, rules.Unknown: 2, rules.Fail: 3}
	out := map[string]ruleVerdict{}
	for _, r := range rep.Results() {
		if r.Service != service {
			continue
		}
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
