//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/wazo-platform/wazo-servicekit/authtest"
)

// brokenByHand are the rules three deliberate breakages must
// fail, and nothing else: shell → /bin/bash, log file → root, monit file gone.
var brokenByHand = []string{"log-file-writable", "monit-check", "user-no-login-shell"}

// checkAudit runs `wazo-servicekit audit` inside the booted container, on the
// installed package: no rule may fail; then it breaks the install three ways
// and checks that exactly the matching rules fail; then it repairs it, so
// the later steps (reboot, upgrade, purge) see the package as installed.
func checkAudit(t *testing.T, c *container, root, repo string, nginxPort, monitPort int) {
	pkg := doctord.pkg
	// The audit judges the booted distribution itself: its systemd, its monit.
	facts, _ := c.run("sh", "-c", `. /etc/os-release; echo "$PRETTY_NAME"; systemctl --version | head -n1; monit -V | head -n1`)
	t.Logf("audited system:\n%s", facts)
	installCLI(t, root, repo)
	served := serveAudit(t, c, root, monitPort)
	results := audit(t, c, root, nginxPort, pkg)
	nothingFails(t, pkg, results)
	fresh := served()
	for _, rule := range brokenByHand {
		if results[rule].Status != "pass" {
			t.Fatalf("%s must pass on the fresh install before it is broken, got %s", rule, results[rule].Status)
		}
		// The daemon runs as its user under its unit's sandbox: it cannot
		// run `monit summary` and asks monit's HTTP interface instead.
		if got := fresh[rule]; got.Status != "pass" {
			t.Errorf("the daemon's own audit (GET /services/%s) says %s %s on the fresh install, the CLI pass: %s", pkg, rule, got.Status, got.Message)
		}
	}

	c.must(t, "usermod", "-s", "/bin/bash", pkg)
	c.must(t, "chown", "root:root", "/var/log/"+pkg+".log")
	c.must(t, "mv", "/etc/monit/conf.d/"+pkg, "/root/monit-check.saved")
	broken := audit(t, c, root, nginxPort, pkg)
	var failing []string
	for rule, r := range broken {
		if r.Status == "fail" {
			failing = append(failing, rule)
		}
	}
	sort.Strings(failing)
	if strings.Join(failing, ",") != strings.Join(brokenByHand, ",") {
		t.Errorf("after the three breakages the audit fails %v, want exactly %v", failing, brokenByHand)
	}
	servedBroken := served()
	for _, rule := range brokenByHand {
		if got := servedBroken[rule]; got.Status != "fail" {
			t.Errorf("the daemon's own audit (GET /services/%s) says %s %s after the breakages, the CLI fail: %s", pkg, rule, got.Status, got.Message)
		}
	}
	t.Logf("the daemon's audit through its engine process: %d rules judged; monit-check on the fresh install: %s; after the breakages %s",
		len(servedBroken), fresh["monit-check"].Message, strings.Join(func() []string {
			var l []string
			for _, r := range brokenByHand {
				l = append(l, r+"="+servedBroken[r].Status)
			}
			return l
		}(), " "))

	c.must(t, "usermod", "-s", "/usr/sbin/nologin", pkg)
	c.must(t, "chown", pkg+":"+pkg, "/var/log/"+pkg+".log")
	c.must(t, "mv", "/root/monit-check.saved", "/etc/monit/conf.d/"+pkg)
	for rule, r := range audit(t, c, root, nginxPort, pkg) {
		if r.Status == "fail" {
			t.Errorf("after the repair %s still fails: %s", rule, r.Message)
		}
	}
}

