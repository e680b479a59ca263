package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/drift"
	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// TestDriftOverAFleet: over the 22 generated services, the items the
// platform departs from are reported with the practice, the commit that
// deleted each file the checklist names (from the sibling's git history),
// and an edit of the guidelines page that Prettier, with the site's
// settings, passes; a service's own fault is no drift.
func TestDriftOverAFleet(t *testing.T) {
	f := testenv.WazoFleet(t, 22)
	out := t.TempDir()
	page := filepath.Join(out, "new-service.md")
	code, stdout, errs := runCLI(t, "drift", f.Dir, "--siblings", f.Dir, "--format", "json", "--edited-page", page)
	if code != exitFindings {
		t.Fatalf("exit %d\n%s%s", code, stdout, errs)
	}
	var d drift.Report
	if err := json.Unmarshal([]byte(stdout), &d); err != nil {
		t.Fatal(err)
	}
	var got []string
	byRule := map[string]drift.Item{}
	for _, it := range d.Items {
		got = append(got, it.Rule)
		byRule[it.Rule] = it
	}
	sort.Strings(got)
	want := "acceptance-service-discovery consul-registration debian-packaging deps-in-debian deps-pinned-to-debian monit-check pid-file-writable"
	if strings.Join(got, " ") != want || d.Services != 22 {
		t.Fatalf("drifting items %v over %d services, want %s over 22", got, d.Services, want)
	}
	deleter := func(repo string) string {
		return strings.TrimSpace(testenv.Git(t, filepath.Join(f.Dir, repo), "rev-parse", "HEAD"))
	}
	acc := byRule["acceptance-service-discovery"]
	if len(acc.Evidence) != 1 || acc.Evidence[0].Commit != deleter("wazo-acceptance") || acc.Evidence[0].Path != "features/daily/service_discovery.feature" ||
		!strings.Contains(acc.Evidence[0].Subject, "consul") || acc.Edit == nil || *acc.Edit != "" {
		t.Errorf("acceptance-service-discovery: %+v", acc)
	}
	mon := byRule["monit-check"]
	// wazo-julietd ships a check of its own (a broken one): its failure is
	// its own, not the platform's.
	if mon.Failing != 22 || mon.Cause.Count != 21 || len(mon.Evidence) != 1 || mon.Evidence[0].Commit != deleter("wazo-monitoring") ||
		len(mon.Evidence[0].Services) != 21 || strings.Contains(strings.Join(mon.Evidence[0].Services, " "), "wazo-julietd") {
		t.Errorf("monit-check: %+v", mon)
	}
	for _, it := range d.Items {
		if it.Practice == "" || it.Checklist == "" || it.Edit == nil || it.Cause.Count < 18 {
			t.Errorf("%s lacks what the services do, the text or the edit: %+v", it.Rule, it)
		}
	}
	if !strings.Contains(d.Diff, "--- a/website/docs/contribute/new-service.md") || !strings.Contains(d.Diff, "-  - Add an entry to the acceptance test: `daily/service_discovery.feature`") {
		t.Errorf("the suggested edit:\n%s", d.Diff)
	}
	edited, err := os.ReadFile(page)
	if err != nil || strings.Contains(string(edited), "service_discovery.feature") || !strings.Contains(string(edited), "slug: /contribute/new-service") {
		t.Fatalf("the edited page (%v):\n%s", err, edited)
	}
	prettier := filepath.Join(repoRoot(t), ".cache", "npm", "node_modules", ".bin", "prettier")
	if _, err := os.Stat(prettier); err != nil {
		t.Skip("needs " + prettier + ": run `make deps` (NPM_TOOLS prettier)")
	}
	// Prettier with wazo-platform.org's own settings, on the page as edited.
	cfg := filepath.Join(f.Dir, "wazo-platform.org", ".prettierrc")
	cmd := exec.Command(prettier, "--config", cfg, "--check", page)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("prettier --check on the edited page: %v\n%s\n%s", err, out, edited)
	}
}

// TestDriftText: the text report names each item's evidence, and without
// a git history says the commit is unknown and why.
func TestDriftText(t *testing.T) {
	f := testenv.WazoFleet(t, 6)
	if err := os.RemoveAll(filepath.Join(f.Dir, "wazo-acceptance", ".git")); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, "drift", f.Dir, "--siblings", f.Dir)
	if code != exitFindings {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	for _, want := range []string{
		"checklist drift over 6 services",
		`acceptance-service-discovery — the checklist says: "Add an entry to the acceptance test: daily/service_discovery.feature"`,
		"wazo-acceptance/features/daily/service_discovery.feature is gone; the commit that deleted it is unknown: wazo-acceptance is not a git checkout",
		"wazo-monitoring/checks/wazo-alphad and the same file of 5 other services was deleted by wazo-monitoring commit",
		"suggested edit of wazo-platform.org/website/docs/contribute/new-service.md:",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	// Without the profile the causes are still counted, with no edit.
	code, out, _ = runCLI(t, "drift", f.Dir, "--siblings", f.Dir, "--profile", "none", "--format", "markdown")
	if code != exitFindings || !strings.Contains(out, "## `consul-registration`") || strings.Contains(out, "Suggested edit") {
		t.Errorf("--profile none: exit %d\n%s", code, out)
	}
}

// TestDriftUsage: drift needs the siblings, a share and a known format;
// each mistake is a usage error before anything runs.
func TestDriftUsage(t *testing.T) {
	for _, args := range [][]string{
		{"drift", goFixture},
		{"drift", goFixture, "--siblings", t.TempDir()},
		{"drift", goFixture, "--siblings", "../../internal/rules/testdata/siblings", "--threshold", "1.5"},
		{"drift", goFixture, "--siblings", "../../internal/rules/testdata/siblings", "--format", "xml"},
		{"drift", goFixture, "--siblings", "../../internal/rules/testdata/siblings", "--profile", "nope"},
		{"drift", goFixture, "--siblings", "../../internal/rules/testdata/siblings", "--edited-page", "/nonexistent/x.md"},
	} {
		if code, out, errs := runCLI(t, args...); code != exitUsage || out != "" || errs == "" {
			t.Errorf("%v: exit %d\nstdout: %s\nstderr: %s", args[2:], code, out, errs)
		}
	}
}
