package doctor

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/wazo-platform/wazo-servicekit/internal/rules"
)

// buildEngine builds wazo-doctord-audit from this checkout into a
// temporary directory.
func buildEngine(t *testing.T) string {
	t.Helper()
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	bin := filepath.Join(t.TempDir(), "wazo-doctord-audit")
	if out, err := exec.Command(goTool, "build", "-o", bin, "../../cmd/wazo-doctord-audit").CombinedOutput(); err != nil {
		t.Fatalf("building wazo-doctord-audit: %v\n%s", err, out)
	}
	return bin
}

// hostRoot is an image root with one Wazo service: its configuration and
// its unit, with a root-run unit the audit fails.
func hostRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"etc/wazo-tallyd/config.yml":                 "rest_api:\n  listen: 127.0.0.1\n  port: 9999\nlog_file: /var/log/wazo-tallyd.log\n",
		"usr/lib/systemd/system/wazo-tallyd.service": "[Unit]\nDescription=wazo-tallyd\n\n[Service]\nExecStart=/usr/bin/wazo-tallyd\n\n[Install]\nWantedBy=multi-user.target\n",
		"etc/passwd":          "root:x:0:0:root:/root:/bin/bash\n",
		"var/lib/dpkg/status": "Package: wazo-tallyd\nStatus: install ok installed\nVersion: 1.0\n",
		"etc/nginx/locations/https-available/.keep": "",
		"etc/monit/conf.d/.keep":                    "",
		"etc/wazo-tallyd/conf.d/.keep":              "",
	}
	for name, body := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestProcessAuditsAsTheEngineDoes(t *testing.T) {
	root := hostRoot(t)
	p := &Process{Command: buildEngine(t), Config: Audit{Root: root, NginxURL: "https://127.0.0.1:1", ProbeTimeoutSeconds: 1}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	got, err := p.Audit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, err := rules.Audit(ctx, rules.AuditOptions{Root: root, NginxURL: "https://127.0.0.1:1", ProbeTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Services) != 1 || len(want.Services) != 1 || got.Services[0].Name != "wazo-tallyd" {
		t.Fatalf("services: process %+v, in process %d", got.Services, len(want.Services))
	}
	var results []rules.Result
	if err := json.Unmarshal(got.Services[0].Results, &results); err != nil {
		t.Fatal(err)
	}
	verdicts := func(rs []rules.Result) map[string]rules.Status {
		m := map[string]rules.Status{}
		for _, r := range rs {
			m[r.Rule] = r.Status
		}
		return m
	}
	g, w := verdicts(results), verdicts(want.Services[0].Results)
	if len(g) == 0 || len(g) != len(w) {
		t.Fatalf("the process judged %d rules, the engine in process %d", len(g), len(w))
	}
	for rule, s := range w {
		if g[rule] != s {
			t.Errorf("%s: the process says %s, the engine in process %s", rule, g[rule], s)
		}
	}
	if summary := want.Services[0].Summary; summary.Fail == 0 || summary.Pass == 0 {
		t.Fatalf("the fixture must give both verdicts to compare: %+v", summary)
	}
	var summary rules.Summary
	if err := json.Unmarshal(got.Services[0].Summary, &summary); err != nil || summary != want.Services[0].Summary {
		t.Errorf("summary %+v (%v), want %+v", summary, err, want.Services[0].Summary)
	}

	all, err := p.Rules(ctx)
	if err != nil || len(all) != len(rules.All()) {
		t.Errorf("--rules: %d rules (%v), want %d", len(all), err, len(rules.All()))
	}
}

// script writes an executable shell script standing for a broken or
// hostile engine.
func script(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "engine")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestProcessRefusesWhatItCannotTrust(t *testing.T) {
	for _, c := range []struct {
		name, body, want string
		timeout          time.Duration
	}{
		{"fails", `printf 'cannot list /etc\033[31m\n' >&2; exit 1`, `exit status 1: "cannot list /etc\x1b[31m"`, 10 * time.Second},
		{"floods", `head -c 80000000 /dev/zero`, "wrote more than 64 MB", 30 * time.Second},
		{"hangs", `exec sleep 60`, "did not end in time", 300 * time.Millisecond},
		{"not JSON", `echo '{"services": [}'`, "wrote no report", 10 * time.Second},
		{"incomplete", `echo '{"services": [{"name": "wazo-x"}]}'`, "lacks its name, summary or results", 10 * time.Second},
		{"no list", `echo '{}'`, "has no services list", 10 * time.Second},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := &Process{Command: script(t, c.body), Config: Audit{Root: "/", ProbeTimeoutSeconds: 1}}
			ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
			defer cancel()
			begin := time.Now()
			rep, err := p.Audit(ctx)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("report %+v, error %v; want an error saying %q", rep, err, c.want)
			}
			if took := time.Since(begin); took > c.timeout+5*time.Second {
				t.Errorf("took %v", took)
			}
		})
	}
}

func TestProcessCommandRelativeToTheExecutable(t *testing.T) {
	p, err := NewProcess(Audit{Command: "wazo-doctord-audit", Root: "/"})
	if err != nil {
		t.Fatal(err)
	}
	self, _ := os.Executable()
	if want := filepath.Join(filepath.Dir(self), "wazo-doctord-audit"); p.Command != want {
		t.Errorf("command %s, want %s", p.Command, want)
	}
	if p, err := NewProcess(Audit{Command: "/usr/lib/wazo-doctord/wazo-doctord-audit"}); err != nil || p.Command != "/usr/lib/wazo-doctord/wazo-doctord-audit" {
		t.Errorf("absolute command: %+v %v", p, err)
	}
	if _, err := NewProcess(Audit{}); err == nil || !strings.Contains(err.Error(), "audit.command") {
		t.Errorf("empty command: %v", err)
	}
}
