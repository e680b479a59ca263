package main

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wazo-platform/wazo-servicekit/internal/report"
	"github.com/wazo-platform/wazo-servicekit/internal/rules"
	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// fleet writes five service checkouts under one directory, each failing
// differently: the go and python fixtures as they are, and three copies of
// the go one renamed, one with a login shell (error), one whose monit check
// watches another PID file (warning), one with that broken check but a waiver.
func fleet(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, src := range []string{goFixture, "../../internal/rules/testdata/python-service"} {
		if err := os.Rename(testenv.CopyTree(t, src, nil), filepath.Join(dir, filepath.Base(src))); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"wazo-alphad", "wazo-betad", "wazo-gammad"} {
		renamedCopy(t, goFixture, filepath.Join(dir, name), "wazo-exampled", name)
	}
	mutate(t, dir+"/wazo-alphad/debian/wazo-alphad.postinst", "--shell /usr/sbin/nologin", "--shell /bin/bash")
	for _, name := range []string{"wazo-betad", "wazo-gammad"} {
		mutate(t, dir+"/"+name+"/etc/monit/conf.d/"+name, "with pidfile ", "with pidfile /elsewhere")
	}
	writeTestFile(t, dir+"/wazo-gammad/"+rules.WaiversFile, "waivers:\n  - rule: monit-check\n"+
		"    owner: jdoe@wazo.io\n    expires: 2999-12-31\n    reason: systemd Restart= supervises it\n")
	// Not a checkout: skipped with a note, never an error.
	writeTestFile(t, dir+"/notes/README", "fleet notes\n")
	return dir
}

