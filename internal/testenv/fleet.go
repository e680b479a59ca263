package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Fleet is a directory of generated Wazo service checkouts next to their
// sibling repositories, in the formats Wazo's own repositories use, as
// Wazo Platform is today: packaging and pins for Debian 12, consul
// registration shipped disabled, no PID file, no monit check, no
// service_discovery.feature (deleted in wazo-acceptance's history). Some
// services also have faults of their own, listed in Own.
type Fleet struct {
	// Dir holds every checkout: the services, two packages that are not
	// daemons, and the siblings (wazo-service, wazo-backup, ...).
	Dir      string
	Services []string
	// Own maps "service/rule" to the fault the service has of its own.
	Own map[string]string
	// Packages are the checkouts in Dir that are not daemons.
	Packages []string
}

// fleetWords name the generated daemons: wazo-<word>d.
var fleetWords = []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
	"juliet", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango",
	"uniform", "victor"}

// ownFaults are the faults some services have of their own, by index: the
// rule that fails, and how the checkout is changed.
var ownFaults = []struct {
	index int
	rules []string
	edit  func(files map[string]string, name string)
}{
	{1, []string{"user-no-login-shell"}, func(f map[string]string, n string) {
		f["debian/"+n+".postinst"] = strings.Replace(f["debian/"+n+".postinst"], "--system --group", "--system --shell /bin/bash --group", 1)
	}},
	{3, []string{"log-file-rotation"}, func(f map[string]string, n string) { delete(f, "debian/"+n+".logrotate") }},
	{5, []string{"port-consistent"}, func(f map[string]string, n string) {
		mod := strings.ReplaceAll(strings.TrimPrefix(n, "wazo-"), "-", "_")
		f["wazo_"+mod+"/plugins/api/api.yml"] = strings.Replace(f["wazo_"+mod+"/plugins/api/api.yml"], "x-xivo-port: 95", "x-xivo-port: 94", 1)
	}},
	{7, []string{"deps-pinned-to-debian", "deps-in-debian"}, func(f map[string]string, n string) {
		f["requirements.txt"] += "requests==1.0.0\n"
	}},
	{9, []string{"monit-check"}, func(f map[string]string, n string) {
		f["etc/monit/conf.d/"+n] = "check process " + n + " with pidfile /run/" + n + "/" + n + ".pid\n" +
			"\tstart program = \"/bin/systemctl start " + n + ".service\"\n\tstop program = \"/bin/systemctl stop " + n + ".service\"\n"
		f["debian/"+n+".install"] += "etc/monit etc/\n"
	}},
	{11, []string{"user-not-root", "user-no-login-shell"}, func(f map[string]string, n string) {
		f["debian/"+n+".service"] = strings.Replace(f["debian/"+n+".service"], "User="+n+"\n", "", 1)
		mod := strings.ReplaceAll(strings.TrimPrefix(n, "wazo-"), "-", "_")
		f["wazo_"+mod+"/config.py"] = strings.Replace(f["wazo_"+mod+"/config.py"], "    'user': _DAEMONNAME,\n", "", 1)
	}},
}

// WazoFleet writes a fleet of n generated services (at most 22) and their
// siblings under a new temporary directory. The sibling repositories whose
// history the checklist's drift is read from (wazo-acceptance,
// wazo-monitoring) are git repositories with that history.
func WazoFleet(t testing.TB, n int) *Fleet {
	t.Helper()
	if n > len(fleetWords) {
		t.Fatalf("WazoFleet: at most %d services", len(fleetWords))
	}
	f := &Fleet{Dir: t.TempDir(), Own: map[string]string{}}
	for i := 0; i < n; i++ {
		name := "wazo-" + fleetWords[i] + "d"
		f.Services = append(f.Services, name)
		files := fleetDaemon(name, 9560+i)
		// As an extracted archive notes its commit.
		files[".commit"] = fmt.Sprintf("%040x 2026-01-%02dT00:00:00+00:00\n", 0xfeed0000+i, i+1)
		for _, o := range ownFaults {
			if o.index == i {
				o.edit(files, name)
				for _, r := range o.rules {
					f.Own[name+"/"+r] = r
				}
			}
		}
		writeFiles(t, filepath.Join(f.Dir, name), files)
	}
	for name, files := range fleetPackages() {
		f.Packages = append(f.Packages, name)
		writeFiles(t, filepath.Join(f.Dir, name), files)
	}
	sort.Strings(f.Packages)
	writeFiles(t, f.Dir, fleetSiblings(f.Services))
	fleetHistory(t, f)
	f.Own["wazo-charlied/backup-list"] = "backup-list" // see fleetSiblings
	return f
}

