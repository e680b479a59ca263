package drift

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/rules"
	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

func report(fails map[string]string, passes ...string) *rules.Report {
	rep := &rules.Report{}
	for svc, msg := range fails {
		rep.Services = append(rep.Services, rules.ServiceReport{Name: svc, Results: []rules.Result{{Rule: "monit-check", Service: svc,
			Finding: rules.Finding{Status: rules.Fail, Message: msg}}}})
	}
	for _, svc := range passes {
		rep.Services = append(rep.Services, rules.ServiceReport{Name: svc, Results: []rules.Result{{Rule: "monit-check", Service: svc,
			Finding: rules.Finding{Status: rules.Pass, Message: "ok"}}}})
	}
	return rep
}

// TestThreshold: an item drifts when its most common cause (messages read
// without the service's name and numbers) covers the threshold of the
// services judged; failures for different causes do not add up.
func TestThreshold(t *testing.T) {
	same := map[string]string{}
	mixed := map[string]string{}
	for i, s := range []string{"wazo-ad", "wazo-bd", "wazo-cd", "wazo-dd"} {
		same[s] = "no check for " + s + " at line " + strings.Repeat("1", i+1)
		mixed[s] = []string{"cause one", "cause two", "cause three", "cause one"}[i]
	}
	if d := Analyse(report(same, "wazo-ed"), Options{Threshold: 0.8}); len(d.Items) != 1 || d.Items[0].Cause.Count != 4 || d.Items[0].Cause.Text != "no check for <service> at line N" {
		t.Errorf("4 of 5 for one cause: %+v", d.Items)
	}
	if d := Analyse(report(same, "wazo-ed", "wazo-fd"), Options{Threshold: 0.8}); len(d.Items) != 0 {
		t.Errorf("4 of 6 is under 80%%: %+v", d.Items)
	}
	if d := Analyse(report(mixed), Options{Threshold: 0.8}); len(d.Items) != 0 {
		t.Errorf("4 failures for 3 causes drift: %+v", d.Items)
	}
}

// TestHostileHistory: a sibling's git configuration cannot make the
// lookup run a program (signature checking, an external diff, a pager).
func TestHostileHistory(t *testing.T) {
	dir := t.TempDir()
	acc := filepath.Join(dir, "wazo-acceptance")
	feature := filepath.Join(acc, "features", "daily", "service_discovery.feature")
	if err := os.MkdirAll(filepath.Dir(feature), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(feature, []byte("Feature: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	testenv.Git(t, acc, "init", "-q", "-b", "master")
	testenv.Git(t, acc, "add", "-A")
	testenv.Git(t, acc, "commit", "-q", "-m", "add")
	// The deleting commit carries a signature, which git verifies with
	// gpg.program when log.showSignature is on.
	testenv.Git(t, acc, "rm", "-q", feature)
	tree := strings.TrimSpace(testenv.Git(t, acc, "write-tree"))
	parent := strings.TrimSpace(testenv.Git(t, acc, "rev-parse", "HEAD"))
	obj := filepath.Join(dir, "commit")
	if err := os.WriteFile(obj, []byte("tree "+tree+"\nparent "+parent+"\nauthor t <t@example.com> 1700000000 +0000\n"+
		"committer t <t@example.com> 1700000000 +0000\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n AAAA\n -----END PGP SIGNATURE-----\n\nremove\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	signed := strings.TrimSpace(testenv.Git(t, acc, "hash-object", "-t", "commit", "-w", obj))
	testenv.Git(t, acc, "update-ref", "refs/heads/master", signed)
	ran := filepath.Join(dir, "ran")
	script := filepath.Join(dir, "evil.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\ntouch "+ran+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, kv := range [][2]string{{"log.showSignature", "true"}, {"gpg.program", script}, {"core.pager", script},
		{"diff.external", script}, {"core.fsmonitor", script}} {
		testenv.Git(t, acc, "config", kv[0], kv[1])
	}
	ev := lookUpDeletion(dir, "wazo-acceptance", "features/daily/service_discovery.feature")
	if _, err := os.Stat(ran); err == nil {
		t.Fatal("the sibling's git configuration ran a program")
	}
	if ev.Commit == "" || ev.Subject != "remove" {
		t.Errorf("the deletion was not found: %+v", ev)
	}
}
