package rules

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/host"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
)

// installedRoot lays out an image root as installing the go-service
// fixture's package would, with the service user owning what it must. The
// user gets this process's uid so that files the test creates are "its".
func installedRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	fx := "testdata/go-service"
	uid, gid := svcUID(), svcUID()
	cp := func(src, dst string) {
		data, err := os.ReadFile(fx + "/" + src)
		if err != nil {
			t.Fatal(err)
		}
		write(t, root+dst, string(data))
	}
	write(t, root+"/etc/passwd", fmt.Sprintf("root:x:0:0:root:/root:/bin/bash\nwazo-exampled:x:%d:%d::/var/lib/wazo-exampled:/usr/sbin/nologin\n", uid, gid))
	write(t, root+"/etc/group", fmt.Sprintf("root:x:0:\nwazo-exampled:x:%d:\n", gid))
	cp("etc/wazo-exampled/config.yml", "/etc/wazo-exampled/config.yml")
	cp("debian/wazo-exampled.service", "/usr/lib/systemd/system/wazo-exampled.service")
	cp("etc/monit/conf.d/wazo-exampled", "/etc/monit/conf.d/wazo-exampled")
	cp("etc/nginx/locations/https-available/wazo-exampled", "/etc/nginx/locations/https-available/wazo-exampled")
	cp("etc/wazo-auth/conf.d/50-wazo-exampled.yml", "/etc/wazo-auth/conf.d/50-wazo-exampled.yml")
	for _, l := range []struct{ target, link string }{
		{"/usr/lib/systemd/system/wazo-exampled.service", "/etc/systemd/system/multi-user.target.wants/wazo-exampled.service"},
		{"../https-available/wazo-exampled", "/etc/nginx/locations/https-enabled/wazo-exampled"},
	} {
		if err := os.MkdirAll(filepath.Dir(root+l.link), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(l.target, root+l.link); err != nil {
			t.Fatal(err)
		}
	}
	write(t, root+"/var/log/wazo-exampled.log", "")
	if os.Getuid() == 0 {
		if err := os.Chown(root+"/var/log/wazo-exampled.log", uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	write(t, root+"/var/lib/dpkg/status", "Package: wazo-exampled\nStatus: install ok installed\nVersion: 1.0\n\nPackage: other\nStatus: install ok installed\n")
	data, _ := os.ReadFile("testdata/siblings/wazo-backup/bin/wazo-backup")
	write(t, root+"/usr/sbin/wazo-backup", string(data))
	data, _ = os.ReadFile("testdata/siblings/wazo-service/bin/wazo-service")
	write(t, root+"/usr/bin/wazo-service", string(data))
	// The daemon's binary as the package installs it: a Go binary built
	// on the kit keeps the name of the function dropping root to the
	// configured user, which is how the model knows the user is switched to.
	write(t, root+"/usr/bin/wazo-exampled", "\x7fELF\x02\x01\x01\x00 github.com/wazo-platform/wazo-servicekit/privilege.Drop github.com/wazo-platform/wazo-servicekit/daemon.Main\n")
	return root
}

// svcUID is the uid the fixture's service user gets: this process's own
// uid (so files it creates are the user's), or a fixed one when the tests run
// as root, which then chowns what the user must own.
func svcUID() int {
	if os.Getuid() == 0 {
		return 4321
	}
	return os.Getuid()
}

func auditRoot(t *testing.T, root string) *Report {
	t.Helper()
	rep, err := Audit(context.Background(), AuditOptions{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Services) != 1 || rep.Services[0].Name != "wazo-exampled" {
		t.Fatalf("services found: %+v", rep.Services)
	}
	return rep
}

func failingRules(rep *Report) []string {
	set := map[string]bool{}
	for _, r := range rep.Results() {
		if r.Status == Fail {
			set[r.Rule] = true
		}
	}
	var out []string
	for id := range set {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

func TestAuditOfAnInstalledImageRoot(t *testing.T) {
	rep := auditRoot(t, installedRoot(t))
	for _, r := range rep.Results() {
		switch {
		case r.Status == Fail:
			t.Errorf("%s: %s %s", r.Rule, r.Path, r.Message)
		case r.Status == Unknown && !strings.Contains(r.Message, "image root"):
			t.Errorf("%s: unknown without the image-root reason: %s", r.Rule, r.Message)
		}
	}
	for _, r := range All() {
		if r.HasLive() && !hasRule(rep, r.ID) {
			t.Errorf("live rule %s gave no result", r.ID)
		}
	}
}

func hasRule(rep *Report, id string) bool {
	for _, r := range rep.Results() {
		if r.Rule == id {
			return true
		}
	}
	return false
}

// TestAuditReportsExactlyWhatWasBroken: a broken install (shell
// changed to /bin/bash, log file not the user's, monit file removed)
// reports those three rules and nothing else.
func TestAuditReportsExactlyWhatWasBroken(t *testing.T) {
	root := installedRoot(t)
	edit(t, root+"/etc/passwd", ":/usr/sbin/nologin", ":/bin/bash")
	// The log file belongs to this process's uid: give the user another
	// uid, which is what chowning the file away from the user does.
	other := svcUID() + 4242
	edit(t, root+"/etc/passwd", fmt.Sprintf("wazo-exampled:x:%d:%d:", svcUID(), svcUID()), fmt.Sprintf("wazo-exampled:x:%d:%d:", other, other))
	remove(t, root+"/etc/monit/conf.d/wazo-exampled")
	got := failingRules(auditRoot(t, root))
	want := []string{"log-file-writable", "monit-check", "user-no-login-shell"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("failing rules %v, want %v", got, want)
	}
}

func TestAuditBrokenVariants(t *testing.T) {
	cases := []struct {
		rule, want string
		mutate     func(t *testing.T, root string)
	}{
		{"user-not-root", "uid 0", func(t *testing.T, r string) {
			edit(t, r+"/etc/passwd", fmt.Sprintf("wazo-exampled:x:%d:", svcUID()), "wazo-exampled:x:0:")
		}},
		{"user-home-not-in-home", "home is /home/wazo-exampled", func(t *testing.T, r string) {
			edit(t, r+"/etc/passwd", "/var/lib/wazo-exampled", "/home/wazo-exampled")
		}},
		{"log-file-writable", "does not exist", func(t *testing.T, r string) { remove(t, r+"/var/log/wazo-exampled.log") }},
		{"log-file-writable", "world-writable", func(t *testing.T, r string) {
			if err := os.Chmod(r+"/var/log/wazo-exampled.log", 0o666); err != nil {
				t.Fatal(err)
			}
		}},
		{"starts-on-boot", "not enabled", func(t *testing.T, r string) {
			remove(t, r+"/etc/systemd/system/multi-user.target.wants/wazo-exampled.service")
		}},
		{"nginx-location", "nothing in /etc/nginx/locations/https-enabled enables it", func(t *testing.T, r string) {
			remove(t, r+"/etc/nginx/locations/https-enabled/wazo-exampled")
		}},
		{"installs-cleanly", "half-configured", func(t *testing.T, r string) {
			edit(t, r+"/var/lib/dpkg/status", "Status: install ok installed\nVersion: 1.0", "Status: install ok half-configured\nVersion: 1.0")
		}},
		{"backup-list", "does not list /etc/wazo-exampled/", func(t *testing.T, r string) {
			edit(t, r+"/usr/sbin/wazo-backup", "/etc/wazo-exampled/\n", "")
		}},
		{"wazo-service-listed", "in no group", func(t *testing.T, r string) {
			edit(t, r+"/usr/bin/wazo-service", " wazo-exampled", "")
		}},
		{"user-in-consul-group", "not in group consul", func(t *testing.T, r string) {
			if err := os.Symlink("/var/lib/consul/default_xivo_consul_config.yml", r+"/etc/wazo-exampled/conf.d/050-xivo-consul-config.yml"); err != nil {
				os.MkdirAll(r+"/etc/wazo-exampled/conf.d", 0o755)
				if err := os.Symlink("/var/lib/consul/default_xivo_consul_config.yml", r+"/etc/wazo-exampled/conf.d/050-xivo-consul-config.yml"); err != nil {
					t.Fatal(err)
				}
			}
			edit(t, r+"/etc/group", "root:x:0:\n", "root:x:0:\nconsul:x:4000:someone\n")
		}},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			root := installedRoot(t)
			c.mutate(t, root)
			found := false
			for _, r := range auditRoot(t, root).Results() {
				if r.Rule == c.rule && r.Status == Fail && strings.Contains(r.Message, c.want) {
					found = true
				}
			}
			if !found {
				t.Fatalf("no %s failure containing %q", c.rule, c.want)
			}
		})
	}
}

func TestAuditConfigIsMergedFirstWins(t *testing.T) {
	root := installedRoot(t)
	// conf.d/10 wins over conf.d/20 and over config.yml (xivo ChainMap).
	write(t, root+"/etc/wazo-exampled/conf.d/10-log.yml", "log_file: /var/log/elsewhere.log\n")
	write(t, root+"/etc/wazo-exampled/conf.d/20-log.yml", "log_file: /var/log/wazo-exampled.log\n")
	write(t, root+"/etc/wazo-exampled/conf.d/.hidden.yml", "log_file: /nope\n")
	for _, r := range auditRoot(t, root).Results() {
		if r.Rule == "log-file-writable" && !strings.Contains(r.Message, "/var/log/elsewhere.log") {
			t.Fatalf("log-file-writable looked at the wrong file: %s", r.Message)
		}
	}
}

// liveService builds a LiveService on the running host for the probes that
// need one (processes, HTTP): the configuration the root installed, each
// top-level key of cfg replacing the installed one.
func liveService(t *testing.T, root, cfg string) *LiveService {
	t.Helper()
	over, err := parse.YAMLMap("config.yml", []byte(cfg))
	if err != nil {
		t.Fatal(err)
	}
	h := &host.Host{Root: root, Live: true}
	m, _ := h.Config("wazo-exampled")
	if m == nil {
		m = map[string]any{}
	}
	for k, v := range over {
		m[k] = v
	}
	return &LiveService{Name: "wazo-exampled", Host: h, Config: m}
}

func testEnv() *LiveEnv {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	_ = cancel
	return &LiveEnv{Ctx: ctx, HTTP: &http.Client{Timeout: 2 * time.Second}, HTTPSInsecure: insecureLoopbackClient(2 * time.Second), Command: runTool}
}

// TestThreadsUIDsOfARealProcess reads every thread of a real process
// through /proc: this test process itself, or, when the tests run as root,
// a child started under the service user's uid.
func TestThreadsUIDsOfARealProcess(t *testing.T) {
	if _, err := os.Stat("/proc/self/task"); err != nil {
		t.Skip("no /proc on this system")
	}
	root := installedRoot(t)
	pid := os.Getpid()
	if os.Getuid() == 0 {
		cmd := exec.Command("sleep", "60")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(svcUID()), Gid: uint32(svcUID())}}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		pid = cmd.Process.Pid
	}
	pidFile := filepath.Join(t.TempDir(), "x.pid")
	write(t, pidFile, strconv.Itoa(pid)+"\n")
	s := liveService(t, root, "user: wazo-exampled\npid_file: "+pidFile+"\n")
	out := liveUserNotRoot(s, testEnv())
	if len(out) != 2 || out[1].Status != Pass || !strings.Contains(out[1].Message, "threads of pid "+strconv.Itoa(pid)) {
		t.Fatalf("%+v", out)
	}
	// The service user is who the running process is: a process whose uid
	// no account has fails.
	edit(t, root+"/etc/passwd", fmt.Sprintf("wazo-exampled:x:%d:", svcUID()), fmt.Sprintf("wazo-exampled:x:%d:", svcUID()+4242))
	s = liveService(t, root, "user: wazo-exampled\npid_file: "+pidFile+"\n")
	out = liveUserNotRoot(s, testEnv())
	if len(out) != 1 || out[0].Status != Fail || !strings.Contains(out[0].Message, fmt.Sprintf("running process, uid %d", svcUID())) {
		t.Fatalf("a process under a uid no account has not reported: %+v", out)
	}
}

func TestLiveAPISpecAgainstARealListener(t *testing.T) {
	var xivoPort string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/1.0/api/api.yml" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(w, "swagger: '2.0'\nbasePath: /1.0\nx-xivo-name: exampled\nx-xivo-port: %s\n", xivoPort)
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	s := liveService(t, installedRoot(t), "rest_api: {port: "+port+"}\n")
	xivoPort = port
	if out := liveAPISpec(s, testEnv()); len(out) != 1 || out[0].Status != Pass {
		t.Fatalf("%+v", out)
	}
	xivoPort = "8080"
	if out := liveAPISpec(s, testEnv()); len(out) != 1 || out[0].Status != Fail || !strings.Contains(out[0].Message, "x-xivo-port 8080") {
		t.Fatalf("%+v", out)
	}
	srv.Close()
	if out := liveAPISpec(s, testEnv()); out[0].Status != Fail {
		t.Fatalf("nothing listening must fail: %+v", out)
	}
}

func TestLiveProbesNeverLeaveLoopback(t *testing.T) {
	c := insecureLoopbackClient(time.Second)
	_, err := c.Get("https://192.0.2.1/")
	if err == nil || !strings.Contains(err.Error(), "only reach loopback") {
		t.Fatalf("err = %v", err)
	}
}

func TestConsulProbeUnknownWithoutAgent(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	s := liveService(t, installedRoot(t), "service_discovery: {enabled: true}\nconsul: {host: 127.0.0.1, port: "+strings.Split(addr, ":")[1]+"}\n")
	out := liveConsulCatalog(s, testEnv())
	if len(out) != 1 || out[0].Status != Unknown || !strings.Contains(out[0].Message, "unreachable") {
		t.Fatalf("%+v", out)
	}
}

func TestHASecondaryState(t *testing.T) {
	cases := []struct {
		name      string
		secondary bool   // /var/lib/wazo/is-secondary and, as xivo-manage-slave-services stop leaves it, /var/lib/wazo/disabled
		group     string // where wazo-exampled is listed
		active    string // what systemctl is-active answers
		want      Status
	}{
		{"primary runs everything", false, "wazo_services", "active", Pass},
		{"primary, stopped", false, "default_services", "inactive", Fail},
		{"secondary stops the wazo group", true, "wazo_services", "inactive", Pass},
		{"secondary, wazo group still running", true, "wazo_services", "active", Fail},
		{"secondary keeps the default group", true, "default_services", "active", Pass},
		{"secondary, default group stopped", true, "default_services", "inactive", Fail},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := installedRoot(t)
			if c.group == "wazo_services" {
				edit(t, root+"/usr/bin/wazo-service", " wazo-exampled", "")
				edit(t, root+"/usr/bin/wazo-service", `wazo_services="`, `wazo_services="wazo-exampled `)
			}
			if c.secondary {
				write(t, root+"/var/lib/wazo/is-secondary", "")
				write(t, root+"/var/lib/wazo/disabled", "")
			}
			s := liveService(t, root, "user: wazo-exampled\n")
			env := testEnv()
			env.Command = func(_ context.Context, name string, args ...string) ([]byte, error) {
				if name != "systemctl" || strings.Join(args, " ") != "is-active wazo-exampled.service" {
					t.Errorf("unexpected command %s %v", name, args)
				}
				return []byte(c.active + "\n"), nil
			}
			out := liveHAState(s, env)
			if len(out) != 1 || out[0].Status != c.want {
				t.Fatalf("%+v, want %s", out, c.want)
			}
			// On an image root the role and group are judged, the state is unknown.
			s.Host = host.Open(root)
			if out := liveHAState(s, env); len(out) != 2 || out[0].Status != Pass || out[1].Status != Unknown {
				t.Fatalf("image root: %+v", out)
			}
		})
	}
}

