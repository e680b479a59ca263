package metamorphic

import "strings"

// B6..B12: consul group, wazo-service, monit, install, boot, upgrade, HA.

const (
	rules       = "debian/rules"
	wazoService = "sib:wazo-service/bin/wazo-service"
	servicePy   = "sib:wazo-service/wazo_service/main.py"
	monitCheck  = "sib:wazo-monitoring/checks/wazo-tallyd"
	consulGroup = `        if ! id -nG "$ACCOUNT" | grep -qw consul ; then
            adduser "$ACCOUNT" consul >/dev/null || true
        fi
`
)

func init() {
	py := pyService
	register(
		// B6: in group consul when it reads the default consul config.
		metaCase{name: "reads /var/lib/consul but never joins group consul", rule: "user-in-consul-group", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(postinst, consulGroup, "") }},
		metaCase{name: "adds another account to consul", rule: "user-in-consul-group", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(postinst, `adduser "$ACCOUNT" consul`, `adduser www-data consul`) }},
		metaCase{name: "joins group consulate, not consul", rule: "user-in-consul-group", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(postinst, `adduser "$ACCOUNT" consul >`, `adduser "$ACCOUNT" consulate >`) }},
		metaCase{name: "usermod -aG consul instead of adduser", rule: "user-in-consul-group", fixture: py, want: "pass",
			edit: func(tr *tree) { tr.replace(postinst, `adduser "$ACCOUNT" consul`, `usermod -a -G consul "$ACCOUNT"`) }},
		metaCase{name: "no default consul file read, no group needed", rule: "user-in-consul-group", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.replace(postinst, consulGroup, "")
				tr.replace(cfg, "  token_file: /var/lib/consul/default_token\n", "")
			}},

		// B7: listed in wazo-service's bash lists.
		metaCase{name: "in neither wazo-service list", rule: "wazo-service-listed", fixture: py, flips: true, want: "fail", edit: unlistFromWazoService},
		metaCase{name: "listed under another name", rule: "wazo-service-listed", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.replace(wazoService, " wazo-tallyd", " wazo-tally")
				tr.replace(servicePy, "Service('wazo-tallyd')", "Service('wazo-tally')")
			}},
		metaCase{name: "only in a comment of the bash script", rule: "wazo-service-listed", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				unlistFromWazoService(tr)
				tr.replace(wazoService, "action=$1\n", "action=$1\n# wazo-tallyd is started by its own timer\n")
			}},
		metaCase{name: "moved to the wazo group", rule: "wazo-service-listed", fixture: py, want: "pass", edit: moveToWazoGroup},
		metaCase{name: "default list reordered", rule: "wazo-service-listed", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.replace(wazoService, `default_services="wazo-plugind wazo-webhookd wazo-confd wazo-tallyd wazo-auth`,
					`default_services="wazo-tallyd wazo-auth wazo-confd wazo-plugind wazo-webhookd`)
			}},

		// B8: monit checks it.
		metaCase{name: "no monit check anywhere", rule: "monit-check", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.remove(monitCheck) }},
		metaCase{name: "monit check of another daemon's name", rule: "monit-check", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.move(monitCheck, "sib:wazo-monitoring/checks/wazo-tally") }},
		metaCase{name: "no monit check, Restart=always in the unit", rule: "monit-check", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.remove(monitCheck)
				tr.replace(unit, "Restart=on-failure", "Restart=always")
			}},
		metaCase{name: "monit check shipped by the package instead", rule: "monit-check", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.write("etc/monit/conf.d/wazo-tallyd", tr.read(monitCheck))
				tr.remove(monitCheck)
			}},
		metaCase{name: "monit check by process name, not PID file", rule: "monit-check", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.replace(monitCheck, "with pidfile /run/wazo-tallyd/wazo-tallyd.pid", `matching "^/usr/bin/python3 /usr/bin/wazo-tallyd"`)
			}},

		// B9: a fresh install creates what the daemon needs.
		metaCase{name: "postinst creates no user for a non-root daemon", rule: "installs-cleanly", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.remove(postinst) }},
		metaCase{name: "postinst without #DEBHELPER#", rule: "installs-cleanly", fixture: py, flips: true, want: "fail",
			edit: withoutLine(postinst, "#DEBHELPER#")},
		metaCase{name: "postinst variables renamed", rule: "installs-cleanly", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.write(postinst, strings.ReplaceAll(tr.read(postinst), "ACCOUNT", "SVC_USER"))
			}},
		metaCase{name: "unrelated key in config.yml (install)", rule: "installs-cleanly", fixture: py, want: "pass", edit: unrelatedKey},

		// B10: WantedBy=multi-user.target and enabled by the packaging.
		metaCase{name: "no [Install] section", rule: "starts-on-boot", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(unit, "\n[Install]\nWantedBy=multi-user.target\n", "\n") }},
		metaCase{name: "dh_installsystemd --no-enable", rule: "starts-on-boot", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.write(rules, tr.read(rules)+"\noverride_dh_installsystemd:\n\tdh_installsystemd --no-enable\n")
			}},
		metaCase{name: "WantedBy listing two targets", rule: "starts-on-boot", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.replace(unit, "WantedBy=multi-user.target", "WantedBy=network-online.target multi-user.target")
			}},
		metaCase{name: "unit comments and Alias=", rule: "starts-on-boot", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.replace(unit, "[Install]\n", "[Install]\n# started with the host\nAlias=tallyd.service\n")
			}},

		// B11: running again after an upgrade.
		metaCase{name: "unlisted, neither stopped nor restarted on upgrade", rule: "restarts-on-upgrade", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				unlistFromWazoService(tr)
				tr.write(rules, tr.read(rules)+"\noverride_dh_installsystemd:\n\tdh_installsystemd --no-stop-on-upgrade --no-restart-after-upgrade\n")
			}},
		metaCase{name: "unlisted and dh_installsystemd --no-start", rule: "restarts-on-upgrade", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				unlistFromWazoService(tr)
				tr.write(rules, tr.read(rules)+"\noverride_dh_installsystemd:\n\tdh_installsystemd --no-start\n")
			}},
		metaCase{name: "unlisted, stopped before and started after the upgrade", rule: "restarts-on-upgrade", fixture: py, want: "pass",
			edit: func(tr *tree) {
				unlistFromWazoService(tr)
				tr.write(rules, tr.read(rules)+"\noverride_dh_installsystemd:\n\tdh_installsystemd --no-restart-after-upgrade\n")
			}},
		metaCase{name: "unlisted, dh_installsystemd restarts it", rule: "restarts-on-upgrade", fixture: py, want: "pass", edit: unlistFromWazoService},
		metaCase{name: "listed, dh_installsystemd --no-start", rule: "restarts-on-upgrade", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.write(rules, tr.read(rules)+"\noverride_dh_installsystemd:\n\tdh_installsystemd --no-start\n")
			}},

		// B12: its state on an HA secondary follows its group.
		metaCase{name: "in the wazo group, its unit skips while disabled", rule: "ha-secondary-state", fixture: py, want: "pass",
			edit: func(tr *tree) {
				moveToWazoGroup(tr)
				tr.replace(unit, "[Unit]\n", "[Unit]\nConditionPathExists=!/var/lib/wazo/disabled\n")
			}},
		metaCase{name: "group lists reordered", rule: "ha-secondary-state", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.replace(servicePy, "    Service('wazo-tallyd'),\n    Service('wazo-auth'),\n", "    Service('wazo-auth'),\n    Service('wazo-tallyd'),\n")
			}},
		metaCase{name: "only in wazo_service/main.py, not the bash lists", rule: "wazo-service-listed", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(wazoService, " wazo-tallyd", "") }},
		metaCase{name: "in the wazo group, the unit starts after a reboot", rule: "ha-secondary-state", fixture: py, flips: true, want: "fail", edit: moveToWazoGroup},
		metaCase{name: "secondary stops the default group, the unit starts after a reboot", rule: "ha-secondary-state", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.replace("sib:xivo-config/sbin/xivo-manage-slave-services", "wazo-service stop wazo", "wazo-service stop default")
			}},
		metaCase{name: "no postinst, the unit's User= names an account nothing creates", rule: "installs-cleanly", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.remove(postinst)
				dropDefaultUser(tr)
				tr.replace(unit, "[Service]\n", "[Service]\nUser=wazo-tallyd\n")
			}},
		metaCase{name: "unlisted, stopped on upgrade and never started again", rule: "restarts-on-upgrade", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				unlistFromWazoService(tr)
				tr.write(rules, tr.read(rules)+"\noverride_dh_installsystemd:\n\tdh_installsystemd --no-start --no-restart-after-upgrade\n")
			}},
		metaCase{name: "secondary stops every group, the unit starts after a reboot", rule: "ha-secondary-state", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.replace("sib:xivo-config/sbin/xivo-manage-slave-services", "wazo-service stop wazo", "wazo-service stop all")
			}},
		metaCase{name: "postinst creates no account, the defaults switch to one", rule: "installs-cleanly", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.replace(postinst, "        if ! getent passwd \"$ACCOUNT\" > /dev/null ; then\n            echo \"Creating system account $ACCOUNT\" 1>&2\n"+adduser+"\n        fi\n", "")
			}},
		metaCase{name: "adduser missing from Depends (a practice finding)", rule: "installs-cleanly", fixture: py, want: "pass",
			edit: withoutLine("debian/control", "         adduser,")},
		metaCase{name: "postinst without set -e (a practice finding)", rule: "installs-cleanly", fixture: py, want: "pass",
			edit: withoutLine(postinst, "set -e")},
		metaCase{name: "in a group under another name: unknown", rule: "ha-secondary-state", fixture: py, flips: true, want: "unknown",
			edit: func(tr *tree) {
				tr.replace(wazoService, " wazo-tallyd", " wazo-tally")
				tr.replace(servicePy, "Service('wazo-tallyd')", "Service('wazo-tally')")
			}},
		metaCase{name: "in no group: unknown", rule: "ha-secondary-state", fixture: py, flips: true, want: "unknown", edit: unlistFromWazoService},
		metaCase{name: "named only in a comment: unknown", rule: "ha-secondary-state", fixture: py, flips: true, want: "unknown",
			edit: func(tr *tree) {
				unlistFromWazoService(tr)
				tr.replace(wazoService, "action=$1\n", "action=$1\n# wazo-tallyd is started by its own timer\n")
			}},
		metaCase{name: "only in the bash lists, not wazo_service/main.py", rule: "wazo-service-listed", fixture: py, want: "pass",
			edit: func(tr *tree) { tr.replace(servicePy, "    Service('wazo-tallyd'),\n", "") }},
		metaCase{name: "WantedBy=graphical.target", rule: "starts-on-boot", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(unit, "WantedBy=multi-user.target", "WantedBy=graphical.target") }},
		metaCase{name: "unlisted and dh_installsystemd overridden away", rule: "restarts-on-upgrade", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				unlistFromWazoService(tr)
				tr.write(rules, tr.read(rules)+"\noverride_dh_installsystemd:\n\ttrue\n")
			}},
	)
}
