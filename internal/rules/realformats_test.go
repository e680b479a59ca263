package rules

import (
	"path/filepath"
	"strings"
	"testing"
)

// The cases below each reproduce, in the formats Wazo's own daemons and
// sibling repositories use, one way a real service declares a fact the
// rules once misread: who the service runs as, where its port and log file
// are, what nginx includes, how wazo-service lists it, which Debian release
// it is built for, and so on. The files are written for these tests.

// realDaemon is a Python daemon laid out as Wazo's are: debian/ with a unit
// and a postinst, etc/<name>/config.yml overriding the code's defaults in
// <module>/config.py, an api.yml under the module, an nginx location
// including a shared file, requirements.txt with archive URLs.
func realDaemon() map[string]string {
	return map[string]string{
		"debian/control": `Source: wazo-quuxd
Section: python
Priority: optional
Maintainer: Wazo Maintainers <dev@wazo.community>
Build-Depends:
    debhelper-compat (= 13),
    dh-python,
    python3-all,
    python3-setuptools,
Standards-Version: 4.5.0

Package: wazo-quuxd
Architecture: all
Depends:
    ${python3:Depends},
    ${misc:Depends},
    adduser,
    python3-cherrypy3,
    python3-flask,
Description: Wazo quux daemon
 A daemon of the tests.
`,
		"debian/changelog":          "wazo-quuxd (1.0.0) wazo-dev-trixie; urgency=medium\n\n  * First.\n\n -- Wazo Maintainers <dev@wazo.community>  Mon, 01 Jun 2026 10:00:00 +0000\n",
		"debian/rules":              "#!/usr/bin/make -f\n\n%:\n\tdh $@ --with python3 --buildsystem=pybuild\n",
		"debian/source/format":      "3.0 (native)\n",
		"debian/wazo-quuxd.install": "etc/wazo-quuxd/* etc/wazo-quuxd/\netc/nginx etc/\netc/monit etc/\n",
		"debian/wazo-quuxd.logrotate": `/var/log/wazo-quuxd.log {
	daily
	rotate 7
	missingok
	compress
	copytruncate
}
`,
		"debian/wazo-quuxd.service": `[Unit]
Description=wazo-quuxd server
After=network.target

[Service]
ExecStartPre=/usr/bin/install -d -o wazo-quuxd -g wazo-quuxd /run/wazo-quuxd
ExecStart=/usr/bin/wazo-quuxd
Restart=on-failure
RestartSec=5

[Install]
WantedBy=multi-user.target
`,
		"debian/wazo-quuxd.postinst": `#!/bin/bash
set -e

DAEMON='wazo-quuxd'
USER=$DAEMON
LOG="/var/log/$DAEMON.log"

case "$1" in
    configure)
        previous_version="$2"
        if ! getent passwd $USER > /dev/null ; then
            adduser --quiet --system --group --no-create-home \
                    --home /var/lib/$DAEMON \
                    $USER
        fi
        if [ ! -e "$LOG" ]; then
            touch "$LOG"
        fi
        chown $USER:$USER "$LOG"
        if [[ -z "${previous_version}" ]]; then
            ln -sf /etc/nginx/locations/https-available/$DAEMON \
                   /etc/nginx/locations/https-enabled/$DAEMON
        fi
    ;;
esac

#DEBHELPER#

exit 0
`,
		"etc/wazo-quuxd/config.yml": `# Overrides of the defaults of wazo_quuxd/config.py.
extra_config_files: /etc/wazo-quuxd/conf.d/

debug: false

rest_api:
  listen: 127.0.0.1
  port: 9599

consul:
  scheme: http
  port: 8500

service_discovery:
  enabled: true
  advertise_address: auto
  advertise_port: 9599
  ttl_interval: 30
`,
		"wazo_quuxd/config.py": `_DAEMONNAME = 'wazo-quuxd'
_DEFAULT_HTTP_PORT = 9599

_DEFAULT_CONFIG = {
    'config_file': f'/etc/{_DAEMONNAME}/config.yml',
    'debug': False,
    'log_filename': f'/var/log/{_DAEMONNAME}.log',
    'pid_file': f'/run/{_DAEMONNAME}/{_DAEMONNAME}.pid',
    'user': _DAEMONNAME,
    'rest_api': {
        'listen': '127.0.0.1',
        'port': _DEFAULT_HTTP_PORT,
        'cors': {'enabled': True, 'allow_headers': ['Content-Type']},
    },
}
`,
		"wazo_quuxd/main.py": `from xivo.user_rights import change_user


def main(config):
    change_user(config['user'])
`,
		"wazo_quuxd/plugins/api/api.yml": `swagger: '2.0'
info:
  title: wazo-quuxd
  version: '1.0'
x-xivo-port: 9599
x-xivo-name: quuxd
basePath: /1.0
paths:
  /status:
    get:
      summary: Status
      responses:
        '200':
          description: OK
`,
		"etc/nginx/locations/https-available/wazo-quuxd": `location ^~ /api/quuxd/ {
    proxy_pass http://127.0.0.1:9599/;
    include /etc/nginx/wazo-quuxd-shared.conf;
}
`,
		"etc/nginx/wazo-quuxd-shared.conf": `proxy_set_header    Host                $http_host;
proxy_set_header    X-Script-Name       /api/quuxd;
proxy_set_header    X-Forwarded-For     $proxy_add_x_forwarded_for;
`,
		"etc/monit/conf.d/wazo-quuxd": `check process wazo-quuxd matching "wazo-quuxd"
	start program = "/bin/systemctl start wazo-quuxd.service"
	stop program = "/bin/systemctl stop wazo-quuxd.service"
`,
		"requirements.txt": "https://github.com/wazo-platform/xivo-lib-python/archive/master.zip\nflask==3.1.1\n",
		"setup.py":         "from setuptools import setup\n\nsetup(name='wazo-quuxd')\n",
		"zuul.yaml":        "- project:\n    templates:\n      - debian-packaging-trixie\n",
	}
}

