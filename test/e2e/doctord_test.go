//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// service is a packaged Wazo daemon under test: wazo-doctord, or the one
// `wazo-servicekit new` generates. Its package, unit, user and binary share
// one name, as the checklist wants.
type service struct {
	pkg        string
	port       int    // fixed by the package's config: must be free on the host
	apiVersion string // "1.0"
	short      string // x-xivo-name: nginx publishes it under /api/<short>/
	haGroup    string // wazo-service group: default (runs on HA secondaries) or wazo (stopped there)
	keyed      bool   // calls other Wazo APIs: ships a wazo-auth-keys definition and reads its key
}

var doctord = service{pkg: "wazo-doctord", port: 9504, apiVersion: "1.0", short: "doctor", haGroup: "default"}

func (s service) apiURL() string {
	return fmt.Sprintf("http://127.0.0.1:%d/%s/api/api.yml", s.port, s.apiVersion)
}
func (s service) pidFile() string { return "/run/" + s.pkg + "/" + s.pkg + ".pid" }
func (s service) logFile() string { return "/var/log/" + s.pkg + ".log" }

// adminYML is the administrator's file the upgrade must leave alone.
const adminYML = "/etc/wazo-doctord/conf.d/50-admin.yml"

// TestDoctordPackage runs, for each distribution of E2E_DISTS (default:
// trixie, the latest stable, then bookworm, what Wazo installs on today),
// the whole life of the package in a root of that distribution: it builds
// the .deb twice (versions N and N+1) and the generated service's with the
// distribution's own toolchain, boots the root with systemd-nspawn and
// walks both packages through the checklist: lintian (the distribution's),
// fresh install, monit, nginx+TLS, the audit, reboot, wazo-upgrade, purge.
// Steps depend on each other: the first failing one stops that
// distribution's run.
func TestDoctordPackage(t *testing.T) {
	requireRootAndTools(t, "systemd-nspawn", "nsenter", "debootstrap", "zstd", "unshare")
	dists := strings.Fields(os.Getenv("E2E_DISTS"))
	if len(dists) == 0 {
		dists = []string{"trixie", "bookworm"}
	}
	for _, dist := range dists {
		t.Run(dist, func(t *testing.T) {
			start := time.Now()
			testDoctordPackage(t, dist)
			t.Logf("FIGURE %s: every step in %.0f s", dist, time.Since(start).Seconds())
		})
	}
}

