package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// skipCopy are the directories of this repository a check never reads and
// a copy does not need.
var skipCopy = map[string]bool{".git": true, ".cache": true, "bin": true, "dist": true, "node_modules": true, ".work": true}

// TestCheckOnThisRepositoryIsClean: wazo-doctord's own repository reports
// nothing at warning or above.
func TestCheckOnThisRepositoryIsClean(t *testing.T) {
	code, out, errs := runCLI(t, "check", repoRoot(t), "--fail-on", "warning")
	if code != exitClean {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	if !strings.Contains(out, "wazo-doctord (go)") {
		t.Fatalf("did not find wazo-doctord:\n%s", out)
	}
}

// TestMutatedCopyOfThisRepositoryFails breaks a copy of this repository the
// five usual ways and expects exit 1 with the matching rule for
// each. The files are found by what they contain, as the checker finds them.
func TestMutatedCopyOfThisRepositoryFails(t *testing.T) {
	dir := testenv.CopyTree(t, repoRoot(t), skipCopy)
	var postinst, apiYML, monit, nginx []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "testdata" || d.Name() == "test" {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(p, ".go") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		s := string(data)
		switch {
		case strings.HasSuffix(p, ".postinst") && strings.Contains(s, "--shell /usr/sbin/nologin"):
			postinst = append(postinst, p)
		case filepath.Base(p) == "api.yml" && strings.Contains(s, "x-xivo-port:"):
			apiYML = append(apiYML, p)
		case regexp.MustCompile(`(?m)^\s*check process `).MatchString(s):
			monit = append(monit, p)
		case regexp.MustCompile(`(?m)^\s*location \^~ /api/`).MatchString(s):
			nginx = append(nginx, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, files := range map[string][]string{"postinst with --shell /usr/sbin/nologin": postinst, "api.yml with x-xivo-port": apiYML,
		"monit check": monit, "nginx location": nginx} {
		if len(files) == 0 {
			t.Fatalf("this repository has no %s yet: the mutation test needs the packaging files", name)
		}
	}
	for _, p := range postinst {
		mutate(t, p, "--shell /usr/sbin/nologin", "--shell /bin/bash")
	}
	portRe := regexp.MustCompile(`(?m)^x-xivo-port:.*$`)
	for _, p := range apiYML {
		data, _ := os.ReadFile(p)
		os.WriteFile(p, portRe.ReplaceAll(data, []byte("x-xivo-port: 8080")), 0o644)
	}
	for _, p := range monit {
		mutate(t, p, "with pidfile ", "with pidfile /elsewhere")
	}
	for _, p := range nginx {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	mutate(t, filepath.Join(dir, "go.mod"), "gopkg.in/yaml.v3 v3.0.1", "gopkg.in/yaml.v3 v3.0.0")
	// The daemon listens on a test port by default (the code's defaults
	// and the shipped config.yml).
	for _, p := range []string{filepath.Join(dir, "etc", "wazo-doctord", "config.yml"), filepath.Join(dir, "cmd", "wazo-doctord", "defaults.yml")} {
		mutate(t, p, "port: 9504", "port: 8081")
	}

	code, out, errs := runCLI(t, "check", dir, "--format", "text")
	if code != exitFindings {
		t.Fatalf("exit %d, want %d\n%s%s", code, exitFindings, out, errs)
	}
	for _, want := range []struct{ rule, detail string }{
		{"user-no-login-shell", "login shell /bin/bash"},
		{"port-allocation", "8081 is a common test HTTP port"},
		{"port-consistent", "x-xivo-port is 8080"},
		{"monit-check", "monit watches /elsewhere/run/wazo-doctord/wazo-doctord.pid"},
		{"nginx-location", "no nginx `location ^~ /api/"},
		{"deps-pinned-to-debian", "gopkg.in/yaml.v3 v3.0.0; Debian 13 trixie has 3.0.1"},
	} {
		found := false
		for _, line := range strings.Split(out, "\n") {
			if strings.Contains(line, " "+want.rule+" ") && strings.Contains(line, want.detail) {
				found = true
			}
		}
		if !found {
			t.Errorf("no %s failure mentioning %q in:\n%s", want.rule, want.detail, out)
		}
	}
}