// realSiblings are the sibling checkouts in their real formats, listing
// wazo-quuxd, never first.
func realSiblings() map[string]string {
	return map[string]string{
		"wazo-platform/debian/control": "Source: wazo-platform\n\nPackage: wazo-platform\nArchitecture: all\nDepends: ${misc:Depends},\n         wazo-auth,\n         wazo-quuxd\nDescription: Wazo Platform\n",
		"wazo-service/bin/wazo-service": `#!/bin/bash
action=$1
wazo_services="wazo-provd wazo-agid asterisk wazo-calld"
default_services="wazo-plugind wazo-confd wazo-quuxd wazo-auth $wazo_services"
all_services="rabbitmq-server postgresql nginx $default_services"
`,
		"wazo-service/wazo_service/main.py": `class Service:
    def __init__(self, name, unit_name=None):
        self.name = name


WAZO_SERVICES = [
    Service('wazo-provd'),
    Service('wazo-agid'),
    Service('asterisk'),
    Service('wazo-calld'),
]
DEFAULT_SERVICES = [
    Service('wazo-plugind'),
    Service('wazo-confd'),
    Service('wazo-quuxd'),
    Service('wazo-auth'),
] + WAZO_SERVICES
`,
		"wazo-backup/bin/wazo-backup": "#!/bin/bash\nBACKUP_LIST=\"/etc/asterisk/\n             /etc/wazo-auth/\n             /etc/wazo-quuxd/\n             /var/lib/wazo/\"\n",
		"wazo-acceptance/features/daily/http.feature": `Feature: HTTP

  Scenario Outline: REST APIs are reachable from port 443
    Then "<method>" "<url>" does not answer 404

  Examples:
    | method | url                    |
    | GET    | /api/auth/0.1/backends |
    | GET    | /api/quuxd/1.0/status  |
`,
		"wazo-acceptance/features/daily/service_discovery.feature":  "Feature: Service discovery\n\n  Examples:\n    | service_name |\n    | wazo-quuxd   |\n",
		"wazo-platform.org/README.md":                               "# wazo-platform.org\n",
		"wazo-platform.org/content/quuxd/description.md":            "wazo-quuxd does quux.\n",
		"wazo-platform.org/website/uc-doc/system/backup_restore.md": "# Backup\n\n- `/etc/asterisk/`\n- `/etc/wazo-quuxd/`\n",
		"wazo-platform.org/website/uc-doc/contributors/network.md": `| Daemon Name | Service | Protocol | Port | Listen    | Authentication | Enabled |
| ----------- | ------- | -------- | ---- | --------- | -------------- | ------- |
| wazo-auth   | HTTP    | TCP      | 9497 | 127.0.0.1 | both           | yes     |
| wazo-quuxd  | HTTP    | TCP      | 9599 | 127.0.0.1 | yes            | yes     |
| wazo-quuxd  | HTTP    | TCP      | 9598 | 0.0.0.0   | yes            | yes     |
`,
		"wazo-monitoring/checks/wazo-provd": "check process wazo-provd with pidfile /run/wazo-provd/wazo-provd.pid\n\tstart program = \"/bin/systemctl start wazo-provd.service\"\n",
		"wazo-upgrade/bin/real-wazo-upgrade": `#!/bin/bash
stop_wazo() {
	wazo-service stop
	wazo-service disable
}

start_wazo() {
	wazo-service enable
	wazo-service restart
}
`,
		"xivo-config/sbin/xivo-manage-slave-services": `#!/bin/sh
disable_service() {
    wazo-service stop wazo
    wazo-service disable
    wazo-service start
}
`,
	}
}

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, content := range files {
		if content == "" {
			continue // deleted by the case
		}
		write(t, filepath.Join(dir, filepath.FromSlash(p)), content)
	}
	return dir
}