func testDoctordPackage(t *testing.T, dist string) {
	t.Setenv("DIST", dist) // for scripts/build-deb.sh and scripts/debian-root.sh
	repo := repoRoot(t)
	generated := plannedService(t)

	version := changelogVersion(t, repo)
	next := version + "+e2e1"
	var debN, debN1 string
	step(t, "build", func(t *testing.T) {
		if os.Getenv("E2E_REUSE_DIST") == "1" { // for iterating on later steps only
			debN = filepath.Join(repo, "dist", dist, fmt.Sprintf("%s_%s_amd64.deb", doctord.pkg, version))
			debN1 = filepath.Join(repo, "dist", dist, fmt.Sprintf("%s_%s_amd64.deb", doctord.pkg, next))
			t.Logf("E2E_REUSE_DIST=1: not building, using %s and %s", debN, debN1)
			return
		}
		debN = buildDeb(t, repo)
		// N+1 is the same tree: N's package under the next version is
		// what an upgrade to a rebuild of it installs.
		debN1 = repackDeb(t, debN, version, next)
	})
	var genChanges string
	step(t, "build_generated", func(t *testing.T) {
		// README's new-service block from a clean clone (`new`, `make test`,
		// the generated repository's own `make deb`), against the kit's -dev
		// package built just above (N).
		genChanges = buildGenerated(t, repo, generated, version, dist)
	})

	// From here the container shares the host network: one booted e2e at a
	// time on this machine, on free ports.
	holdBootLock(t, doctord, generated)
	root := prepareRoot(t, repo)
	ports := configureRoot(t, root)
	distDir := filepath.Join(root, "srv", "dist")
	if err := os.MkdirAll(distDir, 0o755); err != nil {
		t.Fatal(err)
	}
	// The .changes and what it lists: the .deb, the -dbgsym .deb, the
	// kit's -dev .deb and the .buildinfo; then N+1.
	changes := filepath.Join(repo, "dist", dist, fmt.Sprintf("%s_%s_amd64.changes", doctord.pkg, version))
	for _, f := range append(changesFiles(t, changes), changes, debN1) {
		copyFile(t, f, filepath.Join(distDir, filepath.Base(f)))
	}
	for _, f := range append(changesFiles(t, genChanges), genChanges) {
		copyFile(t, f, filepath.Join(distDir, filepath.Base(f)))
	}

	// A consul agent on the host's loopback, as wazo-consul runs on a Wazo
	// host; both daemons find it through a conf.d file (the container shares
	// the host network).
	agent := testenv.StartConsul(t, testenv.ConsulOptions{})
	for _, s := range []service{doctord, generated} {
		writeFile(t, filepath.Join(root, "etc", s.pkg, "conf.d", "10-e2e-consul.yml"),
			fmt.Sprintf("# consul agent of the e2e test (host loopback)\nconsul:\n  host: 127.0.0.1\n  port: %d\n", agent.HTTPPort), 0o644)
	}

	top := t
	c := bootContainer(t, top, root, filepath.Join(filepath.Dir(root), "nspawn-1.log"))
	before := listFiles(t, c)

	step(t, "lintian", func(t *testing.T) {
		checkLintian(t, c, filepath.Join(repo, "debian"), doctord, version)
		genRepo := filepath.Dir(filepath.Dir(filepath.Dir(genChanges))) // <repo>/dist/DIST/x.changes
		checkLintian(t, c, filepath.Join(genRepo, "debian"), generated, changelogVersion(t, genRepo))
	})
	step(t, "fresh_install", func(t *testing.T) {
		// As on a host with consul (wazo-consul-config): the service user
		// must join the group to read its 0640 consul:consul files.
		c.must(t, "groupadd", "--system", "consul")
		c.must(t, "apt-get", "install", "-y", "-q", "--no-install-recommends", "/srv/dist/"+filepath.Base(debN))
		checkRunning(t, c, doctord)
	})
	step(t, "security", func(t *testing.T) { checkSecurity(t, c, doctord) })
	// Before the SIGKILL of the monit step: a killed daemon cannot
	// deregister, and its entry stays passing until its TTL runs out.
	step(t, "consul_registration", func(t *testing.T) { checkConsul(t, c, doctord, agent) })
	step(t, "monit_restart_after_kill", func(t *testing.T) { checkMonit(t, c, doctord, ports.monit) })
	step(t, "nginx_https", func(t *testing.T) { checkNginx(t, c, doctord, ports.nginx, ports.ca) })
	step(t, "request_trace", func(t *testing.T) { checkTraceparent(t, c, root, doctord) })
	step(t, "audit", func(t *testing.T) { checkAudit(t, c, root, repo, ports.nginx, ports.monit) })
	step(t, "logrotate_rsyslog", func(t *testing.T) { checkLogFiles(t, c) })
	step(t, "generated_service", func(t *testing.T) {
		checkGenerated(t, c, root, repo, generated, filepath.Base(genChanges), ports, agent)
	})
	step(t, "facts_agree", func(t *testing.T) {
		checkFactsAgree(t, c, root, repo, repo, doctord.pkg)
		genRepo := filepath.Dir(filepath.Dir(filepath.Dir(genChanges)))
		checkFactsAgree(t, c, root, repo, genRepo, generated.pkg)
	})
	step(t, "packaged_cli", func(t *testing.T) { checkPackagedCLI(t, c, version) })
	step(t, "reboot", func(t *testing.T) {
		// The first boot ran without XIVO_UUID (the daemon warns and goes
		// on). Now the host becomes Wazo-like: xivo-config puts it in
		// systemd's DefaultEnvironment, which the unit inherits.
		uuid := "e2e00000-0000-4000-8000-000000000001"
		writeFile(t, filepath.Join(root, "etc/systemd/system.conf.d/50-xivo-uuid.conf"),
			"[Manager]\nDefaultEnvironment=\"XIVO_UUID="+uuid+"\"\n", 0o644)
		c.poweroff(t)
		c = bootContainer(t, top, root, filepath.Join(filepath.Dir(root), "nspawn-2.log"))
		serving := waitServing(t, doctord, c.booted, 60*time.Second)
		t.Logf("FIGURE boot-to-serving (nspawn start to api.yml 200 on :%d): %.2f s", doctord.port, serving.Seconds())
		// Where the boot time went (the machine is shared: load varies).
		chain, _ := c.run("systemd-analyze", "critical-chain", "--no-pager", doctord.pkg+".service")
		load, _ := os.ReadFile("/proc/loadavg")
		t.Logf("host load %s critical chain:\n%s", strings.TrimSpace(string(load)), chain)
		checkRunning(t, c, doctord)
		genServing := waitServing(t, generated, c.booted, 60*time.Second)
		t.Logf("%s serving %.2f s after the container started", generated.pkg, genServing.Seconds())
		checkRunning(t, c, generated)
		env := c.must(t, "sh", "-c", `tr '\0' '\n' < /proc/$(systemctl show -p MainPID --value `+doctord.pkg+`)/environ`)
		if !strings.Contains(env, "XIVO_UUID="+uuid+"\n") {
			t.Errorf("daemon environment lacks XIVO_UUID=%s from DefaultEnvironment:\n%s", uuid, env)
		}
	})
	step(t, "wazo_upgrade", func(t *testing.T) { checkUpgrade(t, c, filepath.Base(debN1), next) })
	step(t, "ha_secondary", func(t *testing.T) {
		c = checkHASecondary(t, c, haEnv{root: root, repo: repo, nginxPort: ports.nginx, services: []service{doctord, generated},
			reboot: func(t *testing.T, log string) *container {
				c.poweroff(t)
				return bootContainer(t, top, root, filepath.Join(filepath.Dir(root), log))
			}})
	})
	step(t, "purge", func(t *testing.T) {
		// The generated package first: wazo-doctord's purge checks that
		// the nginx locations directories it shares with it are gone.
		checkPurgeGenerated(t, c, generated, agent)
		checkPurge(t, c, before)
	})
}

