package fix

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/rules"
)

// fixRule plans the fix of one rule for the first service of dirs, with
// or without --uncertain, and returns its item and the patches.
func fixRule(t *testing.T, sib string, dirs []string, rule string, uncertain bool) (Item, []Patch) {
	t.Helper()
	res, err := Plan(dirs[:1], Options{Siblings: sib, Rules: []string{rule}, Uncertain: uncertain})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 1 || res.Items[0].Rule != rule {
		t.Fatalf("items %+v, want the one failing %s", res.Items, rule)
	}
	var patches []Patch
	for _, p := range res.Patches {
		if p.Text != "" {
			patches = append(patches, p)
		}
	}
	return res.Items[0], patches
}

// applyAndRecheck applies the patches and checks that rule now passes for
// wazo-tallyd and that no verdict got worse.
func applyAndRecheck(t *testing.T, sib string, dirs []string, rule string, patches []Patch, before map[string]rules.Status) {
	t.Helper()
	for _, p := range patches {
		commitCheckout(t, filepath.Join(p.Root, p.Repo))
		if err := CheckApplies(p); err != nil {
			t.Fatalf("%s: %v", p.Repo, err)
		}
		if err := Apply(p); err != nil {
			t.Fatalf("%s: %v", p.Repo, err)
		}
	}
	after := verdicts(t, sib, dirs[:1])
	rank := map[rules.Status]int{rules.Pass: 0, rules.Unknown: 1, rules.Fail: 2}
	if got := after["wazo-tallyd "+rule]; got != rules.Pass {
		t.Errorf("%s after the patch: %s", rule, got)
	}
	for k, was := range before {
		if rank[after[k]] > rank[was] {
			t.Errorf("%s: %s before, %s after the patch", k, was, after[k])
		}
	}
}