// ruleVerdict is a rule's verdict as verdicts.tsv counts it: fail if any
// finding fails, else unknown if any is, else pass; and every message.
func ruleVerdict(results []Result) (Status, string) {
	st, msgs := Pass, []string{}
	for _, r := range results {
		msgs = append(msgs, string(r.Status)+": "+r.Message)
		switch {
		case r.Status == Fail:
			st = Fail
		case r.Status == Unknown && st == Pass:
			st = Unknown
		}
	}
	return st, strings.Join(msgs, " | ")
}

// replaced is the daemon's (or the siblings') file with old replaced by
// new, panicking when old is absent: a case that changes nothing would pass
// for the wrong reason.
func replaced(files map[string]string, file, old, new string) string {
	s := files[file]
	if !strings.Contains(s, old) {
		panic("realformats: " + file + " has no " + old)
	}
	return strings.Replace(s, old, new, 1)
}

func TestRealFormats(t *testing.T) {
	type files = map[string]string
	d, sb := realDaemon(), realSiblings()
	www := "user: www-data\n" + d["etc/wazo-quuxd/config.yml"]
	// www-data from the code's defaults, the postinst creating no user.
	wwwByDefault := files{"wazo_quuxd/config.py": replaced(d, "wazo_quuxd/config.py", "'user': _DAEMONNAME", "'user': 'www-data'"),
		"debian/wazo-quuxd.postinst": noAdduser()}
	inWazoGroupPy := replaced(files{"m": replaced(sb, "wazo-service/wazo_service/main.py", "    Service('wazo-quuxd'),\n", "")},
		"m", "    Service('wazo-calld'),\n", "    Service('wazo-calld'),\n    Service('wazo-quuxd'),\n")
	inWazoGroupSh := replaced(files{"s": replaced(sb, "wazo-service/bin/wazo-service", " wazo-quuxd", "")}, "s", `wazo_services="`, `wazo_services="wazo-quuxd `)
	cases := []struct {
		name, rule string
		repo, sib  files // overrides; "" deletes
		want       Status
		says       string
	}{
		// Who the service is.
		{name: "ExecStart --user www-data is the service user", rule: "user-not-root",
			repo: files{"debian/wazo-quuxd.service": replaced(d, "debian/wazo-quuxd.service", "ExecStart=/usr/bin/wazo-quuxd", "ExecStart=/usr/bin/wazo-quuxd --user www-data"),
				"debian/wazo-quuxd.postinst": noAdduser()},
			want: Pass, says: "www-data"},
		{name: "config.py's default user is the service user", rule: "user-not-root",
			repo: wwwByDefault,
			want: Pass, says: "the service user is www-data (wazo_quuxd/config.py"},
		{name: "no user anywhere runs as root", rule: "user-not-root",
			repo: files{"wazo_quuxd/config.py": replaced(d, "wazo_quuxd/config.py", "    'user': _DAEMONNAME,\n", ""),
				"debian/wazo-quuxd.postinst": noAdduser()},
			want: Fail, says: "starts it as root"},
		// A guard: -u of python3 is not --user.
		{name: "python3 -u is not a user", rule: "user-not-root",
			repo: files{"debian/wazo-quuxd.service": replaced(d, "debian/wazo-quuxd.service", "ExecStart=/usr/bin/wazo-quuxd", "ExecStart=/usr/bin/python3 -u /usr/bin/wazo-quuxd")},
			want: Pass, says: "the service user is wazo-quuxd"},
		{name: "adduser --system without --shell gives nologin", rule: "user-no-login-shell",
			want: Pass, says: "/usr/sbin/nologin"},
		{name: "www-data has a no-login shell", rule: "user-no-login-shell",
			repo: files{"etc/wazo-quuxd/config.yml": www, "debian/wazo-quuxd.postinst": noAdduser()},
			want: Pass, says: "www-data"},
		{name: "www-data's home is not under /home", rule: "user-home-not-in-home",
			repo: files{"etc/wazo-quuxd/config.yml": www, "debian/wazo-quuxd.postinst": noAdduser()},
			want: Pass, says: "/var/www"},
		{name: "the log file handed by chown www-data: to config.py's default user", rule: "log-file-writable",
			repo: wwwByDefault,
			want: Pass, says: "to www-data"},
		{name: "log files chowned in a for loop", rule: "log-file-writable",
			repo: files{"debian/wazo-quuxd.postinst": replaced(d, "debian/wazo-quuxd.postinst", `        if [ ! -e "$LOG" ]; then
            touch "$LOG"
        fi
        chown $USER:$USER "$LOG"`, `        for f in /var/log/wazo-quuxd.log \
                 /var/log/wazo-quuxd-audit.log; do
            touch $f
            chown "$USER:$USER" $f
        done`)},
			want: Pass, says: "/var/log/wazo-quuxd.log"},
		{name: "a root daemon with nothing to create needs no postinst", rule: "installs-cleanly",
			repo: files{"debian/wazo-quuxd.postinst": "", "wazo_quuxd/config.py": replaced(d, "wazo_quuxd/config.py", "    'user': _DAEMONNAME,\n", ""),
				"etc/nginx/locations/https-available/wazo-quuxd": "", "etc/nginx/wazo-quuxd-shared.conf": "",
				"debian/wazo-quuxd.install": "etc/wazo-quuxd/* etc/wazo-quuxd/\netc/monit etc/\n"},
			want: Pass, says: "none needed"},

		{name: "a worker's PID file whose directory nothing creates", rule: "pid-file-writable",
			repo: files{"etc/wazo-quuxd/config.yml": d["etc/wazo-quuxd/config.yml"] + "\ncelery:\n  worker_pid_file: /run/wazo-quuxd-worker/worker.pid\n"},
			want: Fail, says: "nothing creates /run/wazo-quuxd-worker"},
		{name: "a worker's PID file in a directory the unit creates", rule: "pid-file-writable",
			repo: files{"etc/wazo-quuxd/config.yml": d["etc/wazo-quuxd/config.yml"] + "\ncelery:\n  worker_pid_file: /run/wazo-quuxd/worker.pid\n",
				"wazo_quuxd/config.py": replaced(d, "wazo_quuxd/config.py", "    'pid_file': f'/run/{_DAEMONNAME}/{_DAEMONNAME}.pid',\n", "")},
			want: Pass, says: "celery.worker_pid_file"},

		// nginx and the API.
		{name: "X-Script-Name set in an included file", rule: "nginx-location", want: Pass, says: "/api/quuxd/"},
		{name: "the location in wazo-nginx's server configuration", rule: "nginx-location",
			repo: files{"etc/nginx/locations/https-available/wazo-quuxd": "", "etc/nginx/wazo-quuxd-shared.conf": ""},
			sib:  files{"wazo-nginx/etc/nginx/sites-available/wazo": "server {\n    listen 443 ssl;\n    location ^~ /api/quuxd/ {\n        proxy_pass http://127.0.0.1:9599/;\n        proxy_set_header X-Script-Name /api/quuxd;\n    }\n}\n"},
			want: Pass, says: "wazo-nginx/etc/nginx/sites-available/wazo"},
		// An unconditional item whose artefact is missing fails, saying so.
		{name: "a FastAGI daemon has no API to proxy", rule: "nginx-location", repo: fastAGI(), want: Fail, says: "expects an API for every service"},
		{name: "a FastAGI daemon has no OpenAPI spec to offer", rule: "api-spec", repo: fastAGI(), want: Fail, says: "expects an API for every service"},
		{name: "reached at the nginx location's name, not x-xivo-name", rule: "nginx-location",
			repo: files{"wazo_quuxd/plugins/api/api.yml": replaced(d, "wazo_quuxd/plugins/api/api.yml", "x-xivo-name: quuxd", "x-xivo-name: quuxes")},
			want: Pass, says: "/api/quuxd/"},
		{name: "x-xivo-name may differ from the package name", rule: "api-spec",
			repo: files{"wazo_quuxd/plugins/api/api.yml": replaced(d, "wazo_quuxd/plugins/api/api.yml", "x-xivo-name: quuxd", "x-xivo-name: quuxes")},
			want: Pass},
		{name: "basePath under the proxy prefix", rule: "api-spec",
			repo: files{"wazo_quuxd/plugins/api/api.yml": replaced(d, "wazo_quuxd/plugins/api/api.yml", "basePath: /1.0", "basePath: /api/quuxd/1.0")},
			want: Pass},

		// Ports.
		{name: "HTTP and HTTPS ports under rest_api.http/https, x-xivo-port a list", rule: "port-consistent",
			repo: files{"etc/wazo-quuxd/config.yml": "rest_api:\n  http:\n    port: 9598\n  https:\n    port: 9599\n",
				"wazo_quuxd/config.py":                           replaced(d, "wazo_quuxd/config.py", "        'port': _DEFAULT_HTTP_PORT,\n", ""),
				"wazo_quuxd/plugins/api/api.yml":                 replaced(d, "wazo_quuxd/plugins/api/api.yml", "x-xivo-port: 9599", "x-xivo-port: [9599]"),
				"etc/nginx/locations/https-available/wazo-quuxd": ""},
			want: Pass, says: "9598"},
		{name: "both listening ports are documented", rule: "port-documented",
			repo: files{"etc/wazo-quuxd/config.yml": "rest_api:\n  http:\n    port: 9598\n  https:\n    port: 9599\n",
				"wazo_quuxd/config.py": replaced(d, "wazo_quuxd/config.py", "        'port': _DEFAULT_HTTP_PORT,\n", "")},
			want: Pass, says: "on 9598"},
		{name: "the port from config.py's constant when config.yml omits it", rule: "port-documented",
			repo: files{"etc/wazo-quuxd/config.yml": "debug: false\n", "wazo_quuxd/plugins/api/api.yml": "", "etc/nginx/locations/https-available/wazo-quuxd": ""},
			want: Pass, says: "on 9599"},
		{name: "an unreadable port is unknown", rule: "port-consistent",
			repo: files{"wazo_quuxd/plugins/api/api.yml": replaced(d, "wazo_quuxd/plugins/api/api.yml", "x-xivo-port: 9599", "x-xivo-port: nine")},
			want: Unknown, says: "cannot be read"},
		{name: "the port convention is a rule of its own", rule: "port-convention",
			repo: files{"etc/wazo-quuxd/config.yml": "rest_api:\n  port: 8123\n", "wazo_quuxd/plugins/api/api.yml": "", "etc/nginx/locations/https-available/wazo-quuxd": ""},
			want: Fail, says: "pick the next unused port"},
		{name: "a non-HTTP port is outside the HTTP convention", rule: "port-convention", repo: fastAGI(), want: Pass, says: "not HTTP"},

		// wazo-service, wazo-upgrade, HA.
		{name: "main.py's Service('…') entry that is not first", rule: "wazo-service-listed", want: Pass, says: "default_services"},
		{name: "main.py puts it in the other group than bin/wazo-service", rule: "ha-secondary-state",
			// Two lists disagreeing is a practice finding, not this item's:
			// bin/wazo-service's lists drive start and stop.
			sib: files{"wazo-service/wazo_service/main.py": inWazoGroupPy}, want: Pass, says: "in default_services"},
		{name: "the wazo group without the unit's disabled condition", rule: "ha-secondary-state",
			sib:  files{"wazo-service/bin/wazo-service": inWazoGroupSh, "wazo-service/wazo_service/main.py": inWazoGroupPy},
			want: Fail, says: "ConditionPathExists"},
		{name: "xivo-config's slave script names the group it stops", rule: "ha-secondary-state",
			sib:  files{"xivo-config/sbin/xivo-manage-slave-services": replaced(sb, "xivo-config/sbin/xivo-manage-slave-services", "wazo-service stop wazo", "wazo-service stop default")},
			want: Fail, says: "xivo-manage-slave-services"},
		{name: "wazo-upgrade restarts what wazo-service lists, Restart= or not", rule: "restarts-on-upgrade",
			repo: files{"debian/wazo-quuxd.service": replaced(d, "debian/wazo-quuxd.service", "Restart=on-failure\nRestartSec=5\n", "")},
			want: Pass, says: "wazo-service restart"},
		{name: "monit check from wazo-monitoring", rule: "monit-check",
			repo: files{"etc/monit/conf.d/wazo-quuxd": "", "debian/wazo-quuxd.install": "etc/wazo-quuxd/* etc/wazo-quuxd/\netc/nginx etc/\n"},
			sib:  files{"wazo-monitoring/checks/wazo-quuxd": "check process wazo-quuxd matching \"wazo-quuxd\"\n\tstart program = \"/bin/systemctl start wazo-quuxd.service\"\n\tstop program = \"/bin/systemctl stop wazo-quuxd.service\"\n"},
			want: Pass, says: "wazo-monitoring/checks/wazo-quuxd"},

		// Debian target.
		{name: "zuul.yaml targets an older release", rule: "debian-packaging",
			repo: files{"zuul.yaml": "- project:\n    templates:\n      - debian-packaging-bookworm\n"}, want: Fail, says: "bookworm"},
		{name: "one build per distribution targets the newest", rule: "debian-packaging",
			repo: files{"zuul.yaml": "- project:\n    templates:\n      - debian-packaging-bookworm\n      - debian-packaging-trixie\n"}, want: Pass, says: "targets trixie"},
		{name: "the Dockerfile's base image when no zuul.yaml", rule: "debian-packaging",
			repo: files{"zuul.yaml": "", "Dockerfile": "FROM python:3.11-slim-bookworm AS build\n"}, want: Fail, says: "bookworm"},
		{name: "the Dockerfile's release before the image variant", rule: "debian-packaging",
			repo: files{"zuul.yaml": "", "Dockerfile": "FROM debian:buster-slim\n"}, want: Fail, says: "buster"},
		{name: "the Dockerfile's release between the version and the variant", rule: "debian-packaging",
			repo: files{"zuul.yaml": "", "Dockerfile": "FROM --platform=linux/amd64 registry.example:5000/node:18.18.2-bookworm-slim@sha256:0a1b AS web\n"}, want: Fail, says: "bookworm"},
		{name: "Dockerfile instructions in any case", rule: "debian-packaging",
			repo: files{"zuul.yaml": "", "Dockerfile": "from python:3.11-slim-bookworm as build\n"}, want: Fail, says: "bookworm"},
		{name: "the Dockerfile on the latest stable", rule: "debian-packaging",
			repo: files{"zuul.yaml": "", "Dockerfile": "FROM python:3.13-slim-trixie\n"}, want: Pass, says: "trixie"},
		{name: "the changelog's distribution as a last resort", rule: "debian-packaging",
			repo: files{"zuul.yaml": "", "debian/changelog": replaced(d, "debian/changelog", "wazo-dev-trixie", "wazo-dev-bullseye")}, want: Fail, says: "bullseye"},

		// consul.
		{name: "registration shipped disabled", rule: "consul-registration",
			repo: files{"etc/wazo-quuxd/config.yml": replaced(d, "etc/wazo-quuxd/config.yml", "enabled: true", "enabled: false")}, want: Fail, says: "disabled"},
		{name: "registration from the code's defaults", rule: "consul-registration",
			repo: files{"etc/wazo-quuxd/config.yml": "debug: false\n",
				"wazo_quuxd/config.py": replaced(d, "wazo_quuxd/config.py", "    'rest_api': {", "    'consul': {'scheme': 'http', 'port': 8500},\n    'service_discovery': {'enabled': True, 'advertise_port': _DEFAULT_HTTP_PORT},\n    'rest_api': {")},
			want: Pass, says: "advertises port 9599"},

		{name: "an API network.md documents as unauthenticated checks no ACL", rule: "acl-granted",
			sib:  files{"wazo-platform.org/website/uc-doc/contributors/network.md": replaced(sb, "wazo-platform.org/website/uc-doc/contributors/network.md", "| 9599 | 127.0.0.1 | yes   ", "| 9599 | 127.0.0.1 | no    ")},
			want: Pass, says: "no authentication"},

		// Sibling artefacts missing from present checkouts.
		{name: "deleted acceptance feature", rule: "acceptance-service-discovery",
			sib: files{"wazo-acceptance/features/daily/service_discovery.feature": ""}, want: Fail, says: "features/daily/service_discovery.feature"},
		{name: "deleted http feature", rule: "acceptance-http",
			sib: files{"wazo-acceptance/features/daily/http.feature": ""}, want: Fail, says: "features/daily/http.feature"},
		{name: "deleted backup script", rule: "backup-list", sib: files{"wazo-backup/bin/wazo-backup": "", "wazo-backup/README.md": "# wazo-backup\n"},
			want: Fail, says: "bin/wazo-backup"},
		{name: "documented in the production tree only", rule: "documented", want: Pass, says: "content/quuxd"},

		// Dependencies.
		{name: "a fork's archive URL packaged by a wazo-python-*-packaging repo", rule: "deps-in-debian",
			repo: files{"requirements.txt": "https://github.com/someone/swagger-py/archive/master.zip\n"},
			sib:  files{"wazo-python-swaggerpy-packaging/VERSION": "0.2.1\n"}, want: Pass},
		{name: "a URL requirement of Wazo's company organisation is Wazo-built", rule: "deps-in-debian",
			repo: files{"requirements.txt": "https://github.com/TinxHQ/wazo-deployd-client/archive/master.zip\n"}, want: Pass},
		{name: "URL requirement named by its project", rule: "deps-wazo-packaging",
			repo: files{"requirements.txt": "https://github.com/someone/left-pad/archive/master.zip\n"}, want: Fail, says: "left-pad is not in Debian"},
		{name: "PyPI name whose Debian package has a suffix (Depends python3-cherrypy3)", rule: "deps-in-debian",
			repo: files{"requirements.txt": "cherrypy==18.10.0\n"}, want: Pass},
		{name: "dotted PyPI name", rule: "deps-in-debian", repo: files{"requirements.txt": "zope.interface==7.2\n"}, want: Pass},
		{name: "packaged by Wazo at the pinned version: in Debian or Wazo", rule: "deps-in-debian",
			repo: files{"requirements.txt": "graphql-server==3.0.0b7\n"},
			sib:  files{"wazo-python-graphql-server-packaging/VERSION": "3.0.0b7\n"}, want: Pass},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rf, sf := realDaemon(), realSiblings()
			for k, v := range c.repo {
				rf[k] = v
			}
			for k, v := range c.sib {
				sf[k] = v
			}
			st, msg := ruleVerdict(resultsOf(t, writeTree(t, rf), writeTree(t, sf), c.rule))
			if st != c.want || !strings.Contains(msg, c.says) {
				t.Errorf("%s: %s, want %s saying %q", c.rule, msg, c.want, c.says)
			}
		})
	}
}