// TestHASecondaryStateFromTheUnit: without wazo-service installed, the
// unit's ConditionPathExists=!/var/lib/wazo/disabled says the wazo group;
// a secondary taking over (xivo-manage-slave-services start removed the
// disabled marker) runs it again.
func TestHASecondaryStateFromTheUnit(t *testing.T) {
	cases := []struct {
		name               string
		condition          bool
		secondary, disable bool
		active             string
		want               Status
	}{
		{"wazo group stopped on a secondary", true, true, true, "inactive", Pass},
		{"wazo group running on a secondary", true, true, true, "active", Fail},
		{"default group running on a secondary", false, true, true, "active", Pass},
		{"default group stopped on a secondary", false, true, true, "inactive", Fail},
		{"secondary taking over runs the wazo group", true, true, false, "active", Pass},
		{"primary runs the wazo group", true, false, false, "active", Pass},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := installedRoot(t)
			if err := os.Remove(root + "/usr/bin/wazo-service"); err != nil {
				t.Fatal(err)
			}
			if c.condition {
				edit(t, root+"/usr/lib/systemd/system/wazo-exampled.service", "[Unit]\n", "[Unit]\nConditionPathExists=!/var/lib/wazo/disabled\n")
			}
			if c.secondary {
				write(t, root+"/var/lib/wazo/is-secondary", "")
			}
			if c.disable {
				write(t, root+"/var/lib/wazo/disabled", "")
			}
			s := liveService(t, root, "user: wazo-exampled\n")
			s.UnitPath, s.Unit, s.UnitErr = s.Host.Unit(s.Name)
			env := testEnv()
			env.Command = func(context.Context, string, ...string) ([]byte, error) { return []byte(c.active + "\n"), nil }
			out := liveHAState(s, env)
			if len(out) != 1 || out[0].Status != c.want || !strings.Contains(out[0].Message, "as its unit declares") {
				t.Fatalf("%+v, want %s from the unit", out, c.want)
			}
		})
	}
}