// bootLock serialises the booted part of the e2e runs of one machine (every
// checkout's, every distribution's): their containers share the host
// network and the services' fixed ports. Builds before it run in parallel.
const bootLock = "/run/wazo-servicekit-e2e.lock"

// holdBootLock takes bootLock for the rest of t, then waits (bounded) until
// the services' ports are free: a run that does not take the lock may
// still hold them.
func holdBootLock(t *testing.T, services ...service) {
	t.Helper()
	f, err := os.OpenFile(bootLock, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatalf("open %s: %v", bootLock, err)
	}
	start := time.Now()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		t.Fatalf("lock %s: %v", bootLock, err)
	}
	t.Cleanup(func() { f.Close() }) // closing releases the lock
	deadline := time.Now().Add(20 * time.Minute)
	for _, s := range services {
		for {
			l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", s.port))
			if err == nil {
				l.Close()
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("port %d still busy on the host after 20 min (%v): the container shares the host network and %s listens there", s.port, err, s.pkg)
			}
			time.Sleep(time.Second)
		}
	}
	if waited := time.Since(start); waited > time.Second {
		t.Logf("waited %.0f s for %s and the services' ports (another e2e run was booted)", waited.Seconds(), bootLock)
	}
}

// step runs one stage as a subtest and stops the whole test when it fails:
// every later stage depends on it. Its time is logged.
func step(t *testing.T, name string, f func(t *testing.T)) {
	t.Helper()
	start := time.Now()
	ok := t.Run(name, f)
	t.Logf("FIGURE step %s: %.1f s", name, time.Since(start).Seconds())
	if !ok {
		t.FailNow()
	}
}

func requireRootAndTools(t *testing.T, tools ...string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: debootstrap, chroot, systemd-nspawn")
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s on the host (make deps installs it)", tool)
		}
	}
}

func changelogVersion(t *testing.T, repo string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repo, "debian", "changelog"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`^\S+ \(([^)]+)\)`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("debian/changelog line 1: no version in %q", strings.SplitN(string(b), "\n", 2)[0])
	}
	return string(m[1])
}

// repackDeb writes deb again under version next (same files, same
// maintainer scripts): the package an upgrade to a rebuild of the same tree
// installs, without a second build.
func repackDeb(t *testing.T, deb, version, next string) string {
	t.Helper()
	tree := filepath.Join(t.TempDir(), "tree")
	if out, err := exec.Command("dpkg-deb", "-R", deb, tree).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb -R %s: %v\n%s", deb, err, out)
	}
	control := filepath.Join(tree, "DEBIAN", "control")
	data, err := os.ReadFile(control)
	if err != nil {
		t.Fatal(err)
	}
	old := "\nVersion: " + version + "\n"
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("%s: no %q line in DEBIAN/control", deb, strings.TrimSpace(old))
	}
	writeFile(t, control, strings.Replace(string(data), old, "\nVersion: "+next+"\n", 1), 0o644)
	out := strings.Replace(deb, "_"+version+"_", "_"+next+"_", 1)
	if b, err := exec.Command("dpkg-deb", "--build", "-Zxz", tree, out).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb --build %s: %v\n%s", out, err, b)
	}
	return out
}

