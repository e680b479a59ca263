package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// edit replaces old by new in a file, failing the test if old is absent (a
// mutation that changes nothing would make the failing case pass vacuously).
func edit(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("mutation: %q not in %s", old, path)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func remove(t *testing.T, path string) {
	t.Helper()
	if err := os.RemoveAll(path); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func resultsOf(t *testing.T, dir, siblings, id string) []Result {
	t.Helper()
	rep, err := Check(dir, CheckOptions{Siblings: siblings, Only: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Services) != 1 {
		t.Fatalf("%d services found, want 1", len(rep.Services))
	}
	return rep.Services[0].Results
}

func TestFixturesPassEveryRule(t *testing.T) {
	for _, fx := range []string{"go-service", "python-service"} {
		t.Run(fx, func(t *testing.T) {
			rep, err := Check("testdata/"+fx, CheckOptions{Siblings: "testdata/siblings"})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, r := range rep.Results() {
				got[r.Rule] = true
				if r.Status != Pass {
					t.Errorf("%s: %s %s:%d %s", r.Rule, r.Status, r.Path, r.Line, r.Message)
				}
			}
			for _, r := range All() {
				if !got[r.ID] {
					t.Errorf("rule %s gave no result", r.ID)
				}
			}
		})
	}
}

func TestSiblingRulesAreUnknownWithoutSiblings(t *testing.T) {
	rep, err := Check("testdata/go-service", CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	siblingRules := map[string]bool{"installs-cleanly": true, "wazo-service-listed": true, "ha-secondary-state": true, "ha-unit-condition": true, "touch-points-listed": true, "documented": true, "backup-list": true,
		"backup-documented": true, "acceptance-service-discovery": true, "port-documented": true, "acceptance-http": true}
	for _, r := range rep.Results() {
		if siblingRules[r.Rule] != (r.Status == Unknown) {
			t.Errorf("%s: %s (%s)", r.Rule, r.Status, r.Message)
		}
		if r.Status == Unknown && !strings.Contains(r.Message, "--siblings") {
			t.Errorf("%s: unknown without saying how to see: %q", r.Rule, r.Message)
		}
	}
}

// TestEachRuleFailsOnABrokenFixture breaks one thing per case in a copy of
// a passing fixture and expects the rule to fail, naming the problem.
func TestEachRuleFailsOnABrokenFixture(t *testing.T) {
	const gosvc, pysvc = "go-service", "python-service"
	type mut func(t *testing.T, repo, sib string)
	cases := []struct {
		rule, fixture, want string
		mutate              mut
	}{
		{"user-not-root", gosvc, "the service user is root", func(t *testing.T, r, _ string) {
			edit(t, r+"/etc/wazo-exampled/config.yml", "user: wazo-exampled", "user: root")
		}},
		// The account the postinst creates is not the service user when
		// nothing runs as it.
		{"user-not-root", pysvc, "systemd starts it as root", func(t *testing.T, r, _ string) {
			edit(t, r+"/etc/wazo-webhookd/config.yml", "user: wazo-webhookd\n", "")
		}},
		{"user-not-root", pysvc, "no code switches to it", func(t *testing.T, r, _ string) {
			edit(t, r+"/wazo_webhookd/main.py", "change_user(config['user'])", "pass")
		}},
		{"user-not-root", gosvc, "User=", func(t *testing.T, r, _ string) {
			edit(t, r+"/debian/wazo-exampled.service", "[Service]\n", "[Service]\nUser=root\n")
		}},
		{"user-no-login-shell", gosvc, "login shell /bin/sh", func(t *testing.T, r, _ string) {
			edit(t, r+"/debian/wazo-exampled.postinst", "--shell /usr/sbin/nologin", "--shell /bin/sh")
		}},
		{"user-no-login-shell", pysvc, "login shell /bin/bash", func(t *testing.T, r, _ string) {
			edit(t, r+"/debian/wazo-webhookd.postinst", "--shell /usr/sbin/nologin", "--shell /bin/bash")
		}},
		{"user-home-not-in-home", gosvc, "under /home", func(t *testing.T, r, _ string) {
			edit(t, r+"/debian/wazo-exampled.postinst", "--home /var/lib/$USER", "--home /home/$USER")
		}},
		{"log-file-writable", gosvc, "never hands /var/log/wazo-exampled.log", func(t *testing.T, r, _ string) {
			edit(t, r+"/debian/wazo-exampled.postinst", "-o $USER -g $USER ", "")
		}},
		{"log-file-writable", pysvc, "never hands", func(t *testing.T, r, _ string) {
			edit(t, r+"/debian/wazo-webhookd.postinst", `chown "$USER:$GROUP" "$LOG_FILENAME"`, "")
		}},
		{"log-file-rotation", gosvc, "without owner wazo-exampled", func(t *testing.T, r, _ string) {
			edit(t, r+"/debian/wazo-exampled.logrotate", "copytruncate", "create 0640 root root")
		}},
		{"log-file-rotation", gosvc, "no logrotate entry", func(t *testing.T, r, _ string) {
			remove(t, r+"/debian/wazo-exampled.logrotate")
		}},
		{"pid-file-writable", gosvc, "nothing creates /run/wazo-exampled", func(t *testing.T, r, _ string) {
			edit(t, r+"/debian/wazo-exampled.service", "ExecStartPre=/usr/bin/install -d -o wazo-exampled -g wazo-exampled /run/wazo-exampled\n", "")
		}},
		{"pid-file-writable", gosvc, "nothing creates /run owned by wazo-exampled (PID file /run/other.pid", func(t *testing.T, r, _ string) {
			edit(t, r+"/debian/wazo-exampled.service", "PIDFile=/run/wazo-exampled/wazo-exampled.pid", "PIDFile=/run/other.pid")
		}},
		{"user-in-consul-group", gosvc, "never adds wazo-exampled to group consul", func(t *testing.T, r, _ string) {
			write(t, r+"/debian/wazo-exampled.links", "/var/lib/consul/default_xivo_consul_config.yml /etc/wazo-exampled/conf.d/050-xivo-consul-config.yml\n")
		}},
		{"wazo-service-listed", gosvc, "in neither wazo_services nor default_services", func(t *testing.T, _, s string) {
			edit(t, s+"/wazo-service/bin/wazo-service", " wazo-exampled", "")
		}},
		{"ha-secondary-state", gosvc, "several wazo-service groups", func(t *testing.T, _, s string) {
			edit(t, s+"/wazo-service/bin/wazo-service", `wazo_services="`, `wazo_services="wazo-exampled `)
		}},
		{"ha-secondary-state", pysvc, "a reboot of the secondary starts it", func(t *testing.T, _, s string) {
			edit(t, s+"/wazo-service/bin/wazo-service", "wazo_services=\"wazo-dxtora", "wazo_services=\"wazo-webhookd wazo-dxtora")
			edit(t, s+"/wazo-service/bin/wazo-service", "wazo-plugind wazo-webhookd wazo-sysconfd", "wazo-plugind wazo-sysconfd")
		}},
		{"monit-check", gosvc, "no `check process wazo-exampled`", func(t *testing.T, r, _ string) {
			remove(t, r+"/etc/monit/conf.d/wazo-exampled")
		}},
		{"monit-check", pysvc, "monit watches /run/x.pid", func(t *testing.T, r, _ string) {
			edit(t, r+"/etc/monit/conf.d/wazo-webhookd", "/run/wazo-webhookd/wazo-webhookd.pid", "/run/x.pid")
		}},
		{"installs-cleanly", gosvc, "no #DEBHELPER# token", func(t *testing.T, r, _ string) {
			edit(t, r+"/debian/wazo-exampled.postinst", "#DEBHELPER#", "")
		}},
		{"installs-cleanly", pysvc, "the postinst never creates that account", func(t *testing.T, r, _ string) {
			edit(t, r+"/debian/wazo-webhookd.postinst", "adduser --system", "echo --system")
		}},
		{"maintainer-scripts", gosvc, "Depends lacks adduser", func(t *testing.T, r, _ string) {
			edit(t, r+"/debian/control", "Depends: adduser, ", "Depends: ")
		}},
		{"maintainer-scripts", pysvc, "does not `set -e`", func(t *testing.T, r, _ string) {
			edit(t, r+"/debian/wazo-webhookd.postinst", "set -e\n", "")
		}},
		{"installs-cleanly", gosvc, "etc/monit/conf.d/wazo-exampled is not shipped", func(t *testing.T, r, _ string) {
			write(t, r+"/debian/wazo-exampled.install", "etc/wazo-exampled/* etc/wazo-exampled/\netc/nginx etc/\n")
		}},
		{"installs-cleanly", gosvc, "there is no debian/wazo-exampled.install", func(t *testing.T, r, _ string) {
			remove(t, r+"/debian/wazo-exampled.install")
		}},
		{"starts-on-boot", gosvc, "no [Install] WantedBy", func(t *testing.T, r, _ string) {
			edit(t, r+"/debian/wazo-exampled.service", "WantedBy=multi-user.target", "")
		}},
		{"restarts-on-upgrade", pysvc, "--no-start", func(t *testing.T, r, _ string) {
			edit(t, r+"/debian/rules", "--buildsystem=pybuild", "--buildsystem=pybuild\noverride_dh_installsystemd:\n\tdh_installsystemd --no-start")
		}},
		{"documented", gosvc, "no page or section for wazo-exampled", func(t *testing.T, _, s string) {
			remove(t, s+"/wazo-platform.org/website/docs/api/wazo-exampled")
			for _, page := range []string{"configuration_files.md", "log_files.md"} {
				edit(t, s+"/wazo-platform.org/website/uc-doc/system/"+page, "## wazo-exampled", "## another service")
			}
		}},
		{"backup-list", gosvc, "does not list /etc/wazo-exampled/", func(t *testing.T, _, s string) {
			edit(t, s+"/wazo-backup/bin/wazo-backup", "/etc/wazo-exampled/\n", "")
		}},
		{"backup-documented", pysvc, "does not list /etc/wazo-webhookd/", func(t *testing.T, _, s string) {
			edit(t, s+"/wazo-platform.org/website/uc-doc/system/backup_restore.md", "* /etc/wazo-webhookd/\n", "")
		}},
		{"consul-registration", gosvc, "advertise_port 9506 is not a port the service listens on", func(t *testing.T, r, _ string) {
			edit(t, r+"/etc/wazo-exampled/config.yml", "advertise_port: 9505", "advertise_port: 9506")
		}},
		{"consul-registration", pysvc, "shipped disabled", func(t *testing.T, r, _ string) {
			edit(t, r+"/etc/wazo-webhookd/config.yml", "enabled: true\n  advertise_address", "enabled: false\n  advertise_address")
		}},
		{"consul-registration", pysvc, "have a service_discovery section", func(t *testing.T, r, _ string) {
			edit(t, r+"/etc/wazo-webhookd/config.yml", "service_discovery:", "old_service_discovery:")
		}},
		{"acceptance-service-discovery", gosvc, "no row for wazo-exampled", func(t *testing.T, _, s string) {
			edit(t, s+"/wazo-acceptance/features/daily/service_discovery.feature", "| wazo-exampled |", "")
		}},
		{"port-allocation", gosvc, "common test HTTP port", func(t *testing.T, r, _ string) {
			edit(t, r+"/etc/wazo-exampled/config.yml", "port: 9505", "port: 8080")
		}},
		{"port-allocation", gosvc, "already wazo-auth's", func(t *testing.T, r, _ string) {
			edit(t, r+"/etc/wazo-exampled/config.yml", "port: 9505", "port: 9497")
		}},
		{"port-convention", gosvc, "outside Wazo's", func(t *testing.T, r, _ string) {
			edit(t, r+"/etc/wazo-exampled/config.yml", "port: 9505", "port: 7777")
		}},
		{"port-consistent", gosvc, "api.yml x-xivo-port is 9506", func(t *testing.T, r, _ string) {
			edit(t, r+"/api/api.yml", "x-xivo-port: 9505", "x-xivo-port: 9506")
		}},
		{"port-consistent", pysvc, "nginx proxy_pass is 9301", func(t *testing.T, r, _ string) {
			edit(t, r+"/etc/nginx/locations/https-available/wazo-webhookd", "127.0.0.1:9300", "127.0.0.1:9301")
		}},
		{"port-consistent", pysvc, "monit port test is 9301", func(t *testing.T, r, _ string) {
			edit(t, r+"/etc/monit/conf.d/wazo-webhookd", "\tgroup telephony\n", "\tgroup telephony\n\tif failed host 127.0.0.1 port 9301 type tcp then alert\n")
		}},
		{"port-documented", gosvc, "no row for wazo-exampled on port 9505", func(t *testing.T, _, s string) {
			edit(t, s+"/wazo-platform.org/website/uc-doc/contributors/network.md", "| wazo-exampled | HTTP | TCP | 9505 |", "| wazo-exampled | HTTP | TCP | 9999 |")
		}},
		{"api-spec", gosvc, "basePath is \"/v1\"", func(t *testing.T, r, _ string) {
			edit(t, r+"/api/api.yml", "basePath: /1.0", "basePath: /v1")
		}},
		{"api-spec", gosvc, "no api.yml found", func(t *testing.T, r, _ string) {
			remove(t, r+"/api")
		}},
		{"api-spec", pysvc, "no x-xivo-name", func(t *testing.T, r, _ string) {
			edit(t, r+"/wazo_webhookd/plugins/api/api.yml", "x-xivo-name: webhookd\n", "")
		}},
		{"nginx-location", gosvc, "no nginx `location ^~ /api/exampled/`", func(t *testing.T, r, _ string) {
			remove(t, r+"/etc/nginx/locations/https-available/wazo-exampled")
		}},
		{"nginx-location", pysvc, "X-Script-Name is \"/webhookd\"", func(t *testing.T, r, _ string) {
			edit(t, r+"/etc/nginx/locations/https-available/wazo-webhookd", "X-Script-Name       /api/webhookd", "X-Script-Name /webhookd")
		}},
		{"nginx-location", gosvc, "nothing links wazo-exampled into", func(t *testing.T, r, _ string) {
			edit(t, r+"/debian/wazo-exampled.postinst", "ln -sf", "echo")
		}},
		{"acceptance-http", pysvc, "has no /api/webhookd/ row", func(t *testing.T, _, s string) {
			edit(t, s+"/wazo-acceptance/features/daily/http.feature", "/api/webhookd/", "/api/other/")
		}},
		{"debian-packaging", gosvc, "debian/changelog is missing", func(t *testing.T, r, _ string) {
			remove(t, r+"/debian/changelog")
		}},
		{"debian-packaging", pysvc, "compat level 9", func(t *testing.T, r, _ string) {
			write(t, r+"/debian/compat", "9\n")
		}},
		{"debian-packaging", gosvc, "Architecture is \"all\"", func(t *testing.T, r, _ string) {
			edit(t, r+"/debian/control", "Architecture: any", "Architecture: all")
		}},
		{"deps-in-debian", gosvc, "github.com/hashicorp/consul/api is not packaged", func(t *testing.T, r, _ string) {
			edit(t, r+"/go.mod", "require gopkg.in/yaml.v3 v3.0.1", "require (\n\tgopkg.in/yaml.v3 v3.0.1\n\tgithub.com/hashicorp/consul/api v1.29.0\n)")
		}},
		{"deps-in-debian", pysvc, "pyfcm is not packaged", func(t *testing.T, r, _ string) {
			edit(t, r+"/requirements.txt", "flask==3.1.1", "flask==3.1.1\npyfcm==1.4.7")
		}},
		{"deps-pinned-to-debian", gosvc, "gopkg.in/yaml.v3 v3.0.0; Debian 13 trixie has 3.0.1", func(t *testing.T, r, _ string) {
			edit(t, r+"/go.mod", "v3.0.1", "v3.0.0")
		}},
		{"deps-pinned-to-debian", pysvc, "flask 2.2.2; Debian 13 trixie has 3.1.1", func(t *testing.T, r, _ string) {
			edit(t, r+"/requirements.txt", "flask==3.1.1", "flask==2.2.2")
		}},
		{"deps-pinned-to-debian", pysvc, "requests is not pinned", func(t *testing.T, r, _ string) {
			edit(t, r+"/requirements.txt", "requests==2.32.3", "requests>=2.0")
		}},
		{"deps-wazo-packaging", pysvc, "no wazo-python-pyfcm-packaging (or wazo-pyfcm-packaging) checkout", func(t *testing.T, r, _ string) {
			edit(t, r+"/requirements.txt", "flask==3.1.1", "flask==3.1.1\npyfcm==1.4.7")
		}},
		{"files-parse", gosvc, "config.yml", func(t *testing.T, r, _ string) {
			edit(t, r+"/etc/wazo-exampled/config.yml", "rest_api:\n", "rest_api: [\n")
		}},
		// Wazo practice beyond the checklist.
		{"touch-points-listed", gosvc, "packages does not list wazo-exampled", func(t *testing.T, _, s string) {
			edit(t, s+"/xivo-build-tools/etc/xivo-build-tools/packages", "wazo-exampled\n", "")
		}},
		{"touch-points-listed", pysvc, "no wazo-webhookd entry", func(t *testing.T, _, s string) {
			edit(t, s+"/wazo-sdk/project.yml", "wazo-webhookd:", "wazo-webhookd-client:")
		}},
		{"service-key-provisioned", gosvc, "neither the repository (etc/wazo-auth-keys/conf.d/wazo-exampled.yml) nor wazo-auth-keys' config.yml defines", func(t *testing.T, r, _ string) {
			edit(t, r+"/etc/wazo-exampled/config.yml", "rest_api:\n", "auth:\n  key_file: /var/lib/wazo-auth-keys/wazo-exampled-key.yml\nrest_api:\n")
		}},
		{"service-key-provisioned", gosvc, "system_user \"root\"", func(t *testing.T, r, _ string) {
			edit(t, r+"/etc/wazo-exampled/config.yml", "rest_api:\n", "auth:\n  key_file: /var/lib/wazo-auth-keys/wazo-exampled-key.yml\nrest_api:\n")
			write(t, r+"/etc/wazo-auth-keys/conf.d/wazo-exampled.yml", "wazo-exampled:\n  system_user: root\n  acl: [confd.users.read]\n")
		}},
		{"acl-granted", gosvc, "ACL confd.things.read is not under the service's name exampled.", func(t *testing.T, r, _ string) {
			edit(t, r+"/exampled/app.go", `"exampled.things.read"`, `"confd.things.read"`)
		}},
		{"acl-granted", gosvc, "no shipped or default wazo-auth policy grants exampled.things.read", func(t *testing.T, r, _ string) {
			remove(t, r+"/etc/wazo-auth/conf.d/50-wazo-exampled.yml")
		}},
		{"ha-unit-condition", gosvc, "in the default group", func(t *testing.T, r, _ string) {
			edit(t, r+"/debian/wazo-exampled.service", "[Unit]\n", "[Unit]\nConditionPathExists=!/var/lib/wazo/disabled\n")
		}},
		{"ha-unit-condition", gosvc, "in the wazo group", func(t *testing.T, _, s string) {
			edit(t, s+"/wazo-service/bin/wazo-service", " wazo-exampled", "")
			edit(t, s+"/wazo-service/bin/wazo-service", `wazo_services="`, `wazo_services="wazo-exampled `)
		}},
		{"log-format-current", pysvc, "a log_format of its own", func(t *testing.T, r, _ string) {
			edit(t, r+"/wazo_webhookd/main.py", "debug=config['debug'])", "debug=config['debug'], log_format='%(asctime)s %(message)s')")
		}},
	}
	for _, c := range cases {
		t.Run(c.rule+"/"+c.fixture+"/"+c.want, func(t *testing.T) {
			dir := testenv.CopyTree(t, "testdata/"+c.fixture, nil)
			sib := testenv.CopyTree(t, "testdata/siblings", nil)
			// Before: the rule passes on the intact copy.
			for _, r := range resultsOf(t, dir, sib, c.rule) {
				if r.Status != Pass {
					t.Fatalf("intact fixture: %s %s", r.Status, r.Message)
				}
			}
			c.mutate(t, dir, sib)
			found := false
			for _, r := range resultsOf(t, dir, sib, c.rule) {
				if r.Status == Fail && strings.Contains(r.Message, c.want) {
					found = true
				}
			}
			if !found {
				t.Fatalf("broken fixture: no failure containing %q in %+v", c.want, resultsOf(t, dir, sib, c.rule))
			}
		})
	}
}

func TestDepsWazoPackagingPassesWithThePackagingCheckout(t *testing.T) {
	dir := testenv.CopyTree(t, "testdata/python-service", nil)
	sib := testenv.CopyTree(t, "testdata/siblings", nil)
	edit(t, dir+"/requirements.txt", "flask==3.1.1", "flask==3.1.1\npyfcm==1.4.7")
	write(t, sib+"/wazo-python-pyfcm-packaging/VERSION", "1.4.7\n")
	for _, r := range resultsOf(t, dir, sib, "deps-wazo-packaging") {
		if r.Status != Pass {
			t.Fatalf("%s: %s", r.Status, r.Message)
		}
	}
	for _, r := range resultsOf(t, dir, "", "deps-wazo-packaging") {
		if r.Status != Unknown {
			t.Fatalf("without siblings: %s: %s, want unknown", r.Status, r.Message)
		}
	}
}

// A sibling artefact missing from a checkout that is there is a fail naming
// the file and where it was looked for, not an unknown.
func TestAcceptanceServiceDiscoveryFailsWhenTheFeatureIsGone(t *testing.T) {
	sib := testenv.CopyTree(t, "testdata/siblings", nil)
	remove(t, sib+"/wazo-acceptance/features/daily/service_discovery.feature")
	for _, r := range resultsOf(t, "testdata/go-service", sib, "acceptance-service-discovery") {
		if r.Status != Fail || !strings.Contains(r.Message, "features/daily/service_discovery.feature") || !strings.Contains(r.Message, sib) {
			t.Fatalf("%s: %s", r.Status, r.Message)
		}
	}
}
