package realworld

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/fix"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
)

// TestFixPinsStateTheirJumps: on every service of WAZO_REPOS, each
// requirement (a requirements.txt line, a setup.py install_requires
// string) fix --uncertain changes for the dependency rules
// is stated in the patch's commit message as "name old -> new", and every
// MAJOR jump there is a change of the first number (or the second under 0.x).
func TestFixPinsStateTheirJumps(t *testing.T) {
	src := os.Getenv("WAZO_REPOS")
	if src == "" {
		t.Skip("WAZO_REPOS=DIR not set: it names the directory holding the real Wazo checkouts")
	}
	res, err := fix.Plan(corpusServices(t, src), fix.Options{Siblings: src, Uncertain: true,
		Rules: []string{"deps-pinned-to-debian", "deps-in-debian"}})
	if err != nil {
		t.Fatal(err)
	}
	changed, majors := 0, 0
	for _, p := range res.Patches {
		for _, f := range p.Files {
			if !strings.HasSuffix(f.Rel, "requirements.txt") && f.Rel != "setup.py" {
				t.Errorf("%s: %s edited by the dependency fixers", p.Repo, f.Rel)
				continue
			}
			before, after := requirementsOf(f.Rel, f.Old), requirementsOf(f.Rel, f.New)
			if len(before) != len(after) {
				t.Fatalf("%s: %d requirements before, %d after", p.Repo, len(before), len(after))
			}
			for i, a := range before {
				b := after[i]
				if a.Original == b.Original {
					continue
				}
				changed++
				from := a.Op + a.Version
				if a.Op == "==" {
					from = a.Version
				}
				jump := a.Name + " " + from + " -> " + b.Version
				line := ""
				for _, l := range strings.Split(p.Message, "\n") {
					if strings.HasPrefix(l, "- "+jump+" ") {
						line = l
					}
				}
				if line == "" {
					t.Errorf("%s: the message does not state %q:\n%s", p.Repo, jump, p.Message)
					continue
				}
				if strings.Contains(line, "MAJOR") {
					majors++
					x, y := strings.Split(a.Version, "."), strings.Split(b.Version, ".")
					if x[0] == y[0] && (x[0] != "0" || len(x) < 2 || len(y) < 2 || x[1] == y[1]) {
						t.Errorf("%s: %s flagged MAJOR", p.Repo, jump)
					}
				}
			}
		}
	}
	if changed == 0 {
		t.Fatal("no pin changed on the corpus")
	}
	t.Logf("%d pins moved in %d patches, %d of them MAJOR jumps", changed, len(res.Patches), majors)
}

var (
	installRequiresRe = regexp.MustCompile(`install_requires\s*=\s*\[([^\]]*)\]`)
	quotedRe          = regexp.MustCompile(`['"]([^'"\n]+)['"]`)
)

// requirementsOf reads a requirements file, or setup.py's install_requires
// strings.
func requirementsOf(rel string, data []byte) []parse.Requirement {
	if rel != "setup.py" {
		return parse.ParseRequirements(data)
	}
	var lines []string
	if m := installRequiresRe.FindSubmatch(data); m != nil {
		for _, q := range quotedRe.FindAllSubmatch(m[1], -1) {
			lines = append(lines, string(q[1]))
		}
	}
	return parse.ParseRequirements([]byte(strings.Join(lines, "\n")))
}
