//go:build e2e

package e2e

// What a real Wazo host adds around the checklist: the service keys of
// wazo-auth-keys and the wazo-auth policy files, the request trace through
// xivo's current log line, and the HA secondary.

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/wazo-platform/wazo-servicekit/authtest"
)

// The generated service is the other HA group than wazo-doctord's
// (default), and calls one Wazo API, so it needs a service key and
// wazo-doctord does not.
var (
	generatedHAGroup = "wazo"
	generatedACLs    = []string{"auth.tenants.read"}
)

// keyDefinition is one service of wazo-auth-keys' config.yml or conf.d.
type keyDefinition struct {
	SystemUser string   `yaml:"system_user"`
	ACL        []string `yaml:"acl"`
}

// wazoAuthKeysUpdate stands in for `wazo-auth-keys service update`, which is
// not installable here, on the booted system's root. As documented and as
// the tool does: it reads /etc/wazo-auth-keys/config.yml and every
// conf.d/*.yml (mappings merged, acl lists appended); for each service whose
// /var/lib/wazo-auth-keys/<service>-key.yml is missing it writes one
// (service_id, a new service_key) created 0600; then it chowns every key
// file to the service's system_user and sets 0600. The wazo-auth side (the
// internal user and its <service>-internal policy) has no wazo-auth here to
// talk to and is left out. It returns the definitions it read.
func wazoAuthKeysUpdate(t *testing.T, root string) map[string]keyDefinition {
	t.Helper()
	defs := map[string]keyDefinition{}
	files, _ := filepath.Glob(filepath.Join(root, "etc/wazo-auth-keys/conf.d/*.yml"))
	sort.Strings(files)
	files = append(files, filepath.Join(root, "etc/wazo-auth-keys/config.yml"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		var layer map[string]keyDefinition
		if err := yaml.Unmarshal(data, &layer); err != nil {
			t.Fatalf("wazo-auth-keys: %s: %v", f, err)
		}
		for name, d := range layer {
			prev := defs[name]
			if prev.SystemUser == "" {
				prev.SystemUser = d.SystemUser // the first file wins for scalars
			}
			prev.ACL = append(prev.ACL, d.ACL...)
			defs[name] = prev
		}
	}
	dir := filepath.Join(root, "var/lib/wazo-auth-keys")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	uids := passwdUIDs(t, root)
	for name, d := range defs {
		path := filepath.Join(dir, name+"-key.yml")
		if _, err := os.Lstat(path); os.IsNotExist(err) {
			key := make([]byte, 16)
			rand.Read(key)
			content := fmt.Sprintf("service_id: %s\nservice_key: %s\n", name, hex.EncodeToString(key))
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				t.Fatal(err)
			}
			f.WriteString(content)
			f.Close()
		}
		uid, ok := uids[d.SystemUser]
		if !ok {
			uid = -1 // an unknown user: the owner is left unchanged, as the tool does
		}
		if err := os.Chown(path, uid, -1); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return defs
}

func passwdUIDs(t *testing.T, root string) map[string]int {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "etc/passwd"))
	if err != nil {
		t.Fatal(err)
	}
	uids := map[string]int{}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Split(line, ":")
		if len(f) == 7 {
			if uid, err := strconv.Atoi(f[2]); err == nil {
				uids[f[0]] = uid
			}
		}
	}
	return uids
}