// TestRealDaemonPassesEveryRule: the base of the cases passes every rule,
// so each case fails or passes for what it changes.
func TestRealDaemonPassesEveryRule(t *testing.T) {
	rep, err := Check(writeTree(t, realDaemon()), CheckOptions{Siblings: writeTree(t, realSiblings())})
	if err != nil {
		t.Fatal(err)
	}
	practice := map[string]bool{}
	for _, r := range All() {
		for _, tag := range r.Tags {
			practice[r.ID] = practice[r.ID] || tag == TagPractice
		}
	}
	for _, r := range rep.Results() {
		if r.Status != Pass && !practice[r.Rule] {
			t.Errorf("%s: %s %s", r.Rule, r.Status, r.Message)
		}
	}
}

// noAdduser is the postinst without the adduser call (a daemon running as a
// Debian account such as www-data).
func noAdduser() string {
	p := realDaemon()["debian/wazo-quuxd.postinst"]
	start := strings.Index(p, "        if ! getent passwd")
	end := strings.Index(p, "        if [ ! -e")
	return strings.Replace(p[:start]+p[end:], `chown $USER:$USER "$LOG"`, `chown www-data: "$LOG"`, 1)
}

// fastAGI turns the daemon into a FastAGI server: no REST API, no api.yml,
// no nginx location, a listen_port of its own.
func fastAGI() map[string]string {
	return map[string]string{
		"etc/wazo-quuxd/config.yml":                      "listen_address: 127.0.0.1\nlisten_port: 4599\n",
		"wazo_quuxd/config.py":                           "_DEFAULT_CONFIG = {\n    'user': 'wazo-quuxd',\n}\n",
		"wazo_quuxd/plugins/api/api.yml":                 "",
		"etc/nginx/locations/https-available/wazo-quuxd": "",
		"etc/nginx/wazo-quuxd-shared.conf":               "",
	}
}