func writeFiles(t testing.TB, root string, files map[string]string) {
	t.Helper()
	for p, content := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o644)
		if strings.HasPrefix(content, "#!") {
			mode = 0o755
		}
		if err := os.WriteFile(full, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
}

// fleetDaemon is a Python daemon laid out as Wazo's are today.
func fleetDaemon(name string, port int) map[string]string {
	short := strings.TrimPrefix(name, "wazo-")
	mod := "wazo_" + strings.ReplaceAll(short, "-", "_")
	p := fmt.Sprint(port)
	return map[string]string{
		"debian/control": "Source: " + name + `
Section: python
Priority: optional
Maintainer: Wazo Maintainers <dev@wazo.community>
Build-Depends:
 debhelper-compat (= 13),
 dh-python,
 python3-all,
 python3-setuptools,
Standards-Version: 4.6.2

Package: ` + name + `
Architecture: all
Depends:
 ${python3:Depends},
 ${misc:Depends},
 adduser,
 python3-flask,
 wazo-auth-keys,
Description: Wazo ` + short + ` daemon
 A generated daemon of the fleet tests.
`,
		"debian/changelog":              name + " (24.01~20240101.000000.0000000) wazo-dev-bookworm; urgency=medium\n\n  * generated\n\n -- Wazo Maintainers <dev@wazo.community>  Mon, 01 Jan 2024 00:00:00 +0000\n",
		"debian/rules":                  "#!/usr/bin/make -f\n\nexport PYBUILD_NAME=" + mod + "\n\n%:\n\tdh $@ --with python3 --buildsystem=pybuild\n",
		"debian/source/format":          "3.0 (native)\n",
		"debian/" + name + ".install":   "etc/" + name + "/* etc/" + name + "/\netc/nginx etc/\n",
		"debian/" + name + ".logrotate": "/var/log/" + name + ".log {\n\tdaily\n\trotate 7\n\tmissingok\n\tcompress\n\tnotifempty\n\tcopytruncate\n}\n",
		"debian/" + name + ".service": `[Unit]
Description=` + name + ` server
After=network-online.target rabbitmq-server.service
ConditionPathExists=!/var/lib/wazo/disabled

[Service]
Type=simple
User=` + name + `
ExecStartPre=/usr/bin/install -o ` + name + ` -g ` + name + ` /dev/null /var/log/` + name + `.log
ExecStart=/usr/bin/` + name + `
Restart=on-failure

[Install]
WantedBy=multi-user.target
`,
		"debian/" + name + ".postinst": `#!/bin/sh
set -e

DAEMON=` + name + `
LOGFILE=/var/log/$DAEMON.log

case "$1" in
    configure)
        if ! getent passwd "$DAEMON" >/dev/null; then
            adduser --quiet --system --group --home /var/lib/$DAEMON "$DAEMON"
        fi
        install -o "$DAEMON" -g "$DAEMON" /dev/null "$LOGFILE"
        ln -sf /etc/nginx/locations/https-available/$DAEMON /etc/nginx/locations/https-enabled/$DAEMON
        ;;
esac

#DEBHELPER#
`,
		"etc/" + name + "/config.yml": `# Overrides of ` + mod + `/config.py; put local changes in conf.d/.
rest_api:
  listen: 127.0.0.1
  port: ` + p + `

consul:
  scheme: https
  host: localhost
  port: 8500

service_discovery:
  enabled: false
  advertise_address: auto
  advertise_port: ` + p + `
  ttl_interval: 30
`,
		mod + "/__init__.py":         "",
		mod + "/main.py":             "from xivo import xivo_logging\n\nfrom " + mod + ".config import _DEFAULT_CONFIG\n\n\ndef main():\n    xivo_logging.setup_logging(_DEFAULT_CONFIG['log_file'], debug=_DEFAULT_CONFIG['debug'])\n",
		mod + "/plugins/api/http.py": "from xivo.auth_verifier import required_acl\n\n\nclass StatusResource:\n    @required_acl('" + short + ".status.read')\n    def get(self):\n        return {}\n",
		mod + "/config.py": `_DAEMONNAME = '` + name + `'
_DEFAULT_HTTP_PORT = ` + p + `

_DEFAULT_CONFIG = {
    'config_file': f'/etc/{_DAEMONNAME}/config.yml',
    'extra_config_files': f'/etc/{_DAEMONNAME}/conf.d/',
    'debug': False,
    'log_level': 'info',
    'log_file': f'/var/log/{_DAEMONNAME}.log',
    'user': _DAEMONNAME,
    'rest_api': {
        'listen': '127.0.0.1',
        'port': _DEFAULT_HTTP_PORT,
    },
}
`,
		mod + "/plugins/api/api.yml": `swagger: '2.0'
info:
  title: ` + name + `
  version: '1.0'
x-xivo-port: ` + p + `
x-xivo-name: ` + short + `
basePath: /1.0
schemes:
  - https
paths:
  /status:
    get:
      summary: The daemon's status
      responses:
        '200':
          description: its components
`,
		"etc/nginx/locations/https-available/" + name: "location ^~ /api/" + short + "/ {\n    proxy_pass http://127.0.0.1:" + p + "/;\n    proxy_set_header Host $http_host;\n    proxy_set_header X-Script-Name /api/" + short + ";\n}\n",
		"requirements.txt":                            "flask==2.2.2\n",
		"setup.py":                                    "from setuptools import setup, find_packages\n\nsetup(name='" + name + "', packages=find_packages())\n",
		"zuul.yaml":                                   "- project:\n    templates:\n      - wazo-tox-py311\n      - debian-packaging-bookworm\n",
	}
}