func read(t *testing.T, p string) string {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func write(t *testing.T, p, text string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestMonitCheckInWazoMonitoring: a daemon of the platform without a
// check gets wazo-monitoring's checks/<service>, written only with
// --uncertain (its start/stop programs need review); applied, monit-check
// passes and nothing else gets worse.
func TestMonitCheckInWazoMonitoring(t *testing.T) {
	sib, dirs := fleet(t)
	if err := os.Remove(filepath.Join(sib, "wazo-monitoring", "checks", "wazo-tallyd")); err != nil {
		t.Fatal(err)
	}
	before := verdicts(t, sib, dirs[:1])
	if before["wazo-tallyd monit-check"] != rules.Fail {
		t.Fatalf("monit-check is %s before the fix", before["wazo-tallyd monit-check"])
	}
	it, patches := fixRule(t, sib, dirs, "monit-check", false)
	if it.Written || it.Certainty != NeedsReview || len(patches) != 0 {
		t.Fatalf("without --uncertain: %+v, %d patches; want needs review, nothing written", it, len(patches))
	}
	it, patches = fixRule(t, sib, dirs, "monit-check", true)
	if !it.Written || it.Repo != "wazo-monitoring" || len(patches) != 1 {
		t.Fatalf("%+v, %d patches; want written in wazo-monitoring", it, len(patches))
	}
	f := patches[0].Files
	if len(f) != 1 || !f[0].Created || f[0].Rel != "checks/wazo-tallyd" || !strings.Contains(string(f[0].New), "with pidfile /run/wazo-tallyd/wazo-tallyd.pid") {
		t.Fatalf("files %+v, want checks/wazo-tallyd created, watching the service's PID file", f)
	}
	applyAndRecheck(t, sib, dirs, "monit-check", patches, before)
}

// TestMonitCheckShippedByThePackage: a package outside wazo-platform's
// Depends ships its own etc/monit/conf.d/<service>, and its .install
// gets the line that installs it (its CRLF endings kept, every old line
// byte-identical).
func TestMonitCheckShippedByThePackage(t *testing.T) {
	sib, dirs := fleet(t)
	if err := os.Remove(filepath.Join(sib, "wazo-monitoring", "checks", "wazo-tallyd")); err != nil {
		t.Fatal(err)
	}
	edit(t, sib, "wazo-platform/debian/control", "         wazo-tallyd,\n", "")
	install := filepath.Join(dirs[0], "debian", "wazo-tallyd.install")
	old := "etc/wazo-tallyd/* etc/wazo-tallyd/\r\netc/nginx/* etc/nginx/\r\n"
	write(t, install, old)
	before := verdicts(t, sib, dirs[:1])
	it, patches := fixRule(t, sib, dirs, "monit-check", true)
	if !it.Written || it.Repo != "wazo-tallyd" || len(patches) != 1 || len(patches[0].Files) != 2 {
		t.Fatalf("%+v, %d patches; want the check and the install line in wazo-tallyd", it, len(patches))
	}
	applyAndRecheck(t, sib, dirs, "monit-check", patches, before)
	if got := read(t, install); got != old+"etc/monit/conf.d/wazo-tallyd etc/monit/conf.d/\r\n" {
		t.Errorf("install file after the patch: %q", got)
	}
}

// TestNginxLocationFix: a daemon whose location is gone gets it back from
// the model (x-xivo-name, the REST port), certain, with the postinst's
// link on fresh install; applied, nginx-location passes, nothing else
// gets worse and every old line of the postinst is still there, in order.
func TestNginxLocationFix(t *testing.T) {
	sib, dirs := fleet(t)
	dir := dirs[0]
	if err := os.Remove(filepath.Join(dir, "etc/nginx/locations/https-available/wazo-tallyd")); err != nil {
		t.Fatal(err)
	}
	edit(t, dir, "debian/wazo-tallyd.postinst", `
        if [[ -z "${previous_version}" ]]; then
            ln -sf /etc/nginx/locations/https-available/$NAME \
                   /etc/nginx/locations/https-enabled/$NAME
        fi
`, "\n")
	postinst := filepath.Join(dir, "debian/wazo-tallyd.postinst")
	old := read(t, postinst)
	before := verdicts(t, sib, dirs[:1])
	it, patches := fixRule(t, sib, dirs, "nginx-location", false)
	if !it.Written || it.Certainty != Certain || len(patches) != 1 || len(patches[0].Files) != 2 {
		t.Fatalf("%+v, %d patches; want certain, the location and the postinst", it, len(patches))
	}
	if !strings.Contains(it.Why, "127.0.0.1:9521") || !strings.Contains(it.Why, "x-xivo-name") {
		t.Errorf("the fix does not say the port and API name it used: %s", it.Why)
	}
	applyAndRecheck(t, sib, dirs, "nginx-location", patches, before)
	j, now := 0, strings.Split(read(t, postinst), "\n")
	for _, l := range now {
		if j < len(strings.Split(old, "\n")) && l == strings.Split(old, "\n")[j] {
			j++
		}
	}
	if j != len(strings.Split(old, "\n")) || len(now) != j+3 {
		t.Errorf("the postinst's old lines are not all kept in order, or other than the 3 lines of the link added:\n%s", strings.Join(now, "\n"))
	}
}

// TestNginxLocationBacksOff: without api.yml's x-xivo-name the API's name
// is a guess, and with two plain HTTP ports the port is: nothing is
// written, and the item names the fact missing.
func TestNginxLocationBacksOff(t *testing.T) {
	cases := []struct {
		name, rel, old, new, says string
	}{
		{"api name", "wazo_tallyd/plugins/api/api.yml", "x-xivo-name: tallyd\n", "", "API's name"},
		{"port", "etc/wazo-tallyd/config.yml", "\nauth:\n", "\nhttp:\n  port: 9530\n\nauth:\n", "port"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sib, dirs := fleet(t)
			if err := os.Remove(filepath.Join(dirs[0], "etc/nginx/locations/https-available/wazo-tallyd")); err != nil {
				t.Fatal(err)
			}
			edit(t, dirs[0], c.rel, c.old, c.new)
			it, patches := fixRule(t, sib, dirs, "nginx-location", true)
			if it.Written || len(patches) != 0 || !strings.Contains(it.Why, c.says) {
				t.Errorf("%+v, %d patches; want nothing written, naming the %s", it, len(patches), c.says)
			}
		})
	}
}

// TestFileFixersLeaveAFileOfAnotherShape: the monit and nginx fixers given
// a file of an unexpected shape write nothing and say what they expected
// and found.
func TestFileFixersLeaveAFileOfAnotherShape(t *testing.T) {
	cases := []struct {
		rule, rel, old, new string
		prepare             func(t *testing.T, sib, dir string)
	}{
		{"monit-check", "debian/wazo-tallyd.install", "etc/* etc/\n", "usr/bin/* usr/bin/\r\netc/wazo-tallyd/* etc/wazo-tallyd/\n",
			func(t *testing.T, sib, dir string) {
				edit(t, sib, "wazo-platform/debian/control", "         wazo-tallyd,\n", "")
			}},
		{"nginx-location", "debian/wazo-tallyd.postinst", `case "$1" in
    configure)`, `case "$1" in
    configure|reconfigure)`, nil},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			sib, dirs := fleet(t)
			if err := os.Remove(filepath.Join(sib, "wazo-monitoring", "checks", "wazo-tallyd")); err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(filepath.Join(dirs[0], "etc/nginx/locations/https-available/wazo-tallyd")); err != nil {
				t.Fatal(err)
			}
			if c.prepare != nil {
				c.prepare(t, sib, dirs[0])
			}
			edit(t, dirs[0], c.rel, c.old, c.new)
			it, patches := fixRule(t, sib, dirs, c.rule, true)
			if it.Written || len(patches) != 0 || !strings.Contains(it.Why, "expected") || !strings.Contains(it.Why, "found") {
				t.Errorf("%+v, %d patches; want nothing written, saying what was expected and found", it, len(patches))
			}
		})
	}
}

