package fix

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/rules"
	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// fixture is the metamorphic test's Python daemon and its sibling
// repositories, in Wazo's formats.
const fixture = "../../test/metamorphic/testdata"

// copyTree copies src into dst, applying rename to every path and
// content (a second service made from the first).
func copyTree(t *testing.T, src, dst string, rename func(string) string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rename(rel))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		st, _ := d.Info()
		return os.WriteFile(target, []byte(rename(string(data))), st.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
}

// edit replaces old by new in dir/rel, failing when old is not there.
func edit(t *testing.T, dir, rel, old, new string) {
	t.Helper()
	p := filepath.Join(dir, rel)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s has no %q", rel, old)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(data), old, new, 1)), 0o755); err != nil {
		t.Fatal(err)
	}
}

// fleet is two daemons (wazo-tallyd and a copy, wazo-countd on 9522)
// missing from every sibling list the certain fixers edit.
func fleet(t *testing.T) (sib string, dirs []string) {
	t.Helper()
	root := t.TempDir()
	copyTree(t, filepath.Join(fixture, "siblings"), filepath.Join(root, "siblings"), func(s string) string { return s })
	copyTree(t, filepath.Join(fixture, "wazo-tallyd"), filepath.Join(root, "wazo-tallyd"), func(s string) string { return s })
	copyTree(t, filepath.Join(fixture, "wazo-tallyd"), filepath.Join(root, "wazo-countd"),
		strings.NewReplacer("tallyd", "countd", "9521", "9522").Replace)
	sib = filepath.Join(root, "siblings")
	edit(t, sib, "wazo-backup/bin/wazo-backup", "                 /etc/wazo-tallyd/\n", "")
	edit(t, sib, "wazo-platform.org/website/uc-doc/system/backup_restore.md", "- /etc/wazo-tallyd/\n", "")
	edit(t, sib, "wazo-platform.org/website/uc-doc/contributors/network.md",
		"| wazo-tallyd     | HTTP    | TCP      | 9521 | 127.0.0.1 | yes            | yes     |\n", "")
	edit(t, sib, "wazo-acceptance/features/daily/http.feature", "    | GET    | /api/tallyd/1.0/status     |\n", "")
	edit(t, sib, "wazo-service/bin/wazo-service", " wazo-tallyd ", " ")
	edit(t, sib, "wazo-service/wazo_service/main.py", "    Service('wazo-tallyd'),\n", "")
	// Both are part of the platform (the meta-package installs them), so
	// wazo-service must list them.
	edit(t, sib, "wazo-platform/debian/control", "         wazo-tallyd,\n", "         wazo-tallyd,\n         wazo-countd,\n")
	return sib, []string{filepath.Join(root, "wazo-tallyd"), filepath.Join(root, "wazo-countd")}
}

// commitCheckout makes dir a git checkout with everything in it
// committed, as --apply wants it (the owner's work is committed first).
func commitCheckout(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Lstat(filepath.Join(dir, ".git")); err != nil {
		testenv.Git(t, dir, "init", "-q")
	}
	testenv.Git(t, dir, "add", "-A")
	testenv.Git(t, dir, "commit", "-q", "--allow-empty", "-m", "as the owner left it")
}

// verdicts is each (service, rule)'s verdict: its worst result.
func verdicts(t *testing.T, sib string, dirs []string) map[string]rules.Status {
	t.Helper()
	out := map[string]rules.Status{}
	rank := map[rules.Status]int{rules.Pass: 0, rules.Unknown: 1, rules.Fail: 2}
	for _, d := range dirs {
		rep, err := rules.Check(d, rules.CheckOptions{Siblings: sib})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rep.Results() {
			k := r.Service + " " + r.Rule
			if cur, ok := out[k]; !ok || rank[r.Status] > rank[cur] {
				out[k] = r.Status
			}
		}
	}
	return out
}

