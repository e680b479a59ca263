package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/rules"
	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

const goFixture = "../../internal/rules/testdata/go-service"

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestExitCodes(t *testing.T) {
	broken := testenv.CopyTree(t, goFixture, nil)
	mutate(t, broken+"/etc/wazo-exampled/config.yml", "port: 9505", "port: 8080")
	cases := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"clean", []string{"check", goFixture}, exitClean, "wazo-exampled (go)"},
		{"findings", []string{"check", broken}, exitFindings, "port-allocation"},
		{"threshold above the findings", []string{"check", broken, "--fail-on", "error", "--rule", "documented", "--rule", "user-no-login-shell"}, exitClean, ""},
		{"nothing could be judged", []string{"check", broken, "--rule", "documented"}, exitCouldNotRun, "unknown"},
		{"unknown counts with --fail-on unknown", []string{"check", goFixture, "--fail-on", "unknown"}, exitFindings, "unknown"},
		{"bad rule", []string{"check", goFixture, "--rule", "nope"}, exitUsage, ""},
		{"flags after dir", []string{"check", broken, "--format", "json"}, exitFindings, `"rule": "port-allocation"`},
		{"bad fail-on", []string{"check", goFixture, "--fail-on", "fatal"}, exitUsage, ""},
		{"bad format", []string{"check", goFixture, "--format", "xml"}, exitUsage, ""},
		{"bad output", []string{"check", goFixture, "--output", "sarif"}, exitUsage, ""},
		{"not a service", []string{"check", t.TempDir()}, exitUsage, ""},
		{"missing dir", []string{"check", "/nonexistent/dir"}, exitUsage, ""},
		{"two dirs: a scorecard", []string{"check", goFixture, goFixture}, exitClean, "[2] wazo-exampled: unknown"},
		{"unknown command", []string{"frobnicate"}, exitUsage, ""},
		{"unknown rule", []string{"rules", "--explain", "nope"}, exitUsage, ""},
		{"explain", []string{"rules", "--explain", "user-no-login-shell"}, exitClean, "The service default user cannot log in to a shell"},
		{"rules json", []string{"rules", "--format", "json"}, exitClean, `"id": "port-allocation"`},
		{"ports", []string{"ports"}, exitClean, "wazo-doctord"},
		{"ports next", []string{"ports", "next"}, exitClean, "9505\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := runCLI(t, c.args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, c.code, out, errs)
			}
			if !strings.Contains(out, c.out) {
				t.Fatalf("stdout lacks %q:\n%s", c.out, out)
			}
			if c.code == exitUsage && errs == "" {
				t.Fatal("usage error without a message on stderr")
			}
		})
	}
}

func TestSeveralOutputsAtOnce(t *testing.T) {
	broken := testenv.CopyTree(t, goFixture, nil)
	mutate(t, broken+"/debian/wazo-exampled.postinst", "--shell /usr/sbin/nologin", "--shell /bin/bash")
	dir := t.TempDir()
	code, _, errs := runCLI(t, "check", broken, "--format", "text",
		"--output", "json="+dir+"/r.json", "--output", "sarif="+dir+"/r.sarif", "--output", "junit="+dir+"/r.xml")
	if code != exitFindings {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var j struct {
		Services []struct {
			Results []struct{ Rule, Status string }
		}
	}
	readJSON(t, dir+"/r.json", &j)
	if !hasResult(j.Services[0].Results, "user-no-login-shell", "fail") {
		t.Fatalf("JSON lacks the failure: %+v", j)
	}
	var s struct {
		Version string
		Runs    []struct{ Results []struct{ RuleID string } }
	}
	readJSON(t, dir+"/r.sarif", &s)
	if s.Version != "2.1.0" || len(s.Runs) != 1 || len(s.Runs[0].Results) == 0 || s.Runs[0].Results[0].RuleID != "user-no-login-shell" {
		t.Fatalf("SARIF: %+v", s)
	}
	data, _ := os.ReadFile(dir + "/r.xml")
	var ju struct {
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &ju); err != nil {
		t.Fatal(err)
	}
	if ju.Failures != 1 {
		t.Fatalf("JUnit failures = %d, want 1", ju.Failures)
	}
}

func readJSON(t *testing.T, p string, v any) {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
}

func hasResult(res []struct{ Rule, Status string }, rule, status string) bool {
	for _, r := range res {
		if r.Rule == rule && r.Status == status {
			return true
		}
	}
	return false
}

// TestSARIFValidatesAgainstTheSchema runs the official SARIF 2.1.0 JSON
// schema (from npm, installed by `make deps`) over real outputs: a clean
// run, one with failures, unknowns and a waiver.
func TestSARIFValidatesAgainstTheSchema(t *testing.T) {
	root := repoRoot(t)
	modules := filepath.Join(root, ".cache", "npm", "node_modules")
	testenv.NeedFile(t, filepath.Join(modules, "@microsoft", "jest-sarif", "lib", "schemas", "sarif-2.1.0-rtm.5.json"), "the SARIF schema: run `make deps` (NPM_TOOLS @microsoft/jest-sarif)")
	node := testenv.RequireCommand(t, "node")
	broken := testenv.CopyTree(t, goFixture, nil)
	mutate(t, broken+"/api/api.yml", "x-xivo-port: 9505", "x-xivo-port: 8080")
	if err := os.WriteFile(broken+"/"+rules.WaiversFile, []byte("waivers:\n  - rule: port-consistent\n    reason: testing a waiver in SARIF\n    owner: wazo-servicekit tests\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var files []string
	for i, target := range []string{goFixture, broken} {
		f := filepath.Join(dir, []string{"clean", "broken"}[i]+".sarif")
		runCLI(t, "check", target, "--output", "sarif="+f)
		files = append(files, f)
	}
	out, err := exec.Command(node, append([]string{filepath.Join(root, "internal", "report", "testdata", "validate-sarif.js"), modules}, files...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("SARIF validation failed: %v\n%s", err, out)
	}
	// The validator must be able to fail: a log without tool.driver is invalid.
	bad := filepath.Join(dir, "bad.sarif")
	os.WriteFile(bad, []byte(`{"version":"2.1.0","runs":[{"tool":{}}]}`), 0o644)
	if out, err := exec.Command(node, filepath.Join(root, "internal", "report", "testdata", "validate-sarif.js"), modules, bad).CombinedOutput(); err == nil {
		t.Fatalf("the validator accepted an invalid log:\n%s", out)
	}
}

func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatal("repository root not found from the test directory")
	}
	return root
}

func mutate(t testing.TB, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("mutation: %q not in %s", old, path)
	}
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(data), old, new)), 0o644); err != nil {
		t.Fatal(err)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

// TestInternalErrorExit3: a failure of the tool itself (here, stdout cannot
// be written) is exit 3, distinct from findings (1) and usage (2).
func TestInternalErrorExit3(t *testing.T) {
	var errb bytes.Buffer
	if code := run([]string{"check", goFixture}, failingWriter{}, &errb); code != exitCouldNotRun {
		t.Fatalf("exit %d, want %d (%s)", code, exitCouldNotRun, errb.String())
	}
}
