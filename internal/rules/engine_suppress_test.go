package rules

import (
	"strings"
	"testing"
	"time"

	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

func TestSuppressions(t *testing.T) {
	now := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	const head = "waivers:\n  - rule: monit-check\n    owner: jdoe@wazo.io\n"
	cases := []struct {
		name, file  string
		wantErr     string
		suppressed  bool // the monit-check failure is waived
		expiredNote bool // the failure says its waiver expired
		unusedCount int
	}{
		{"waives with a reason", head + "    reason: systemd Restart= supervises it\n", "", true, false, 0},
		{"path glob", head + "    path: \"etc/monit/**\"\n    reason: r\n", "", true, false, 0},
		{"other path", head + "    path: \"debian/*\"\n    reason: r\n", "", false, false, 1},
		{"other service", head + "    service: wazo-other\n    reason: r\n", "", false, false, 1},
		{"unused", head + "    reason: r\n  - rule: api-spec\n    owner: o\n    reason: stale\n", "", true, false, 1},
		{"expires later", head + "    expires: 2026-06-15\n    reason: r\n", "", true, false, 0},
		{"date-time reached, other zone", head + "    expires: 2026-06-15T13:00:00+01:00\n    reason: r\n", "", false, true, 0},
		{"expired", head + "    expires: 2026-06-14\n    reason: r\n", "", false, true, 0},
		{"expired date-time", head + "    expires: \"2026-06-15T11:59:59Z\"\n    reason: r\n", "", false, true, 0},
		{"no reason", "waivers:\n  - rule: monit-check\n    owner: o\n", ".servicekit-waivers.yml:2: waiver of monit-check has no reason", false, false, 0},
		{"no owner", "waivers:\n  - rule: monit-check\n    reason: r\n", ".servicekit-waivers.yml:2: waiver of monit-check has no owner", false, false, 0},
		{"malformed date", head + "    reason: r\n    expires: 31/12/2026\n", ".servicekit-waivers.yml:5: waiver of monit-check: expires \"31/12/2026\" is not an ISO 8601 date", false, false, 0},
		{"impossible date", head + "    expires: 2026-02-30\n    reason: r\n", ".servicekit-waivers.yml:4: waiver of monit-check: expires \"2026-02-30\"", false, false, 0},
		{"unknown rule", "waivers:\n  - rule: no-such\n    reason: r\n", ".servicekit-waivers.yml:2: no rule \"no-such\"", false, false, 0},
		{"bad yaml", "waivers: [\n", ".servicekit-waivers.yml:1: did not find expected node content", false, false, 0},
		{"bad glob", head + "    path: \"[\"\n    reason: r\n", "bad path glob", false, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := testenv.CopyTree(t, "testdata/go-service", nil)
			edit(t, dir+"/etc/monit/conf.d/wazo-exampled", "with pidfile ", "with pidfile /elsewhere")
			write(t, dir+"/"+WaiversFile, c.file)
			sups, err := LoadWaivers(dir)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				if !strings.HasPrefix(err.Error(), dir+"/") {
					t.Errorf("err = %v, want it to start with the file's path", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Check(dir, CheckOptions{})
			if err != nil {
				t.Fatal(err)
			}
			rep.ApplyAt(sups, now)
			unused, seen := 0, false
			for _, r := range rep.Results() {
				if r.Rule == "monit-check" && r.Status == Fail {
					seen = true
					if (r.Suppressed != "") != c.suppressed {
						t.Errorf("monit-check suppressed=%q, want %v", r.Suppressed, c.suppressed)
					}
					if c.suppressed && !strings.Contains(r.Suppressed, "owner: jdoe@wazo.io") {
						t.Errorf("suppressed = %q, want the owner", r.Suppressed)
					}
					if got := strings.Contains(r.Message, "expired on"); got != c.expiredNote {
						t.Errorf("message %q: expired note %v, want %v", r.Message, got, c.expiredNote)
					}
				}
				if r.Rule == UnusedWaiver {
					unused++
					if r.Path != WaiversFile || r.Line == 0 {
						t.Errorf("unused suppression not located: %+v", r)
					}
				}
			}
			if !seen {
				t.Fatal("no monit-check failure to waive")
			}
			if unused != c.unusedCount {
				t.Errorf("%d unused-suppression results, want %d", unused, c.unusedCount)
			}
			if got := len(rep.Failing(Warning)) > 0; got != (!c.suppressed || c.unusedCount > 0) {
				t.Errorf("failing at warning = %v", got)
			}
		})
	}
}

// TestMessyInput: real repositories are messy; check must report, not crash.
func TestMessyInput(t *testing.T) {
	cases := []struct {
		name    string
		setup   func(t *testing.T, dir string)
		wantErr string
		rule    string // a rule expected to fail
	}{
		{"empty dir", func(t *testing.T, dir string) {}, "no service found", ""},
		{"control without packages", func(t *testing.T, dir string) { write(t, dir+"/debian/control", "Source: x\n") }, "no service found", ""},
		{"only a config", func(t *testing.T, dir string) {
			write(t, dir+"/etc/wazo-lonely/config.yml", "rest_api: {port: 9600}\n")
		}, "", "debian-packaging"},
		{"config is a list", func(t *testing.T, dir string) {
			write(t, dir+"/debian/control", "Source: wazo-x\n\nPackage: wazo-x\nArchitecture: any\n")
			write(t, dir+"/etc/wazo-x/config.yml", "- a\n- b\n")
		}, "", "files-parse"},
		{"binary junk and odd yaml", func(t *testing.T, dir string) {
			write(t, dir+"/debian/control", "Source: wazo-x\n\nPackage: wazo-x\nArchitecture: any\n")
			write(t, dir+"/etc/wazo-x/config.yml", "rest_api: &a\n  port: *a\n")
			write(t, dir+"/api.yml", "\x00\x01\x02")
			write(t, dir+"/debian/wazo-x.service", "[Service\nExecStart\n")
			write(t, dir+"/debian/wazo-x.postinst", "adduser --system \"unterminated\n")
			write(t, dir+"/go.mod", "module x\nrequire (\n  a\n")
		}, "", "files-parse"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			c.setup(t, dir)
			rep, err := Check(dir, CheckOptions{})
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, r := range rep.Results() {
				if strings.Contains(r.Message, "internal error") {
					t.Errorf("probe crashed: %s %s", r.Rule, r.Message)
				}
				found = found || (r.Rule == c.rule && r.Status == Fail)
			}
			if !found {
				t.Errorf("no %s failure", c.rule)
			}
		})
	}
}