// checkServiceKeys runs the packages' wazo-auth-keys definitions through
// the stand-in, as the installer does after installing Wazo's packages, and
// restarts the services that read a key: only a service that calls other
// APIs has a key file, 0600 and owned by its user, and its daemon no longer
// warns about it. Every service's wazo-auth policy file parses and grants
// <short>.# to the admin policy.
func checkServiceKeys(t *testing.T, c *container, root string, services ...service) {
	t.Helper()
	for _, s := range services {
		if s.keyed {
			if !strings.Contains(c.must(t, "cat", s.logFile()), "/var/lib/wazo-auth-keys/"+s.pkg+"-key.yml does not exist") {
				t.Errorf("%s started without its key file and did not warn", s.pkg)
			}
		}
	}
	defs := wazoAuthKeysUpdate(t, root)
	for _, s := range services {
		key := "/var/lib/wazo-auth-keys/" + s.pkg + "-key.yml"
		// wazo-auth-keys sets the owner to system_user and leaves the group.
		st, err := c.run("stat", "-c", "%a %U %F", key)
		switch {
		case !s.keyed && err == nil:
			t.Errorf("%s calls no Wazo API but has a key file: %s", s.pkg, st)
		case !s.keyed:
			t.Logf("%s: no wazo-auth-keys definition, no key file (it calls no Wazo API)", s.pkg)
		case err != nil:
			t.Errorf("%s: no key file after wazo-auth-keys service update (definitions %v): %s", s.pkg, defs, st)
		case strings.TrimSpace(st) != "600 "+s.pkg+" regular file":
			t.Errorf("%s: key file is %q, want 600 %s regular file", s.pkg, strings.TrimSpace(st), s.pkg)
		default:
			t.Logf("%s: definition %+v; %s: %s", s.pkg, defs[s.pkg], key, strings.TrimSpace(st))
			c.must(t, "truncate", "-s", "0", s.logFile())
			c.must(t, "systemctl", "restart", s.pkg)
			waitActive(t, c, s, 30*time.Second)
			if log := c.must(t, "cat", s.logFile()); strings.Contains(log, "service key file") {
				t.Errorf("%s still warns about its key file after the update:\n%s", s.pkg, log)
			}
		}
		checkPolicyFile(t, c, s)
	}
}

// checkPolicyFile reads the installed /etc/wazo-auth/conf.d/50-<pkg>.yml the
// way wazo-auth does (a conf.d layer whose lists add to the others').
func checkPolicyFile(t *testing.T, c *container, s service) {
	t.Helper()
	path := "/etc/wazo-auth/conf.d/50-" + s.pkg + ".yml"
	var policy struct {
		DefaultPolicies map[string]struct {
			ACL []string `yaml:"acl"`
		} `yaml:"default_policies"`
	}
	if err := yaml.Unmarshal([]byte(c.must(t, "cat", path)), &policy); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	acl := policy.DefaultPolicies["wazo_default_admin_policy"].ACL
	if len(acl) != 1 || acl[0] != s.short+".#" {
		t.Errorf("%s grants %v to wazo_default_admin_policy, want [%s.#]", path, acl, s.short)
		return
	}
	t.Logf("%s: wazo_default_admin_policy gets %v", path, acl)
}