// TestMonitCheckMatchesTheProgram: a daemon that writes no PID file is
// found by its ExecStart program, as a word of the command line (not the
// start of a longer name); applied, monit-check passes.
func TestMonitCheckMatchesTheProgram(t *testing.T) {
	sib, dirs := fleet(t)
	if err := os.Remove(filepath.Join(sib, "wazo-monitoring", "checks", "wazo-tallyd")); err != nil {
		t.Fatal(err)
	}
	edit(t, dirs[0], "etc/wazo-tallyd/config.yml", "pid_file: /run/wazo-tallyd/wazo-tallyd.pid\n", "")
	edit(t, dirs[0], "wazo_tallyd/config.py", "    'pid_file': '/run/wazo-tallyd/wazo-tallyd.pid',\n", "")
	before := verdicts(t, sib, dirs[:1])
	it, patches := fixRule(t, sib, dirs, "monit-check", true)
	if !it.Written || len(patches) != 1 || !strings.Contains(string(patches[0].Files[0].New), `matching "/usr/bin/wazo-tallyd([[:space:]]|$)"`) {
		t.Fatalf("%+v, %d patches; want a check matching /usr/bin/wazo-tallyd as a word", it, len(patches))
	}
	applyAndRecheck(t, sib, dirs, "monit-check", patches, before)
}

// TestNginxLocationEnabledOnly: a location the package ships but nothing
// enables gets only the postinst's link, of the file the model names.
func TestNginxLocationEnabledOnly(t *testing.T) {
	sib, dirs := fleet(t)
	edit(t, dirs[0], "debian/wazo-tallyd.postinst", "https-available/$NAME \\\n                   /etc/nginx/locations/https-enabled/$NAME",
		"https-available/other \\\n                   /etc/nginx/locations/https-enabled/other")
	before := verdicts(t, sib, dirs[:1])
	it, patches := fixRule(t, sib, dirs, "nginx-location", false)
	if !it.Written || len(patches) != 1 || len(patches[0].Files) != 1 || patches[0].Files[0].Rel != "debian/wazo-tallyd.postinst" {
		t.Fatalf("%+v, %d patches; want the postinst alone", it, len(patches))
	}
	applyAndRecheck(t, sib, dirs, "nginx-location", patches, before)
}
