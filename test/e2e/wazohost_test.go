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
		if len(found) == 2 {
			for _, line := range found {
				if !xivoLogLine.MatchString(line) {
					t.Errorf("not xivo's current log line: %q", line)
				}
			}
			t.Logf("%s log lines of the request:\n%s", s.logFile(), strings.Join(found, "\n"))
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("want a request and a response line with %s in %s, found %q", ids, s.logFile(), found)
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

// checkHASecondary makes the booted machine a Wazo secondary as Wazo does
// (/var/lib/wazo/is-secondary; then what `xivo-manage-slave-services stop`
// leaves: the wazo group and monit stopped, monit disabled,
// /var/lib/wazo/disabled), upgrades every package N→N+1 (the same package,
// version bumped, through dpkg and its maintainer scripts), reboots, and
// checks that a wazo-group service stays stopped and a default-group one
// runs, and that `audit` says ha-secondary-state pass for both. Then the
// promotion (`xivo-manage-slave-services start`: the marker removed,
// `wazo-service start`) starts the wazo group again. It returns the
// container booted last.
func checkHASecondary(t *testing.T, c *container, env haEnv) *container {
	want := func(s service, secondary bool) bool { return !secondary || s.haGroup != "wazo" }
	record := func(when string, secondary bool) {
		t.Helper()
		var lines []string
		for _, s := range env.services {
			lines = append(lines, unitState(t, c, s))
			if got := isActive(c, s); got != want(s, secondary) {
				t.Errorf("%s: %s active=%v, want %v", when, s.pkg, got, want(s, secondary))
			}
		}
		t.Logf("HA %s:\n  %s", when, strings.Join(lines, "\n  "))
	}
	auditHA := func(when string) {
		t.Helper()
		installCLI(t, env.root, env.repo)
		for _, s := range env.services {
			r := audit(t, c, env.root, env.nginxPort, s.pkg)["ha-secondary-state"]
			if r.Status != "pass" {
				t.Errorf("%s: audit ha-secondary-state for %s is %s: %s", when, s.pkg, r.Status, r.Message)
			} else {
				t.Logf("%s: audit ha-secondary-state %s pass: %s", when, s.pkg, r.Message)
			}
		}
	}
	record("primary, before", false)

	c.must(t, "mkdir", "-p", "/var/lib/wazo")
	c.must(t, "touch", "/var/lib/wazo/is-secondary")
	for _, s := range env.services {
		if s.haGroup == "wazo" {
			c.must(t, "systemctl", "stop", s.pkg) // wazo-service stop wazo
		}
	}
	c.must(t, "systemctl", "stop", "monit")
	c.must(t, "systemctl", "disable", "monit")   // wazo-service disable
	c.must(t, "touch", "/var/lib/wazo/disabled") // wazo-service disable
	for _, s := range env.services {             // wazo-service start
		if s.haGroup != "wazo" {
			c.must(t, "systemctl", "start", s.pkg)
		}
	}
	record("secondary", true)
	auditHA("secondary")

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
	c.must(t, append([]string{"apt-get", "install", "-y", "-q", "--no-install-recommends"}, debs...)...)
	c.must(t, append([]string{"rm", "-f"}, debs...)...) // the purge step checks nothing of the package is left
	record("secondary, after the upgrade", true)

	c = env.reboot(t, "nspawn-ha.log")
	for _, s := range env.services {
		if want(s, true) {
			waitActive(t, c, s, 60*time.Second)
		}
	}
	record("secondary, after the reboot", true)
	auditHA("secondary after reboot")

	c.must(t, "rm", "-f", "/var/lib/wazo/disabled", "/var/lib/wazo/is-secondary") // promotion: wazo-service enable
	c.must(t, "systemctl", "enable", "monit")
	for _, s := range env.services { // wazo-service start
		c.must(t, "systemctl", "start", s.pkg)
		waitActive(t, c, s, 30*time.Second)
	}
	c.must(t, "systemctl", "start", "monit")
	record("after the promotion", false)
	auditHA("after the promotion")
	return c
}