// TestFixedRulesPassAndNothingRegresses: on a fleet of two daemons missing
// from every sibling list, fix writes one patch per sibling repository for
// both, each edit of a file holding both services; applied, every fixed
// rule passes and no other verdict gets worse.
func TestFixedRulesPassAndNothingRegresses(t *testing.T) {
	sib, dirs := fleet(t)
	before := verdicts(t, sib, dirs)
	fixers := []string{"backup-list", "backup-documented", "port-documented", "acceptance-http", "wazo-service-listed"}
	for _, svc := range []string{"wazo-tallyd", "wazo-countd"} {
		for _, id := range fixers {
			if before[svc+" "+id] != rules.Fail {
				t.Fatalf("%s %s is %s before the fix: the fixture does not exercise its fixer", svc, id, before[svc+" "+id])
			}
		}
	}
	res, err := Plan(dirs, Options{Siblings: sib, Uncertain: true})
	if err != nil {
		t.Fatal(err)
	}
	written := map[string]bool{}
	for _, it := range res.Items {
		if it.Written {
			written[it.Service+" "+it.Rule] = true
		}
	}
	for _, svc := range []string{"wazo-tallyd", "wazo-countd"} {
		for _, id := range fixers {
			if !written[svc+" "+id] {
				t.Errorf("%s %s: not fixed", svc, id)
			}
		}
	}
	repos := map[string]bool{}
	for _, p := range res.Patches {
		if repos[p.Repo] {
			t.Errorf("two patches for %s", p.Repo)
		}
		repos[p.Repo] = true
		if len(p.Refused) > 0 {
			t.Errorf("%s: refused %v", p.Repo, p.Refused)
		}
		if p.Repo == "wazo-monitoring" {
			// wazo-countd's check, a file of its own (wazo-tallyd has one).
			if len(p.Files) != 1 || !p.Files[0].Created || p.Files[0].Rel != "checks/wazo-countd" {
				t.Errorf("wazo-monitoring: %d files, want checks/wazo-countd created", len(p.Files))
			}
		} else {
			for _, f := range p.Files {
				if !strings.Contains(string(f.New), "tallyd") || !strings.Contains(string(f.New), "countd") {
					t.Errorf("%s/%s: the one edit does not add both services", p.Repo, f.Rel)
				}
			}
		}
		for _, svc := range []string{"wazo-tallyd", "wazo-countd"} {
			if p.Repo == "wazo-monitoring" {
				break
			}
			if !strings.Contains(p.Message, svc) || !strings.Contains(p.Message, "checklist item") {
				t.Errorf("%s: the message names neither %s nor the checklist item:\n%s", p.Repo, svc, p.Message)
			}
		}
		commitCheckout(t, filepath.Join(p.Root, p.Repo))
		if err := Apply(p); err != nil {
			t.Fatalf("%s: %v", p.Repo, err)
		}
	}
	if len(repos) != 5 {
		t.Errorf("patches for %v, want wazo-backup, wazo-platform.org, wazo-acceptance, wazo-service, wazo-monitoring", repos)
	}
	after := verdicts(t, sib, dirs)
	rank := map[rules.Status]int{rules.Pass: 0, rules.Unknown: 1, rules.Fail: 2}
	for k, was := range before {
		now := after[k]
		switch {
		case written[k] && now != rules.Pass:
			t.Errorf("%s: fixed, but %s after the patch", k, now)
		case rank[now] > rank[was]:
			t.Errorf("%s: %s before, %s after the patch", k, was, now)
		}
	}
	// Applied twice, nothing is left to do.
	again, err := Plan(dirs, Options{Siblings: sib, Uncertain: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range again.Patches {
		if p.Text != "" {
			t.Errorf("%s: a second run still patches:\n%s", p.Repo, p.Text)
		}
	}
}

// TestUncertainFixesNeedTheFlag: the wazo-service group of a service whose
// unit does not say is the owner's choice: listed, not written by default.
func TestUncertainFixesNeedTheFlag(t *testing.T) {
	sib, dirs := fleet(t)
	res, err := Plan(dirs[:1], Options{Siblings: sib})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range res.Items {
		if it.Rule == "wazo-service-listed" && (it.Written || it.Certainty != NeedsReview || !strings.Contains(it.Why, "--uncertain")) {
			t.Errorf("wazo-service-listed: %+v, want needs review, not written", it)
		}
	}
	for _, p := range res.Patches {
		if p.Repo == "wazo-service" && p.Text != "" {
			t.Errorf("wazo-service patched without --uncertain:\n%s", p.Text)
		}
	}
}

// TestFixerLeavesAFileOfAnotherShape: each fixer given a file of an
// unexpected shape writes nothing there and says what it expected and
// found; the other repositories are still patched.
func TestFixerLeavesAFileOfAnotherShape(t *testing.T) {
	cases := []struct{ rule, rel, old, new string }{
		{"backup-list", "wazo-backup/bin/wazo-backup", `BACKUP_LIST="`, `SAVED="`},
		{"backup-documented", "wazo-platform.org/website/uc-doc/system/backup_restore.md", "- /etc/wazo-auth/", "1. /etc/wazo-auth/"},
		{"port-documented", "wazo-platform.org/website/uc-doc/contributors/network.md", "| Port |", "| Ports |"},
		{"acceptance-http", "wazo-acceptance/features/daily/http.feature", "| method | url ", "| verb   | url "},
		{"wazo-service-listed", "wazo-service/bin/wazo-service", `default_services="`, `services="`},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			sib, dirs := fleet(t)
			edit(t, sib, c.rel, c.old, c.new)
			if c.rule == "backup-documented" {
				edit(t, sib, c.rel, "- /etc/wazo-chatd/", "2. /etc/wazo-chatd/")
				edit(t, sib, c.rel, "- /etc/wazo-webhookd/", "3. /etc/wazo-webhookd/")
			}
			res, err := Plan(dirs[:1], Options{Siblings: sib, Uncertain: true})
			if err != nil {
				t.Fatal(err)
			}
			repo, rel, _ := strings.Cut(c.rel, "/")
			seen := false
			for _, it := range res.Items {
				if it.Rule != c.rule {
					continue
				}
				seen = true
				if it.Written || !strings.Contains(it.Why, "expected") || !strings.Contains(it.Why, "found") {
					t.Errorf("%+v: want not written, saying what was expected and found", it)
				}
			}
			if !seen {
				t.Fatalf("%s does not fail on the fixture", c.rule)
			}
			patched := 0
			for _, p := range res.Patches {
				for _, f := range p.Files {
					if p.Repo == repo && f.Rel == rel {
						t.Errorf("%s/%s patched", repo, rel)
					}
				}
				if p.Text != "" {
					patched++
				}
			}
			if patched < 2 {
				t.Errorf("%d repositories patched: one file's shape stopped the others", patched)
			}
		})
	}
}

