package main

import (
	"os"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/rules"

	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// TestWaiversOnTheCommandLine: a waiver lapses into its finding again, and a
// waiver check cannot read stops the run with exit 2 and file:line.
func TestWaiversOnTheCommandLine(t *testing.T) {
	cases := []struct {
		name, waiver string
		code         int
		stdout       string
		stderr       string
	}{
		{"in force", "    expires: 2999-12-31\n    reason: supervised by systemd\n", exitClean, "owner: jdoe", ""},
		{"expired", "    expires: 2001-01-31\n    reason: supervised by systemd\n", exitFindings, "expired on 2001-01-31", ""},
		{"malformed date", "    expires: next spring\n    reason: supervised by systemd\n", exitUsage, "", rules.WaiversFile + ":4: waiver of monit-check: expires \"next spring\" is not an ISO 8601 date"},
		{"no reason", "    expires: 2999-12-31\n", exitUsage, "", rules.WaiversFile + ":2: waiver of monit-check has no reason"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := testenv.CopyTree(t, goFixture, nil)
			mutate(t, dir+"/etc/monit/conf.d/wazo-exampled", "with pidfile ", "with pidfile /elsewhere")
			body := "waivers:\n  - rule: monit-check\n    owner: jdoe\n" + c.waiver
			if err := os.WriteFile(dir+"/"+rules.WaiversFile, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, errs := runCLI(t, "check", dir, "--verbose")
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, c.code, out, errs)
			}
			if !strings.Contains(out, c.stdout) || !strings.Contains(errs, c.stderr) {
				t.Fatalf("want %q in stdout, %q in stderr:\nstdout: %s\nstderr: %s", c.stdout, c.stderr, out, errs)
			}
		})
	}
}
