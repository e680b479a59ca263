package rules

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/host"
)

// auditOne audits one named service of root and fails on a probe that
// crashed (the engine turns a panic into an "internal error" unknown).
func auditOne(t *testing.T, root, name string) map[string][]Result {
	t.Helper()
	rep, err := Audit(context.Background(), AuditOptions{Root: root, Services: []string{name}})
	if err != nil {
		t.Fatal(err)
	}
	byRule := map[string][]Result{}
	for _, r := range rep.Results() {
		if strings.Contains(r.Message, "internal error") {
			t.Errorf("%s crashed: %s", r.Rule, r.Message)
		}
		byRule[r.Rule] = append(byRule[r.Rule], r)
	}
	for _, r := range All() {
		if r.HasLive() && len(byRule[r.ID]) == 0 {
			t.Errorf("live rule %s gave no result", r.ID)
		}
	}
	return byRule
}

func TestAuditOfAServiceThatIsNotInstalled(t *testing.T) {
	image := t.TempDir()
	write(t, image+"/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n")
	write(t, image+"/var/lib/dpkg/status", "Package: other\nStatus: install ok installed\n")
	for root, name := range map[string]string{image: "wazo-doctord", "/": "wazo-servicekit-absent-test"} {
		byRule := auditOne(t, root, name)
		for id, results := range byRule {
			for _, r := range results {
				want := Unknown
				if id == "installs-cleanly" {
					want = Fail
				}
				if r.Status != want || !strings.Contains(r.Message, "is not installed") {
					t.Errorf("%s on %s: %s %q, want %s saying it is not installed", id, root, r.Status, r.Message, want)
				}
			}
		}
	}
}

// A config whose every value has an unexpected type: each probe reports,
// none crashes.
func TestAuditOfAServiceWithAStrangeConfig(t *testing.T) {
	root := installedRoot(t)
	write(t, root+"/etc/wazo-exampled/config.yml", `user: {a: 1}
log_file: [1, 2]
pid_file: 7
rest_api: 5
service_discovery: [enabled]
consul: "localhost"
auth: ~
`)
	auditOne(t, root, "wazo-exampled")

	// The same service seen as a running host's: every live probe runs
	// (tools fail, nothing listens) and none may crash.
	h := host.Open(root)
	h.Live = true
	s := &LiveService{Name: "wazo-exampled", Host: h}
	s.Config, s.ConfigProblems = h.Config("wazo-exampled")
	s.UnitPath, s.Unit, s.UnitErr = h.Unit("wazo-exampled")
	env := LiveEnv{HTTP: &http.Client{Timeout: time.Second}, HTTPSInsecure: insecureLoopbackClient(time.Second),
		ConsulURL: "http://127.0.0.1:1", NginxURL: "https://127.0.0.1:1", MonitURL: "http://127.0.0.1:1",
		Command: func(context.Context, string, ...string) ([]byte, error) { return nil, errors.New("not here") }}
	for _, r := range All() {
		if !r.HasLive() {
			continue
		}
		for _, f := range runLive(context.Background(), r, s, env, 2*time.Second) {
			if strings.Contains(f.Message, "internal error") {
				t.Errorf("%s crashed on a live host: %s", r.ID, f.Message)
			}
		}
	}
}
