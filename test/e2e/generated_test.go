//go:build e2e

package e2e

// The service `wazo-servicekit new` generates, taken through the same life
// as wazo-doctord in the same booted Debian: its own `make deb DIST=…`
// against the kit's -dev package, lintian, install, monit, nginx+TLS,
// consul, the audit, reboot and purge.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/wazo-platform/wazo-servicekit/internal/scaffold"
	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

const generatedName = "wazo-exampled"

// serviceRepoEnv names a repository made by `new` (and maybe developed
// since) to test instead of a fresh wazo-exampled: a generated repository's
// `make e2e` runs this harness that way.
const serviceRepoEnv = "E2E_SERVICE_REPO"

// plannedService is the generated service under test: the one in
// $E2E_SERVICE_REPO (from its .servicekit.yml), or what `new wazo-exampled`
// makes today (the port is the next free one of internal/ports/registry.yml).
func plannedService(t *testing.T) service {
	t.Helper()
	if dir := os.Getenv(serviceRepoEnv); dir != "" {
		data, err := os.ReadFile(filepath.Join(dir, ".servicekit.yml"))
		if err != nil {
			t.Fatalf("%s=%s: %v (a repository written by wazo-servicekit new)", serviceRepoEnv, dir, err)
		}
		var m scaffold.Manifest
		if err := yaml.Unmarshal(data, &m); err != nil || m.Name == "" || m.Port == 0 || m.Short == "" || m.APIVersion == "" {
			t.Fatalf("%s/.servicekit.yml: want name, short, port and api_version (%v)", dir, err)
		}
		group := m.HAGroup
		if group == "" {
			group = "default"
		}
		return service{pkg: m.Name, port: m.Port, apiVersion: m.APIVersion, short: m.Short, haGroup: group, keyed: len(m.ACLs) > 0}
	}
	p, err := scaffold.Plan(scaffold.Options{Name: generatedName})
	if err != nil {
		t.Fatalf("scaffold.Plan(%s): %v", generatedName, err)
	}
	return service{pkg: generatedName, port: p.Port, apiVersion: "1.0", short: strings.TrimPrefix(generatedName, "wazo-"),
		haGroup: generatedHAGroup, keyed: len(generatedACLs) > 0}
}

// generatedRepo is $E2E_SERVICE_REPO, or where the e2e test runs README's
// new-service block for the distribution under test (checkReadmeFlow: the
// kit's clean clone and the generated repository beside it, kept between
// runs for E2E_REUSE_DIST=1, replaced otherwise).
func generatedRepo(repo string) string {
	if dir := os.Getenv(serviceRepoEnv); dir != "" {
		abs, err := filepath.Abs(dir)
		if err == nil {
			return abs
		}
		return dir
	}
	return filepath.Join(readmeWork(repo), generatedName)
}

// buildGenerated makes the generated service's package with the kit's -dev
// package built in this run: README's new-service block from a clean
// clone (checkReadmeFlow), or $E2E_SERVICE_REPO's own `make deb`. It
// returns the path of the generated source's .changes.
func buildGenerated(t *testing.T, repo string, s service, kitVersion, dist string) string {
	t.Helper()
	dir := generatedRepo(repo)
	if os.Getenv("E2E_REUSE_DIST") == "1" {
		changes := filepath.Join(dir, "dist", dist, fmt.Sprintf("%s_%s_amd64.changes", s.pkg, changelogVersion(t, dir)))
		t.Logf("E2E_REUSE_DIST=1: not building, using %s", changes)
		return changes
	}
	kitDeb := filepath.Join(repo, "dist", dist, fmt.Sprintf("golang-github-wazo-platform-wazo-servicekit-dev_%s_all.deb", kitVersion))
	if os.Getenv(serviceRepoEnv) == "" {
		checkReadmeFlow(t, repo, dist, kitDeb, s)
	} else {
		makeDeb(t, repo, dir, dist, kitDeb, nil, "KIT="+repo)
	}
	changes := filepath.Join(dir, "dist", dist, fmt.Sprintf("%s_%s_amd64.changes", s.pkg, changelogVersion(t, dir)))
	if _, err := os.Stat(changes); err != nil {
		t.Fatalf("make deb in the generated repository: %v", err)
	}
	return changes
}

// makeDeb runs `make deb` in a generated repository for dist against
// kitDeb, in the same cached root as the kit's own build: where
// $TRIXIE_CACHE ($BOOKWORM_CACHE) says, or the kit's .cache/DIST. The root
// has no network and no kit but that package: what a Wazo builder has.
func makeDeb(t *testing.T, repo, dir, dist, kitDeb string, env []string, args ...string) {
	t.Helper()
	cacheVar := strings.ToUpper(dist) + "_CACHE"
	cache := os.Getenv(cacheVar)
	if cache == "" {
		cache = filepath.Join(repo, ".cache", dist)
	}
	start := time.Now()
	// LINTIAN=0: the lintian step checks the same files in the booted root.
	run(t, dir, append(env, cacheVar+"="+cache, "LINTIAN=0"), "make", append([]string{"deb", "DIST=" + dist, "KIT_DEB=" + kitDeb}, args...)...)
	t.Logf("FIGURE make deb DIST=%s in the generated repository (dh-golang, offline, the packaged kit only): %.1f s", dist, time.Since(start).Seconds())
}

// run runs a command in dir and fails the test with its output on error.
func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s (in %s): %v\n%s", name, strings.Join(args, " "), dir, err, out)
	}
	return string(out)
}

