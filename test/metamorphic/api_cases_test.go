package metamorphic

import "strings"

// P0, B16, B19, B20: the port, consul registration, api.yml, nginx.

const (
	apiYml   = "wazo_tallyd/plugins/api/api.yml"
	location = "etc/nginx/locations/https-available/wazo-tallyd"
	sdBlock  = `service_discovery:
  enabled: true
  advertise_address: auto
  advertise_address_interface: eth0
  advertise_port: 9521
  ttl_interval: 30
  refresh_interval: 27
  retry_interval: 2
  extra_tags: []
`
	nginxLink = `        if [[ -z "${previous_version}" ]]; then
            ln -sf /etc/nginx/locations/https-available/$NAME \
                   /etc/nginx/locations/https-enabled/$NAME
        fi
`
)

func init() {
	py := pyService
	register(
		// P0: a unique port, not a test port.
		metaCase{name: "port 8080, a test port", rule: "port-allocation", fixture: py, flips: true, want: "fail", edit: setPort("8080")},
		metaCase{name: "wazo-auth's port 9497", rule: "port-allocation", fixture: py, flips: true, want: "fail", edit: setPort("9497")},
		metaCase{name: "wazo-webhookd's port 9300", rule: "port-allocation", fixture: py, flips: true, want: "fail", edit: setPort("9300")},
		// Misreading: the port a daemon listens on is where its code keeps
		// it, whatever other files (nginx, api.yml) say; a port the reader
		// cannot resolve is unknown, never "no port".
		metaCase{name: "listener's port a constant of another module, a test port", rule: "port-allocation", fixture: py, flips: true, want: "unknown",
			edit: func(tr *tree) {
				codeDefaultsOnlyPort(tr, "rest_api", "9521")
				tr.replace(configPy, "_TALLYD_PORT = 9521\n", "from wazo_tallyd.constants import HTTP_PORT as _TALLYD_PORT\n")
				tr.write("wazo_tallyd/constants.py", "HTTP_PORT = 8080\n")
			}},
		metaCase{name: "port only in the code defaults", rule: "port-allocation", fixture: py, want: "pass",
			edit: withoutLine(cfg, "  port: 9521")},
		metaCase{name: "config.yml in flow style (port)", rule: "port-allocation", fixture: py, want: "pass", edit: flowStyleConfig},
		metaCase{name: "unrelated key in config.yml (port)", rule: "port-allocation", fixture: py, want: "pass", edit: unrelatedKey},

		// B16: the shipped configuration registers in consul.
		metaCase{name: "registration off in config.yml", rule: "consul-registration", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.replace(cfg, "service_discovery:\n  enabled: true", "service_discovery:\n  enabled: false")
			}},
		metaCase{name: "registration off in the defaults, not in config.yml", rule: "consul-registration", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.replace(cfg, sdBlock, "")
				tr.replace(configPy, "'service_discovery': {\n        'enabled': True,", "'service_discovery': {\n        'enabled': False,")
			}},
		metaCase{name: "registration off in both", rule: "consul-registration", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.replace(cfg, "service_discovery:\n  enabled: true", "service_discovery:\n  enabled: false")
				tr.replace(configPy, "'service_discovery': {\n        'enabled': True,", "'service_discovery': {\n        'enabled': False,")
			}},
		metaCase{name: "registration off in a shipped conf.d file", rule: "consul-registration", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.write("etc/wazo-tallyd/conf.d/10-no-discovery.yml", "service_discovery:\n  enabled: false\n")
			}},
		metaCase{name: "service_discovery only in the code defaults", rule: "consul-registration", fixture: py, want: "pass",
			edit: func(tr *tree) { tr.replace(cfg, sdBlock, "") }},
		metaCase{name: "config.yml in flow style (consul)", rule: "consul-registration", fixture: py, want: "pass", edit: flowStyleConfig},
		metaCase{name: "unrelated key in config.yml (consul)", rule: "consul-registration", fixture: py, want: "pass", edit: unrelatedKey},

		// B19: the spec, served unauthenticated at /<version>/api/api.yml.
		metaCase{name: "api plugin off in the shipped config", rule: "api-spec", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(cfg, "enabled_plugins:\n  api: true", "enabled_plugins:\n  api: false") }},
		metaCase{name: "no api.yml", rule: "api-spec", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.remove(apiYml)
				tr.remove("wazo_tallyd/plugins/status/api.yml")
			}},
		metaCase{name: "api.yml is neither Swagger nor OpenAPI", rule: "api-spec", fixture: py, flips: true, want: "fail",
			edit: withoutLine(apiYml, "swagger: '2.0'")},
		metaCase{name: "api.yml is not YAML", rule: "api-spec", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(apiYml, "paths:\n", "paths: [\n") }},
		metaCase{name: "api.yml with an extension key", rule: "api-spec", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.replace(apiYml, "x-xivo-name: tallyd\n", "x-xivo-name: tallyd\nx-tally-note: counters\n")
			}},
		metaCase{name: "api.yml keys reordered", rule: "api-spec", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.replace(apiYml, "x-xivo-port: 9521\nx-xivo-name: tallyd\n", "")
				tr.replace(apiYml, "swagger: '2.0'\n", "x-xivo-name: tallyd\nx-xivo-port: 9521\nswagger: '2.0'\n")
			}},

		// B20: an nginx location the package installs and enables.
		metaCase{name: "no nginx location", rule: "nginx-location", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.remove(location)
				tr.replace(postinst, nginxLink, "")
			}},
		metaCase{name: "location of another prefix", rule: "nginx-location", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(location, "location ^~ /api/tallyd/ {", "location ^~ /api/tally/ {") }},
		metaCase{name: "location with a second block", rule: "nginx-location", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.write(location, tr.read(location)+"\nlocation ^~ /api/tallyd/1.0/exports {\n    client_max_body_size 8m;\n    proxy_pass http://127.0.0.1:9521/1.0/exports;\n}\n")
			}},
		metaCase{name: "location reindented", rule: "nginx-location", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.write(location, "location ^~ /api/tallyd/ {\n\tproxy_pass http://127.0.0.1:9521/;\n\tproxy_set_header Host $http_host;\n\tproxy_set_header X-Script-Name /api/tallyd;\n}\n")
			}},
		metaCase{name: "listener only in the code defaults' http section (unique)", rule: "port-allocation", fixture: py, want: "pass",
			edit: func(tr *tree) { codeDefaultsOnlyPort(tr, "http", "9521") }},
		metaCase{name: "nginx location not enabled", rule: "nginx-location", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) { tr.replace(postinst, nginxLink, "") }},
		metaCase{name: "nginx location only in a test asset", rule: "nginx-location", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.move(location, "integration_tests/assets/nginx/wazo-tallyd")
				tr.remove("etc/nginx")
			}},
		metaCase{name: "nginx enabled by debian/links, not the postinst", rule: "nginx-location", fixture: py, want: "pass",
			edit: func(tr *tree) {
				tr.replace(postinst, nginxLink, "")
				tr.write("debian/wazo-tallyd.links", "/etc/nginx/locations/https-available/wazo-tallyd /etc/nginx/locations/https-enabled/wazo-tallyd\n")
			}},
		metaCase{name: "listener only in defaults kept in main.py, no nginx", rule: "port-allocation", fixture: py, want: "pass", edit: portOnlyInMainPyDefaults},
		metaCase{name: "listener only in the code defaults' http section, on a test port", rule: "port-allocation", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				codeDefaultsOnlyPort(tr, "http", "8080")
			}},
		metaCase{name: "listener only in a uvicorn --port flag, on a test port", rule: "port-allocation", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				codeDefaultsOnlyPort(tr, "", "")
				tr.replace(unit, "ExecStart=/usr/bin/wazo-tallyd", "ExecStart=/usr/bin/uvicorn --host 127.0.0.1 --port 8080 wazo_tallyd.asgi:app")
			}},
		metaCase{name: "nginx location only in a Docker asset, postinst still links", rule: "nginx-location", fixture: py, flips: true, want: "fail",
			edit: func(tr *tree) {
				tr.move(location, "contribs/docker/nginx/wazo-tallyd")
				tr.remove("etc/nginx")
			}},
		metaCase{name: "a FastAGI daemon with no REST API (api-spec)", rule: "api-spec", fixture: py, flips: true, want: "fail", edit: withoutRESTAPI},
		metaCase{name: "a FastAGI daemon with no REST API (nginx-location)", rule: "nginx-location", fixture: py, flips: true, want: "fail", edit: withoutRESTAPI},
		metaCase{name: "a FastAGI daemon with no REST API (acceptance-http)", rule: "acceptance-http", fixture: py, flips: true, want: "fail", edit: withoutRESTAPI},
	)
}

