package main

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/report"
	"github.com/wazo-platform/wazo-servicekit/internal/rules"
	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// redCells lists the failing cells of a scorecard's services, as
// "service/rule".
func redCells(sc *report.Scorecard) []string {
	var out []string
	for _, s := range sc.Services {
		for _, c := range s.Cells {
			if c.Verdict == report.VerdictFail {
				out = append(out, s.Key()+"/"+c.Rule)
			}
		}
	}
	sort.Strings(out)
	return out
}

// TestFleetScorecardWithThePlatformProfile: over 22 generated services in
// Wazo's formats, as the platform is today, the profile turns the
// platform's departures into "waived by the platform" and leaves red
// exactly the faults each service has of its own; packages and sibling
// repositories are no columns; the page, rendered by headless chromium,
// sorts, filters, links each cell's evidence and names the run.
func TestFleetScorecardWithThePlatformProfile(t *testing.T) {
	f := testenv.WazoFleet(t, 22)
	out := t.TempDir()
	code, _, errs := runCLI(t, "check", f.Dir, "--siblings", f.Dir, "--format", "scorecard", "--output", "scorecard="+out+"/plain.json")
	if code != exitFindings {
		t.Fatalf("without the profile: exit %d: %s", code, errs)
	}
	plain := readScorecard(t, out+"/plain.json")
	html := out + "/fleet.html"
	code, _, errs = runCLI(t, "check", f.Dir, "--siblings", f.Dir, "--profile", "wazo-today", "--history", out+"/plain.json",
		"--format", "scorecard", "--output", "scorecard="+out+"/profile.json", "--output", "html="+html)
	if code != exitFindings {
		t.Fatalf("with the profile: exit %d: %s", code, errs)
	}
	withProfile := readScorecard(t, out+"/profile.json")

	var cols []string
	for _, s := range withProfile.Services {
		cols = append(cols, s.Key())
	}
	if strings.Join(cols, " ") != strings.Join(f.Services, " ") {
		t.Fatalf("service columns %v, want the 22 services %v (no package, no sibling)", cols, f.Services)
	}
	var packages []string
	for _, p := range withProfile.Packages {
		packages = append(packages, p.Key())
	}
	for _, want := range []string{"python3-xivo-fleet", "python3-fleetdep", "wazo-service", "wazo-backup"} {
		if !strings.Contains(" "+strings.Join(packages, " ")+" ", " "+want+" ") {
			t.Errorf("%s is not among the packages kept apart: %v", want, packages)
		}
	}

	before, after := redCells(plain), redCells(withProfile)
	var own []string
	for k := range f.Own {
		own = append(own, k)
	}
	sort.Strings(own)
	t.Logf("red cells of the %d services: %d without the profile -> %d with it", len(f.Services), len(before), len(after))
	if strings.Join(after, " ") != strings.Join(own, " ") {
		t.Errorf("red with the profile:\n  %v\nwant exactly each service's own faults:\n  %v", after, own)
	}
	if len(before) <= len(after)+5*len(f.Services) {
		t.Errorf("the profile turned %d red cells into %d: want the platform's departures gone", len(before), len(after))
	}
	platform := 0
	profile, err := rules.LoadProfile("wazo-today")
	if err != nil {
		t.Fatal(err)
	}
	waivable := map[string]bool{}
	for _, w := range profile.Waivers {
		waivable[w.Rule] = true
	}
	for _, s := range withProfile.Services {
		for _, c := range s.Cells {
			if c.Verdict != report.VerdictPlatform {
				continue
			}
			platform++
			if !waivable[c.Rule] || c.WaivedBy != "platform wazo-today" || c.Waiver == "" {
				t.Errorf("%s/%s waived by the platform without a profile entry saying why: %+v", s.Key(), c.Rule, c)
			}
		}
	}
	if platform != len(before)-len(after) {
		t.Errorf("%d cells waived by the platform, want the %d that stopped being red", platform, len(before)-len(after))
	}

	checkFleetPage(t, f, withProfile, html)
}

