package rules

import (
	"strings"
	"testing"
)

func TestSuppressions(t *testing.T) {
	cases := []struct {
		name, file  string
		wantErr     string
		suppressed  bool // the monit-check failure is waived
		unusedCount int
	}{
		{"waives with a reason", "suppressions:\n  - rule: monit-check\n    reason: systemd Restart= supervises it\n", "", true, 0},
		{"path glob", "suppressions:\n  - rule: monit-check\n    path: \"etc/monit/**\"\n    reason: r\n", "", true, 0},
		{"other path", "suppressions:\n  - rule: monit-check\n    path: \"debian/*\"\n    reason: r\n", "", false, 1},
		{"other service", "suppressions:\n  - rule: monit-check\n    service: wazo-other\n    reason: r\n", "", false, 1},
		{"unused", "suppressions:\n  - rule: monit-check\n    reason: r\n  - rule: api-spec\n    reason: stale\n", "", true, 1},
		{"no reason", "suppressions:\n  - rule: monit-check\n", ".servicekit-suppressions.yml:2: suppression of monit-check has no reason", false, 0},
		{"unknown rule", "suppressions:\n  - rule: no-such\n    reason: r\n", ".servicekit-suppressions.yml:2: no rule \"no-such\"", false, 0},
		{"bad yaml", "suppressions: [\n", ".servicekit-suppressions.yml: yaml", false, 0},
		{"bad glob", "suppressions:\n  - rule: monit-check\n    path: \"[\"\n    reason: r\n", "bad path glob", false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copyTree(t, "testdata/go-service")
			remove(t, dir+"/etc/monit/conf.d/wazo-exampled")
			write(t, dir+"/"+SuppressionsFile, c.file)
			sups, err := LoadSuppressions(dir)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
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
			rep.Apply(sups)
			unused := 0
			for _, r := range rep.Results() {
				if r.Rule == "monit-check" && r.Status == Fail && (r.Suppressed != "") != c.suppressed {
					t.Errorf("monit-check suppressed=%q, want %v", r.Suppressed, c.suppressed)
				}
				if r.Rule == UnusedSuppression {
					unused++
					if r.Path != SuppressionsFile || r.Line == 0 {
						t.Errorf("unused suppression not located: %+v", r)
					}
				}
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
