package metamorphic

// B13..B18, B21: what the sibling repositories say about the service.

const (
	apiDoc       = "sib:wazo-platform.org/website/docs/api/wazo-tallyd"
	backupScript = "sib:wazo-backup/bin/wazo-backup"
	backupPage   = "sib:wazo-platform.org/website/uc-doc/system/backup_restore.md"
	networkPage  = "sib:wazo-platform.org/website/uc-doc/contributors/network.md"
	httpFeature  = "sib:wazo-acceptance/features/daily/http.feature"
	sdFeature    = "sib:wazo-acceptance/features/daily/service_discovery.feature"
	networkRow   = "| wazo-tallyd     | HTTP    | TCP      | 9521 | 127.0.0.1 | yes            | yes     |\n"
)

func init() {
	py := pyService
	register(
		// B13: a page of wazo-platform.org about it.
		metaCase{name: "no page nor section at all", rule: "documented", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.remove(apiDoc)
				dropDocSections(tr)
			}},
		metaCase{name: "a page of another service's name", rule: "documented", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.move(apiDoc, "sib:wazo-platform.org/website/docs/api/wazo-tally")
				dropDocSections(tr)
			}},
		metaCase{name: "only a row of the ports table", rule: "documented", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.remove(apiDoc)
				tr.remove("sib:wazo-platform.org/website/uc-doc/system/configuration_files.md")
				tr.remove("sib:wazo-platform.org/website/uc-doc/system/log_files.md")
			}},
		metaCase{name: "page moved to content/<api>/description.md", rule: "documented", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.move(apiDoc+"/description.md", "sib:wazo-platform.org/content/tallyd/description.md")
				tr.remove(apiDoc)
			}},
		metaCase{name: "page rewritten", rule: "documented", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.write(apiDoc+"/description.md", "# wazo-tallyd\n\nCounters, per tenant, over a REST API.\n\n## Configuration\n\nSee /etc/wazo-tallyd/.\n")
			}},

		// B14: /etc/wazo-<svc>/ in wazo-backup's BACKUP_LIST.
		metaCase{name: "not in BACKUP_LIST", rule: "backup-list", fixture: py, flips: true, want: "fail",
			edit: withoutLine(backupScript, "                 /etc/wazo-tallyd/")},
		metaCase{name: "only its /var/lib directory saved", rule: "backup-list", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(backupScript, "/etc/wazo-tallyd/", "/var/lib/wazo-tallyd/") }},
		metaCase{name: "a similar name saved, not its own", rule: "backup-list", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(backupScript, "/etc/wazo-tallyd/", "/etc/wazo-tally/") }},
		metaCase{name: "BACKUP_LIST reordered", rule: "backup-list", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.replace(backupScript, "                 /etc/wazo-tallyd/\n", "")
				tr.replace(backupScript, `BACKUP_LIST="/etc/asterisk/`, "BACKUP_LIST=\"/etc/wazo-tallyd/\n                 /etc/asterisk/")
			}},
		metaCase{name: "another directory added to BACKUP_LIST", rule: "backup-list", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.replace(backupScript, "/etc/hosts\n", "/etc/hosts\n                 /etc/hostname\n")
			}},

		// B15: the same path on the backup page.
		metaCase{name: "backup page as a folder's index.md", rule: "backup-documented", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.move(backupPage, "sib:wazo-platform.org/website/uc-doc/system/backup_restore/index.md")
			}},
		metaCase{name: "not on the backup page", rule: "backup-documented", fixture: py, flips: true, want: "fail",
			edit: withoutLine(backupPage, "- /etc/wazo-tallyd/")},
		metaCase{name: "a similar name on the backup page", rule: "backup-documented", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(backupPage, "- /etc/wazo-tallyd/", "- /etc/wazo-tally/") }},
		metaCase{name: "backup page removed", rule: "backup-documented", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.remove(backupPage) }},
		metaCase{name: "backup page list reordered", rule: "backup-documented", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.replace(backupPage, "- /etc/wazo-tallyd/\n", "")
				tr.replace(backupPage, "- /etc/asterisk/\n", "- /etc/wazo-tallyd/\n- /etc/asterisk/\n")
			}},
		metaCase{name: "backup page paths in backquotes", rule: "backup-documented", fixture: py, want: "pass",
			edit: func(tr *tree) { tr.replace(backupPage, "- /etc/wazo-tallyd/", "- `/etc/wazo-tallyd/`") }},

		// B17: a row in service_discovery.feature.
		metaCase{name: "no row in service_discovery.feature", rule: "acceptance-service-discovery", fixture: py, flips: true, want: "fail",
			edit: withoutLine(sdFeature, "        | wazo-tallyd   |")},
		metaCase{name: "service_discovery.feature gone", rule: "acceptance-service-discovery", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.remove(sdFeature) }},
		metaCase{name: "a row of a similar name", rule: "acceptance-service-discovery", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(sdFeature, "| wazo-tallyd   |", "| wazo-tally    |") }},
		metaCase{name: "service_discovery.feature rows reordered", rule: "acceptance-service-discovery", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.replace(sdFeature, "        | wazo-tallyd   |\n", "")
				tr.replace(sdFeature, "        | wazo-auth     |\n", "        | wazo-tallyd   |\n        | wazo-auth     |\n")
			}},

		// B18: every TCP port in network.md, none a test port.
		metaCase{name: "no network.md row", rule: "port-documented", fixture: py, flips: true, want: "fail",
			edit: withoutLine(networkPage, networkRow[:len(networkRow)-1])},
		metaCase{name: "network.md row on another port", rule: "port-documented", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(networkPage, "| 9521 |", "| 9522 |") }},
		metaCase{name: "network.md rows reordered", rule: "port-documented", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.replace(networkPage, networkRow, "")
				tr.replace(networkPage, "| nginx ", networkRow[:len(networkRow)-1]+"\n| nginx ")
			}},
		metaCase{name: "port only in the code defaults (documented)", rule: "port-documented", fixture: py, want: "pass",
			edit: withoutLine(cfg, "  port: 9521")},
		metaCase{name: "config.yml in flow style (port documented)", rule: "port-documented", fixture: py, want: "pass", edit: flowStyleConfig},

		// B21: a row /api/<name>/ in http.feature.
		metaCase{name: "no http.feature row", rule: "acceptance-http", fixture: py, flips: true, want: "fail",
			edit: withoutLine(httpFeature, "    | GET    | /api/tallyd/1.0/status     |")},
		metaCase{name: "http.feature row of another prefix", rule: "acceptance-http", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(httpFeature, "/api/tallyd/1.0/status", "/api/tally/1.0/status ") }},
		metaCase{name: "http.feature gone", rule: "acceptance-http", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.remove(httpFeature) }},
		metaCase{name: "http.feature rows reordered", rule: "acceptance-http", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.replace(httpFeature, "    | GET    | /api/tallyd/1.0/status     |\n", "")
				tr.replace(httpFeature, "    | GET    | /api/auth/", "    | GET    | /api/tallyd/1.0/status     |\n    | GET    | /api/auth/")
			}},
		metaCase{name: "http.feature row of another resource", rule: "acceptance-http", fixture: py, want: "pass",
			edit: func(tr *tree) { tr.replace(httpFeature, "/api/tallyd/1.0/status", "/api/tallyd/1.0/config") }},
		metaCase{name: "listener only in the code defaults' http section (documented)", rule: "port-documented", fixture: py, want: "pass",
			edit: func(tr *tree) { codeDefaultsOnlyPort(tr, "http", "9521") }},
		metaCase{name: "a websocket port network.md lacks", rule: "port-documented", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.replace(cfg, "enabled_plugins:\n", "websocket:\n  listen: 127.0.0.1\n  port: 9522\n\nenabled_plugins:\n")
			}},
		metaCase{name: "service_discovery.feature gains another row", rule: "acceptance-service-discovery", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.replace(sdFeature, "        | wazo-auth     |\n", "        | wazo-auth     |\n        | wazo-chatd    |\n")
			}},
		metaCase{name: "listener only in defaults kept in main.py, no nginx (documented)", rule: "port-documented", fixture: py, want: "pass", edit: portOnlyInMainPyDefaults},
		metaCase{name: "listener only in the code defaults' http section, not in network.md", rule: "port-documented", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { codeDefaultsOnlyPort(tr, "http", "9523") }},
		metaCase{name: "port moved to a test port, documented", rule: "port-documented", fixture: py, flips: true, want: "fail",
			edit: setPort("8080")},
		metaCase{name: "documented as an API module of content/sections.yaml", rule: "documented", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.remove(apiDoc)
				dropDocSections(tr)
				tr.write("sib:wazo-platform.org/content/sections.yaml",
					"- name: Counters\n  modules:\n    - name: tallyd\n      title: Counters\n      description: Counters per tenant\n")
			}},
		metaCase{name: "documented in a ## wazo-tallyd section of a uc-doc page", rule: "documented", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.remove(apiDoc)
				dropDocSections(tr)
				tr.write("sib:wazo-platform.org/website/uc-doc/administration/counters.md",
					"---\ntitle: Counters\n---\n\n## wazo-tallyd\n\nwazo-tallyd keeps a counter per tenant and event.\n")
			}},
		metaCase{name: "documented in a uc-doc page of its own outside system/", rule: "documented", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.remove(apiDoc)
				dropDocSections(tr)
				tr.write("sib:wazo-platform.org/website/uc-doc/api_sdk/wazo-tallyd.md", "---\ntitle: wazo-tallyd\n---\n\nCounters per tenant.\n")
			}},
		metaCase{name: "documented only by its section of the configuration files page", rule: "documented", fixture: py, want: "pass",
			edit: func(tr *tree) { tr.remove(apiDoc) }},
		metaCase{name: "service_discovery.feature columns unpadded", rule: "acceptance-service-discovery", fixture: py, want: "pass",
			edit: func(tr *tree) { tr.replace(sdFeature, "| wazo-tallyd   |", "|wazo-tallyd|") }},
	)
}

// dropDocSections removes the service's sections from the uc-doc pages on
// configuration and log files, which also document it.
func dropDocSections(tr *tree) {
	tr.replace("sib:wazo-platform.org/website/uc-doc/system/configuration_files.md",
		"## wazo-tallyd\n\nDefault configuration directory: `/etc/wazo-tallyd/conf.d`\n", "")
	tr.replace("sib:wazo-platform.org/website/uc-doc/system/log_files.md",
		"## wazo-tallyd\n\nFile location: `/var/log/wazo-tallyd.log`\n", "")
}