// TestSummaryCountsRules: a rule with several failing findings counts once.
func TestSummaryCountsRules(t *testing.T) {
	rf := realDaemon()
	rf["requirements.txt"] = "flask==0.1\njinja2==0.1\nwerkzeug==0.1\n"
	rep, err := Check(writeTree(t, rf), CheckOptions{Siblings: writeTree(t, realSiblings()), Only: []string{"deps-pinned-to-debian", "starts-on-boot"}})
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Services[0]
	if n := len(s.Results); n < 4 {
		t.Fatalf("%d results, want 3 failing pins and a pass", n)
	}
	if s.Summary.Fail != 1 || s.Summary.Pass != 1 {
		t.Errorf("summary %+v: want 1 failing rule and 1 passing, whatever the number of findings", s.Summary)
	}
}

// TestNotADaemon: a package with no unit and no port is reported as such,
// and the daemon rules do not run on it.
func TestNotADaemon(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"debian/control":   "Source: wazo-quux-client\nBuild-Depends: debhelper-compat (= 13), dh-python\n\nPackage: wazo-quux-client-python3\nArchitecture: all\nDescription: client\n a client library\n",
		"requirements.txt": "requests==2.32.3\n",
		"setup.py":         "from setuptools import setup\n",
	})
	rep, err := Check(dir, CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Services[0]
	if !strings.Contains(s.NotADaemon, "not a daemon") {
		t.Errorf("NotADaemon = %q", s.NotADaemon)
	}
	if len(s.Results) == 0 {
		t.Error("no result: the packaging and dependency rules still apply")
	}
	for _, r := range s.Results {
		if r.Rule == "user-not-root" || r.Rule == "starts-on-boot" {
			t.Errorf("daemon rule %s ran on a library: %s %s", r.Rule, r.Status, r.Message)
		}
	}
}