// buildDeb runs scripts/build-deb.sh (as `make deb` does), unit tests
// included, without its lintian run: the lintian step checks the same files
// in the booted root, with the same distribution's lintian.
func buildDeb(t *testing.T, repo string) string {
	t.Helper()
	start := time.Now()
	cmd := exec.Command("scripts/build-deb.sh")
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), "DEB_BUILD_OPTIONS=", "LINTIAN=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("scripts/build-deb.sh: %v\n%s", err, stderr.String())
	}
	deb := filepath.Join(repo, strings.TrimSpace(string(out)))
	t.Logf("FIGURE build %s (extract %s root + dpkg-buildpackage, offline): %.1f s", filepath.Base(deb), os.Getenv("DIST"), time.Since(start).Seconds())
	return deb
}

func prepareRoot(t *testing.T, repo string) string {
	t.Helper()
	parent, err := os.MkdirTemp(filepath.Join(repo, ".cache"), "e2e-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.RemoveAll(parent); err != nil {
			t.Errorf("remove %s: %v", parent, err)
		}
	})
	root := filepath.Join(parent, "root")
	cmd := exec.Command("scripts/debian-root.sh", root)
	cmd.Dir = repo
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("DIST=%s scripts/debian-root.sh %s: %v\n%s", os.Getenv("DIST"), root, err, out)
	}
	return root
}

type rootPorts struct {
	monit, nginx int
	ca           *x509.CertPool
}

// configureRoot sets up, before the first boot, what a Wazo host has around
// the package: monit with its HTTP interface (for the CLI) polling every
// second, and nginx with a TLS server including locations/https-enabled/*,
// both on free loopback ports because the container shares the host network.
func configureRoot(t *testing.T, root string) rootPorts {
	t.Helper()
	p := rootPorts{monit: freePort(t), nginx: freePort(t)}

	monitrc := fmt.Sprintf(`set daemon 1
set log /var/log/monit.log
set idfile /var/lib/monit/id
set statefile /var/lib/monit/state
set httpd port %d and
    use address 127.0.0.1
    allow 127.0.0.1
include /etc/monit/conf.d/*
`, p.monit)
	writeFile(t, filepath.Join(root, "etc/monit/monitrc"), monitrc, 0o600)

	certPEM, keyPEM, pool := selfSignedCert(t)
	writeFile(t, filepath.Join(root, "etc/nginx/e2e/server.crt"), string(certPEM), 0o644)
	writeFile(t, filepath.Join(root, "etc/nginx/e2e/server.key"), string(keyPEM), 0o600)
	p.ca = pool
	site := fmt.Sprintf(`# Like wazo-nginx's "wazo" site: TLS server including the services' locations.
server {
    listen 127.0.0.1:%d ssl;
    server_name _;
    ssl_certificate /etc/nginx/e2e/server.crt;
    ssl_certificate_key /etc/nginx/e2e/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;

    include /etc/nginx/locations/https-enabled/*;
}
`, p.nginx)
	writeFile(t, filepath.Join(root, "etc/nginx/sites-enabled/wazo-e2e"), site, 0o644)

	out, err := exec.Command("chroot", root, "systemctl", "enable", "nginx.service", "monit.service").CombinedOutput()
	if err != nil {
		t.Fatalf("enable nginx and monit in the root: %v\n%s", err, out)
	}
	return p
}

