package rules

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// TestWaiverFileKeys: a key the format does not have is an error with the
// file and the key's own line, at the top and in an entry; the file's old
// name is refused with the new one.
func TestWaiverFileKeys(t *testing.T) {
	cases := map[string]string{
		"waiver:\n  - rule: monit-check\n": WaiversFile + `:1: unknown key "waiver"`,
		"waivers:\n  - rule: monit-check\n    owner: o\n    reason: r\n    expire: 2027-01-01\n": WaiversFile + `:5: unknown key "expire" in a waiver`,
		"waivers:\n  - rule: monit-check\n    owner: o\n    reason: r\n    practice: p\n":        WaiversFile + `:5: unknown key "practice"`,
		"waivers:\n  - rule: monit-check\n    owner: o\n    reason: r\n    when: \"(\"\n":        WaiversFile + `:5: bad when expression`,
		"waivers: {rule: x}\n":  WaiversFile + `:1: "waivers" is not a list`,
		"- rule: monit-check\n": WaiversFile + `:1: want a mapping`,
	}
	for body, want := range cases {
		dir := t.TempDir()
		write(t, filepath.Join(dir, WaiversFile), body)
		if _, err := LoadWaivers(dir); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", body, err, want)
		}
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, ".servicekit-suppressions.yml"), "suppressions: []\n")
	if _, err := LoadWaivers(dir); err == nil || !strings.Contains(err.Error(), "rename it") {
		t.Errorf("the old file name: err = %v", err)
	}
}

// TestWaiverWhen: `when` waives only the failures whose message matches.
func TestWaiverWhen(t *testing.T) {
	dir := testenv.CopyTree(t, "testdata/go-service", nil)
	edit(t, dir+"/etc/monit/conf.d/wazo-exampled", "with pidfile ", "with pidfile /elsewhere")
	for when, waived := range map[string]bool{"monit watches /elsewhere": true, "no `check process": false} {
		write(t, filepath.Join(dir, WaiversFile), "waivers:\n  - rule: monit-check\n    owner: o\n    reason: r\n    when: '"+when+"'\n")
		ws, err := LoadWaivers(dir)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := Check(dir, CheckOptions{Only: []string{"monit-check"}})
		if err != nil {
			t.Fatal(err)
		}
		rep.ApplyAt(ws, time.Now())
		got := false
		for _, r := range rep.Results() {
			got = got || (r.Rule == "monit-check" && r.Suppressed != "" && r.WaivedBy == WaivedByRepository)
		}
		if got != waived {
			t.Errorf("when %q: waived = %v, want %v: %+v", when, got, waived, rep.Results())
		}
	}
}

// TestShippedProfiles: every shipped profile loads; each entry names its
// owner, reason and expiry, and waives by a cause (when or dist), never a
// whole rule; the profile's waivers say they are the platform's.
func TestShippedProfiles(t *testing.T) {
	names := ProfileNames()
	if len(names) == 0 || names[0] != "wazo-today" {
		t.Fatalf("profiles: %v", names)
	}
	for _, n := range names {
		p, err := LoadProfile(n)
		if err != nil {
			t.Fatal(err)
		}
		if p.Owner == "" || p.Description == "" || len(p.Waivers) == 0 {
			t.Errorf("%s: %+v", n, p)
		}
		for _, w := range p.Waivers {
			if w.Expires == "" || w.Platform != n || (w.When == "" && w.Dist == "") || w.Practice == "" || w.Bullet == "" {
				t.Errorf("%s:%d (%s): want expires, a cause (when or dist), practice and bullet: %+v", n, w.Line, w.Rule, w)
			}
			if !strings.HasPrefix(w.By(), WaivedByPlatform+" "+n) {
				t.Errorf("%s: By() = %q", w.Rule, w.By())
			}
		}
	}
	for _, bad := range []string{"nope", "../profiles/wazo-today", "wazo-today.yml"} {
		if _, err := LoadProfile(bad); err == nil || !strings.Contains(err.Error(), "wazo-today") {
			t.Errorf("LoadProfile(%q) = %v, want an error listing the profiles", bad, err)
		}
	}
}

// TestProfileWaivesOnlyThePlatformsCause: on a service that ships
// registration disabled, targets bookworm and pins bookworm's versions,
// the profile waives those failures as the platform's, keeps a pin that
// matches neither release red, and adds no unused-waiver diagnostic.
func TestProfileWaivesOnlyThePlatformsCause(t *testing.T) {
	files := realDaemon()
	files["etc/wazo-quuxd/config.yml"] = strings.Replace(files["etc/wazo-quuxd/config.yml"], "enabled: true", "enabled: false", 1)
	files["zuul.yaml"] = strings.Replace(files["zuul.yaml"], "trixie", "bookworm", 1)
	files["debian/changelog"] = strings.Replace(files["debian/changelog"], "wazo-dev-trixie", "wazo-dev-bookworm", 1)
	files["requirements.txt"] = "flask==2.2.2\nrequests==1.0.0\n"
	dir := writeTree(t, files)
	sib := writeTree(t, realSiblings())
	opts := CheckOptions{Siblings: sib}
	p, err := LoadProfile("wazo-today")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Prepare(dir, opts); err != nil {
		t.Fatal(err)
	}
	rep, err := Check(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	before := rep.Failing(Info)
	rep.ApplyAt(p.Waivers, time.Now())
	platform := map[string]bool{}
	for _, r := range rep.Results() {
		if strings.HasPrefix(r.WaivedBy, WaivedByPlatform) {
			platform[r.Rule+" "+r.Path+":"+itoa(r.Line)] = true
		}
		if r.Rule == UnusedWaiver {
			t.Errorf("a platform waiver reported unused: %+v", r)
		}
	}
	for _, want := range []string{"consul-registration", "debian-packaging", "deps-pinned-to-debian requirements.txt:1"} {
		found := false
		for k := range platform {
			found = found || strings.HasPrefix(k, want)
		}
		if !found {
			t.Errorf("%s not waived by the platform; waived: %v; failing before: %+v", want, platform, before)
		}
	}
	stillRed := map[string]bool{}
	for _, r := range rep.Failing(Info) {
		stillRed[r.Rule+" "+r.Path+":"+itoa(r.Line)] = true
	}
	if !stillRed["deps-pinned-to-debian requirements.txt:2"] {
		t.Errorf("requests==1.0.0 matches neither release and must stay red: %v", stillRed)
	}
}

func itoa(n int) string { return testenv.Itoa(n) }