// xivoLogLine is xivo-lib-python's current log line:
// "2026-07-31 15:29:46,123 UTC [pid N] [tid N] (LEVEL) (name): message".
var xivoLogLine = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (?:[A-Z]{3,5}|[-+]\d{2,4}) \[pid [1-9]\d*\] \[tid [1-9]\d*\] \((?:DEBUG|INFO|WARNING|ERROR|CRITICAL)\) \([^)]+\): .*$`)

// checkTraceparent points the installed wazo-doctord at a fake wazo-auth on
// the host's loopback (the container shares the host network), sends one
// request with a traceparent through nginx-less loopback, and follows it:
// the fake records the traceparent doctord sent (same trace id, doctord's
// span as parent), the response returns that span, and the request and
// response lines of /var/log/wazo-doctord.log, each in xivo's current
// format, carry the ids. The conf.d file is removed afterwards.
func checkTraceparent(t *testing.T, c *container, root string, s service) {
	fake := authtest.StartFakeAuth(t)
	fake.AddToken("e2e-trace-token-0123456789", []string{s.short + ".status.read"})
	conf := filepath.Join(root, "etc", s.pkg, "conf.d", "10-e2e-auth.yml")
	writeFile(t, conf, fmt.Sprintf("# fake wazo-auth of the e2e test (host loopback)\nauth:\n  host: 127.0.0.1\n  port: %d\n", fake.Port), 0o644)
	defer func() {
		os.Remove(conf)
		c.must(t, "systemctl", "restart", s.pkg)
		waitActive(t, c, s, 30*time.Second)
	}()
	c.must(t, "systemctl", "restart", s.pkg)
	waitServing(t, s, time.Now(), 30*time.Second)

	const traceID, callerSpan = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	req, _ := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d/%s/status", s.port, s.apiVersion), nil)
	req.Header.Set("X-Auth-Token", "e2e-trace-token-0123456789")
	req.Header.Set("traceparent", "00-"+traceID+"-"+callerSpan+"-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back := regexp.MustCompile(`^00-` + traceID + `-([0-9a-f]{16})-01$`).FindStringSubmatch(resp.Header.Get("traceparent"))
	if resp.StatusCode != 200 || back == nil || back[1] == callerSpan {
		t.Fatalf("GET /status: %d, traceparent %q: want 200 and trace %s with the daemon's own span", resp.StatusCode, resp.Header.Get("traceparent"), traceID)
	}
	span := back[1]
	checks := fake.Requests()
	if len(checks) != 1 || checks[0].Traceparent != "00-"+traceID+"-"+span+"-01" {
		t.Fatalf("fake wazo-auth recorded %+v, want one check with traceparent 00-%s-%s-01", checks, traceID, span)
	}
	t.Logf("caller traceparent 00-%s-%s-01 -> %s -> wazo-auth got %s", traceID, callerSpan, s.pkg, checks[0].Traceparent)

	ids := "[span_id=" + span + " parent_id=" + callerSpan + " trace_id=" + traceID + "]"
	deadline := time.Now().Add(10 * time.Second)
	for {
		var found []string
		for _, line := range strings.Split(c.must(t, "cat", s.logFile()), "\n") {
			if strings.Contains(line, ids) {
				found = append(found, line)
			}
		}
		// One access line per request, the response's (the request's own
		// line is logged at debug only).
		if len(found) == 1 && strings.Contains(found[0], "response: GET") {
			for _, line := range found {
				if !xivoLogLine.MatchString(line) {
					t.Errorf("not xivo's current log line: %q", line)
				}
			}
			t.Logf("%s log lines of the request:\n%s", s.logFile(), strings.Join(found, "\n"))
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("want one response line with %s in %s, found %q", ids, s.logFile(), found)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// unitState is what systemctl says of a unit, for the HA step's record.
func unitState(t *testing.T, c *container, s service) string {
	t.Helper()
	out := c.must(t, "systemctl", "show", "-p", "ActiveState", "-p", "SubState", "-p", "ConditionResult", "-p", "UnitFileState", s.pkg+".service")
	return s.pkg + " (" + s.haGroup + " group): " + strings.Join(strings.Fields(out), " ")
}

func isActive(c *container, s service) bool {
	out, _ := c.run("systemctl", "is-active", s.pkg)
	return strings.TrimSpace(out) == "active"
}

// haEnv is what the HA step needs from the rest of the e2e test.
type haEnv struct {
	root, repo string
	nginxPort  int
	services   []service
	reboot     func(t *testing.T, logName string) *container
}

// haTools writes, into a root, the two Wazo scripts an HA pair runs, as
// this test's own stand-ins in their formats (Wazo's are not installable
// here): /usr/bin/wazo-service with its two groups (wazo: stopped on a
// secondary; default: runs there), each tested service in its own, and
// /usr/sbin/xivo-manage-slave-services, which the secondary's cron runs
// when the primary answers (stop: `wazo-service stop wazo`, `wazo-service
// disable`, `wazo-service start`) or not (start: enable, start). `audit`
// reads the groups from /usr/bin/wazo-service.
func haTools(t *testing.T, root string, groups map[string][]string) {
	t.Helper()
	service := fmt.Sprintf(`#!/bin/sh
# wazo-service, as the e2e test's stand-in: the groups and the actions
# Wazo's HA and upgrade scripts use. The wazo group is left stopped while
# /var/lib/wazo/disabled exists (wazo-service disable).
wazo_services="%s"
default_services="%s $wazo_services"
disabled_marker=/var/lib/wazo/disabled
case "${2:-default}" in
    wazo) services=$wazo_services ;;
    default|all) services=$default_services ;;
    *) echo "unknown group $2" >&2; exit 2 ;;
esac
in_wazo_group() {
    for w in $wazo_services; do [ "$w" = "$1" ] && return 0; done
    return 1
}
case "$1" in
    start)
        for s in $services; do
            if in_wazo_group "$s" && [ -f $disabled_marker ]; then echo "$s is disabled"; continue; fi
            systemctl start "$s" || exit 1
        done
        [ -f $disabled_marker ] || systemctl start monit ;;
    stop)
        systemctl stop monit
        for s in $(echo $services | tr ' ' '\n' | tac); do systemctl stop "$s"; done ;;
    restart) "$0" stop "${2:-default}" && "$0" start "${2:-default}" ;;
    enable) rm -f $disabled_marker; systemctl enable monit 2>/dev/null ;;
    disable) mkdir -p /var/lib/wazo; touch $disabled_marker; systemctl disable monit 2>/dev/null ;;
    status) for s in $services; do systemctl is-active --quiet "$s" || exit 1; done ;;
    *) echo "usage: $0 start|stop|restart|enable|disable|status [wazo|default|all]" >&2; exit 2 ;;
esac
`, strings.Join(groups["wazo"], " "), strings.Join(groups["default"], " "))
	slave := `#!/bin/sh
# xivo-manage-slave-services, as the e2e test's stand-in: what an HA
# secondary runs when the primary answers (stop) or not (start).
case "$1" in
    start) wazo-service status all >/dev/null && exit 0; wazo-service enable; wazo-service start ;;
    stop) wazo-service stop wazo; wazo-service disable; wazo-service start ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
`
	writeFile(t, filepath.Join(root, "usr/bin/wazo-service"), service, 0o755)
	writeFile(t, filepath.Join(root, "usr/sbin/xivo-manage-slave-services"), slave, 0o755)
}