// checkFleetPage holds the page's work-tool behaviour in the DOM chromium
// builds: metadata, links, sorting, filtering, the trend and the legend.
func checkFleetPage(t *testing.T, f *testenv.Fleet, sc *report.Scorecard, html string) {
	t.Helper()
	page, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile(`(?i)(src|href)\s*=\s*"(https?:|//)|url\(|@import`).Find(page); m != nil {
		t.Errorf("the page loads an external asset: %q", m)
	}
	dom := renderDOM(t, html, "")
	columnsOf := func(dom string) []string {
		var keys []string
		for _, m := range regexp.MustCompile(`<th class="service" data-service="([^"]+)"[^>]*?( hidden="")?>`).FindAllStringSubmatch(dom, -1) {
			if m[2] == "" {
				keys = append(keys, m[1])
			}
		}
		return keys
	}
	if got := columnsOf(dom); strings.Join(got, " ") != strings.Join(f.Services, " ") {
		t.Errorf("columns in the DOM: %v", got)
	}
	// The run's metadata: version, profile, distribution, and each
	// checkout's commit, from .commit files and from git.
	for _, want := range []string{`id="meta-version">wazo-servicekit `, `id="meta-profile">wazo-today<`, `id="meta-dist">Debian 13 trixie`} {
		if !strings.Contains(dom, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	head := strings.TrimSpace(testenv.Git(t, filepath.Join(f.Dir, "wazo-acceptance"), "rev-parse", "HEAD"))
	for _, want := range []string{`<tr data-repo="wazo-alphad" data-role="service"><td>wazo-alphad</td><td>service</td><td><code>00000000000000000000000000000000feed0000</code>`,
		`<tr data-repo="wazo-acceptance" data-role="sibling"><td>wazo-acceptance</td><td>sibling</td><td><code>` + head + `</code>`,
		`<tr data-repo="xivo-lib-fleet" data-role="package">`} {
		if !strings.Contains(dom, want) {
			t.Errorf("the commits table lacks %q", want)
		}
	}
	// Every cell with a file in its checkout links to it.
	links := 0
	for _, s := range sc.Services {
		for _, c := range s.Cells {
			if c.Link != "" {
				links++
			}
		}
	}
	bravo := `href="file://` + filepath.ToSlash(f.Dir) + `/wazo-bravod/debian/wazo-bravod.postinst#L`
	if n := strings.Count(dom, `<a class="ev" href="file://`); n != links || links == 0 || !strings.Contains(dom, bravo) {
		t.Errorf("%d evidence links in the DOM, want %d, among them %s", n, links, bravo)
	}
	// Sorted by failures: the services with most failing cells first.
	want := append([]report.ScoreService(nil), sc.Services...)
	sort.SliceStable(want, func(i, j int) bool {
		fi, fj := countVerdict(want[i], report.VerdictFail), countVerdict(want[j], report.VerdictFail)
		if fi != fj {
			return fi > fj
		}
		return want[i].Key() < want[j].Key()
	})
	var order []string
	for _, s := range want {
		order = append(order, s.Key())
	}
	if got := columnsOf(renderDOM(t, html, "#sort=failures")); strings.Join(got, " ") != strings.Join(order, " ") {
		t.Errorf("sort=failures: %v, want %v", got, order)
	}
	// A service filter shows the matching columns only.
	if got := columnsOf(renderDOM(t, html, "#service=ie")); strings.Join(got, " ") != "wazo-charlied wazo-julietd wazo-sierrad" {
		t.Errorf("service=ie: %v", got)
	}
	// Failures only: the rows and the services with a red cell.
	dom = renderDOM(t, html, "#failures=1")
	var red []string
	rowsWithRed := map[string]bool{}
	for k := range f.Own {
		svc, rule, _ := strings.Cut(k, "/")
		red = append(red, svc)
		rowsWithRed[rule] = true
	}
	red = uniqueSorted(red)
	if got := columnsOf(dom); strings.Join(got, " ") != strings.Join(red, " ") {
		t.Errorf("failures=1: columns %v, want %v", got, red)
	}
	var shownRows [][]string
	for _, m := range regexp.MustCompile(`<tr class="rule-row" data-rule="([^"]+)"[^>]*>`).FindAllStringSubmatch(dom, -1) {
		if !strings.Contains(m[0], "hidden") {
			shownRows = append(shownRows, m)
		}
	}
	if len(shownRows) != len(rowsWithRed) {
		t.Errorf("failures=1: %d rows shown, want %d (%v)", len(shownRows), len(rowsWithRed), rowsWithRed)
	}
	for _, m := range shownRows {
		if !rowsWithRed[m[1]] {
			t.Errorf("failures=1 shows %s, which has no red cell", m[1])
		}
	}
	// Checklist rules of severity error only.
	dom = renderDOM(t, html, "#group=checklist&severity=error")
	shown := 0
	for _, m := range regexp.MustCompile(`<tr class="rule-row" data-rule="[^"]+" data-group="([^"]+)" data-severity="([^"]+)"( hidden="")?>`).FindAllStringSubmatch(dom, -1) {
		if m[3] != "" {
			continue
		}
		shown++
		if m[1] != report.GroupChecklist || m[2] != string(rules.Error) {
			t.Errorf("group=checklist&severity=error shows a %s %s row", m[1], m[2])
		}
	}
	if shown == 0 {
		t.Error("group=checklist&severity=error shows no row")
	}
	// The trend: the earlier run and this one, per service.
	if n := strings.Count(dom, `<svg class="history"`); n != len(f.Services) {
		t.Errorf("%d trend charts, want one per service", n)
	}
	if !strings.Contains(dom, "failing cells per run, oldest first: ") {
		t.Error("the trend chart does not say what it draws")
	}
	if !strings.Contains(dom, "position: sticky; left: 0") {
		t.Error("the rule column is not sticky")
	}
	png := screenshotHash(t, html, "#sort=failures")
	if dst := os.Getenv("FLEET_SCREENSHOT"); dst != "" {
		if err := os.WriteFile(dst, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func countVerdict(s report.ScoreService, v string) int {
	n := 0
	for _, c := range s.Cells {
		if c.Verdict == v {
			n++
		}
	}
	return n
}

func uniqueSorted(l []string) []string {
	sort.Strings(l)
	var out []string
	for i, s := range l {
		if i == 0 || s != l[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// TestNotRunCellsSayWhy: a "-" cell says why the rule did not run: no
// static probe, not asked for with --rule.
func TestNotRunCellsSayWhy(t *testing.T) {
	p := filepath.Join(t.TempDir(), "sc.json")
	if code, _, errs := runCLI(t, "check", goFixture, "--rule", "monit-check", "--format", "scorecard", "--output", "scorecard="+p); code != exitClean {
		t.Fatalf("exit %d: %s", code, errs)
	}
	sc := readScorecard(t, p)
	for _, c := range sc.Services[0].Cells {
		if c.Verdict == report.VerdictNotRun && (c.Message == "not run" || !strings.HasPrefix(c.Message, "not run: ")) {
			t.Errorf("%s: %q does not say why", c.Rule, c.Message)
		}
	}
	if c := sc.Services[0].Cells[0]; !strings.Contains(c.Message, "--rule") {
		t.Errorf("%s: %q, want it not asked for (--rule)", c.Rule, c.Message)
	}
}

// TestURLTemplate: evidence links go through the template, with the
// checkout's commit; a template without {path} or with an unknown
// placeholder is a usage error.
func TestURLTemplate(t *testing.T) {
	f := testenv.WazoFleet(t, 2)
	p := filepath.Join(t.TempDir(), "sc.json")
	tmpl := "https://git.example.org/{repo}/blob/{commit}/{path}#L{line}"
	if code, _, errs := runCLI(t, "check", filepath.Join(f.Dir, "wazo-bravod"), "--url-template", tmpl, "--format", "scorecard", "--output", "scorecard="+p); code != exitFindings {
		t.Fatalf("exit %d: %s", code, errs)
	}
	sc := readScorecard(t, p)
	found := false
	for _, c := range sc.Services[0].Cells {
		if c.Rule == "user-no-login-shell" {
			found = strings.HasPrefix(c.Link, "https://git.example.org/wazo-bravod/blob/00000000000000000000000000000000feed0001/debian/wazo-bravod.postinst#L")
			if !found {
				t.Errorf("link %q", c.Link)
			}
		}
	}
	if !found {
		t.Error("no user-no-login-shell cell")
	}
	for _, bad := range []string{"https://x/{file}", "ftp://x/{path}", "https://x/{path}/{branch}"} {
		if code, _, errs := runCLI(t, "check", goFixture, "--url-template", bad); code != exitUsage || !strings.Contains(errs, "--url-template") {
			t.Errorf("%s: exit %d: %s", bad, code, errs)
		}
	}
}

// TestFleetScorecardOfTheRealRepositories renders the scorecard of the
// real checkouts in WAZO_REPOS with the platform profile in chromium:
// services in columns, packages and siblings apart, links and metadata.
func TestFleetScorecardOfTheRealRepositories(t *testing.T) {
	dir := os.Getenv("WAZO_REPOS")
	if dir == "" {
		t.Skip("WAZO_REPOS=DIR unset: the real Wazo checkouts are not here")
	}
	out := t.TempDir()
	html := out + "/real.html"
	code, _, errs := runCLI(t, "check", dir, "--siblings", dir, "--profile", "wazo-today", "--format", "scorecard",
		"--output", "scorecard="+out+"/real.json", "--output", "html="+html)
	if code != exitFindings && code != exitClean {
		t.Fatalf("exit %d: %s", code, errs)
	}
	sc := readScorecard(t, out+"/real.json")
	for _, s := range sc.Services {
		if s.NotADaemon != "" || strings.HasSuffix(s.Name, "-packaging") {
			t.Errorf("%s is a column but no service", s.Key())
		}
	}
	dom := renderDOM(t, html, "#sort=failures")
	if n := strings.Count(dom, `<th class="service"`); n != len(sc.Services) || n < 20 {
		t.Errorf("%d service columns in the DOM for %d services", n, len(sc.Services))
	}
	if !strings.Contains(dom, `id="meta-profile">wazo-today<`) || !strings.Contains(dom, `<a class="ev" href="file://`) {
		t.Error("no profile or no evidence link on the page")
	}
	t.Logf("%d services, %d red cells with the profile", len(sc.Services), len(redCells(sc)))
	if dst := os.Getenv("REAL_SCREENSHOT"); dst != "" {
		if err := os.WriteFile(dst, screenshotHash(t, html, "#sort=failures"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
