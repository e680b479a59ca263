package fix

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/debiandata"
	"github.com/wazo-platform/wazo-servicekit/internal/rules"
)

// oldZuul is a zuul.yaml on Debian 12 in the shapes Wazo's take: a
// template, a job defined here with its parent and nodeset, a job listed
// under a pipeline, a comment naming the release.
const oldZuul = `# CI of the tally daemon; bookworm builds only
- project:
    templates:
      - wazo-tox-py311
      - debian-packaging-bookworm
    wazo-check:
      jobs:
        - tallyd-packaging-bookworm-big
    experimental:
      jobs:
        - wazo-acceptance-bookworm

- job:
    name: tallyd-packaging-bookworm-big
    parent: debian-packaging-bookworm
    nodeset: vm-debian-12-big
`

// oldDockerfile is a two-stage Dockerfile on Debian 12's python image.
const oldDockerfile = `FROM python:3.11-slim-bookworm AS build
RUN python -m venv /opt/venv
FROM python:3.11-slim-bookworm
COPY --from=build /opt/venv /opt/venv
CMD ["wazo-tallyd"]
`

// bookwormTally puts the fixture daemon's CI, image and changelog on
// Debian 12.
func bookwormTally(t *testing.T, dir string) {
	t.Helper()
	for rel, text := range map[string]string{"zuul.yaml": oldZuul, "Dockerfile": oldDockerfile} {
		if err := os.WriteFile(filepath.Join(dir, rel), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	edit(t, dir, "debian/changelog", "wazo-dev-trixie", "wazo-dev-bookworm")
}

// debianFindings are the failing findings of debian-packaging for the
// fixture daemon, "path: message".
func debianFindings(t *testing.T, sib, dir string) []string {
	t.Helper()
	rep, err := rules.Check(dir, rules.CheckOptions{Siblings: sib, Only: []string{"debian-packaging"}})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rep.Results() {
		if r.Status == rules.Fail {
			out = append(out, r.Path+": "+r.Message)
		}
	}
	return out
}

// TestDebianPackagingFix: zuul.yaml's names and the Dockerfile's images
// move from bookworm to trixie (the python image to trixie's Python),
// LF or CRLF, every other byte kept; the changelog is left, with why;
// applied, only the changelog's finding remains and nothing else gets
// worse.
func TestDebianPackagingFix(t *testing.T) {
	for _, crlf := range []bool{false, true} {
		sib, dirs := fleet(t)
		dir := dirs[0]
		bookwormTally(t, dir)
		wantZuul := strings.NewReplacer("- debian-packaging-bookworm\n", "- debian-packaging-trixie\n",
			"tallyd-packaging-bookworm-big", "tallyd-packaging-trixie-big", "wazo-acceptance-bookworm", "wazo-acceptance-trixie",
			"parent: debian-packaging-bookworm", "parent: debian-packaging-trixie", "vm-debian-12-big", "vm-debian-13-big").Replace(oldZuul)
		wantDocker := strings.ReplaceAll(oldDockerfile, "python:3.11-slim-bookworm", "python:3.13-slim-trixie")
		if crlf {
			toCRLF(t, dir, "zuul.yaml")
			toCRLF(t, dir, "Dockerfile")
			wantZuul = strings.ReplaceAll(wantZuul, "\n", "\r\n")
			wantDocker = strings.ReplaceAll(wantDocker, "\n", "\r\n")
		}
		if got := debianFindings(t, sib, dir); len(got) != 3 {
			t.Fatalf("before the fix: %q, want the zuul.yaml, Dockerfile and changelog findings", got)
		}
		opts := Options{Siblings: sib, Rules: []string{"debian-packaging"}}
		res, err := Plan([]string{dir}, opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Items) != 1 || res.Items[0].Written || res.Items[0].Certainty != NeedsReview || len(res.Patches) != 0 {
			t.Fatalf("without --uncertain: %+v, want needs review, not written", res.Items)
		}
		before := verdicts(t, sib, []string{dir})
		opts.Uncertain = true
		if res, err = Plan([]string{dir}, opts); err != nil {
			t.Fatal(err)
		}
		it := res.Items[0]
		if !it.Written || len(res.Patches) != 1 || len(it.Left) != 1 || it.Left[0].Path != "debian/changelog" {
			t.Fatalf("%+v, %d patches: want written, the changelog left", it, len(res.Patches))
		}
		for _, w := range []string{"release manager", "python:3.11-slim-bookworm -> python:3.13-slim-trixie", "vm-debian-12-big -> vm-debian-13-big", "must exist in Wazo's CI",
			"wazo-tox-py311 test another Python than trixie's python3 3.13"} {
			if !strings.Contains(it.Why, w) {
				t.Errorf("the report %q does not say %q", it.Why, w)
			}
		}
		p := res.Patches[0]
		commitCheckout(t, dir)
		if err := CheckApplies(p); err != nil {
			t.Fatal(err)
		}
		if err := Apply(p); err != nil {
			t.Fatal(err)
		}
		if got := read(t, filepath.Join(dir, "zuul.yaml")); got != wantZuul {
			t.Errorf("zuul.yaml after the fix:\n%q\nwant\n%q", got, wantZuul)
		}
		if got := read(t, filepath.Join(dir, "Dockerfile")); got != wantDocker {
			t.Errorf("Dockerfile after the fix:\n%q\nwant\n%q", got, wantDocker)
		}
		if got := debianFindings(t, sib, dir); len(got) != 1 || !strings.HasPrefix(got[0], "debian/changelog: ") {
			t.Errorf("after the fix: %q, want only the changelog's finding", got)
		}
		rank := map[rules.Status]int{rules.Pass: 0, rules.Unknown: 1, rules.Fail: 2}
		after := verdicts(t, sib, []string{dir})
		for k, was := range before {
			if rank[after[k]] > rank[was] {
				t.Errorf("%s: %s before, %s after the patch", k, was, after[k])
			}
		}
	}
}

// TestDebianPackagingFixBacksOff: a changelog alone is not rewritten; a
// zuul.yaml or Dockerfile of another shape than expected (a flow list,
// YAML that does not parse, two old releases, an image pinned by digest)
// is left alone, saying what was expected and found.
func TestDebianPackagingFixBacksOff(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string)
		wants []string
	}{
		{"changelog only", func(t *testing.T, dir string) {
			edit(t, dir, "debian/changelog", "wazo-dev-trixie", "wazo-dev-bullseye")
		}, []string{"no fix", "release manager"}},
		{"flow list", func(t *testing.T, dir string) {
			edit(t, dir, "zuul.yaml", "      - wazo-tox-py311\n      - debian-packaging-trixie\n", "      [wazo-tox-py311, debian-packaging-bookworm]\n")
		}, []string{"not written", "expected every name", "found line 4"}},
		{"not YAML", func(t *testing.T, dir string) {
			edit(t, dir, "zuul.yaml", "      - debian-packaging-trixie\n", "      - debian-packaging-bookworm\n\t- x: [\n")
		}, []string{"not written", "expected YAML"}},
		{"two releases", func(t *testing.T, dir string) {
			edit(t, dir, "zuul.yaml", "      - debian-packaging-trixie\n", "      - debian-packaging-bookworm\n      - debian-packaging-bullseye\n")
		}, []string{"not written", "bookworm and bullseye"}},
		{"odd image", func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM debian:bookworm\nFROM x\x1b]:bookworm\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, []string{"not written", "expected an image reference"}},
		{"digest", func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM debian:bookworm@sha256:0123\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, []string{"not written", "expected an image named by its tag", "pinned by digest"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sib, dirs := fleet(t)
			tc.setup(t, dirs[0])
			oldZ, oldD := read(t, filepath.Join(dirs[0], "zuul.yaml")), ""
			if data, err := os.ReadFile(filepath.Join(dirs[0], "Dockerfile")); err == nil {
				oldD = string(data)
			}
			notWritten(t, sib, dirs[0], "debian-packaging", tc.wants...)
			if read(t, filepath.Join(dirs[0], "zuul.yaml")) != oldZ {
				t.Error("zuul.yaml changed")
			}
			if data, _ := os.ReadFile(filepath.Join(dirs[0], "Dockerfile")); string(data) != oldD {
				t.Error("Dockerfile changed")
			}
		})
	}
}