// TestApplyNeverThroughALink: a file swapped for a link after the plan is
// refused, the link's target untouched, and nothing of that repository
// written.
func TestApplyNeverThroughALink(t *testing.T) {
	sib, dirs := fleet(t)
	res, err := Plan(dirs[:1], Options{Siblings: sib})
	if err != nil {
		t.Fatal(err)
	}
	commitCheckout(t, filepath.Join(sib, "wazo-backup"))
	outside := filepath.Join(t.TempDir(), "wazo-backup")
	backup := filepath.Join(sib, "wazo-backup", "bin", "wazo-backup")
	data, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(outside, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(backup); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, backup); err != nil {
		t.Fatal(err)
	}
	applied := false
	for _, p := range res.Patches {
		if p.Repo != "wazo-backup" {
			continue
		}
		applied = true
		if err := Apply(p); err == nil {
			t.Error("applied through a link")
		}
	}
	if !applied {
		t.Fatal("no wazo-backup patch")
	}
	if now, _ := os.ReadFile(outside); string(now) != string(data) {
		t.Error("the link's target was written")
	}
}

// TestApplyIsAllOrNothing: a patch whose file changed since the plan is
// not applied at all.
func TestApplyIsAllOrNothing(t *testing.T) {
	sib, dirs := fleet(t)
	res, err := Plan(dirs[:1], Options{Siblings: sib, Uncertain: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Patches {
		if p.Repo != "wazo-service" || len(p.Files) != 2 {
			continue
		}
		commitCheckout(t, filepath.Join(sib, "wazo-service"))
		first := filepath.Join(sib, "wazo-service", p.Files[0].Rel)
		second := filepath.Join(sib, "wazo-service", p.Files[1].Rel)
		before, _ := os.ReadFile(first)
		f, err := os.OpenFile(second, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString("# edited meanwhile\n")
		f.Close()
		if err := Apply(p); err == nil {
			t.Fatal("applied over a file changed since the plan")
		}
		if after, _ := os.ReadFile(first); string(after) != string(before) {
			t.Error("the first file was written although the second could not be")
		}
		return
	}
	t.Fatal("no wazo-service patch of two files")
}

// TestMaintainerScriptsFix: adduser missing from Depends is fixed for
// certain in the service's own debian/control; a postinst without set -e
// needs review, so the rule is fixed only with Uncertain; applied, check
// passes the rule and nothing else gets worse.
func TestMaintainerScriptsFix(t *testing.T) {
	sib, dirs := fleet(t)
	dir := dirs[0]
	edit(t, dir, "debian/control", "         adduser,\n", "")
	edit(t, dir, "debian/wazo-tallyd.postinst", "set -e\n", "")
	res, err := Plan(dirs[:1], Options{Siblings: sib, Rules: []string{"maintainer-scripts"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 1 || res.Items[0].Written || res.Items[0].Certainty != NeedsReview {
		t.Fatalf("without --uncertain: %+v, want one item needing review, not written", res.Items)
	}
	before := verdicts(t, sib, dirs[:1])
	res, err = Plan(dirs[:1], Options{Siblings: sib, Rules: []string{"maintainer-scripts"}, Uncertain: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Patches) != 1 || len(res.Patches[0].Files) != 2 || res.Patches[0].Repo != "wazo-tallyd" {
		t.Fatalf("patches %+v, want one of wazo-tallyd's two files", res.Patches)
	}
	commitCheckout(t, dir)
	if err := Apply(res.Patches[0]); err != nil {
		t.Fatal(err)
	}
	after := verdicts(t, sib, dirs[:1])
	rank := map[rules.Status]int{rules.Pass: 0, rules.Unknown: 1, rules.Fail: 2}
	for k, was := range before {
		if k == "wazo-tallyd maintainer-scripts" && after[k] != rules.Pass {
			t.Errorf("%s: %s after the patch", k, after[k])
		}
		if rank[after[k]] > rank[was] {
			t.Errorf("%s: %s before, %s after", k, was, after[k])
		}
	}
	// adduser alone is certain.
	sib, dirs = fleet(t)
	edit(t, dirs[0], "debian/control", "         adduser,\n", "")
	res, err = Plan(dirs[:1], Options{Siblings: sib, Rules: []string{"maintainer-scripts"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 1 || !res.Items[0].Written || res.Items[0].Certainty != Certain {
		t.Fatalf("adduser alone: %+v, want certain and written", res.Items)
	}
	if !strings.Contains(res.Patches[0].Text, "+         adduser") {
		t.Errorf("the Depends line is not indented as its neighbours:\n%s", res.Patches[0].Text)
	}
}
