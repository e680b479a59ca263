package metamorphic

// The catalogue's rules that refine an item: the log's rotation (B4), the
// port's block and agreement (P0), and files that parse.

const logrotate = "debian/wazo-tallyd.logrotate"

func init() {
	py := pyService
	register(
		metaCase{name: "no logrotate file", rule: "log-file-rotation", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.remove(logrotate) }},
		metaCase{name: "logrotate of another file", rule: "log-file-rotation", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(logrotate, "/var/log/wazo-tallyd.log {", "/var/log/wazo-tally.log {") }},
		metaCase{name: "rotation recreates the log as root", rule: "log-file-rotation", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(logrotate, "    copytruncate\n", "    create 0640 root root\n") }},
		metaCase{name: "rotation recreates the log for the service user", rule: "log-file-rotation", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.replace(logrotate, "    copytruncate\n", "    create 0640 wazo-tallyd wazo-tallyd\n")
			}},
		metaCase{name: "logrotate options reordered", rule: "log-file-rotation", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.write(logrotate, "/var/log/wazo-tallyd.log {\n\tcopytruncate\n\tcompress\n\tdelaycompress\n\tnotifempty\n\tmissingok\n\trotate 10\n\tweekly\n}\n")
			}},

		metaCase{name: "api.yml names another port", rule: "port-consistent", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(apiYml, "x-xivo-port: 9521", "x-xivo-port: 9522") }},
		metaCase{name: "nginx proxies to another port", rule: "port-consistent", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(location, "127.0.0.1:9521", "127.0.0.1:9522") }},
		metaCase{name: "consul advertises another port", rule: "port-consistent", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(cfg, "advertise_port: 9521", "advertise_port: 9522") }},
		metaCase{name: "every declaration moved together", rule: "port-consistent", fixture: py, want: "pass", edit: setPort("9523")},
		metaCase{name: "config.yml in flow style (agreement)", rule: "port-consistent", fixture: py, want: "pass", edit: flowStyleConfig},

		// P0 is unconditional: a daemon with no TCP port fails it; B18's
		// port-allocation has nothing to collide and passes.
		metaCase{name: "no TCP port at all (P0)", rule: "port-convention", fixture: py, flips: true, want: "fail", edit: noTCPPort},
		metaCase{name: "no TCP port at all (B18)", rule: "port-allocation", fixture: py, want: "pass", edit: noTCPPort},
		metaCase{name: "port 8080 outside the block", rule: "port-convention", fixture: py, flips: true, want: "fail", edit: setPort("8080")},
		metaCase{name: "port 5000 outside the block", rule: "port-convention", fixture: py, flips: true, want: "fail", edit: setPort("5000")},
		metaCase{name: "port 9000 outside the block", rule: "port-convention", fixture: py, flips: true, want: "fail", edit: setPort("9000")},
		metaCase{name: "port only in the code defaults (block)", rule: "port-convention", fixture: py, want: "pass",
			edit: withoutLine(cfg, "  port: 9521")},
		metaCase{name: "unrelated key in config.yml (block)", rule: "port-convention", fixture: py, want: "pass", edit: unrelatedKey},

		metaCase{name: "config.yml is not YAML", rule: "files-parse", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.replace(cfg, "rest_api:\n  listen: 127.0.0.1\n", "rest_api:\n  listen: [127.0.0.1\n")
			}},
		metaCase{name: "api.yml is not YAML (parse)", rule: "files-parse", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(apiYml, "paths:\n", "paths: {\n") }},
		metaCase{name: "a plugin's api.yml is not YAML", rule: "files-parse", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.replace("wazo_tallyd/plugins/status/api.yml", "  /status:\n", "  /status: : :\n\t- x\n")
			}},
		metaCase{name: "config.yml in flow style (parse)", rule: "files-parse", fixture: py, want: "pass", edit: flowStyleConfig},
		metaCase{name: "comments added to api.yml", rule: "files-parse", fixture: py, want: "pass",
			edit: func(tr *tree) { tr.replace(apiYml, "paths:\n", "# the resources\npaths:\n  # the spec itself\n") }},
	)
}

// noTCPPort leaves the daemon no TCP listener: no port in its
// configuration or code defaults, no nginx location proxying to one.
func noTCPPort(tr *tree) {
	codeDefaultsOnlyPort(tr, "", "")
	tr.remove(location)
}
