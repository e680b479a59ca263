package fix

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/rules"
)

const tallyUnit = "debian/wazo-tallyd.service"

// toCRLF rewrites dir/rel with CRLF line endings.
func toCRLF(t *testing.T, dir, rel string) {
	t.Helper()
	crlf := strings.ReplaceAll(read(t, filepath.Join(dir, rel)), "\n", "\r\n")
	if err := os.WriteFile(filepath.Join(dir, rel), []byte(crlf), 0o644); err != nil {
		t.Fatal(err)
	}
}

// fixOwnRule plans fix for one rule of the fixture daemon: without
// --uncertain it must be listed as needing review and not written; with
// it, the one patch of wazo-tallyd must pass git apply --check and be
// applied, after which check passes the rule and no verdict gets worse.
// It returns the items' reasons, joined, and the patch.
func fixOwnRule(t *testing.T, sib, dir string, ids ...string) (string, Patch) {
	t.Helper()
	for _, id := range ids {
		if v := verdicts(t, sib, []string{dir})["wazo-tallyd "+id]; v != rules.Fail {
			t.Fatalf("%s is %s before the fix: the fixture does not exercise its fixer", id, v)
		}
	}
	res, err := Plan([]string{dir}, Options{Siblings: sib, Rules: ids})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range res.Items {
		if it.Written || it.Certainty != NeedsReview {
			t.Fatalf("without --uncertain: %+v, want needs review, not written", it)
		}
	}
	before := verdicts(t, sib, []string{dir})
	res, err = Plan([]string{dir}, Options{Siblings: sib, Rules: ids, Uncertain: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != len(ids) || len(res.Patches) != 1 || res.Patches[0].Repo != "wazo-tallyd" {
		t.Fatalf("items %+v, patches %d: want %d items and one patch of wazo-tallyd", res.Items, len(res.Patches), len(ids))
	}
	for _, it := range res.Items {
		if !it.Written {
			t.Fatalf("%s not written: %s", it.Rule, it.Why)
		}
	}
	p := res.Patches[0]
	commitCheckout(t, filepath.Join(p.Root, p.Repo))
	if err := CheckApplies(p); err != nil {
		t.Fatal(err)
	}
	if err := Apply(p); err != nil {
		t.Fatal(err)
	}
	after := verdicts(t, sib, []string{dir})
	rank := map[rules.Status]int{rules.Pass: 0, rules.Unknown: 1, rules.Fail: 2}
	for _, id := range ids {
		if after["wazo-tallyd "+id] != rules.Pass {
			t.Errorf("%s: %s after the patch", id, after["wazo-tallyd "+id])
		}
	}
	for k, was := range before {
		if rank[after[k]] > rank[was] {
			t.Errorf("%s: %s before, %s after the patch", k, was, after[k])
		}
	}
	var why []string
	for _, it := range res.Items {
		why = append(why, it.Why)
	}
	return strings.Join(why, "\n"), p
}

// onlyAdded checks that new is old with the lines added and nothing else.
func onlyAdded(t *testing.T, old, new string, added ...string) {
	t.Helper()
	rest := new
	for _, a := range added {
		if !strings.Contains(rest, a) {
			t.Fatalf("%q not added:\n%s", a, new)
		}
		rest = strings.Replace(rest, a, "", 1)
	}
	if rest != old {
		t.Errorf("more than %q changed:\n%s", added, new)
	}
}

// notWritten plans fix --uncertain for a rule and checks it is listed
// with a reason holding every want, and nothing of the service patched.
func notWritten(t *testing.T, sib, dir, id string, wants ...string) {
	t.Helper()
	res, err := Plan([]string{dir}, Options{Siblings: sib, Rules: []string{id}, Uncertain: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 1 || res.Items[0].Written {
		t.Fatalf("%+v: want one item, not written", res.Items)
	}
	for _, w := range wants {
		if !strings.Contains(res.Items[0].Why, w) {
			t.Errorf("the reason %q does not say %q", res.Items[0].Why, w)
		}
	}
	for _, p := range res.Patches {
		if p.Repo == "wazo-tallyd" {
			t.Errorf("wazo-tallyd patched:\n%s", p.Text)
		}
	}
}

// rootTally makes the fixture daemon run as root: no user in the code's
// defaults, and no ExecStartPre needing root in its unit.
func rootTally(t *testing.T, dir string) {
	t.Helper()
	edit(t, dir, "wazo_tallyd/config.py", "    'user': 'wazo-tallyd',\n", "")
	edit(t, dir, tallyUnit, "ExecStartPre=/usr/bin/install -d -o wazo-tallyd -g wazo-tallyd /run/wazo-tallyd\n", "")
}

// TestUserNotRootFix: a daemon that runs as root while its postinst
// creates wazo-tallyd gets User=, Group= and RuntimeDirectory= for its PID
// directory at the end of [Service], LF or CRLF, every other line kept.
func TestUserNotRootFix(t *testing.T) {
	for _, crlf := range []bool{false, true} {
		sib, dirs := fleet(t)
		dir := dirs[0]
		rootTally(t, dir)
		eol := "\n"
		if crlf {
			toCRLF(t, dir, tallyUnit)
			eol = "\r\n"
		}
		old := read(t, filepath.Join(dir, tallyUnit))
		why, p := fixOwnRule(t, sib, dir, "user-not-root")
		onlyAdded(t, old, read(t, filepath.Join(dir, tallyUnit)), "User=wazo-tallyd"+eol, "Group=wazo-tallyd"+eol, "RuntimeDirectory=wazo-tallyd"+eol)
		if !strings.Contains(read(t, filepath.Join(dir, tallyUnit)), "SyslogIdentifier=wazo-tallyd"+eol+"User=wazo-tallyd"+eol) {
			t.Errorf("User= is not at the end of [Service]:\n%s", read(t, filepath.Join(dir, tallyUnit)))
		}
		if !strings.Contains(why, "drop") || !strings.Contains(p.Message, "User=wazo-tallyd") {
			t.Errorf("the review note or the message does not say what to check: %q\n%s", why, p.Message)
		}
	}
}

// TestPIDFileWritableFix: a PID directory nothing makes for the user gets
// Wazo's ExecStartPre install -d before ExecStart= when the daemon drops
// to the user itself, and RuntimeDirectory= when the unit runs it as the
// user.
func TestPIDFileWritableFix(t *testing.T) {
	const pre = "ExecStartPre=/usr/bin/install -d -o wazo-tallyd -g wazo-tallyd /run/wazo-tallyd\n"
	t.Run("ExecStartPre", func(t *testing.T) {
		sib, dirs := fleet(t)
		edit(t, dirs[0], tallyUnit, pre, "")
		old := read(t, filepath.Join(dirs[0], tallyUnit))
		fixOwnRule(t, sib, dirs[0], "pid-file-writable")
		onlyAdded(t, old, read(t, filepath.Join(dirs[0], tallyUnit)), pre)
		if !strings.Contains(read(t, filepath.Join(dirs[0], tallyUnit)), pre+"ExecStart=") {
			t.Errorf("ExecStartPre= is not right before ExecStart=:\n%s", read(t, filepath.Join(dirs[0], tallyUnit)))
		}
	})
	t.Run("RuntimeDirectory", func(t *testing.T) {
		sib, dirs := fleet(t)
		edit(t, dirs[0], tallyUnit, pre, "User=wazo-tallyd\n")
		old := read(t, filepath.Join(dirs[0], tallyUnit))
		fixOwnRule(t, sib, dirs[0], "pid-file-writable")
		onlyAdded(t, old, read(t, filepath.Join(dirs[0], tallyUnit)), "RuntimeDirectory=wazo-tallyd\n")
	})
}

// TestDepsPinsFix: pins away from Debian's versions (an older == pin, a
// >= one with a comment, CRLF line endings) are moved back to what the
// distribution ships — the fixture's own pins — the spacing around the
// operator kept and nothing else of the file changed; the message gives each jump, the major one flagged.
func TestDepsPinsFix(t *testing.T) {
	for _, crlf := range []bool{false, true} {
		sib, dirs := fleet(t)
		dir := dirs[0]
		want := read(t, filepath.Join(dir, "requirements.txt"))
		want = strings.Replace(want, "requests==2.32.3\n", "requests == 2.32.3  # the HTTP client\n# keep sorted\n", 1)
		if err := os.WriteFile(filepath.Join(dir, "requirements.txt"), []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		edit(t, dir, "requirements.txt", "flask==3.1.1", "flask==2.2.2")
		edit(t, dir, "requirements.txt", "requests == 2.32.3", "requests >= 2.0")
		if crlf {
			want = strings.ReplaceAll(want, "\n", "\r\n")
			toCRLF(t, dir, "requirements.txt")
		}
		why, p := fixOwnRule(t, sib, dir, "deps-pinned-to-debian", "deps-in-debian")
		if got := read(t, filepath.Join(dir, "requirements.txt")); got != want {
			t.Errorf("requirements.txt after the fix:\n%q\nwant\n%q", got, want)
		}
		for _, w := range []string{"flask 2.2.2 -> 3.1.1", "MAJOR jump", "requests >=2.0 -> 2.32.3"} {
			if !strings.Contains(why, w) || !strings.Contains(p.Message, w) {
				t.Errorf("the report %q or the message does not say %q:\n%s", why, w, p.Message)
			}
		}
		if strings.Count(p.Message, "flask 2.2.2 -> 3.1.1") != 1 {
			t.Errorf("the jump said more than once:\n%s", p.Message)
		}
	}
}

// TestDepsPinsFixSetupPy: a requirements.txt that installs the package
// itself (-e .) brings setup.py's install_requires: its strings are moved
// to Debian's versions in place, every other byte of setup.py kept.
func TestDepsPinsFixSetupPy(t *testing.T) {
	sib, dirs := fleet(t)
	dir := dirs[0]
	reqs := read(t, filepath.Join(dir, "requirements.txt"))
	kombu, yaml := "", ""
	for _, l := range strings.Split(reqs, "\n") {
		if strings.HasPrefix(l, "kombu==") {
			kombu = l
		}
		if strings.HasPrefix(l, "pyyaml==") {
			yaml = l
		}
	}
	if kombu == "" || yaml == "" {
		t.Fatal("the fixture pins no kombu or pyyaml")
	}
	edit(t, dir, "requirements.txt", kombu+"\n", "")
	edit(t, dir, "requirements.txt", yaml+"\n", "-e .\n")
	edit(t, dir, "setup.py", "    packages=find_packages(),\n", "    packages=find_packages(),\n    install_requires=['kombu==1.0.0', \"pyyaml\"],\n")
	old := read(t, filepath.Join(dir, "setup.py"))
	fixOwnRule(t, sib, dir, "deps-pinned-to-debian", "deps-in-debian")
	want := strings.Replace(strings.Replace(old, "'kombu==1.0.0'", "'"+kombu+"'", 1), `"pyyaml"`, `"`+yaml+`"`, 1)
	if got := read(t, filepath.Join(dir, "setup.py")); got != want {
		t.Errorf("setup.py after the fix:\n%s\nwant\n%s", got, want)
	}
}

// TestDepsPinsFollowDist: with --dist bookworm the pins move to
// bookworm's versions, and check against bookworm then passes them.
func TestDepsPinsFollowDist(t *testing.T) {
	sib, dirs := fleet(t)
	opts := Options{Siblings: sib, Dist: "bookworm", Rules: []string{"deps-pinned-to-debian"}, Uncertain: true}
	res, err := Plan(dirs[:1], opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Patches) != 1 || !strings.Contains(res.Patches[0].Message, "Debian 12 bookworm") {
		t.Fatalf("want one patch naming bookworm's packages: %+v", res.Items)
	}
	commitCheckout(t, dirs[0])
	if err := Apply(res.Patches[0]); err != nil {
		t.Fatal(err)
	}
	rep, err := rules.Check(dirs[0], rules.CheckOptions{Siblings: sib, Dist: "bookworm", Only: []string{"deps-pinned-to-debian"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results() {
		if r.Status != rules.Pass {
			t.Errorf("after the fix, against bookworm: %s %s", r.Status, r.Message)
		}
	}
}

// TestOwnFixersBackOff: each fixer of the service's own repository,
// given a case it cannot fix safely or a file of an unexpected shape,
// writes nothing and says why: what it expected and what it found.
func TestOwnFixersBackOff(t *testing.T) {
	const pre = "ExecStartPre=/usr/bin/install -d -o wazo-tallyd -g wazo-tallyd /run/wazo-tallyd\n"
	const continued = "SyslogIdentifier=\\\n  wazo-tallyd\\\n\n"
	type change struct{ rel, old, new string }
	toRoot := []change{{"wazo_tallyd/config.py", "    'user': 'wazo-tallyd',\n", ""}, {tallyUnit, pre, ""}}
	cases := []struct {
		name, rule string
		changes    []change
		wants      []string
	}{
		{"no account", "user-not-root", append(toRoot, change{"debian/wazo-tallyd.postinst", "adduser --quiet --system", "true --quiet"}),
			[]string{"creates no system account"}},
		{"root command", "user-not-root", toRoot[:1], []string{"ExecStartPre=/usr/bin/install", "not root"}},
		{"unit shape", "user-not-root", append(toRoot, change{tallyUnit, "SyslogIdentifier=wazo-tallyd\n", continued}),
			[]string{"expected the [Service] section to end with a complete setting", "found a continued line"}},
		{"no PID file", "pid-file-writable", []change{{"etc/wazo-tallyd/config.yml", "pid_file: /run/wazo-tallyd/wazo-tallyd.pid\n", ""},
			{"wazo_tallyd/config.py", "    'pid_file': '/run/wazo-tallyd/wazo-tallyd.pid',\n", ""}}, []string{"writes no PID file"}},
		{"PID file in /run", "pid-file-writable", []change{{"etc/wazo-tallyd/config.yml", "/run/wazo-tallyd/wazo-tallyd.pid", "/run/wazo-tallyd.pid"},
			{"wazo_tallyd/config.py", "/run/wazo-tallyd/wazo-tallyd.pid", "/run/wazo-tallyd.pid"}}, []string{"not in a directory of its own under /run"}},
		{"PID path with a line break", "pid-file-writable", []change{{tallyUnit, pre, ""},
			{"etc/wazo-tallyd/config.yml", "pid_file: /run/wazo-tallyd/wazo-tallyd.pid", `pid_file: "/run/x\nExecStartPost=/bin/true/x.pid"`}},
			[]string{"not in a directory of its own under /run"}},
		{"account name", "user-not-root", append(toRoot, change{"debian/wazo-tallyd.postinst", `--no-create-home \
                    "$ACCOUNT"`, `--no-create-home \
                    "wazo tallyd"`}),
			[]string{"expected debian/wazo-tallyd.postinst:", "to create an account named as adduser accepts it", "found"}},
		{"unit shape", "pid-file-writable", []change{{tallyUnit, pre, ""}, {tallyUnit, "SyslogIdentifier=wazo-tallyd\n", continued}},
			[]string{"expected the [Service] section", "found a continued line"}},
		{"not in Debian", "deps-in-debian", []change{{"requirements.txt", "flask==3.1.1\n", "flask==3.1.1\nnot-a-debian-package==1.0\n"}},
			[]string{"not-a-debian-package is not packaged", "packaging work"}},
		{"install_requires shape", "deps-pinned-to-debian", []change{{"requirements.txt", "flask==3.1.1\n", "-e .\n"},
			{"setup.py", "    packages=find_packages(),\n", "    packages=find_packages(),\n    install_requires=['flask==2.2.2', \"pyyaml'],\n"}},
			[]string{"expected quoted strings in install_requires", "found"}},
		{"requirement shape", "deps-pinned-to-debian", []change{{"requirements.txt", "flask==3.1.1", "flask==2.2.2 --hash=sha256:00"}},
			[]string{"expected a one-line requirement without --hash", "found"}},
	}
	for _, c := range cases {
		t.Run(c.rule+" "+c.name, func(t *testing.T) {
			sib, dirs := fleet(t)
			for _, ch := range c.changes {
				edit(t, dirs[0], ch.rel, ch.old, ch.new)
			}
			notWritten(t, sib, dirs[0], c.rule, c.wants...)
		})
	}
}

func TestVersionJump(t *testing.T) {
	cases := []struct{ op, old, new, want string }{
		{"==", "2.2.2", "3.1.1", "MAJOR jump"},
		{"==", "0.3.9", "0.4.0", "MAJOR jump"},
		{"==", "0.3.9", "0.3.10", ""},
		{"==", "5.2.4", "4.6.11", "MAJOR jump, downgrade"},
		{"==", "3.18.0", "3.10.0", "downgrade"},
		{"==", "6.0", "6.0.2", ""},
		{">=", "2.0", "2.32.3", "was not pinned: test against 2.32.3"},
	}
	for _, c := range cases {
		if got := versionJump(c.op, c.old, c.new); got != c.want {
			t.Errorf("%s%s -> %s: %q, want %q", c.op, c.old, c.new, got, c.want)
		}
	}
}
