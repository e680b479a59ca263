package realworld

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/fix"
	"github.com/wazo-platform/wazo-servicekit/internal/rules"
	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// corpusServices lists the checkouts of dir that hold a Debian package.
func corpusServices(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(dir, e.Name(), "debian", "control")); e.IsDir() && err == nil {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out
}

// verdictsOf is each (checkout, service, rule)'s worst verdict, the
// repositories' waivers applied as fix applies them.
func verdictsOf(t *testing.T, sib string, dirs []string) (map[string]rules.Status, map[string][]string) {
	t.Helper()
	rank := map[rules.Status]int{rules.Pass: 0, rules.Unknown: 1, rules.Fail: 2}
	out := map[string]rules.Status{}
	fails := map[string][]string{}
	for _, d := range dirs {
		rep, err := rules.Check(d, rules.CheckOptions{Siblings: sib})
		if err != nil {
			t.Fatal(err)
		}
		w, err := rules.LoadWaivers(d)
		if err != nil {
			t.Fatal(err)
		}
		rep.Apply(w)
		for _, r := range rep.Results() {
			st := r.Status
			if st == rules.Fail && r.Suppressed != "" {
				st = rules.Pass
			}
			k := filepath.Base(d) + " " + r.Service + " " + r.Rule
			if st == rules.Fail {
				fails[k] = append(fails[k], fmt.Sprintf("%s:%d: %s", r.Path, r.Line, r.Message))
			}
			if cur, ok := out[k]; !ok || rank[st] > rank[cur] {
				out[k] = st
			}
		}
	}
	return out, fails
}

// TestFixAgreesWithCheck runs fix --uncertain on a copy of every service
// of WAZO_REPOS (each checkout a git repository, its files committed), checks every patch with
// `git apply --check`, applies them, and checks again: every fixed rule
// passes and no result gets worse. -v prints the table per rule: fails
// before, fixed (certain), fixed (needs review), refused, no fix.
func TestFixAgreesWithCheck(t *testing.T) {
	src := os.Getenv("WAZO_REPOS")
	if src == "" {
		t.Skip("WAZO_REPOS=DIR not set: it names the directory holding the real Wazo checkouts (the services and wazo-service/, wazo-backup/, ...)")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is needed (apt-get install git)")
	}
	corpus := testenv.CopyTree(t, src, nil)
	entries, _ := os.ReadDir(corpus)
	for _, e := range entries {
		if e.IsDir() {
			// A git checkout with everything committed, as --apply wants it.
			d := filepath.Join(corpus, e.Name())
			testenv.Git(t, d, "init", "-q")
			testenv.Git(t, d, "add", "-A")
			testenv.Git(t, d, "commit", "-q", "--allow-empty", "-m", "as fetched")
		}
	}
	dirs := corpusServices(t, corpus)
	before, _ := verdictsOf(t, corpus, dirs)
	res, err := fix.Plan(dirs, fix.Options{Siblings: corpus, Uncertain: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Patches {
		if p.Text == "" {
			continue
		}
		if err := fix.CheckApplies(p); err != nil {
			t.Errorf("%s: %v", p.Repo, err)
		}
		if err := fix.Apply(p); err != nil {
			t.Fatalf("%s: %v", p.Repo, err)
		}
	}
	after, failsAfter := verdictsOf(t, corpus, dirs)
	rank := map[rules.Status]int{rules.Pass: 0, rules.Unknown: 1, rules.Fail: 2}
	type counts struct{ fails, certain, review, refused, none, left int }
	table := map[string]*counts{}
	written := map[string]bool{}
	// A fix that leaves some of the rule's findings (each with why): the
	// rule may still fail, but only on those findings' files.
	left := map[string][]fix.Left{}
	for _, it := range res.Items {
		c := table[it.Rule]
		if c == nil {
			c = &counts{}
			table[it.Rule] = c
		}
		c.fails++
		switch {
		case it.Written && it.Certainty == fix.Certain:
			c.certain++
		case it.Written:
			c.review++
		case it.Certainty != "":
			c.refused++
		default:
			c.none++
		}
		if it.Written {
			written[filepath.Base(it.Dir)+" "+it.Service+" "+it.Rule] = true
			if len(it.Left) > 0 {
				c.left++
				left[filepath.Base(it.Dir)+" "+it.Service+" "+it.Rule] = it.Left
			}
		}
	}
	for k, was := range before {
		now := after[k]
		switch {
		case written[k] && left[k] != nil:
			for _, f := range failsAfter[k] {
				if !leftHolds(left[k], f) {
					t.Errorf("%s: fixed but for %v, and after the patches it fails on %s", k, left[k], f)
				}
			}
		case written[k] && now != rules.Pass:
			t.Errorf("%s: fixed, but %s after the patches", k, now)
		}
		if rank[now] > rank[was] {
			t.Errorf("%s: %s before, %s after the patches", k, was, now)
		}
	}
	ids := make([]string, 0, len(table))
	for id := range table {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var b strings.Builder
	fmt.Fprintf(&b, "%d services; rule: fails before -> fixed (certain) -> fixed (needs review) -> refused -> no fix; of the fixed, with findings left\n", len(dirs))
	for _, id := range ids {
		c := table[id]
		fmt.Fprintf(&b, "  %-30s %3d %3d %3d %3d %3d; %3d\n", id, c.fails, c.certain, c.review, c.refused, c.none, c.left)
	}
	t.Log(b.String())
	if len(written) == 0 {
		t.Error("nothing fixed on the corpus")
	}
}

// leftHolds says whether a finding after the patches ("path:line: message")
// is one the fix said it leaves: same file.
func leftHolds(left []fix.Left, finding string) bool {
	for _, l := range left {
		if strings.HasPrefix(finding, l.Path+":") {
			return true
		}
	}
	return false
}

// BenchmarkFix times fix's plan (check, the model, every patch computed
// and verified) over every service of WAZO_REPOS in one call:
// go test -bench Fix -benchtime 3x ./test/realworld.
func BenchmarkFix(b *testing.B) {
	dir := os.Getenv("WAZO_REPOS")
	if dir == "" {
		b.Skip("WAZO_REPOS=DIR not set: it names the directory holding the real Wazo checkouts")
	}
	dirs := corpusServices(b, dir)
	for i := 0; i < b.N; i++ {
		if _, err := fix.Plan(dirs, fix.Options{Siblings: dir, Uncertain: true}); err != nil {
			b.Fatal(err)
		}
	}
}