// changesFiles lists the files a .changes names (its Files: section), with
// the .changes' directory.
func changesFiles(t *testing.T, changes string) []string {
	t.Helper()
	data, err := os.ReadFile(changes)
	if err != nil {
		t.Fatalf("%v (was the build step run?)", err)
	}
	var files []string
	in := false
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case line == "Files:":
			in = true
		case in && strings.HasPrefix(line, " "):
			f := strings.Fields(line)
			files = append(files, filepath.Join(filepath.Dir(changes), f[len(f)-1]))
		default:
			in = false
		}
	}
	if len(files) < 2 {
		t.Fatalf("%s lists %v, want at least a .deb and a .buildinfo", changes, files)
	}
	return files
}

// checkGenerated installs the generated package next to wazo-doctord and
// checks it like wazo-doctord: the checklist's install facts, systemd's
// hardening score, monit restarting it, nginx publishing it, consul listing
// it, and the audit finding nothing failing.
func checkGenerated(t *testing.T, c *container, root, repo string, s service, changes string, ports rootPorts, agent *testenv.Consul) {
	deb := strings.TrimSuffix(changes, ".changes") + ".deb"
	c.must(t, "apt-get", "install", "-y", "-q", "--no-install-recommends", "/srv/dist/"+deb)
	checkRunning(t, c, s)
	checkServiceKeys(t, c, root, doctord, s)
	checkSecurity(t, c, s)
	// Before the SIGKILL of the monit check: a killed daemon cannot
	// deregister, and its entry stays passing until its TTL runs out.
	checkConsul(t, c, s, agent)
	checkMonit(t, c, s, ports.monit)
	checkNginx(t, c, s, ports.nginx, ports.ca)

	installCLI(t, root, repo)
	nothingFails(t, s.pkg, audit(t, c, root, ports.nginx, s.pkg))
}

// checkConsul waits until the agent's catalog lists the service, with the
// port it serves on, as passing (its TTL check fed by the daemon).
func checkConsul(t *testing.T, c *container, s service, agent *testenv.Consul) {
	t.Helper()
	start := time.Now()
	deadline := start.Add(60 * time.Second)
	for {
		var entries []struct {
			Service struct {
				ID   string
				Port int
				Tags []string
			}
		}
		err := agent.Get("/v1/health/service/"+s.pkg+"?passing=true", &entries)
		if err == nil && len(entries) == 1 && entries[0].Service.Port == s.port {
			t.Logf("consul: %s registered as %s, port %d, tags %v, passing (seen after %.2f s of polling)",
				s.pkg, entries[0].Service.ID, entries[0].Service.Port, entries[0].Service.Tags, time.Since(start).Seconds())
			return
		}
		if time.Now().After(deadline) {
			j, _ := c.run("journalctl", "--no-pager", "-n", "20", "-u", s.pkg)
			t.Fatalf("consul agent %s lists %+v for %s (err %v), want one passing entry on port %d after 60 s\n%s",
				agent.Addr(), entries, s.pkg, err, s.port, j)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// registrations lists the IDs of the agent's registrations of s.
func registrations(t *testing.T, s service, agent *testenv.Consul) map[string]bool {
	t.Helper()
	services := map[string]struct{ Service string }{}
	if err := agent.Get("/v1/agent/services", &services); err != nil {
		t.Fatalf("consul agent %s: %v", agent.Addr(), err)
	}
	ids := map[string]bool{}
	for id, svc := range services {
		if svc.Service == s.pkg {
			ids[id] = true
		}
	}
	return ids
}

// checkDeregistered waits until one of the registrations before (the
// running daemon's) is gone: the daemon removes its own when systemd stops
// it. Nothing else removes entries here; an entry left by a SIGKILLed
// process stays, critical once its TTL runs out, as with Wazo's Python
// daemons.
func checkDeregistered(t *testing.T, s service, agent *testenv.Consul, before map[string]bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		now := registrations(t, s, agent)
		var gone []string
		for id := range before {
			if !now[id] {
				gone = append(gone, id)
			}
		}
		if len(gone) > 0 {
			t.Logf("consul: %s removed its registration %v when it stopped; %d left by killed processes", s.pkg, gone, len(now))
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("consul still has every %s registration %v 10 s after it stopped", s.pkg, before)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkPurgeGenerated purges the generated package: it leaves consul, and
// nothing of it is left but its system user.
func checkPurgeGenerated(t *testing.T, c *container, s service, agent *testenv.Consul) {
	before := registrations(t, s, agent)
	c.must(t, "apt-get", "purge", "-y", "-q", s.pkg)
	checkDeregistered(t, s, agent, before)
	var left []string
	for _, p := range []string{"/etc/" + s.pkg, s.logFile(), "/run/" + s.pkg, "/var/lib/" + s.pkg,
		"/etc/nginx/locations/https-enabled/" + s.pkg, "/etc/monit/conf.d/" + s.pkg, "/usr/bin/" + s.pkg,
		"/usr/lib/systemd/system/" + s.pkg + ".service"} {
		if _, err := c.run("test", "-e", p); err == nil {
			left = append(left, p)
		}
	}
	if len(left) > 0 {
		t.Errorf("left after purging %s: %s", s.pkg, strings.Join(left, " "))
	}
	if out, err := c.run("getent", "passwd", s.pkg); err != nil {
		t.Errorf("system user %s gone after purge (Debian policy keeps it): %s", s.pkg, out)
	}
}