// portOnlyInMainPyDefaults leaves the HTTP port in one place: the code's
// defaults, kept in main.py rather than config.py, with no nginx location
// or api.yml port to fall back on.
func portOnlyInMainPyDefaults(tr *tree) {
	codeDefaultsOnlyPort(tr, "rest_api", "9521")
	tr.remove(location)
	tr.replace(postinst, nginxLink, "")
	py := tr.read(configPy)
	start, end := strings.Index(py, "_TALLYD_PORT = "), strings.Index(py, "\n\n\ndef _parse_cli_args")
	if start < 0 || end < start {
		tr.t.Fatalf("edit: %s has no _DEFAULT_CONFIG block", configPy)
	}
	tr.write(configPy, py[:start]+"from wazo_tallyd.main import _DEFAULT_CONFIG\n"+py[end:])
	tr.replace(mainPy, "from wazo_tallyd.controller import Controller\n", "from wazo_tallyd.controller import Controller\n\n"+py[start:end]+"\n")
}

// withoutRESTAPI makes the daemon a FastAGI server on 9521: no rest_api,
// no api.yml, no nginx location, no http.feature row.
func withoutRESTAPI(tr *tree) {
	codeDefaultsOnlyPort(tr, "fastagi", "9521")
	tr.remove("wazo_tallyd/plugins")
	tr.remove(location)
	tr.replace(postinst, nginxLink, "")
	tr.replace(httpFeature, "    | GET    | /api/tallyd/1.0/status     |\n", "")
	tr.replace(cfg, "enabled_plugins:\n  api: true\n  status: true\n", "")
}