// fleetPackages are checkouts that are Debian packages but no daemon: a
// Python library and a packaging repository of a dependency.
func fleetPackages() map[string]map[string]string {
	return map[string]map[string]string{
		"xivo-lib-fleet": {
			"debian/control":       "Source: xivo-lib-fleet\nSection: python\nPriority: optional\nMaintainer: Wazo Maintainers <dev@wazo.community>\nBuild-Depends: debhelper-compat (= 13), dh-python, python3-all, python3-setuptools\nStandards-Version: 4.6.2\n\nPackage: python3-xivo-fleet\nArchitecture: all\nDepends: ${python3:Depends}, ${misc:Depends}\nDescription: shared code of the fleet\n A library.\n",
			"debian/changelog":     "xivo-lib-fleet (24.01) wazo-dev-bookworm; urgency=medium\n\n  * generated\n\n -- Wazo Maintainers <dev@wazo.community>  Mon, 01 Jan 2024 00:00:00 +0000\n",
			"debian/rules":         "#!/usr/bin/make -f\n\n%:\n\tdh $@ --with python3 --buildsystem=pybuild\n",
			"debian/source/format": "3.0 (native)\n",
			"setup.py":             "from setuptools import setup\n\nsetup(name='xivo-fleet')\n",
			"requirements.txt":     "flask==2.2.2\n",
			"zuul.yaml":            "- project:\n    templates:\n      - debian-packaging-bookworm\n",
		},
		"wazo-python-fleetdep-packaging": {
			"debian/control":       "Source: python-fleetdep\nSection: python\nPriority: optional\nMaintainer: Wazo Maintainers <dev@wazo.community>\nBuild-Depends: debhelper-compat (= 13), dh-python, python3-all\nStandards-Version: 4.6.2\n\nPackage: python3-fleetdep\nArchitecture: all\nDepends: ${python3:Depends}, ${misc:Depends}\nDescription: a dependency Debian lacks\n Packaged by Wazo.\n",
			"debian/changelog":     "python-fleetdep (1.2.3-1~wazo1) wazo-dev-bookworm; urgency=medium\n\n  * generated\n\n -- Wazo Maintainers <dev@wazo.community>  Mon, 01 Jan 2024 00:00:00 +0000\n",
			"debian/rules":         "#!/usr/bin/make -f\n\n%:\n\tdh $@ --with python3 --buildsystem=pybuild\n",
			"debian/source/format": "3.0 (quilt)\n",
			"zuul.yaml":            "- project:\n    templates:\n      - debian-packaging-bookworm\n",
		},
	}
}