// renamedCopy copies src to dst with old replaced by new in names and text.
func renamedCopy(t *testing.T, src, dst, old, new string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, strings.ReplaceAll(rel, old, new))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, []byte(strings.ReplaceAll(string(data), old, new)), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func writeTestFile(t *testing.T, p, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readScorecard(t *testing.T, p string) *report.Scorecard {
	t.Helper()
	var sc report.Scorecard
	readJSON(t, p, &sc)
	return &sc
}

// TestScorecardOfAFleet: check over a directory of five checkouts writes one
// matrix; a second run against the first as --baseline marks exactly the
// one new failure and the one fix made in between; the HTML page, rendered
// by a real browser, has one row per rule, one column per service and a
// verdict in every cell.
func TestScorecardOfAFleet(t *testing.T) {
	dir := fleet(t)
	out := t.TempDir()
	code, stdout, errs := runCLI(t, "check", dir, "--output", "scorecard="+out+"/before.json")
	if code != exitFindings {
		t.Fatalf("exit %d, want %d (the fleet has failures)\n%s%s", code, exitFindings, stdout, errs)
	}
	if !strings.Contains(errs, "skipping "+dir+"/notes") {
		t.Errorf("stderr does not say the non-checkout was skipped: %s", errs)
	}
	before := readScorecard(t, out+"/before.json")
	if len(before.Services) != 5 {
		t.Fatalf("%d columns, want 5: %+v", len(before.Services), before.Services)
	}
	// Several services and no --format: the grid on stdout, one line per rule.
	for _, r := range before.Rules {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(r.ID) + `( +\S+){5}$`).MatchString(stdout) {
			t.Errorf("grid has no 5-cell line for %s:\n%s", r.ID, stdout)
		}
	}
	want := map[string]string{ // service/rule → verdict
		"wazo-alphad/user-no-login-shell": report.VerdictFail,
		"wazo-betad/monit-check":          report.VerdictFail,
		"wazo-gammad/monit-check":         report.VerdictWaived,
		"wazo-exampled/monit-check":       report.VerdictPass,
	}
	for k, v := range want {
		if got := verdict(before, k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}

	// One fix (alphad's shell) and one new failure (exampled's monit check).
	mutate(t, dir+"/wazo-alphad/debian/wazo-alphad.postinst", "--shell /bin/bash", "--shell /usr/sbin/nologin")
	mutate(t, dir+"/go-service/etc/monit/conf.d/wazo-exampled", "with pidfile ", "with pidfile /elsewhere")
	html := out + "/scorecard.html"
	code, stdout, errs = runCLI(t, "check", dir, "--baseline", out+"/before.json", "--format", "grid",
		"--output", "scorecard="+out+"/after.json", "--output", "html="+html, "--output", "sarif="+out+"/after.sarif")
	if code != exitFindings {
		t.Fatalf("exit %d\n%s%s", code, stdout, errs)
	}
	after := readScorecard(t, out+"/after.json")
	var changes []string
	for _, s := range after.Services {
		for _, c := range s.Cells {
			if c.Change != "" {
				changes = append(changes, s.Key()+"/"+c.Rule+" "+c.Change)
			}
		}
	}
	wantChanges := "wazo-exampled/monit-check new-fail, wazo-alphad/user-no-login-shell fixed"
	if got := strings.Join(changes, ", "); got != wantChanges {
		t.Errorf("changes since the baseline: %s; want %s", got, wantChanges)
	}
	if !strings.Contains(stdout, "wazo-exampled: fail") || !strings.Contains(stdout, "1 new fail(s), 0 fixed") ||
		!strings.Contains(stdout, "0 new fail(s), 1 fixed") {
		t.Errorf("grid summary lines do not count the changes:\n%s", stdout)
	}
	if st, err := os.Stat(out + "/after.sarif"); err != nil || st.Size() == 0 {
		t.Errorf("sarif not written next to the html: %v", err)
	}
	page, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	// Evidence links (<a href="file://...">) are navigations, not assets.
	if m := regexp.MustCompile(`(?i)src\s*=\s*"[^"#]|<link[^>]+href|url\(|@import`).Find(page); m != nil {
		t.Errorf("the page loads an external asset: %q", m)
	}

	dom := renderDOM(t, html, "")
	rows := regexp.MustCompile(`<tr class="rule-row"[^>]*data-rule="([^"]+)"`).FindAllStringSubmatch(dom, -1)
	if len(rows) != len(after.Rules) {
		t.Errorf("%d rule rows in the DOM, want %d", len(rows), len(after.Rules))
	}
	for i, r := range rows {
		if i < len(after.Rules) && r[1] != after.Rules[i].ID {
			t.Errorf("row %d is %s, want %s", i, r[1], after.Rules[i].ID)
		}
	}
	cols := regexp.MustCompile(`<th class="service" data-service="([^"]+)"`).FindAllStringSubmatch(dom, -1)
	if len(cols) != 5 {
		t.Errorf("%d service columns in the DOM, want 5", len(cols))
	}
	cells := regexp.MustCompile(`<td class="v [^"]*"[^>]*data-verdict="([^"]*)"[^>]*>([^<]*)`).FindAllStringSubmatch(dom, -1)
	if len(cells) != len(after.Rules)*5 {
		t.Errorf("%d cells, want %d", len(cells), len(after.Rules)*5)
	}
	sym := map[string]string{"pass": "✓", "fail": "✗", "unknown": "?", "waived": "~", "not-run": "-"}
	for _, c := range cells {
		if s, ok := sym[c[1]]; !ok || !strings.HasPrefix(c[2], s) {
			t.Errorf("cell verdict %q shows %q", c[1], c[2])
		}
	}
	if n := strings.Count(dom, `data-change="new-fail"`); n != 1 {
		t.Errorf("%d new-fail cells in the DOM, want 1", n)
	}
	if n := strings.Count(dom, `data-change="fixed"`); n != 1 {
		t.Errorf("%d fixed cells in the DOM, want 1", n)
	}
	if want := len(after.Rules); !strings.Contains(dom, itoa(want)+" of "+itoa(want)+" rules shown") {
		t.Errorf("the page's script did not run: no %q", itoa(want)+" of "+itoa(want)+" rules shown")
	}

	// The filter preselected in the address hides every other severity.
	dom = renderDOM(t, html, "#severity=error")
	errorRows := 0
	for _, r := range after.Rules {
		if r.Severity == rules.Error {
			errorRows++
		}
	}
	hidden := len(regexp.MustCompile(`<tr class="rule-row"[^>]*hidden`).FindAllString(dom, -1))
	if hidden != len(after.Rules)-errorRows || errorRows == 0 {
		t.Errorf("severity=error: %d rows hidden, want %d", hidden, len(after.Rules)-errorRows)
	}

	// Wazo practice only: every checklist row hidden, the practice rows shown.
	dom = renderDOM(t, html, "#group=practice")
	practice := 0
	for _, r := range after.Rules {
		if r.Group == report.GroupPractice {
			practice++
		}
	}
	hidden = len(regexp.MustCompile(`<tr class="rule-row"[^>]*hidden`).FindAllString(dom, -1))
	if practice == 0 || hidden != len(after.Rules)-practice {
		t.Errorf("group=practice: %d rows hidden, want %d (%d practice rules)", hidden, len(after.Rules)-practice, practice)
	}

	png := screenshot(t, html)
	if dst := os.Getenv("SCORECARD_SCREENSHOT"); dst != "" {
		if err := os.WriteFile(dst, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func itoa(n int) string { return testenv.Itoa(n) }

func verdict(sc *report.Scorecard, key string) string {
	svc, rule, _ := strings.Cut(key, "/")
	for i, s := range sc.Services {
		if s.Key() != svc {
			continue
		}
		for j, r := range sc.Rules {
			if r.ID == rule {
				return sc.Services[i].Cells[j].Verdict
			}
		}
	}
	return ""
}

// chromium runs Debian's headless chromium on the page, offline: no
// sandbox (CI runs as root), a fresh profile, nothing fetched in the
// background.
func chromium(t *testing.T, args ...string) []byte {
	t.Helper()
	bin := testenv.RequireCommand(t, "chromium")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

func renderDOM(t *testing.T, page, hash string) string {
	t.Helper()
	return string(chromium(t, "--dump-dom", "file://"+page+hash))
}

func screenshot(t *testing.T, page string) []byte {
	t.Helper()
	return screenshotHash(t, page, "")
}

// screenshotHash is the page's screenshot with the filters of hash.
func screenshotHash(t *testing.T, page, hash string) []byte {
	t.Helper()
	png := filepath.Join(t.TempDir(), "scorecard.png")
	chromium(t, "--screenshot="+png, "--window-size=1400,1000", "--hide-scrollbars", "file://"+page+hash)
	data, err := os.ReadFile(png)
	if err != nil || len(data) < 8 || string(data[1:4]) != "PNG" {
		t.Fatalf("no PNG screenshot: %v", err)
	}
	return data
}