// TestNoCodeNoDependencies: a package of shell scripts and configuration
// has no library dependencies to judge; a Python package whose manifest is
// not read is unknown.
func TestNoCodeNoDependencies(t *testing.T) {
	rf := realDaemon()
	for _, f := range []string{"requirements.txt", "setup.py", "wazo_quuxd/config.py"} {
		delete(rf, f)
	}
	st, msg := ruleVerdict(resultsOf(t, writeTree(t, rf), "", "deps-in-debian"))
	if st != Pass || !strings.Contains(msg, "no Go or Python code") {
		t.Errorf("no code: %s", msg)
	}
	rf["pyproject.toml"] = "[project]\nname = \"wazo-quuxd\"\ndependencies = [\"flask\"]\n"
	if st, msg := ruleVerdict(resultsOf(t, writeTree(t, rf), "", "deps-in-debian")); st != Unknown {
		t.Errorf("pyproject.toml only: %s", msg)
	}
}

// TestDependencyRulesAgree: for a dependency Debian lacks, deps-in-debian
// and deps-wazo-packaging give the same verdict: both pass when a
// wazo-*-packaging checkout packages it, both fail when the siblings hold
// none, both unknown without --siblings.
func TestDependencyRulesAgree(t *testing.T) {
	rf := realDaemon()
	rf["requirements.txt"] = "graphql-server==3.0.0b7\n"
	repoDir := writeTree(t, rf)
	with := realSiblings()
	with["wazo-python-graphql-server-packaging/VERSION"] = "3.0.0b7\n"
	for _, c := range []struct {
		name, sib string
		want      Status
	}{
		{"packaged by Wazo", writeTree(t, with), Pass},
		{"packaged by nobody", writeTree(t, realSiblings()), Fail},
		{"siblings not given", "", Unknown},
	} {
		for _, rule := range []string{"deps-in-debian", "deps-wazo-packaging"} {
			if st, msg := ruleVerdict(resultsOf(t, repoDir, c.sib, rule)); st != c.want {
				t.Errorf("%s: %s: %s, want %s", c.name, rule, msg, c.want)
			}
		}
	}
}