// fleetSiblings are the sibling repositories listing every service, as
// they are today: no service_discovery.feature, no per-daemon monit check.
func fleetSiblings(services []string) map[string]string {
	var backup, docs, net, http, keys, build, sdk, policy strings.Builder
	for i, s := range services {
		short := strings.TrimPrefix(s, "wazo-")
		if i != 2 { // wazo-charlied's configuration is not backed up: its own fault
			fmt.Fprintf(&backup, "/etc/%s/\n", s)
		}
		fmt.Fprintf(&docs, "* /etc/%s/\n", s)
		fmt.Fprintf(&net, "| %s | HTTP | TCP | %d | 127.0.0.1 | yes | yes |\n", s, 9560+i)
		fmt.Fprintf(&http, "    | GET    | /api/%s/1.0/status |\n", short)
		fmt.Fprintf(&build, "%s\n", s)
		fmt.Fprintf(&sdk, "%s:\n  python3: true\n  bind:\n    etc/%s/config.yml: /etc/%s/config.yml\n  clean: []\n\n", s, s, s)
		fmt.Fprintf(&policy, "      - '%s.#'\n", short)
		_ = keys
	}
	files := map[string]string{
		"wazo-service/bin/wazo-service": "#!/bin/bash\nwazo_services=\"wazo-provd asterisk " + strings.Join(services, " ") + "\"\n" +
			"default_services=\"wazo-auth $wazo_services\"\nall_services=\"rabbitmq-server postgresql nginx $default_services\"\n",
		"wazo-service/wazo_service/main.py": "WAZO_SERVICES = [\n" + pyList(append([]string{"wazo-provd", "asterisk"}, services...)) +
			"]\nDEFAULT_SERVICES = [\n" + pyList([]string{"wazo-auth"}) + "] + WAZO_SERVICES\n",
		"wazo-backup/bin/wazo-backup": "#!/bin/bash\nBACKUP_LIST=\"\n/etc/asterisk/\n" + backup.String() + "/var/lib/wazo/\n\"\n",
		"wazo-acceptance/features/daily/http.feature": "Feature: the REST APIs through nginx\n\n  Scenario Outline: each API answers on 443\n" +
			"    Then \"<method>\" \"<url>\" does not answer 404\n\n  Examples:\n    | method | url |\n" + http.String(),
		"wazo-platform.org/README.md":                                  "# wazo-platform.org\n",
		"wazo-platform.org/.prettierrc":                                "{\n  \"endOfLine\": \"lf\",\n  \"singleQuote\": true,\n  \"tabWidth\": 2,\n  \"printWidth\": 100,\n  \"proseWrap\": \"always\"\n}\n",
		"wazo-platform.org/website/uc-doc/system/backup_restore.md":    "# Backup and restore\n\n## What is backed up\n\n" + docs.String(),
		"wazo-platform.org/website/uc-doc/contributors/network.md":     "| Daemon Name | Service | Protocol | Port | Listen | Authentication | Enabled |\n|---|---|---|---|---|---|---|\n" + net.String(),
		"wazo-platform.org/website/docs/contribute/new-service.md":     guidelinesPage(),
		"wazo-monitoring/checks/rabbitmq":                              "check process rabbitmq with pidfile /var/run/rabbitmq/pid\n",
		"wazo-sdk/project.yml":                                         sdk.String(),
		"xivo-build-tools/etc/xivo-build-tools/packages":               build.String(),
		"wazo-auth-keys/etc/wazo-auth/conf.d/50-wazo-default.yml":      "default_policies:\n  wazo_default_admin_policy:\n    acl:\n" + policy.String(),
		"wazo-auth-keys/etc/wazo-auth-keys/config.yml":                 "{}\n",
		"wazo-upgrade/bin/real-wazo-upgrade":                           "#!/bin/bash\nstart_wazo() {\n\twazo-service enable\n\twazo-service restart\n}\n",
		"xivo-config/sbin/xivo-manage-slave-services":                  "#!/bin/sh\nwazo-service stop wazo\n",
		"wazo-nginx/etc/nginx/sites-available/wazo":                    "server {\n    listen 443 ssl;\n    include /etc/nginx/locations/https-enabled/*;\n}\n",
		"wazo-platform.org/website/docs/api/wazo-fleet/description.md": "The fleet's APIs.\n",
	}
	for _, s := range services {
		files["wazo-platform.org/content/"+strings.TrimPrefix(s, "wazo-")+"/description.md"] = s + " is a daemon of the fleet tests.\n"
	}
	for _, d := range []string{"wazo-service", "wazo-backup", "wazo-platform.org", "wazo-sdk", "xivo-build-tools", "wazo-auth-keys", "wazo-upgrade", "xivo-config", "wazo-nginx"} {
		files[d+"/debian/rules"] = "#!/usr/bin/make -f\n\n%:\n\tdh $@\n"
		files[d+"/debian/source/format"] = "3.0 (native)\n"
		files[d+"/debian/control"] = "Source: " + d + "\nSection: misc\nPriority: optional\nMaintainer: Wazo Maintainers <dev@wazo.community>\nBuild-Depends: debhelper-compat (= 13)\nStandards-Version: 4.6.2\n\nPackage: " + d + "\nArchitecture: all\nDepends: ${misc:Depends}\nDescription: a sibling of the fleet\n Generated.\n"
	}
	return files
}