// TestLiveNginxFindsTheLocationByTheModelsPort: an enabled location under
// another name is the service's when it proxies to one of the model's HTTP
// ports; one proxying elsewhere is not.
func TestLiveNginxFindsTheLocationByTheModelsPort(t *testing.T) {
	// The REST API's port, and wazo-auth's.
	for port, want := range map[string]Status{"9505": Pass, "9497": Fail} {
		t.Run(port, func(t *testing.T) {
			root := installedRoot(t)
			remove(t, root+"/etc/nginx/locations/https-enabled/wazo-exampled")
			remove(t, root+"/etc/nginx/locations/https-available/wazo-exampled")
			write(t, root+"/etc/nginx/locations/https-enabled/legacy-name", "location ^~ /api/legacy/ {\n    proxy_pass http://127.0.0.1:"+port+"/;\n}\n")
			s := liveService(t, root, "")
			s.Host = host.Open(root)
			out := liveNginxEnabled(s, testEnv())
			if out[0].Status != want {
				t.Fatalf("%+v, want %s", out, want)
			}
			if want == Fail && !strings.Contains(out[0].Message, "proxying to port 9505") {
				t.Errorf("the failure does not name the port looked for: %s", out[0].Message)
			}
		})
	}
}

// TestLiveAPISpecOnTheDefaultsPort: a daemon whose installed config.yml
// does not repeat its REST API's port (kept in the code's defaults, as
// Wazo's Python daemons do) is probed on the model's port.
func TestLiveAPISpecOnTheDefaultsPort(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, port, _ := net.SplitHostPort(r.Host)
		fmt.Fprintf(w, "swagger: '2.0'\nbasePath: /1.0\nx-xivo-name: exampled\nx-xivo-port: %s\n", port)
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	root := installedRoot(t)
	edit(t, root+"/etc/wazo-exampled/config.yml", "rest_api:\n  listen: 127.0.0.1\n  port: 9505\n", "")
	write(t, root+"/usr/lib/python3/dist-packages/wazo_exampled/config.py",
		"_DEFAULT_CONFIG = {\n    'rest_api': {'listen': '127.0.0.1', 'port': "+port+"},\n}\n")
	out := liveAPISpec(liveService(t, root, ""), testEnv())
	if len(out) != 1 || out[0].Status != Pass || !strings.Contains(out[0].Message, "x-xivo-port "+port) {
		t.Fatalf("%+v", out)
	}
	remove(t, root+"/usr/lib/python3/dist-packages/wazo_exampled/config.py")
	out = liveAPISpec(liveService(t, root, ""), testEnv())
	if len(out) != 1 || out[0].Status != Fail || !strings.Contains(out[0].Message, "no HTTP port") {
		t.Fatalf("no port anywhere: %+v", out)
	}
}