// TestWazoPackagingReplacesDebiansVersion: a pin Debian ships at another
// version is still available when a wazo-*-packaging checkout ships the
// pinned one (Wazo's python3-consul 1.1.0 over Debian's 1.5.5), for B23 and
// B24 alike; with no such checkout both fail.
func TestWazoPackagingReplacesDebiansVersion(t *testing.T) {
	rf := realDaemon()
	rf["requirements.txt"] = "python-consul==1.1.0\n"
	repoDir := writeTree(t, rf)
	with := realSiblings()
	with["wazo-python-consul-packaging/VERSION"] = "1.1.0\n"
	other := realSiblings()
	other["wazo-python-consul-packaging/VERSION"] = "1.0.1\n"
	for _, c := range []struct {
		name, sib string
		want      Status
	}{
		{"Wazo ships the pin", writeTree(t, with), Pass},
		{"Wazo ships another version", writeTree(t, other), Fail},
		{"no packaging checkout", writeTree(t, realSiblings()), Fail},
	} {
		for _, rule := range []string{"deps-in-debian", "deps-pinned-to-debian"} {
			if st, msg := ruleVerdict(resultsOf(t, repoDir, c.sib, rule)); st != c.want {
				t.Errorf("%s: %s: %s, want %s", c.name, rule, msg, c.want)
			}
		}
	}
}
