package metamorphic

import "strings"

// The Go daemon `new` generates: its unit runs it as its user, and its
// code defaults are cmd/<name>/defaults.yml.

const (
	goUnit     = "debian/wazo-gauged.service"
	goCfg      = "etc/wazo-gauged/config.yml"
	goDefaults = "cmd/wazo-gauged/defaults.yml"
)

func init() {
	g := goService
	register(
		metaCase{name: "Go: User=root", rule: "user-not-root", fixture: g, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(goUnit, "User=wazo-gauged\n", "User=root\n") }},
		metaCase{name: "Go: user only in the code defaults and the unit", rule: "user-not-root", fixture: g, want: "pass",
			edit: func(tr *tree) { tr.replace(goCfg, "user: wazo-gauged\n", "") }},

		metaCase{name: "Go: PID directory no longer made", rule: "pid-file-writable", fixture: g, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(goUnit, "RuntimeDirectory=wazo-gauged\n", "") }},
		metaCase{name: "Go: pid_file only in the code defaults", rule: "pid-file-writable", fixture: g, want: "pass",
			edit: func(tr *tree) { tr.replace(goCfg, "pid_file: /run/wazo-gauged/wazo-gauged.pid\n", "") }},

		metaCase{name: "Go: port 8000, a test port", rule: "port-allocation", fixture: g, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.replace(goCfg, "  port: 9531", "  port: 8000")
				tr.replace(goDefaults, "  port: 9531", "  port: 8000")
			}},
		metaCase{name: "Go: port only in the code defaults", rule: "port-allocation", fixture: g, want: "pass",
			edit: func(tr *tree) { tr.replace(goCfg, "  port: 9531\n", "") }},

		metaCase{name: "Go: registration off in config.yml", rule: "consul-registration", fixture: g, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.replace(goCfg, "service_discovery:\n  enabled: true", "service_discovery:\n  enabled: false")
			}},
		metaCase{name: "Go: config.yml comments dropped", rule: "consul-registration", fixture: g, want: "pass",
			edit: func(tr *tree) { tr.write(goCfg, withoutComments(tr.read(goCfg))) }},

		metaCase{name: "Go: no nginx location", rule: "nginx-location", fixture: g, flips: true, want: "fail",
			edit: func(tr *tree) { tr.remove("etc/nginx/locations/https-available/wazo-gauged") }},
		metaCase{name: "Go: location reindented", rule: "nginx-location", fixture: g, want: "pass",
			edit: func(tr *tree) {
				tr.write("etc/nginx/locations/https-available/wazo-gauged",
					"location ^~ /api/gauged/ {\n\tproxy_pass http://127.0.0.1:9531/;\n\tproxy_set_header X-Script-Name /api/gauged;\n}\n")
			}},

		metaCase{name: "Go: WantedBy dropped", rule: "starts-on-boot", fixture: g, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(goUnit, "WantedBy=multi-user.target\n", "") }},
		metaCase{name: "Go: unit hardening lines removed", rule: "starts-on-boot", fixture: g, want: "pass",
			edit: func(tr *tree) { tr.replace(goUnit, "NoNewPrivileges=yes\n", "") }},
		metaCase{name: "Go: no User=, no user in config or defaults: root", rule: "user-not-root", fixture: g, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.replace(goUnit, "User=wazo-gauged\nGroup=wazo-gauged\n", "")
				tr.replace(goCfg, "user: wazo-gauged\n", "")
				tr.replace(goDefaults, "user: wazo-gauged\n", "")
			}},
	)
}

// withoutComments drops the YAML comment lines of s.
func withoutComments(s string) string {
	var keep []string
	for _, line := range strings.Split(s, "\n") {
		if !strings.HasPrefix(line, "#") {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n")
}
