//go:build e2e

package e2e

// README.md's "A new service, from a clean clone", run as a new user would:
// a clean clone of this repository, its `make build`, the documented `new`
// command exactly as written, then in the new repository `make test` and
// `make deb` offline, and no path of the machine in what it commits. The
// service it makes is the one the later steps install and check.

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/wazo-platform/wazo-servicekit/internal/scaffold"
)

// readmeFlow is the shell block under README.md's "A new service, from a
// clean clone" heading, one command a line.
func readmeFlow(t *testing.T, repo string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repo, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)\n### A new service, from a clean clone\n.*?```sh\n(.*?)```\n").FindSubmatch(data)
	if m == nil {
		t.Fatal("README.md: no ```sh block under \"### A new service, from a clean clone\"")
	}
	lines := strings.Split(strings.TrimSpace(string(m[1])), "\n")
	if len(lines) != 6 {
		t.Fatalf("README.md's new-service block: %d lines, want clone, build, new, commit, make test, make deb:\n%s", len(lines), m[1])
	}
	return lines
}

// readmeWork is where the block runs for the distribution under test.
func readmeWork(repo string) string {
	dist := os.Getenv("DIST")
	if dist == "" {
		dist = "trixie"
	}
	return filepath.Join(repo, ".cache", "e2e-readme", dist)
}

// checkReadmeFlow runs the block in a fresh directory: the clone (of this
// repository's HEAD instead of GitHub: offline), the kit's `make build`,
// `new` and the commit exactly as written, `update --check`, `make test`
// with no module download allowed, and `make deb` for dist against kitDeb
// (the kit's -dev package built in this run) in a root where it is the
// only kit. It fails when a file of the generated tree holds a path of this
// machine, or when the service is not s, the one the later steps check.
func checkReadmeFlow(t *testing.T, repo, dist, kitDeb string, s service) {
	t.Helper()
	lines := readmeFlow(t, repo)
	work := readmeWork(repo)
	if err := os.RemoveAll(work); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	offline := []string{"GOPROXY=off", "GOFLAGS=-buildvcs=false", "GOTOOLCHAIN=local",
		"GIT_AUTHOR_NAME=e2e", "GIT_AUTHOR_EMAIL=e2e@localhost", "GIT_COMMITTER_NAME=e2e", "GIT_COMMITTER_EMAIL=e2e@localhost"}
	clone := filepath.Join(work, "wazo-servicekit")
	service := filepath.Join(work, s.pkg)

	if want := "git clone https://github.com/wazo-platform/wazo-servicekit && cd wazo-servicekit"; lines[0] != want {
		t.Fatalf("README line 1 is %q, want %q", lines[0], want)
	}
	run(t, work, nil, "git", "clone", "-q", repo, clone)
	// `sudo make deps` installed what the e2e needs already (it runs as root).
	if want := "sudo make deps && make build"; lines[1] != want {
		t.Fatalf("README line 2 is %q, want %q", lines[1], want)
	}
	start := time.Now()
	run(t, clone, offline, "make", "build")
	t.Logf("FIGURE make build of the clean clone (offline): %.1f s", time.Since(start).Seconds())
	start = time.Now()
	run(t, clone, offline, "sh", "-euc", lines[2])
	t.Logf("FIGURE %s (as README.md writes it): %.0f ms", lines[2], float64(time.Since(start).Microseconds())/1000)
	run(t, clone, offline, "sh", "-euc", lines[3])
	checkIsPlanned(t, service, s)
	assertNoMachinePath(t, service, work, repo)
	// update --check right after new: the repository is current.
	run(t, clone, offline, "bin/wazo-servicekit", "update", "--check", "../"+s.pkg)

	if lines[4] != "make test" {
		t.Fatalf("README line 5 is %q, want make test", lines[4])
	}
	start = time.Now()
	out := run(t, service, offline, "sh", "-euc", lines[4])
	if pkg := strings.ReplaceAll(strings.TrimPrefix(s.pkg, "wazo-"), "-", ""); !strings.Contains(out, "ok  \tgithub.com/wazo-platform/"+s.pkg+"/"+pkg) {
		t.Errorf("make test did not run the service's tests:\n%s", out)
	}
	t.Logf("FIGURE make test of the new repository (offline, the kit from ../wazo-servicekit): %.1f s", time.Since(start).Seconds())
	assertNoMachinePath(t, service, work, repo)

	// make deb as README says, for this distribution, with the kit's -dev
	// package of this run.
	if !regexp.MustCompile(`^sudo make deb KIT_DEB=\S+$`).MatchString(lines[5]) {
		t.Fatalf("README line 6 is %q, want sudo make deb KIT_DEB=…", lines[5])
	}
	makeDeb(t, repo, service, dist, kitDeb, offline)
	deb := filepath.Join(service, "dist", dist, fmt.Sprintf("%s_%s_amd64.deb", s.pkg, changelogVersion(t, service)))
	// dh-golang built it from the -dev package: the kit's source package
	// is in its Built-Using.
	if info, err := exec.Command("dpkg-deb", "-f", deb, "Built-Using").Output(); err != nil || !bytes.Contains(info, []byte("wazo-doctord")) {
		t.Errorf("%s: Built-Using %q (%v), want the kit's source package", deb, info, err)
	}
}

// checkIsPlanned: README's new command made the service the later steps
// check (name, port, HA group, service key).
func checkIsPlanned(t *testing.T, dir string, s service) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, ".servicekit.yml"))
	if err != nil {
		t.Fatalf("README's new command did not make %s: %v", dir, err)
	}
	var m scaffold.Manifest
	if err := yaml.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if m.Name != s.pkg || m.Port != s.port || m.HAGroup != s.haGroup || (len(m.ACLs) > 0) != s.keyed {
		t.Fatalf("README's new command made %s port %d, HA group %s, ACL %v; the e2e checks %s port %d, HA group %s, keyed %v",
			m.Name, m.Port, m.HAGroup, m.ACLs, s.pkg, s.port, s.haGroup, s.keyed)
	}
}

// assertNoMachinePath greps the generated tree (build outputs aside) for
// the directories of this machine it was made in, and the home directory
// (where Go keeps its caches): none may be there, or the repository would
// not build elsewhere.
func assertNoMachinePath(t *testing.T, tree string, paths ...string) {
	t.Helper()
	args := []string{"-rIn", "--exclude-dir=.git", "--exclude-dir=bin", "--exclude-dir=dist", "--exclude-dir=.cache"}
	for _, p := range paths {
		args = append(args, "-e", p)
	}
	if home, err := os.UserHomeDir(); err == nil && home != "/" {
		args = append(args, "-e", home+"/")
	}
	args = append(args, ".")
	cmd := exec.Command("grep", args...)
	cmd.Dir = tree
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		t.Errorf("paths of this machine in the generated tree:\n%s", out)
	case errors.As(err, &exit) && exit.ExitCode() == 1:
		t.Logf("grep %s: no path of this machine in %s", strings.Join(args, " "), tree)
	default:
		t.Fatalf("grep: %v\n%s", err, out)
	}
}
