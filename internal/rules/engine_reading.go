package rules

// readings states, for each rule, how the product reads its checklist
// item: what makes it pass, fail or stay unknown, on the facts of the
// service model (internal/service). `rules --explain ID` prints it.
var readings = map[string]string{
	"user-not-root":                "Passes when the service user is not root. The service user is what the shipped unit really runs the process as, after the daemon's own privilege drop: the unit's User=, else a --user/--uid/-u flag of ExecStart, else the user of the default configuration (config file or the code's defaults) when the code switches to it, else root. An account the postinst creates but nothing runs as is not the service user. Unknown when a configured user's switch cannot be seen (no daemon code in the checkout).",
	"user-no-login-shell":          "Passes when the service user has no login shell; adduser --system without --shell gives /usr/sbin/nologin.",
	"user-home-not-in-home":        "Passes when the service user's home is not under /home: /var/lib/<user> or none.",
	"log-file-writable":            "Passes when the service user can write the default log file (postinst chown or install -o, or the unit); a root daemon can. No default log file at all fails.",
	"log-file-rotation":            "Wazo practice read with the log item: the log file is rotated and stays the service user's after a rotation.",
	"pid-file-writable":            "Passes when a PID file exists (the daemon's own or a worker's it spawns) and the service user can write it and its directory (RuntimeDirectory=, ExecStartPre install -d -o, the postinst; root can). No PID file at all fails: the item is unconditional.",
	"user-in-consul-group":         "Conditional: when the service uses the default consul config file (/var/lib/consul/default_*), the service user is in the consul group. When the condition does not apply, it passes saying why.",
	"wazo-service-listed":          "Passes when wazo-service's bash lists (the ones that drive start and stop) name it. \"If necessary\": not listing is right for a concrete reason the checkouts show, such as a package outside the wazo-platform meta-package that the lists would break when absent.",
	"monit-check":                  "Passes when a monit check watches the daemon: wazo-monitoring's checks/<service> or one the package ships. systemd's Restart= does not count. Unknown when the package ships none and wazo-monitoring is not given.",
	"installs-cleanly":             "Passes when a fresh install has a path to the package (the wazo-platform meta-package's Depends, or a documented installer) and the postinst creates what the daemon needs (its account, with #DEBHELPER#). Unknown when neither path is in the checkouts. Lint such as a missing set -e is maintainer-scripts', not this item's.",
	"starts-on-boot":               "Passes when the unit is WantedBy=multi-user.target and the packaging enables it.",
	"restarts-on-upgrade":          "Passes when wazo-service's lists name it (wazo-upgrade's final restart starts it) or the packaging restarts it on upgrade.",
	"ha-secondary-state":           "Passes when its state on an HA secondary follows its wazo-service group: the wazo group is stopped on a secondary (and its unit must not start there after a reboot), the default group runs. In no group and no stated policy: unknown. bin/wazo-service's lists decide; another list disagreeing is a practice finding.",
	"documented":                   "Passes when wazo-platform.org has a page or a section about it: content/<name>/ or a content/sections.yaml API module, website/docs/api/<service>/, a website/uc-doc page named after it, or a ## <service> section of a uc-doc page. A row of the ports table alone does not count.",
	"backup-list":                  "Passes when /etc/<service>/ (its config directory) is in wazo-backup's BACKUP_LIST.",
	"backup-documented":            "Passes when the same path is listed under Data in wazo-platform.org's backup and restore page.",
	"consul-registration":          "Passes when the shipped default configuration registers the service in consul; code that can register once an admin turns it on is not enough.",
	"acceptance-service-discovery": "Passes when wazo-acceptance's features/daily/service_discovery.feature has a row for it; the file being gone today fails, saying so.",
	"port-convention":              "Passes when every HTTP port the daemon listens on by default is unique among Wazo's ports and not a common test port, in the 9486+ block, or an older port recorded for the service (a new service takes the next free one). No TCP port at all fails.",
	"port-allocation":              "Passes when every TCP port the daemon listens on by default is used by no other Wazo service and is not a common test port (8000, 8008, 8080, 8081, 8443, 8888, 3000, 5000, 9000). No TCP port: nothing to collide, pass.",
	"port-consistent":              "Wazo practice read with the ports item: api.yml's x-xivo-port, the nginx proxy_pass and the consul advertise_port name a port the daemon listens on. No TCP port and none declared: pass.",
	"port-documented":              "Passes when every TCP port the daemon listens on by default is in wazo-platform.org's network.md, and none is a common test port. No TCP port: nothing to list, pass.",
	"api-spec":                     "Passes when an unauthenticated Swagger/OpenAPI spec is served at /<version>/api/api.yml, enabled by default. A daemon with no REST API fails: the checklist expects an API for every service.",
	"nginx-location":               "Passes when the package installs and enables an nginx location ^~ /api/<name>/ inside wazo-nginx's 443 server. Development assets (a Docker compose nginx, a test file) are not the package. No REST API fails.",
	"acceptance-http":              "Passes when wazo-acceptance's features/daily/http.feature has a /api/<name>/ row. No REST API fails.",
	"debian-packaging":             "Passes when the packaging targets the latest Debian stable (zuul job template, build image, changelog distribution), whatever --dist says.",
	"deps-in-debian":               "Version level: passes when every third-party requirement's pinned version is available as a package of the target Debian stable, or from a Wazo packaging repository at that version. Wazo's own libraries count as available.",
	"deps-pinned-to-debian":        "Passes when every == pin equals the upstream part of the Debian version (epoch, Debian revision, +ds/+dfsg dropped; X+reallyY read as Y), or a Wazo packaging version; pip names map to Debian names through the package's own Depends first.",
	"deps-wazo-packaging":          "Conditional: for a requirement with no Debian package by name, a Wazo packaging repository ships the pinned version. No such requirement: pass. A packaging repository not checked out: unknown.",
	"files-parse":                  "Wazo practice: every YAML file the package ships (config, conf.d, api.yml) parses; a verdict cannot rest on a file that cannot be read.",
	"service-key-provisioned":      "Wazo practice: a service calling other Wazo APIs gets its service key provisioned by wazo-auth-keys.",
	"acl-granted":                  "Wazo practice: the ACLs the service's routes require are granted by a wazo-auth policy.",
	"ha-unit-condition":            "Wazo practice: a unit in the wazo group carries ConditionPathExists=!/var/lib/wazo/disabled, and one never stopped on a secondary (the default group, or no group) does not.",
	"log-format-current":           "Wazo practice: the daemon logs xivo's current line (the kit's logging in Go, xivo_logging.setup_logging with its default format in Python).",
	"touch-points-listed":          "Wazo practice: the platform's other touch points (xivo-build-tools' package list, wazo-sdk's project.yml) name the service.",
	"maintainer-scripts":           "Wazo practice: the postinst runs under set -e and the package depends on the tools it calls (adduser). Lint of this kind never changes installs-cleanly's verdict.",
}

// ReadingOf is how the product reads rule id's item ("" for no such rule).
func ReadingOf(id string) string { return readings[id] }