func pyList(names []string) string {
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "    Service('%s'),\n", n)
	}
	return b.String()
}

// guidelinesPage is wazo-platform.org's guidelines page in the site's
// format (front matter, headings, the checklist as a list), for the drift
// report's suggested edit; its bullets are the checklist's own items.
func guidelinesPage() string {
	return `---
sidebar_position: 3
id: new-service
title: New Service
description: New service guidelines
slug: /contribute/new-service
---

# New service guidelines

## Checklist

Checklist of things to remember when adding a new service to Wazo Platform:

- The service default user is not root
- The service default user has write permissions for the PID file and its directory
- The service is monitored by monit
- The service registers with consul for the discovery of services
  - Add an entry to the acceptance test: ` + "`daily/service_discovery.feature`" + `
- The service has packaging instructions for the latest Debian stable
- The versions of the service dependencies are available as Debian packages in Debian stable or Wazo Platform
  - requirements.txt pins package versions equal to Debian packages
`
}

// fleetHistory makes wazo-acceptance and wazo-monitoring git repositories
// whose history once had what the checklist names and then deleted it.
func fleetHistory(t testing.TB, f *Fleet) {
	t.Helper()
	acc := filepath.Join(f.Dir, "wazo-acceptance")
	mon := filepath.Join(f.Dir, "wazo-monitoring")
	var rows, checks strings.Builder
	for _, s := range f.Services {
		fmt.Fprintf(&rows, "    | %s |\n", s)
	}
	feature := filepath.Join(acc, "features", "daily", "service_discovery.feature")
	writeFiles(t, acc, map[string]string{"features/daily/service_discovery.feature": "Feature: services register in consul\n\n  Examples:\n    | service_name |\n" + rows.String()})
	Git(t, acc, "init", "-q", "-b", "master")
	Git(t, acc, "add", "-A")
	Git(t, acc, "commit", "-q", "-m", "daily tests of the platform")
	Git(t, acc, "rm", "-q", feature)
	Git(t, acc, "commit", "-q", "-m", "drop the consul tests: consul is no longer installed")
	for _, s := range f.Services {
		writeFiles(t, mon, map[string]string{"checks/" + s: "check process " + s + " with pidfile /run/" + s + "/" + s + ".pid\n"})
		checks.WriteString("checks/" + s + " ")
	}
	Git(t, mon, "init", "-q", "-b", "master")
	Git(t, mon, "add", "-A")
	Git(t, mon, "commit", "-q", "-m", "monit checks of every daemon")
	Git(t, mon, append([]string{"rm", "-q"}, strings.Fields(checks.String())...)...)
	Git(t, mon, "commit", "-q", "-m", "remove the daemons' checks: systemd restarts them")
}
