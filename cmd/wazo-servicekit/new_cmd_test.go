package main

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/scaffold"
	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

func TestNewExitCodes(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"new"}, exitUsage, "exactly one service name"},
		{[]string{"new", "exampled"}, exitUsage, "wazo-<name>"},
		{[]string{"new", "wazo-exampled", "--port", "8080", "--dir", dir}, exitUsage, "common test port"},
		{[]string{"new", "wazo-exampled", "--ha-group", "slave", "--dir", dir}, exitUsage, "HA group"},
		{[]string{"new", "wazo-exampled", "--kit", dir, "--dir", dir}, exitUsage, "no go.mod"},
		{[]string{"new", "wazo-exampled", "--dir", dir}, exitClean, "wrote " + filepath.Join(dir, "wazo-exampled")},
		{[]string{"new", "wazo-exampled", "--dir", dir}, exitUsage, "never overwrites"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(tt.args, &stdout, &stderr)
		if code != tt.code || !strings.Contains(stdout.String()+stderr.String(), tt.out) {
			t.Errorf("%v: exit %d, want %d, output:\n%s%s\nwant it to say %q", tt.args, code, tt.code, stdout.String(), stderr.String(), tt.out)
		}
	}
}

// TestNewThenCheckFindsNothing: a service from `new`, with its sibling
// patches applied (git apply) to fixture checkouts, passes every rule of
// `check` at warning or above.
func TestNewThenCheckFindsNothing(t *testing.T) {
	testenv.RequireCommand(t, "git")
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := run([]string{"new", "wazo-exampled", "--dir", dir, "--description", "Example service"}, &stdout, &stderr); code != exitClean {
		t.Fatalf("new: exit %d\n%s", code, stderr.String())
	}
	repo := filepath.Join(dir, "wazo-exampled")
	sib := filepath.Join(dir, "siblings")
	if err := scaffold.WriteFixtureSiblings(sib); err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{"wazo-service", "wazo-backup", "wazo-acceptance", "wazo-platform.org"} {
		for _, args := range [][]string{{"init", "-q"}, {"apply", "--check", filepath.Join(repo, "sibling-patches", r+".diff")}, {"apply", filepath.Join(repo, "sibling-patches", r+".diff")}} {
			cmd := exec.Command("git", args...)
			cmd.Dir = filepath.Join(sib, r)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("git %v in %s: %v\n%s", args, r, err, out)
			}
		}
	}
	stdout.Reset()
	stderr.Reset()
	code := run([]string{"check", repo, "--siblings", sib, "--format", "json"}, &stdout, &stderr)
	if code != exitClean && code != exitFindings {
		t.Fatalf("check: exit %d\n%s", code, stderr.String())
	}
	var rep struct {
		Services []struct {
			Name    string `json:"name"`
			Results []struct {
				Rule, Severity, Status, Message string
			} `json:"results"`
		} `json:"services"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("check --format json: %v\n%s", err, stdout.String())
	}
	if len(rep.Services) != 1 || rep.Services[0].Name != "wazo-exampled" {
		t.Fatalf("check found services %+v, want wazo-exampled only", rep.Services)
	}
	passed := 0
	for _, r := range rep.Services[0].Results {
		switch {
		case r.Status == "pass":
			passed++
		case r.Severity == "info":
		default:
			t.Errorf("%s %s %s: %s", r.Severity, r.Rule, r.Status, r.Message)
		}
	}
	if passed < 20 {
		t.Errorf("only %d rules passed", passed)
	}
}

func TestUpdateCommand(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := run([]string{"new", "wazo-exampled", "--dir", dir}, &stdout, &stderr); code != exitClean {
		t.Fatalf("new: exit %d\n%s", code, stderr.String())
	}
	repo := filepath.Join(dir, "wazo-exampled")
	stdout.Reset()
	if code := run([]string{"update", repo}, &stdout, &stderr); code != exitClean || stdout.Len() != 0 {
		t.Errorf("update right after new: exit %d, output %q", code, stdout.String())
	}
	if code := run([]string{"update", dir}, &stdout, &stderr); code != exitUsage {
		t.Errorf("update of a directory new did not write: exit %d, want %d", code, exitUsage)
	}
}