// checkHASecondary boots a copy of the machine as the HA primary (its own
// network namespace) and makes the machine itself the secondary, as Wazo
// does: /var/lib/wazo/is-secondary, then xivo-manage-slave-services stop.
// On the secondary it upgrades every package N -> N+1 as wazo-upgrade does
// (wazo-service stop, disable, install, enable, restart: the wazo group
// runs again), then the HA script stops the wazo group again; then a
// reboot; then each service is put in the other group; then the promotion
// (xivo-manage-slave-services start). At each point `audit` must say
// ha-secondary-state pass exactly when the unit is in the state its group
// requires: a service of the default group runs, one of the wazo group is
// stopped on a secondary. It returns the secondary's container.
func checkHASecondary(t *testing.T, c *container, env haEnv) *container {
	groups := map[string][]string{}
	for _, s := range env.services {
		groups[s.haGroup] = append(groups[s.haGroup], s.pkg)
	}
	if len(groups["wazo"]) == 0 || len(groups["default"]) == 0 {
		t.Fatalf("the HA step needs a service in each group: %v", groups)
	}
	haTools(t, env.root, groups)
	defer func() {
		for _, p := range []string{"usr/bin/wazo-service", "usr/sbin/xivo-manage-slave-services"} {
			os.Remove(filepath.Join(env.root, p))
		}
	}()
	wantActive := func(s service, secondary, disabled bool) bool {
		return !(secondary && disabled && s.haGroup == "wazo")
	}
	var table []string
	// check records the units' states and the audit's verdicts; want says
	// whether ha-secondary-state must pass for each service.
	check := func(c *container, root, when string, want func(s service) string) {
		t.Helper()
		installCLI(t, root, env.repo)
		for _, s := range env.services {
			r := audit(t, c, root, env.nginxPort, s.pkg)["ha-secondary-state"]
			table = append(table, fmt.Sprintf("%-44s %s -> %s: %s", when, unitState(t, c, s), r.Status, r.Message))
			if r.Status != want(s) {
				t.Errorf("%s: audit ha-secondary-state for %s is %s, want %s: %s", when, s.pkg, r.Status, want(s), r.Message)
			}
		}
	}
	allPass := func(service) string { return "pass" }
	defer func() {
		t.Logf("HA steps (when, unit state -> audit ha-secondary-state):\n  %s", strings.Join(table, "\n  "))
	}()

	// The primary: a copy of this machine, booted beside it in a network
	// namespace of its own (its daemons' ports are the secondary's).
	primaryRoot := filepath.Join(filepath.Dir(env.root), "primary")
	start := time.Now()
	if out, err := exec.Command("cp", "-a", "--reflink=auto", env.root, primaryRoot).CombinedOutput(); err != nil {
		t.Fatalf("copy the root for the primary: %v\n%s", err, out)
	}
	defer os.RemoveAll(primaryRoot)
	primary := bootContainer(t, t, primaryRoot, filepath.Join(filepath.Dir(env.root), "nspawn-primary.log"), "--private-network")
	for _, s := range env.services {
		waitActive(t, primary, s, 60*time.Second)
	}
	t.Logf("FIGURE HA primary: root copied and booted in %.1f s", time.Since(start).Seconds())
	check(primary, primaryRoot, "primary", allPass)
	primary.poweroff(t)

	// The secondary, as the HA setup and its cron leave it.
	c.must(t, "mkdir", "-p", "/var/lib/wazo")
	c.must(t, "touch", "/var/lib/wazo/is-secondary")
	c.must(t, "xivo-manage-slave-services", "stop")
	for _, s := range env.services {
		if isActive(c, s) != wantActive(s, true, true) {
			t.Errorf("secondary: %s active=%v", s.pkg, isActive(c, s))
		}
	}
	check(c, env.root, "secondary (xivo-manage-slave-services stop)", allPass)

	// wazo-upgrade on the secondary: everything runs again afterwards,
	// the wazo group included, until the HA cron stops it: the audit in
	// the HA script's stop/start puts the wazo group back to stopped.
	var debs []string
	for _, s := range env.services {
		from := strings.TrimSpace(c.must(t, "dpkg-query", "-W", "-f", "${Version}", s.pkg))
		to := from + "+ha1"
		deb := fmt.Sprintf("/srv/dist/%s_%s_ha.deb", s.pkg, to)
		script := `set -e; dir="/tmp/repack-$1"; rm -rf "$dir"
dpkg-deb -R /srv/dist/"$1"_"$2"_amd64.deb "$dir"
sed -i "s/^Version: .*/Version: $3/" "$dir/DEBIAN/control"
dpkg-deb -b "$dir" "$4" >/dev/null; rm -rf "$dir"`
		c.must(t, "sh", "-c", script, "sh", s.pkg, from, to, deb)
		debs = append(debs, deb)
		t.Logf("%s: upgrade %s -> %s on the secondary", s.pkg, from, to)
	}
	c.must(t, "wazo-service", "stop")
	c.must(t, "wazo-service", "disable")
	c.must(t, append([]string{"apt-get", "install", "-y", "-q", "--no-install-recommends"}, debs...)...)
	c.must(t, append([]string{"rm", "-f"}, debs...)...) // the purge step checks nothing of the package is left
	c.must(t, "wazo-service", "enable")
	c.must(t, "wazo-service", "restart")
	// wazo-service enable removed /var/lib/wazo/disabled: until the HA
	// cron runs, this secondary is like a promoted one, the wazo group
	// running is its required state, and the audit says so.
	for _, s := range env.services {
		if !isActive(c, s) {
			t.Errorf("secondary after wazo-upgrade: %s stopped", s.pkg)
		}
	}
	check(c, env.root, "secondary, upgraded (wazo-upgrade)", allPass)
	c.must(t, "xivo-manage-slave-services", "stop")
	for _, s := range env.services {
		if isActive(c, s) != wantActive(s, true, true) {
			t.Errorf("secondary after the upgrade and the HA script: %s active=%v", s.pkg, isActive(c, s))
		}
	}
	check(c, env.root, "secondary, upgraded, HA script's stop/start", allPass)

	c = env.reboot(t, "nspawn-ha.log")
	for _, s := range env.services {
		if wantActive(s, true, true) {
			waitActive(t, c, s, 60*time.Second)
		} else if isActive(c, s) {
			t.Errorf("after the reboot of the secondary %s runs: its unit ignored /var/lib/wazo/disabled", s.pkg)
		}
	}
	check(c, env.root, "secondary, rebooted", allPass)

	// Each service put in the other group: the audit catches both.
	swapped := map[string][]string{"wazo": groups["default"], "default": groups["wazo"]}
	haTools(t, env.root, swapped)
	check(c, env.root, "secondary, each unit in the other group", func(service) string { return "fail" })
	haTools(t, env.root, groups)

	// Promotion: the primary is gone, the secondary starts everything.
	c.must(t, "xivo-manage-slave-services", "start")
	for _, s := range env.services {
		waitActive(t, c, s, 30*time.Second)
	}
	check(c, env.root, "secondary promoted (xivo-manage-slave-services start)", allPass)
	c.must(t, "rm", "-f", "/var/lib/wazo/disabled", "/var/lib/wazo/is-secondary")
	return c
}
