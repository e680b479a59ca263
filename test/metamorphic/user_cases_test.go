package metamorphic

// B1..B5: who the daemon runs as, and what it can write.

const (
	postinst = "debian/wazo-tallyd.postinst"
	unit     = "debian/wazo-tallyd.service"
	configPy = "wazo_tallyd/config.py"
	mainPy   = "wazo_tallyd/main.py"
	cfg      = "etc/wazo-tallyd/config.yml"
	adduser  = `            adduser --quiet --system --group \
                    --home "$ACCOUNT_HOME" --no-create-home \
                    "$ACCOUNT"`
)

func init() {
	py := pyService
	register(
		// B1: the service user is not root.
		metaCase{name: "User=root in the unit", rule: "user-not-root", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(unit, "[Service]\n", "[Service]\nUser=root\n") }},
		metaCase{name: "ExecStart --user root", rule: "user-not-root", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.replace(unit, "ExecStart=/usr/bin/wazo-tallyd", "ExecStart=/usr/bin/wazo-tallyd --user root")
			}},
		metaCase{name: "config.yml sets user root", rule: "user-not-root", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(cfg, "debug: false\n", "debug: false\nuser: root\n") }},
		metaCase{name: "User= in the unit as well", rule: "user-not-root", fixture: py, want: "pass",
			edit: func(tr *tree) { tr.replace(unit, "[Service]\n", "[Service]\nUser=wazo-tallyd\nGroup=wazo-tallyd\n") }},
		metaCase{name: "user moved from the code defaults to config.yml", rule: "user-not-root", fixture: py, want: "pass",
			edit: func(tr *tree) {
				dropDefaultUser(tr)
				tr.replace(cfg, "debug: false\n", "debug: false\nuser: wazo-tallyd\n")
			}},
		metaCase{name: "config.yml in flow style", rule: "user-not-root", fixture: py, want: "pass", edit: flowStyleConfig},

		// B2: no login shell.
		metaCase{name: "adduser --shell /bin/bash", rule: "user-no-login-shell", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.replace(postinst, "--no-create-home \\\n", "--no-create-home --shell /bin/bash \\\n")
			}},
		metaCase{name: "adduser of a normal account (no --system)", rule: "user-no-login-shell", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.replace(postinst, "adduser --quiet --system --group", "adduser --quiet --disabled-password --gecos '' --group")
			}},
		metaCase{name: "useradd with a shell", rule: "user-no-login-shell", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.replace(postinst, adduser, `            useradd --system --user-group --shell /bin/sh \
                    --home-dir "$ACCOUNT_HOME" "$ACCOUNT"`)
			}},
		metaCase{name: "explicit --shell /usr/sbin/nologin", rule: "user-no-login-shell", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.replace(postinst, "--no-create-home \\\n", "--no-create-home --shell /usr/sbin/nologin \\\n")
			}},
		metaCase{name: "adduser options reordered onto one line", rule: "user-no-login-shell", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.replace(postinst, adduser, `            adduser --system --no-create-home --home "$ACCOUNT_HOME" --group --quiet "$ACCOUNT"`)
			}},

		// B3: home not under /home.
		metaCase{name: "home under /home", rule: "user-home-not-in-home", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.replace(postinst, `ACCOUNT_HOME="/var/lib/$ACCOUNT"`, `ACCOUNT_HOME="/home/$ACCOUNT"`)
			}},
		metaCase{name: "literal --home /home/wazo-tallyd", rule: "user-home-not-in-home", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(postinst, `--home "$ACCOUNT_HOME"`, `--home /home/wazo-tallyd`) }},
		metaCase{name: "useradd -m -d /home/tally", rule: "user-home-not-in-home", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.replace(postinst, adduser, `            useradd --system --user-group -m -d /home/tally "$ACCOUNT"`)
			}},
		metaCase{name: "literal --home /var/lib/wazo-tallyd", rule: "user-home-not-in-home", fixture: py, want: "pass",
			edit: func(tr *tree) { tr.replace(postinst, `--home "$ACCOUNT_HOME"`, `--home /var/lib/wazo-tallyd`) }},
		metaCase{name: "adduser options reordered", rule: "user-home-not-in-home", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.replace(postinst, adduser, `            adduser --no-create-home --home "$ACCOUNT_HOME" \
                    --quiet --group --system "$ACCOUNT"`)
			}},

		// B4: the service user can write its log file.
		metaCase{name: "nothing creates the log file", rule: "log-file-writable", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.replace(postinst, "        if [ ! -e \"$LOGFILE\" ]; then\n            install -m 0640 -o \"$ACCOUNT\" -g \"$TEAM\" /dev/null \"$LOGFILE\"\n        fi\n", "")
			}},
		metaCase{name: "log file created root-owned", rule: "log-file-writable", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(postinst, `-o "$ACCOUNT" -g "$TEAM"`, `-o root -g root`) }},
		metaCase{name: "log file moved where the postinst does not give it", rule: "log-file-writable", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.replace(cfg, "log_file: /var/log/wazo-tallyd.log", "log_file: /var/log/wazo-tallyd/tallyd.log")
				tr.replace(configPy, "'log_file': '/var/log/wazo-tallyd.log'", "'log_file': '/var/log/wazo-tallyd/tallyd.log'")
			}},
		metaCase{name: "touch then chown instead of install -o", rule: "log-file-writable", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.replace(postinst, "            install -m 0640 -o \"$ACCOUNT\" -g \"$TEAM\" /dev/null \"$LOGFILE\"\n        fi\n",
					"            touch \"$LOGFILE\"\n        fi\n        chown \"$ACCOUNT:$TEAM\" \"$LOGFILE\"\n")
			}},
		metaCase{name: "log_file only in the code defaults", rule: "log-file-writable", fixture: py, want: "pass",
			edit: withoutLine(cfg, "log_file: /var/log/wazo-tallyd.log")},
		metaCase{name: "config.yml in flow style (log)", rule: "log-file-writable", fixture: py, want: "pass", edit: flowStyleConfig},

		// B5: a PID file the service user can write.
		metaCase{name: "PID directory made root-owned", rule: "pid-file-writable", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.replace(unit, "install -d -o wazo-tallyd -g wazo-tallyd", "install -d -o root -g root")
			}},
		metaCase{name: "nothing creates the PID directory", rule: "pid-file-writable", fixture: py, flips: true, want: "fail",
			edit: withoutLine(unit, "ExecStartPre=/usr/bin/install -d -o wazo-tallyd -g wazo-tallyd /run/wazo-tallyd")},
		metaCase{name: "PID file directly in /run", rule: "pid-file-writable", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.replace(cfg, "pid_file: /run/wazo-tallyd/wazo-tallyd.pid", "pid_file: /run/wazo-tallyd.pid")
				tr.replace(configPy, "'pid_file': '/run/wazo-tallyd/wazo-tallyd.pid'", "'pid_file': '/run/wazo-tallyd.pid'")
			}},
		metaCase{name: "RuntimeDirectory= with User= instead of install -d", rule: "pid-file-writable", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.replace(unit, "ExecStartPre=/usr/bin/install -d -o wazo-tallyd -g wazo-tallyd /run/wazo-tallyd\n",
					"User=wazo-tallyd\nGroup=wazo-tallyd\nRuntimeDirectory=wazo-tallyd\n")
			}},
		metaCase{name: "pid_file only in the code defaults", rule: "pid-file-writable", fixture: py, want: "pass",
			edit: withoutLine(cfg, "pid_file: /run/wazo-tallyd/wazo-tallyd.pid")},
		metaCase{name: "unrelated key in config.yml (pid)", rule: "pid-file-writable", fixture: py, want: "pass", edit: unrelatedKey},
		metaCase{name: "no User=, no user in config or defaults: root", rule: "user-not-root", fixture: py, flips: true, want: "fail",
			edit: dropDefaultUser},
		metaCase{name: "the code never switches user", rule: "user-not-root", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.replace(mainPy, "    if conf['user']:\n        change_user(conf['user'])\n", "")
			}},
		metaCase{name: "no PID file at all", rule: "pid-file-writable", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.replace(cfg, "pid_file: /run/wazo-tallyd/wazo-tallyd.pid\n", "")
				tr.replace(configPy, "    'pid_file': '/run/wazo-tallyd/wazo-tallyd.pid',\n", "")
				tr.replace("wazo_tallyd/controller.py", "        with pid_file.pidfile(self._config['pid_file']):\n", "        if True:\n")
			}},
		metaCase{name: "log file given by the unit's ExecStartPre", rule: "log-file-writable", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.replace(postinst, "        if [ ! -e \"$LOGFILE\" ]; then\n            install -m 0640 -o \"$ACCOUNT\" -g \"$TEAM\" /dev/null \"$LOGFILE\"\n        fi\n", "")
				tr.replace(unit, "ExecStart=", "ExecStartPre=/usr/bin/install -m 0640 -o wazo-tallyd -g wazo-tallyd /dev/null /var/log/wazo-tallyd.log\nExecStart=")
			}},
		metaCase{name: "PID directory from a tmpfiles.d entry", rule: "pid-file-writable", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.replace(unit, "ExecStartPre=/usr/bin/install -d -o wazo-tallyd -g wazo-tallyd /run/wazo-tallyd\n", "")
				tr.write("debian/wazo-tallyd.tmpfiles", "d /run/wazo-tallyd 0755 wazo-tallyd wazo-tallyd -\n")
			}},
		metaCase{name: "PID directory made only by the postinst, gone after a reboot", rule: "pid-file-writable", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.replace(unit, "ExecStartPre=/usr/bin/install -d -o wazo-tallyd -g wazo-tallyd /run/wazo-tallyd\n", "")
				tr.replace(postinst, "        if [ ! -e \"$LOGFILE\" ]; then\n", "        install -d -o \"$ACCOUNT\" -g \"$TEAM\" /run/wazo-tallyd\n        if [ ! -e \"$LOGFILE\" ]; then\n")
			}},
	)
}
