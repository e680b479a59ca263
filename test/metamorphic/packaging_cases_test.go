package metamorphic

import "strings"

// B22..B25: the Debian package and its dependencies, on the daemon and on
// the cron tool (a package that is not a daemon).

const requirements = "requirements.txt"

func init() {
	py, cron := pyService, cronService
	register(
		// B22: the packaging targets the latest Debian stable.
		metaCase{name: "zuul builds for bookworm", rule: "debian-packaging", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace("zuul.yaml", "debian-packaging-trixie", "debian-packaging-bookworm") }},
		metaCase{name: "no debian/control", rule: "debian-packaging", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.remove("debian/control") }},
		metaCase{name: "no debian/rules", rule: "debian-packaging", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.remove("debian/rules") }},
		metaCase{name: "zuul template list grows", rule: "debian-packaging", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.replace("zuul.yaml", "      - wazo-tox-py311\n", "      - wazo-tox-py311\n      - wazo-tox-integration-py311\n")
			}},
		metaCase{name: "Depends on one line", rule: "debian-packaging", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.replace("debian/control", "Depends: ${python3:Depends},\n         ${misc:Depends},\n         adduser,\n",
					"Depends: ${python3:Depends}, ${misc:Depends}, adduser,\n")
			}},
		metaCase{name: "cron tool built for bookworm", rule: "debian-packaging", fixture: cron, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace("zuul.yaml", "debian-packaging-trixie", "debian-packaging-bookworm") }},
		metaCase{name: "cron tool zuul templates reordered", rule: "debian-packaging", fixture: cron, want: "pass",
			edit: func(tr *tree) {
				tr.write("zuul.yaml", "- project:\n    templates:\n      - debian-packaging-trixie\n      - wazo-tox-py311\n")
			}},

		// B23: every third-party requirement is available in Debian or by Wazo.
		metaCase{name: "a requirement Debian and Wazo lack", rule: "deps-in-debian", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.write(requirements, tr.read(requirements)+"tally-sketches==0.3.1\n") }},
		metaCase{name: "a requirement from a non-Wazo archive URL", rule: "deps-in-debian", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.write(requirements, "https://github.com/example-org/tally-sketches/archive/v0.3.1.zip\n"+tr.read(requirements))
			}},
		metaCase{name: "cron tool needs a package Debian lacks", rule: "deps-in-debian", fixture: cron, flips: true, want: "fail",
			edit: func(tr *tree) { tr.write(requirements, tr.read(requirements)+"purge-windows==2.0.0\n") }},
		metaCase{name: "requirements reordered", rule: "deps-in-debian", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.write(requirements, "requests==2.32.3\npyyaml==6.0.2\nkombu==5.5.3\nflask==3.1.1\ncheroot==10.0.1\n"+
					"https://github.com/wazo-platform/xivo-lib-python/archive/master.zip\n"+
					"https://github.com/wazo-platform/wazo-bus/archive/master.zip\n"+
					"https://github.com/wazo-platform/wazo-auth-client/archive/master.zip\n")
			}},
		metaCase{name: "requirements with comments", rule: "deps-in-debian", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.replace(requirements, "flask==3.1.1\n", "# the REST API\nflask==3.1.1  # as in Debian\n")
			}},

		// B24: every == pin is Debian's upstream version.
		metaCase{name: "flask pinned older than Debian's", rule: "deps-pinned-to-debian", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(requirements, "flask==3.1.1", "flask==2.2.2") }},
		metaCase{name: "pyyaml pinned newer than Debian's", rule: "deps-pinned-to-debian", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(requirements, "pyyaml==6.0.2", "pyyaml==6.0.3") }},
		metaCase{name: "requests pinned to bookworm's", rule: "deps-pinned-to-debian", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(requirements, "requests==2.32.3", "requests==2.28.1") }},
		metaCase{name: "cron tool pins psycopg2 off Debian's", rule: "deps-pinned-to-debian", fixture: cron, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(requirements, "psycopg2==2.9.10", "psycopg2==2.9.5") }},
		metaCase{name: "pins reordered", rule: "deps-pinned-to-debian", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.replace(requirements, "cheroot==10.0.1\n", "")
				tr.write(requirements, tr.read(requirements)+"cheroot==10.0.1\n")
			}},
		metaCase{name: "pins with comments", rule: "deps-pinned-to-debian", fixture: py, want: "pass",
			edit: func(tr *tree) { tr.replace(requirements, "kombu==5.5.3\n", "kombu==5.5.3  # the bus\n") }},
		metaCase{name: "cron tool pins with a comment", rule: "deps-pinned-to-debian", fixture: cron, want: "pass",
			edit: func(tr *tree) { tr.replace(requirements, "pyyaml==6.0.2\n", "# config parsing\npyyaml==6.0.2\n") }},

		// B25: what Debian lacks, a Wazo packaging repository ships at the pin.
		metaCase{name: "a requirement nobody packages", rule: "deps-wazo-packaging", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.write(requirements, tr.read(requirements)+"tally-sketches==0.3.1\n") }},
		metaCase{name: "two requirements nobody packages", rule: "deps-wazo-packaging", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.write(requirements, tr.read(requirements)+"tally-sketches==0.3.1\ncounter-bloom==1.1\n")
			}},
		metaCase{name: "cron tool needs a package nobody packages", rule: "deps-wazo-packaging", fixture: cron, flips: true, want: "fail",
			edit: func(tr *tree) { tr.write(requirements, tr.read(requirements)+"purge-windows==2.0.0\n") }},
		metaCase{name: "a requirement Wazo packages at the pin", rule: "deps-wazo-packaging", fixture: py, want: "pass",
			edit: func(tr *tree) { tr.write(requirements, tr.read(requirements)+"tallyring==1.4.0\n") }},
		metaCase{name: "requirements reordered (packaging)", rule: "deps-wazo-packaging", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.replace(requirements, "cheroot==10.0.1\n", "")
				tr.write(requirements, tr.read(requirements)+"cheroot==10.0.1\n")
			}},
		metaCase{name: "a pinned version no Debian release has", rule: "deps-in-debian", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(requirements, "flask==3.1.1", "flask==0.12.2") }},
		metaCase{name: "a requirement Wazo packages at another version", rule: "deps-wazo-packaging", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.write(requirements, tr.read(requirements)+"tallyring==1.3.0\n") }},
		metaCase{name: "changelog targets bookworm", rule: "debian-packaging", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.write("debian/changelog", strings.ReplaceAll(tr.read("debian/changelog"), "wazo-dev-trixie", "wazo-dev-bookworm"))
			}},
	)
}
