package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/siblings"
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
		{[]string{"new", "wazo-exampled", "--kit", dir, "--dir", dir}, exitUsage, "no internal/ports/registry.yml"},
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
// patches applied (git apply) to checkouts of the baselines, passes every
// rule of `check` at warning or above: patches computed from the baselines
// (no --siblings), and from checkouts whose files have CRLF line endings.
func TestNewThenCheckFindsNothing(t *testing.T) {
	for _, mode := range []string{"baselines", "crlf checkouts"} {
		t.Run(mode, func(t *testing.T) { newThenCheck(t, mode == "crlf checkouts") })
	}
}

func newThenCheck(t *testing.T, crlf bool) {
	testenv.RequireCommand(t, "git")
	dir := t.TempDir()
	sib := filepath.Join(dir, "siblings")
	if err := siblings.WriteBaselines(sib); err != nil {
		t.Fatal(err)
	}
	repos := []string{"wazo-service", "wazo-backup", "wazo-acceptance", "wazo-platform.org", "wazo-platform"}
	gitIn := func(r string, args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		cmd.Dir = filepath.Join(sib, r)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v in %s: %v\n%s", args, r, err, out)
		}
	}
	for _, r := range repos {
		if crlf {
			toCRLF(t, filepath.Join(sib, r))
		}
		gitIn(r, "init", "-q")
		gitIn(r, "add", ".")
		gitIn(r, "commit", "-q", "-m", "baseline")
	}
	args := []string{"new", "wazo-exampled", "--dir", dir, "--description", "Example service"}
	if crlf {
		args = append(args, "--siblings", sib)
	}
	var stdout, stderr bytes.Buffer
	if code := run(args, &stdout, &stderr); code != exitClean || strings.Contains(stdout.String(), "warning:") {
		t.Fatalf("new: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	repo := filepath.Join(dir, "wazo-exampled")
	if wpep, err := os.ReadFile(filepath.Join(repo, "wpep", "XXXX-wazo-exampled.md")); err != nil || !bytes.HasPrefix(wpep, []byte("| Key | Value |\n| ---: | :--- |\n| **Title** | wazo-exampled: Example service |\n")) ||
		!bytes.Contains(wpep, []byte("| `api-spec` | pass |")) {
		t.Errorf("no WPEP draft with the checklist status from check (%v):\n%s", err, wpep)
	}
	for _, r := range repos {
		patch := filepath.Join(repo, "sibling-patches", r+".diff")
		gitIn(r, "apply", "--check", patch)
		gitIn(r, "apply", patch)
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

// toCRLF rewrites every file under dir with CRLF line endings.
func toCRLF(t *testing.T, dir string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(p, bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n")), 0o644)
	})
	if err != nil {
		t.Fatal(err)
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

// TestNewOnTheRealSiblings: on copies of the real checkouts of WAZO_REPOS,
// every patch of `new wazo-x`, computed from them (--siblings) or from the
// baselines, passes git apply --check and applies, and `check` on the new
// service with the patched siblings reports nothing at warning or above.
func TestNewOnTheRealSiblings(t *testing.T) {
	real := os.Getenv("WAZO_REPOS")
	if real == "" {
		t.Skip("WAZO_REPOS=DIR is not set: this test needs the real Wazo checkouts (the sibling repositories)")
	}
	testenv.RequireCommand(t, "git")
	for _, mode := range []string{"siblings", "baselines"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			args := []string{"new", "wazo-x", "--dir", dir}
			if mode == "siblings" {
				args = append(args, "--siblings", real)
			}
			var stdout, stderr bytes.Buffer
			if code := run(args, &stdout, &stderr); code != exitClean || strings.Contains(stdout.String(), "warning:") {
				t.Fatalf("new: exit %d\n%s%s", code, stdout.String(), stderr.String())
			}
			sib := filepath.Join(dir, "siblings")
			for _, r := range []string{"wazo-service", "wazo-backup", "wazo-acceptance", "wazo-platform", "wazo-monitoring", "wazo-nginx",
				"wazo-upgrade", "xivo-config", "wazo-auth-keys", "xivo-build-tools", "wazo-sdk", "wazo-ansible", "wazo-platform.org"} {
				copyCheckout(t, filepath.Join(real, r), filepath.Join(sib, r))
			}
			patches, _ := filepath.Glob(filepath.Join(dir, "wazo-x", "sibling-patches", "*.diff"))
			if len(patches) < 5 {
				t.Fatalf("patches: %v", patches)
			}
			for _, p := range patches {
				r := strings.TrimSuffix(filepath.Base(p), ".diff")
				if mode == "baselines" && !baselineRepos[r] {
					// The touch points' baselines (xivo-build-tools, wazo-sdk, ...)
					// are not part of this test.
					continue
				}
				for _, args := range [][]string{{"init", "-q"}, {"apply", "--check", p}, {"apply", p}} {
					cmd := exec.Command("git", args...)
					cmd.Dir = filepath.Join(sib, r)
					if out, err := cmd.CombinedOutput(); err != nil {
						t.Fatalf("git %v in %s: %v\n%s", args, r, err, out)
					}
				}
			}
			stdout.Reset()
			if code := run([]string{"check", filepath.Join(dir, "wazo-x"), "--siblings", sib, "--format", "json"}, &stdout, &stderr); code != exitClean && code != exitFindings {
				t.Fatalf("check: exit %d\n%s", code, stderr.String())
			}
			var rep struct {
				Services []struct {
					Results []struct{ Rule, Severity, Status, Message string } `json:"results"`
				} `json:"services"`
			}
			if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil || len(rep.Services) != 1 {
				t.Fatalf("check --format json: %v\n%s", err, stdout.String())
			}
			for _, r := range rep.Services[0].Results {
				if r.Status != "pass" && r.Severity != "info" {
					t.Errorf("%s %s %s: %s", r.Severity, r.Rule, r.Status, r.Message)
				}
			}
		})
	}
}

// baselineRepos are the siblings whose baselines this test holds to the real files.
var baselineRepos = map[string]bool{"wazo-service": true, "wazo-backup": true, "wazo-acceptance": true, "wazo-platform.org": true, "wazo-platform": true}

// copyCheckout copies the regular files of a checkout (its text files only
// for wazo-platform.org, whose images are of no use here), never through a
// symbolic link; an absent checkout is left absent.
func copyCheckout(t *testing.T, from, to string) {
	t.Helper()
	textOnly := filepath.Base(from) == "wazo-platform.org"
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) && p == from {
				return filepath.SkipDir
			}
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if ext := filepath.Ext(p); textOnly && ext != ".md" && ext != ".yaml" && ext != ".yml" && ext != ".json" {
			return nil
		}
		rel, _ := filepath.Rel(from, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(to, rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
