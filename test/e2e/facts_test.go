//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
)

// factsOfService is the part of `wazo-servicekit facts --format json` that
// check, audit --root and the live audit must agree on.
type factsOfService struct {
	Service string `json:"service"`
	Origin  string `json:"origin"`
	User    struct {
		Value, Source, Unknown string
	} `json:"user"`
	Ports struct {
		Value []struct {
			Port int `json:"port"`
		} `json:"value"`
	} `json:"ports"`
	PIDFiles struct {
		Value []struct{ Value string } `json:"value"`
	} `json:"pid_files"`
	LogFiles struct {
		Value []struct{ Value string } `json:"value"`
	} `json:"log_files"`
}

// summary is what is compared: the user, the sorted ports, PID and log files.
func (f factsOfService) summary() string {
	var ports []int
	for _, p := range f.Ports.Value {
		ports = append(ports, p.Port)
	}
	sort.Ints(ports)
	var pids, logs []string
	for _, p := range f.PIDFiles.Value {
		pids = append(pids, p.Value)
	}
	for _, l := range f.LogFiles.Value {
		logs = append(logs, l.Value)
	}
	sort.Strings(pids)
	sort.Strings(logs)
	return fmt.Sprintf("user %q ports %v pid files %v log files %v", f.User.Value, ports, pids, logs)
}

func decodeFacts(t *testing.T, what string, out []byte, pkg string) factsOfService {
	t.Helper()
	var all []factsOfService
	if err := json.Unmarshal(out, &all); err != nil {
		t.Fatalf("facts %s: %v\n%s", what, err, out)
	}
	for _, f := range all {
		if f.Service == pkg {
			if f.User.Unknown != "" {
				t.Errorf("facts %s: the user of %s is unknown: %s", what, pkg, f.User.Unknown)
			}
			return f
		}
	}
	t.Fatalf("facts %s: no service %s in\n%s", what, pkg, out)
	return factsOfService{}
}

// checkFactsAgree derives the facts of an installed package three ways —
// from its source repository (what check judges), from the container's root
// seen from outside (audit --root), and inside the running container (the
// live audit and wazo-doctord) — and requires the same service user, TCP
// ports, PID files and log files.
func checkFactsAgree(t *testing.T, c *container, root, repo, srcDir, pkg string) {
	t.Helper()
	installCLI(t, root, repo)
	cli := filepath.Join(t.TempDir(), "wazo-servicekit")
	build := exec.Command("go", "build", "-o", cli, "./cmd/wazo-servicekit")
	build.Dir = repo
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building wazo-servicekit: %v\n%s", err, out)
	}
	static, err := exec.Command(cli, "facts", srcDir, "--format", "json").Output()
	if err != nil {
		t.Fatalf("facts %s: %v", srcDir, err)
	}
	image, err := exec.Command(cli, "facts", "--root", root, pkg, "--format", "json").Output()
	if err != nil {
		t.Fatalf("facts --root %s: %v", root, err)
	}
	live, err := c.run("/usr/local/bin/wazo-servicekit", "facts", "--root", "/", pkg, "--format", "json")
	if err != nil {
		t.Fatalf("facts inside the container: %v\n%s", err, live)
	}
	s := decodeFacts(t, "of the repository", static, pkg)
	i := decodeFacts(t, "of the image root", image, pkg)
	l := decodeFacts(t, "of the live host", []byte(live), pkg)
	t.Logf("FIGURE facts of %s\n  repository: %s [user from %s]\n  image root: %s [user from %s]\n  live host:  %s [user from %s]",
		pkg, s.summary(), s.User.Source, i.summary(), i.User.Source, l.summary(), l.User.Source)
	if !reflect.DeepEqual(s.summary(), i.summary()) || !reflect.DeepEqual(s.summary(), l.summary()) {
		t.Errorf("%s: the three readings disagree:\n  repository: %s\n  image root: %s\n  live host:  %s", pkg, s.summary(), i.summary(), l.summary())
	}
	if l.Origin != "live host" {
		t.Errorf("facts --root / inside the container reads %q, want the live host", l.Origin)
	}
	_ = os.Remove(filepath.Join(root, "usr/local/bin/wazo-servicekit"))
}