// checkLintian runs the distribution's lintian on the .changes (every package of the
// source, the service's .deb included). An override is accepted only if a comment
// line says why. debianDir is the source's debian/.
func checkLintian(t *testing.T, c *container, debianDir string, s service, version string) {
	pkg := s.pkg
	overrides, err := os.ReadFile(filepath.Join(debianDir, pkg+".lintian-overrides"))
	if err == nil {
		prevComment := false
		for i, line := range strings.Split(string(overrides), "\n") {
			line = strings.TrimSpace(line)
			switch {
			case strings.HasPrefix(line, "#"):
				prevComment = true
			case line == "":
				prevComment = false
			default:
				if !prevComment {
					t.Errorf("debian/%s.lintian-overrides:%d: override %q has no comment saying why", pkg, i+1, line)
				}
			}
		}
	}
	ver, _ := c.run("runuser", "-u", "nobody", "--", "lintian", "--version")
	t.Logf("%s", strings.TrimSpace(ver))
	// The .changes covers every package of the source, the .deb included.
	file := fmt.Sprintf("/srv/dist/%s_%s_amd64.changes", pkg, version)
	// As an unprivileged user: lintian unpacks what it checks. The verdict
	// comes from a run without --show-overrides: bookworm's lintian exits 2
	// when it shows overridden tags.
	out, err := c.run("runuser", "-u", "nobody", "--", "lintian", "--fail-on", "error,warning", file)
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "E: ") || strings.HasPrefix(line, "W: ") {
			t.Errorf("lintian tag: %s", line)
		}
	}
	if err != nil {
		t.Errorf("lintian %s: %v\n%s", file, err, out)
	}
	shown, _ := c.run("runuser", "-u", "nobody", "--", "lintian", "--show-overrides", file)
	t.Logf("lintian %s (overridden tags shown):\n%s", filepath.Base(file), shown)
}

// checkRunning checks the installed service the way the checklist states it.
func checkRunning(t *testing.T, c *container, s service) {
	t.Helper()
	pkg, user, logFile, pidFile := s.pkg, s.pkg, s.logFile(), s.pidFile()
	if out, _ := c.run("systemctl", "is-enabled", pkg); strings.TrimSpace(out) != "enabled" {
		t.Errorf("systemctl is-enabled %s = %q, want enabled", pkg, strings.TrimSpace(out))
	}
	waitActive(t, c, s, 30*time.Second)
	mainPID := showMainPID(t, c, s)

	pw := strings.Split(strings.TrimSpace(c.must(t, "getent", "passwd", user)), ":")
	if len(pw) != 7 {
		t.Fatalf("getent passwd %s: %q", user, pw)
	}
	uid, _ := strconv.Atoi(pw[2])
	if uid < 100 || uid > 999 {
		t.Errorf("uid of %s = %d, want a system uid (100-999)", user, uid)
	}
	if pw[6] != "/usr/sbin/nologin" {
		t.Errorf("shell of %s = %q, want /usr/sbin/nologin", user, pw[6])
	}
	if pw[5] != "/var/lib/"+user {
		t.Errorf("home of %s = %q, want /var/lib/%s", user, pw[5], user)
	}
	if groups := strings.Fields(c.must(t, "id", "-nG", user)); !contains(groups, "consul") {
		t.Errorf("%s is in groups %v, want consul too (the group exists)", user, groups)
	}
	if out, err := c.run("test", "-e", "/home/"+user); err == nil {
		t.Errorf("/home/%s exists, want none %s", user, out)
	}

	// Every thread of the main process, real/effective/saved/fs ids.
	status := c.must(t, "sh", "-c", `for f in /proc/$1/task/*/status; do echo "== $f"; grep -E '^(Uid|Gid|Groups):' "$f"; done`, "sh", strconv.Itoa(mainPID))
	threads := strings.Count(status, "== ")
	if threads == 0 {
		t.Fatalf("no thread status for MainPID %d:\n%s", mainPID, status)
	}
	consulGID := strings.Split(strings.TrimSpace(c.must(t, "getent", "group", "consul")), ":")[2]
	for _, line := range strings.Split(status, "\n") {
		fields := strings.Fields(line)
		switch {
		case strings.HasPrefix(line, "Uid:"), strings.HasPrefix(line, "Gid:"):
			want := pw[2]
			if fields[0] == "Gid:" {
				want = pw[3]
			}
			for _, id := range fields[1:] {
				if id != want {
					t.Errorf("thread of MainPID %d has %q, want every id = %s (%s)", mainPID, line, want, user)
				}
			}
		case strings.HasPrefix(line, "Groups:"):
			if !contains(fields[1:], consulGID) {
				t.Errorf("thread of MainPID %d has %q, want the consul group %s among them", mainPID, line, consulGID)
			}
		}
	}
	t.Logf("MainPID %d: %d threads, all uid %s (%s)", mainPID, threads, pw[2], user)

	for _, path := range []string{logFile, pidFile, filepath.Dir(pidFile)} {
		owner := strings.TrimSpace(c.must(t, "stat", "-c", "%U:%G", path))
		if owner != user+":"+user {
			t.Errorf("%s owned by %s, want %s:%s", path, owner, user, user)
		}
	}
	pidText := strings.TrimSpace(c.must(t, "cat", pidFile))
	if pidText != strconv.Itoa(mainPID) {
		t.Errorf("%s holds %q, want MainPID %d", pidFile, pidText, mainPID)
	}
}

