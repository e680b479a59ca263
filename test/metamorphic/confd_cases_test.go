package metamorphic

// The shipped conf.d layer: a file of etc/<service>/conf.d/ the package
// installs overrides config.yml on every install (the first file by name
// winning), so a port, PID file or log file set there is the daemon's.

const confD = "etc/wazo-tallyd/conf.d/50-local.yml"

func init() {
	py := pyService
	register(
		metaCase{name: "port 8080 in a shipped conf.d file over config.yml", rule: "port-convention", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.write(confD, "rest_api:\n  port: 8080\n") }},
		metaCase{name: "port moved to a shipped conf.d file, api.yml left", rule: "port-consistent", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.replace(cfg, "  listen: 127.0.0.1\n  port: 9521\n", "  listen: 127.0.0.1\n")
				tr.write(confD, "rest_api:\n  port: 9522\n")
			}},
		metaCase{name: "the same port repeated in a shipped conf.d file", rule: "port-convention", fixture: py, want: "pass",
			edit: func(tr *tree) { tr.write(confD, "rest_api:\n  port: 9521\n") }},
		metaCase{name: "the same port repeated in a shipped conf.d file (agreement)", rule: "port-consistent", fixture: py, want: "pass",
			edit: func(tr *tree) { tr.write(confD, "rest_api:\n  port: 9521\n") }},
		metaCase{name: "PID file moved by a shipped conf.d file to a directory nobody makes", rule: "pid-file-writable", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.write(confD, "pid_file: /run/wazo-tally-other/wazo-tallyd.pid\n") }},
		metaCase{name: "the same PID file repeated in a shipped conf.d file", rule: "pid-file-writable", fixture: py, want: "pass",
			edit: func(tr *tree) { tr.write(confD, "pid_file: /run/wazo-tallyd/wazo-tallyd.pid\n") }},
		metaCase{name: "log file moved by a shipped conf.d file to a root-owned directory", rule: "log-file-writable", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.write(confD, "log_file: /var/lib/wazo-tally-other/wazo-tallyd.log\n") }},
		metaCase{name: "the same log file repeated in a shipped conf.d file", rule: "log-file-writable", fixture: py, want: "pass",
			edit: func(tr *tree) { tr.write(confD, "log_file: /var/log/wazo-tallyd.log\n") }},
	)
}
