package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// TestSiblingsValidatedAlike: check, new and update refuse the same
// --siblings folders with the same message, before doing anything.
func TestSiblingsValidatedAlike(t *testing.T) {
	empty := t.TempDir()
	partial := t.TempDir()
	for _, r := range []string{"wazo-service", "wazo-backup"} {
		if err := os.Mkdir(filepath.Join(partial, r), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	notDir := filepath.Join(t.TempDir(), "file")
	writeTestFile(t, notDir, "x\n")
	for _, c := range []struct{ dir, says string }{
		{empty, "no wazo-service/, wazo-backup/, wazo-acceptance/, wazo-platform.org/ checkout there"},
		{partial, "no wazo-acceptance/, wazo-platform.org/ checkout there"},
		{notDir, "not a directory"},
	} {
		for _, args := range [][]string{
			{"check", goFixture, "--siblings", c.dir},
			{"new", "wazo-sibtestd", "--dir", t.TempDir(), "--siblings", c.dir},
			{"update", t.TempDir(), "--siblings", c.dir},
		} {
			code, out, errs := runCLI(t, args...)
			if code != exitUsage || out != "" || !strings.Contains(errs, "--siblings "+c.dir+": "+c.says) {
				t.Errorf("%v: exit %d\nstdout: %s\nstderr: %s", args[:1], code, out, errs)
			}
		}
	}
	code, _, errs := runCLI(t, "check", goFixture, "--siblings", "../../internal/rules/testdata/siblings")
	if code != exitClean {
		t.Errorf("the fixture siblings are refused: exit %d: %s", code, errs)
	}
}

// TestOutputsValidatedBeforeTheRun: a bad --output path is a usage error
// before anything is printed or written.
func TestOutputsValidatedBeforeTheRun(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "r.json")
	for name, p := range map[string]string{
		"missing directory": filepath.Join(dir, "no", "r.sarif"),
		"a directory":       dir,
		"parent is a file":  filepath.Join(goFixture, "go.mod", "r.sarif"),
	} {
		t.Run(name, func(t *testing.T) {
			code, out, errs := runCLI(t, "check", goFixture, "--output", "json="+good, "--output", "sarif="+p)
			if code != exitUsage || out != "" || !strings.Contains(errs, "--output sarif="+p) {
				t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errs)
			}
			if _, err := os.Stat(good); !os.IsNotExist(err) {
				t.Fatalf("the good output was written before the bad one was refused: %v", err)
			}
		})
	}
	code, _, errs := runCLI(t, "check", goFixture, "--output", "json="+good, "--output", "sarif="+good)
	if code != exitUsage || !strings.Contains(errs, "given twice") {
		t.Fatalf("the same path twice: exit %d: %s", code, errs)
	}
}

// TestBaselineInEveryFormat: with --baseline, text, JSON, SARIF and JUnit
// each say which failure is new since, and which one is fixed.
func TestBaselineInEveryFormat(t *testing.T) {
	before := testenv.CopyTree(t, goFixture, nil)
	mutate(t, before+"/etc/monit/conf.d/wazo-exampled", "with pidfile ", "with pidfile /elsewhere")
	base := filepath.Join(t.TempDir(), "base.json")
	if code, _, errs := runCLI(t, "check", before, "--format", "json", "--output", "json="+base); code != exitFindings {
		t.Fatalf("baseline run: exit %d: %s", code, errs)
	}
	now := testenv.CopyTree(t, goFixture, nil)
	mutate(t, now+"/debian/wazo-exampled.postinst", "--shell /usr/sbin/nologin", "--shell /bin/bash")
	want := map[string][]string{
		"text":  {"error NEW", "user-no-login-shell", "pass FIXED", "monit-check", "since the baseline base.json: 1 new fail(s)"},
		"json":  {`"name": "base.json"`, `"rule": "user-no-login-shell",` + "\n" + `        "change": "new-fail"`, `"change": "fixed"`},
		"sarif": {`"baselineState": "new"`},
		"junit": {"NEW since base.json", "FIXED since base.json"},
		"grid":  {"✗E+", "✓*"},
		"html":  {`data-change="new-fail"`, `data-change="fixed"`},
	}
	for format, says := range want {
		code, out, errs := runCLI(t, "check", now, "--format", format, "--baseline", base, "--verbose")
		if code != exitFindings {
			t.Fatalf("%s: exit %d: %s", format, code, errs)
		}
		for _, s := range says {
			if !strings.Contains(out, s) {
				t.Errorf("%s lacks %q:\n%s", format, s, out)
			}
		}
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	writeTestFile(t, bad, "{not json")
	if code, out, errs := runCLI(t, "check", now, "--baseline", bad); code != exitCouldNotRun || out != "" || strings.Contains(errs, "--help") {
		t.Errorf("a corrupt baseline: exit %d, want %d (could not run, no usage hint)\nstdout: %s\nstderr: %s", code, exitCouldNotRun, out, errs)
	}
}

// TestExitContractInREADME: the README's exit-status table is the one the
// code holds.
func TestExitContractInREADME(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range exitContract {
		row := "| " + itoa(e.code) + " | "
		if !strings.Contains(string(data), row) {
			t.Errorf("README has no exit-status row %q", row)
		}
	}
	if !strings.Contains(string(data), "`--fail-on unknown`") {
		t.Error("README does not document --fail-on unknown")
	}
}

// TestJSONBaselineIsValidJSON: the JSON with a baseline still decodes as a
// report (the services keep their shape).
func TestJSONBaselineIsValidJSON(t *testing.T) {
	base := filepath.Join(t.TempDir(), "base.json")
	if code, _, errs := runCLI(t, "check", goFixture, "--format", "json", "--output", "json="+base); code != exitClean {
		t.Fatalf("exit %d: %s", code, errs)
	}
	_, out, _ := runCLI(t, "check", goFixture, "--format", "json", "--baseline", base)
	var rep struct {
		Services []struct{ Name string }
		Baseline struct {
			Name    string
			Changes []any
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Services) != 1 || rep.Baseline.Name != "base.json" || rep.Baseline.Changes == nil {
		t.Fatalf("%v: %+v\n%s", err, rep, out)
	}
}

// TestProfileFlag: an unknown profile is a usage error listing the shipped
// ones; completion offers them; a platform-waived failure says so in text
// and JSON and stops counting for --fail-on.
func TestProfileFlag(t *testing.T) {
	code, out, errs := runCLI(t, "check", goFixture, "--profile", "nope")
	if code != exitUsage || out != "" || !strings.Contains(errs, "wazo-today") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	dir := testenv.CopyTree(t, goFixture, nil)
	mutate(t, dir+"/etc/wazo-exampled/config.yml", "  enabled: true", "  enabled: false")
	code, out, errs = runCLI(t, "check", dir, "--rule", "consul-registration")
	if code != exitFindings {
		t.Fatalf("without the profile: exit %d: %s%s", code, out, errs)
	}
	code, out, errs = runCLI(t, "check", dir, "--rule", "consul-registration", "--profile", "wazo-today")
	if code != exitClean || !strings.Contains(out, "platform   consul-registration") || !strings.Contains(out, "waived by the platform wazo-today:") {
		t.Fatalf("with the profile: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	_, out, _ = runCLI(t, "check", dir, "--rule", "consul-registration", "--profile", "wazo-today", "--format", "json")
	if !strings.Contains(out, `"waived_by": "platform wazo-today"`) {
		t.Fatalf("JSON:\n%s", out)
	}
}