// serveAudit points the installed wazo-doctord at a fake wazo-auth on the
// host's loopback and at the test's monit (restoring its configuration
// when the test ends) and
// returns a function reading the daemon's own audit of itself, fresh:
// GET /1.0/services/wazo-doctord?refresh=true, which runs the installed
// engine, /usr/lib/wazo-doctord/wazo-doctord-audit, as the daemon's user
// under its unit's sandbox. It returns each rule's result.
func serveAudit(t *testing.T, c *container, root string, monitPort int) func() map[string]auditResult {
	s := doctord
	fake := authtest.StartFakeAuth(t)
	const token = "e2e-audit-token-0123456789"
	fake.AddToken(token, []string{s.short + ".services.read"})
	conf := filepath.Join(root, "etc", s.pkg, "conf.d", "10-e2e-auth.yml")
	writeFile(t, conf, fmt.Sprintf("# fake wazo-auth and monit of the e2e test (host loopback)\nauth:\n  host: 127.0.0.1\n  port: %d\naudit:\n  monit_url: http://127.0.0.1:%d\n", fake.Port, monitPort), 0o644)
	t.Cleanup(func() {
		os.Remove(conf)
		c.must(t, "systemctl", "restart", s.pkg)
		waitActive(t, c, s, 30*time.Second)
	})
	c.must(t, "systemctl", "restart", s.pkg)
	waitServing(t, s, time.Now(), 30*time.Second)
	return func() map[string]auditResult {
		t.Helper()
		req, _ := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d/%s/services/%s?refresh=true", s.port, s.apiVersion, s.pkg), nil)
		req.Header.Set("X-Auth-Token", token)
		client := &http.Client{Timeout: 60 * time.Second}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
		var got struct {
			Results []struct{ Rule, Status, Message string }
		}
		if resp.StatusCode != 200 || json.Unmarshal(body, &got) != nil || len(got.Results) == 0 {
			t.Fatalf("GET /services/%s: %d %.500s", s.pkg, resp.StatusCode, body)
		}
		out := map[string]auditResult{}
		for _, r := range got.Results {
			out[r.Rule] = auditResult{Status: r.Status, Message: r.Message}
		}
		return out
	}
}

// nothingFails fails the test for every rule that neither passes nor is
// unknown on a fresh install, and logs the tally.
func nothingFails(t *testing.T, pkg string, results map[string]auditResult) {
	t.Helper()
	var passed, unknown []string
	for rule, r := range results {
		switch r.Status {
		case "pass":
			passed = append(passed, rule)
		case "unknown":
			unknown = append(unknown, rule+" ("+r.Message+")")
		default:
			t.Errorf("%s, fresh install: %s is %s: %s", pkg, rule, r.Status, r.Message)
		}
	}
	sort.Strings(passed)
	sort.Strings(unknown)
	t.Logf("FIGURE audit of %s, fresh install: %d pass, %d unknown, %d fail\n  pass: %s\n  unknown (what a bare Debian lacks): %s",
		pkg, len(passed), len(unknown), len(results)-len(passed)-len(unknown), strings.Join(passed, ", "), strings.Join(unknown, "; "))
}

type auditResult struct {
	Status, Message string
}

// installCLI builds wazo-servicekit (static) into the container's
// /usr/local/bin for the length of the calling test.
func installCLI(t *testing.T, root, repo string) {
	t.Helper()
	bin := filepath.Join(root, "usr/local/bin/wazo-servicekit")
	build := exec.Command("go", "build", "-o", bin, "./cmd/wazo-servicekit")
	build.Dir = repo
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building wazo-servicekit for the container: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		os.Remove(bin)
		os.Remove(filepath.Join(root, "root/audit.json"))
	})
}

// audit runs the CLI in the container and returns the results of service
// pkg by rule. Exit 1 (findings) is expected when something fails.
func audit(t *testing.T, c *container, root string, nginxPort int, pkg string) map[string]auditResult {
	t.Helper()
	out, err := c.run("/usr/local/bin/wazo-servicekit", "audit", pkg,
		"--nginx", fmt.Sprintf("https://127.0.0.1:%d", nginxPort),
		"--output", "json=/root/audit.json", "--fail-on", "error")
	if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != 1) {
		t.Fatalf("wazo-servicekit audit: %v\n%s", err, out)
	}
	data, rerr := os.ReadFile(filepath.Join(root, "root/audit.json"))
	if rerr != nil {
		t.Fatalf("audit wrote no JSON report: %v\n%s", rerr, out)
	}
	var rep struct {
		Services []struct {
			Name    string `json:"name"`
			Results []struct {
				Rule    string `json:"rule"`
				Status  string `json:"status"`
				Message string `json:"message"`
			} `json:"results"`
		} `json:"services"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("audit JSON: %v\n%s", err, data)
	}
	results := map[string]auditResult{}
	for _, s := range rep.Services {
		if s.Name != pkg {
			continue
		}
		for _, r := range s.Results {
			prev, seen := results[r.Rule]
			// A rule may report several findings: the worst one stands.
			if !seen || r.Status == "fail" || (r.Status == "unknown" && prev.Status == "pass") {
				results[r.Rule] = auditResult{Status: r.Status, Message: r.Message}
			}
		}
	}
	if len(results) == 0 {
		t.Fatalf("the audit found no %s on the installed system:\n%s", pkg, data)
	}
	return results
}