// TestDebianPackagingFollowsDist: with --dist bookworm, names of buster
// move to bookworm, and the finding is said to stay (check wants the
// latest stable).
func TestDebianPackagingFollowsDist(t *testing.T) {
	sib, dirs := fleet(t)
	edit(t, dirs[0], "zuul.yaml", "debian-packaging-trixie", "debian-packaging-buster")
	res, err := Plan(dirs[:1], Options{Siblings: sib, Dist: "bookworm", Rules: []string{"debian-packaging"}, Uncertain: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 1 || !res.Items[0].Written || len(res.Patches) != 1 {
		t.Fatalf("%+v: want one item written", res.Items)
	}
	if !strings.Contains(res.Patches[0].Text, "+      - debian-packaging-bookworm") || !strings.Contains(res.Items[0].Why, "check wants the latest stable") {
		t.Errorf("the patch or the report does not move to bookworm and say it stays:\n%s\n%s", res.Patches[0].Text, res.Items[0].Why)
	}
	// Already on bookworm: nothing to move for --dist bookworm.
	sib, dirs = fleet(t)
	edit(t, dirs[0], "zuul.yaml", "debian-packaging-trixie", "debian-packaging-bookworm")
	res, err = Plan(dirs[:1], Options{Siblings: sib, Dist: "bookworm", Rules: []string{"debian-packaging"}, Uncertain: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 1 || res.Items[0].Written || !strings.Contains(res.Items[0].Why, "already targets bookworm") || len(res.Patches) != 0 {
		t.Errorf("%+v: want no fix, already on the --dist target", res.Items)
	}
}

// TestDebianPackagingOncePerRepository: two services of one checkout
// both fail on its zuul.yaml and Dockerfile; the repository's edit is
// made once, for both, in the one patch.
func TestDebianPackagingOncePerRepository(t *testing.T) {
	_, dirs := fleet(t)
	dir := dirs[0]
	bookwormTally(t, dir)
	docker, err := dockerEdit(dir, debiandata.Latest, 13)
	if err != nil {
		t.Fatal(err)
	}
	edits := []ownEdit{zuulEdit(dir, debiandata.Latest, 13), docker}
	items := []Item{{Service: "wazo-tallyd", Rule: "debian-packaging"}, {Service: "wazo-tallyd-worker", Rule: "debian-packaging"}}
	patches := ownPatches(items, []ownJob{{item: 0, dir: dir, edits: edits}, {item: 1, dir: dir, edits: edits}})
	if len(patches) != 1 || !items[0].Written || !items[1].Written {
		t.Fatalf("%d patches, items %+v: want one patch, both written", len(patches), items)
	}
	if n := strings.Count(patches[0].Text, "+      - debian-packaging-trixie"); n != 1 || len(patches[0].Files) != 2 {
		t.Errorf("the move is in the patch %d times, %d files:\n%s", n, len(patches[0].Files), patches[0].Text)
	}
}