func waitActive(t *testing.T, c *container, s service, within time.Duration) {
	t.Helper()
	pkg := s.pkg
	deadline := time.Now().Add(within)
	for {
		out, _ := c.run("systemctl", "is-active", pkg)
		if strings.TrimSpace(out) == "active" {
			return
		}
		if time.Now().After(deadline) {
			st, _ := c.run("systemctl", "status", "--no-pager", "-l", pkg)
			j, _ := c.run("journalctl", "--no-pager", "-n", "40", "-u", pkg)
			t.Fatalf("%s is %q after %s\n%s\n%s", pkg, strings.TrimSpace(out), within, st, j)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func showMainPID(t *testing.T, c *container, s service) int {
	t.Helper()
	pkg := s.pkg
	out := strings.TrimSpace(c.must(t, "systemctl", "show", "-p", "MainPID", "--value", pkg))
	pid, err := strconv.Atoi(out)
	if err != nil || pid == 0 {
		t.Fatalf("MainPID of %s = %q", pkg, out)
	}
	return pid
}

// checkSecurity prints systemd's own hardening score for the unit.
func checkSecurity(t *testing.T, c *container, s service) {
	pkg := s.pkg
	out, err := c.run("systemd-analyze", "security", "--no-pager", pkg+".service")
	if err != nil {
		t.Fatalf("systemd-analyze security: %v\n%s", err, out)
	}
	var exposed []string // the ✓ lines are the long part: show what is open
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "✗") || strings.Contains(line, "Overall exposure") {
			exposed = append(exposed, line)
		}
	}
	t.Logf("systemd-analyze security %s.service (exposed items only):\n%s", pkg, strings.Join(exposed, "\n"))
	m := regexp.MustCompile(`Overall exposure level for \S+: ([0-9.]+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no overall exposure level in systemd-analyze output")
	}
	level, _ := strconv.ParseFloat(m[1], 64)
	t.Logf("FIGURE systemd-analyze security exposure: %.1f (target <= 2.5)", level)
	if level > 2.5 {
		t.Errorf("exposure %.1f > 2.5", level)
	}
}

// checkMonit makes monit load the packaged check (what wazo-monitoring-update
// does on a Wazo host), then SIGKILLs the daemon and measures how long until
// it serves again.
func checkMonit(t *testing.T, c *container, s service, monitPort int) {
	pkg, apiURL := s.pkg, s.apiURL()
	c.must(t, "monit", "-c", "/etc/monit/monitrc", "reload")
	out := waitMonitRunning(t, c, pkg, 30*time.Second)
	t.Logf("monit summary (httpd on 127.0.0.1:%d):\n%s", monitPort, out)

	old := showMainPID(t, c, s)
	killed := time.Now()
	c.must(t, "kill", "-KILL", strconv.Itoa(old))
	deadline := killed.Add(30 * time.Second)
	for {
		out, _ := c.run("systemctl", "show", "-p", "MainPID", "--value", pkg)
		pid, _ := strconv.Atoi(strings.TrimSpace(out))
		if pid != 0 && pid != old {
			if code, _, err := get(http.DefaultClient, apiURL); err == nil && code == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			j, _ := c.run("journalctl", "--no-pager", "-n", "30", "-u", pkg)
			t.Fatalf("not serving again 30 s after SIGKILL of %d:\n%s", old, j)
		}
		time.Sleep(20 * time.Millisecond)
	}
	elapsed := time.Since(killed)
	// Later steps audit monit's view: wait until monit has seen the new
	// process (its next cycle) rather than hope it already has.
	waitMonitRunning(t, c, pkg, 30*time.Second)
	monitLog, _ := c.run("tail", "-n", "5", "/var/log/monit.log")
	t.Logf("monit log after the kill:\n%s", monitLog)
	t.Logf("FIGURE restart-after-SIGKILL (kill to api.yml 200 with a new MainPID): %.2f s", elapsed.Seconds())
	if elapsed > 15*time.Second {
		t.Errorf("serving again after %s, want <= 15 s (RestartSec=5, monit polls every 1 s)", elapsed)
	}
}

// waitMonitRunning polls `monit summary` until it shows pkg as a running
// process, and returns that summary.
func waitMonitRunning(t *testing.T, c *container, pkg string, within time.Duration) string {
	t.Helper()
	running := regexp.MustCompile(`(?m)^[\s│]*` + regexp.QuoteMeta(pkg) + `[\s│]+(OK|Running)\b.*Process`)
	deadline := time.Now().Add(within)
	for {
		out, _ := c.run("monit", "-c", "/etc/monit/monitrc", "summary")
		if running.MatchString(out) {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("monit does not show %s as a running process after %s:\n%s", pkg, within, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// checkNginx asks nginx (TLS, Wazo-like server) for the API through the
// packaged location, as wazo-acceptance's daily http.feature does.
func checkNginx(t *testing.T, c *container, s service, port int, ca *x509.CertPool) {
	// wazo-nginx reloads nginx from dpkg triggers on locations/*; here the
	// test does it.
	c.must(t, "systemctl", "reload-or-restart", "nginx")
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: ca},
	}}
	base := fmt.Sprintf("https://127.0.0.1:%d/api/%s/%s", port, s.short, s.apiVersion)
	var code int
	var body []byte
	var err error
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, body, err = get(client, base+"/api/api.yml")
		if err == nil && code == 200 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil || code != 200 {
		t.Fatalf("GET %s/api/api.yml: %d %v\n%s", base, code, err, body)
	}
	var spec struct {
		BasePath string `yaml:"basePath"`
	}
	if err := yaml.Unmarshal(body, &spec); err != nil {
		t.Fatalf("api.yml through nginx is not YAML: %v", err)
	}
	if want := "/api/" + s.short + "/" + s.apiVersion; spec.BasePath != want {
		t.Errorf("basePath through nginx = %q, want %s", spec.BasePath, want)
	}
	code, body, err = get(client, base+"/status")
	if err != nil || code == 404 {
		t.Errorf("GET %s/status: %d %v (daily/http.feature wants anything but 404)\n%s", base, code, err, body)
	}
	t.Logf("via nginx TLS :%d: api.yml 200 basePath %s; /status %d", port, spec.BasePath, code)
}

// checkLogFiles validates the shipped rsyslog drop-in with rsyslogd, then
// forces a rotation: with copytruncate the daemon keeps writing to
// /var/log/wazo-doctord.log without being told.
func checkLogFiles(t *testing.T, c *container) {
	pkg, logFile, apiURL := doctord.pkg, doctord.logFile(), doctord.apiURL()
	c.must(t, "rsyslogd", "-N1")
	c.must(t, "logrotate", "-f", "/etc/logrotate.d/"+pkg)
	c.must(t, "test", "-s", logFile+".1.gz")
	if size := strings.TrimSpace(c.must(t, "stat", "-c", "%s", logFile)); size != "0" {
		t.Fatalf("%s is %s bytes right after copytruncate, want 0", logFile, size)
	}
	if code, _, err := get(http.DefaultClient, apiURL); err != nil || code != 200 {
		t.Fatalf("GET %s: %d %v", apiURL, code, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, _ := c.run("cat", logFile)
		if strings.Contains(out, "api.yml") {
			t.Logf("after rotation the daemon still logs to %s:\n%s", logFile, out)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing about the api.yml request in %s 10 s after rotation (log: %q)", logFile, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkUpgrade follows wazo-upgrade: stop + disable, install N+1, enable +
// restart. An admin's conf.d file must come out byte-for-byte the same.
func checkUpgrade(t *testing.T, c *container, debN1, next string) {
	pkg, apiURL := doctord.pkg, doctord.apiURL()
	admin := "# written by an administrator (e2e test)\nrest_api:\n  cors:\n    enabled: true\n"
	c.must(t, "sh", "-c", `printf '%s' "$1" > "$2"`, "sh", admin, adminYML)
	sumBefore := c.must(t, "sh", "-c", `sha256sum "$1"; stat -c '%i %Y %U:%G %a' "$1"`, "sh", adminYML)

	var timings []string
	for _, cmd := range [][]string{
		{"systemctl", "stop", pkg},
		{"systemctl", "disable", pkg},
		{"apt-get", "install", "-y", "-q", "--no-install-recommends", "/srv/dist/" + debN1},
		{"systemctl", "enable", pkg},
		{"systemctl", "restart", pkg},
	} {
		start := time.Now()
		c.must(t, cmd...)
		timings = append(timings, fmt.Sprintf("%s %s: %.2f s", cmd[0], cmd[1], time.Since(start).Seconds()))
	}
	t.Logf("wazo-upgrade sequence: %s", strings.Join(timings, "; "))
	if out, _ := c.run("systemctl", "is-enabled", pkg); strings.TrimSpace(out) != "enabled" {
		t.Errorf("after the upgrade sequence %s is %q, want enabled", pkg, strings.TrimSpace(out))
	}

	if v := strings.TrimSpace(c.must(t, "dpkg-query", "-W", "-f", "${Version}", pkg)); v != next {
		t.Errorf("installed version %q, want %q", v, next)
	}
	checkRunning(t, c, doctord)
	if sumAfter := c.must(t, "sh", "-c", `sha256sum "$1"; stat -c '%i %Y %U:%G %a' "$1"`, "sh", adminYML); sumAfter != sumBefore {
		t.Errorf("admin file %s changed by the upgrade:\nbefore %safter  %s", adminYML, sumBefore, sumAfter)
	}
	if _, err := c.run("test", "-L", "/etc/nginx/locations/https-enabled/"+pkg); err != nil {
		t.Errorf("nginx location link gone after upgrade")
	}
	if code, _, err := get(http.DefaultClient, apiURL); err != nil || code != 200 {
		t.Errorf("GET %s after upgrade: %d %v", apiURL, code, err)
	}
}

// checkPurge: nothing of the package is left but its system user and group.
func checkPurge(t *testing.T, c *container, before map[string]bool) {
	pkg, logFile := doctord.pkg, doctord.logFile()
	start := time.Now()
	c.must(t, "apt-get", "purge", "-y", "-q", pkg)
	t.Logf("apt-get purge: %.2f s", time.Since(start).Seconds())
	after := listFiles(t, c)
	var leftovers, other []string
	for p := range after {
		if before[p] {
			continue
		}
		if strings.Contains(strings.ToLower(p), "doctor") {
			leftovers = append(leftovers, p)
		} else {
			other = append(other, p)
		}
	}
	for _, p := range []string{"/etc/wazo-doctord", logFile, "/run/wazo-doctord", "/var/lib/wazo-doctord",
		"/etc/nginx/locations", "/usr/bin/wazo-doctord"} {
		if _, err := c.run("test", "-e", p); err == nil {
			leftovers = append(leftovers, p)
		}
	}
	if len(leftovers) > 0 {
		t.Errorf("left after purge: %s", strings.Join(leftovers, " "))
	}
	if len(other) > 0 {
		t.Logf("new files since boot, not the package's (logs, state):\n%s", strings.Join(sortedFirst(other, 40), "\n"))
	}
	if out, err := c.run("getent", "passwd", pkg); err != nil {
		t.Errorf("system user %s gone after purge (Debian policy keeps it): %s", pkg, out)
	}
	if out, _ := c.run("dpkg-query", "-W", "-f", "${db:Status-Abbrev}", pkg); strings.HasPrefix(strings.TrimSpace(out), "i") {
		t.Errorf("dpkg still lists %s as installed: %q", pkg, out)
	}
}

// listFiles lists the container's files on its root filesystem (not /proc,
// /sys, /run, /dev, /tmp: other mounts), for the purge comparison.
func listFiles(t *testing.T, c *container) map[string]bool {
	t.Helper()
	out := c.must(t, "find", "/", "-xdev")
	files := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		files[sc.Text()] = true
	}
	return files
}

func sortedFirst(s []string, n int) []string {
	sort.Strings(s)
	if len(s) > n {
		s = append(s[:n], fmt.Sprintf("... (%d more)", len(s)-n))
	}
	return s
}

// waitServing polls api.yml on the host's loopback (shared with the
// container) and returns the time since start at the first 200.
func waitServing(t *testing.T, s service, start time.Time, within time.Duration) time.Duration {
	t.Helper()
	apiURL := s.apiURL()
	client := &http.Client{Timeout: time.Second}
	for {
		if code, _, err := get(client, apiURL); err == nil && code == 200 {
			return time.Since(start)
		}
		if time.Since(start) > within {
			t.Fatalf("%s not answering 200 within %s of boot", apiURL, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func get(client *http.Client, url string) (int, []byte, error) {
	resp, err := client.Get(url)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, body, err
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// selfSignedCert makes the nginx server certificate (localhost, 127.0.0.1)
// and a pool trusting it, so the client verifies TLS for real.
func selfSignedCert(t *testing.T) (certPEM, keyPEM []byte, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "localhost"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(48 * time.Hour),
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), pool
}

func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatalf("%v (was the build step run?)", err)
	}
	writeFile(t, to, string(b), 0o644)
}
