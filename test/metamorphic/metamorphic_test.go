package metamorphic

import (
	"sort"
	"sync"
	"testing"
)

// metaCase is one edit of a fixture and the verdict the rule must give
// after it. flips says whether the edit changes what the item is about
// (the verdict must differ from the fixture's) or only its form (the
// verdict must stay the fixture's).
type metaCase struct {
	name    string
	rule    string
	fixture string
	flips   bool
	want    string
	edit    func(tr *tree)
}

// baseVerdicts is each fixture's verdict per rule, before any edit.
var baseVerdicts = map[string]map[string]string{
	pyService: {
		"port-allocation": "pass", "port-convention": "pass", "port-consistent": "pass",
		"user-not-root": "pass", "user-no-login-shell": "pass", "user-home-not-in-home": "pass",
		"log-file-writable": "pass", "log-file-rotation": "pass", "pid-file-writable": "pass",
		"user-in-consul-group": "pass", "wazo-service-listed": "pass", "monit-check": "pass",
		"installs-cleanly": "pass", "starts-on-boot": "pass", "restarts-on-upgrade": "pass",
		"ha-secondary-state": "pass", "documented": "pass", "backup-list": "pass",
		"backup-documented": "pass", "consul-registration": "pass",
		"acceptance-service-discovery": "pass", "port-documented": "pass", "api-spec": "pass",
		"nginx-location": "pass", "acceptance-http": "pass", "debian-packaging": "pass",
		"deps-in-debian": "pass", "deps-pinned-to-debian": "pass", "deps-wazo-packaging": "pass",
		"files-parse": "pass",
	},
	goService: {
		"user-not-root": "pass", "pid-file-writable": "pass", "log-file-writable": "pass",
		"port-allocation": "pass", "consul-registration": "pass", "api-spec": "pass",
		"nginx-location": "pass", "starts-on-boot": "pass", "debian-packaging": "pass",
		"deps-in-debian": "pass", "deps-pinned-to-debian": "pass",
	},
	cronService: {
		"debian-packaging": "pass", "deps-in-debian": "pass", "deps-pinned-to-debian": "pass",
		"deps-wazo-packaging": "pass",
	},
}

// allCases is the table, gathered from the per-item files.
var (
	casesMu  sync.Mutex
	allCases []metaCase
)

func register(cs ...metaCase) {
	casesMu.Lock()
	defer casesMu.Unlock()
	allCases = append(allCases, cs...)
}

func TestBaseVerdicts(t *testing.T) {
	for _, fixture := range sortedKeys(baseVerdicts) {
		for _, rule := range sortedKeys(baseVerdicts[fixture]) {
			want := baseVerdicts[fixture][rule]
			t.Run(fixture+"/"+rule, func(t *testing.T) {
				t.Parallel()
				tr := newTree(t, fixture)
				if got, msg := tr.verdict(rule); got != want {
					t.Errorf("%s on the unedited %s: %s, want %s\n\t%s", rule, fixture, got, want, msg)
				}
			})
		}
	}
}

// TestTableIsWellFormed: every flip case expects another verdict than the
// fixture's, every keep case the fixture's, names are unique, and every
// checklist rule of the table has at least three flips and two keeps.
func TestTableIsWellFormed(t *testing.T) {
	names := map[string]bool{}
	flips, keeps := map[string]int{}, map[string]int{}
	for _, c := range allCases {
		base, ok := baseVerdicts[c.fixture][c.rule]
		if !ok {
			t.Errorf("%s: no base verdict of %s for %s", c.name, c.rule, c.fixture)
		}
		if c.flips && c.want == base {
			t.Errorf("%s: a flip that expects the base verdict %s", c.name, base)
		}
		if !c.flips && c.want != base {
			t.Errorf("%s: a keep that expects %s, the base is %s", c.name, c.want, base)
		}
		if names[c.name] {
			t.Errorf("two cases named %q", c.name)
		}
		names[c.name] = true
		if c.flips {
			flips[c.rule]++
		} else {
			keeps[c.rule]++
		}
	}
	for _, rule := range checklistRules {
		if flips[rule] < 3 || keeps[rule] < 2 {
			t.Errorf("%s: %d flips and %d keeps, want at least 3 and 2", rule, flips[rule], keeps[rule])
		}
	}
}

// checklistRules are the rules of the checklist items P0 and B1..B25 and
// the catalogue's other checklist rules.
var checklistRules = []string{
	"port-allocation", "user-not-root", "user-no-login-shell", "user-home-not-in-home",
	"log-file-writable", "pid-file-writable", "user-in-consul-group", "wazo-service-listed",
	"monit-check", "installs-cleanly", "starts-on-boot", "restarts-on-upgrade",
	"ha-secondary-state", "documented", "backup-list", "backup-documented",
	"consul-registration", "acceptance-service-discovery", "port-documented", "api-spec",
	"nginx-location", "acceptance-http", "debian-packaging", "deps-in-debian",
	"deps-pinned-to-debian", "deps-wazo-packaging",
	// The catalogue's rules that refine an item.
	"log-file-rotation", "port-convention", "port-consistent", "files-parse",
}

func TestMetamorphic(t *testing.T) {
	for _, c := range allCases {
		kind := "keeps"
		if c.flips {
			kind = "flips"
		}
		t.Run(c.rule+"/"+kind+"/"+c.name, func(t *testing.T) {
			t.Parallel()
			tr := newTree(t, c.fixture)
			c.edit(tr)
			if got, msg := tr.verdict(c.rule); got != c.want {
				t.Errorf("%s after %q: %s, want %s\n\t%s", c.rule, c.name, got, c.want, msg)
			}
		})
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Edits shared by several items.

// dropDefaultUser removes the user the code's defaults switch to: with no
// User= in the unit and no user in config.yml, the daemon stays root.
func dropDefaultUser(tr *tree) {
	tr.replace("wazo_tallyd/config.py", "    'user': 'wazo-tallyd',\n", "")
}

// unlistFromWazoService removes the service from both of wazo-service's lists.
func unlistFromWazoService(tr *tree) {
	tr.replace("sib:wazo-service/bin/wazo-service", " wazo-tallyd", "")
	tr.replace("sib:wazo-service/wazo_service/main.py", "    Service('wazo-tallyd'),\n", "")
}

// moveToWazoGroup lists the service in the wazo group instead of default.
func moveToWazoGroup(tr *tree) {
	unlistFromWazoService(tr)
	tr.replace("sib:wazo-service/bin/wazo-service", `wazo_services="wazo-provd`, `wazo_services="wazo-tallyd wazo-provd`)
	tr.replace("sib:wazo-service/wazo_service/main.py", "WAZO_SERVICES = [\n", "WAZO_SERVICES = [\n    Service('wazo-tallyd'),\n")
}

// setPort moves the HTTP port everywhere it is declared.
func setPort(port string) func(tr *tree) {
	return func(tr *tree) {
		tr.replace("etc/wazo-tallyd/config.yml", "  port: 9521", "  port: "+port)
		tr.replace("etc/wazo-tallyd/config.yml", "advertise_port: 9521", "advertise_port: "+port)
		tr.replace("wazo_tallyd/config.py", "_TALLYD_PORT = 9521", "_TALLYD_PORT = "+port)
		tr.replace("wazo_tallyd/plugins/api/api.yml", "x-xivo-port: 9521", "x-xivo-port: "+port)
		tr.replace("etc/nginx/locations/https-available/wazo-tallyd", "127.0.0.1:9521", "127.0.0.1:"+port)
		tr.replace("sib:wazo-platform.org/website/uc-doc/contributors/network.md", "| 9521 |", "| "+pad4(port)+" |")
	}
}

func pad4(s string) string { return (s + "    ")[:max(4, len(s))] }

// flowStyleConfig rewrites config.yml with flow mappings and no comments:
// the same values in another YAML layout.
func flowStyleConfig(tr *tree) {
	tr.write("etc/wazo-tallyd/config.yml", `{extra_config_files: /etc/wazo-tallyd/conf.d, debug: false, log_level: info,
 log_file: /var/log/wazo-tallyd.log, pid_file: /run/wazo-tallyd/wazo-tallyd.pid,
 rest_api: {listen: 127.0.0.1, port: 9521, cors: {enabled: true, allow_headers: [Content-Type, X-Auth-Token, Wazo-Tenant]}},
 auth: {host: localhost, port: 9497, key_file: /var/lib/wazo-auth-keys/wazo-tallyd-key.yml},
 bus: {host: localhost, port: 5672, exchange_name: wazo-headers},
 consul: {scheme: http, port: 8500, token_file: /var/lib/consul/default_token},
 service_discovery: {enabled: true, advertise_address: auto, advertise_address_interface: eth0,
   advertise_port: 9521, ttl_interval: 30, refresh_interval: 27, retry_interval: 2, extra_tags: []},
 enabled_plugins: {api: true, status: true}}
`)
}

// unrelatedKey adds a section no rule is about to config.yml.
func unrelatedKey(tr *tree) {
	tr.replace("etc/wazo-tallyd/config.yml", "enabled_plugins:\n", "counters:\n  flush_interval: 60\n  max_per_tenant: 5000\n\nenabled_plugins:\n")
}

// withoutLine removes one line (with its newline) from a file.
func withoutLine(p, line string) func(tr *tree) {
	return func(tr *tree) { tr.replace(p, line+"\n", "") }
}

// codeDefaultsOnlyPort removes every declaration of the HTTP port but the
// code defaults' (config.yml's rest_api, the advertised port, api.yml's
// x-xivo-port), then keeps the defaults' port in section (rest_api, http,
// ...) at port; section "" removes it from the defaults too.
func codeDefaultsOnlyPort(tr *tree, section, port string) {
	tr.replace(cfg, "rest_api:\n  listen: 127.0.0.1\n  port: 9521\n  cors:\n    enabled: true\n    allow_headers: [Content-Type, X-Auth-Token, Wazo-Tenant]\n\n", "")
	tr.replace(cfg, "  advertise_port: 9521\n", "")
	tr.replace(configPy, "        'advertise_port': _TALLYD_PORT,\n", "")
	tr.replace(apiYml, "x-xivo-port: 9521\n", "")
	switch section {
	case "":
		tr.replace(configPy, "    'rest_api': {\n        'listen': '127.0.0.1',\n        'port': _TALLYD_PORT,\n        'certificate': None,\n        'private_key': None,\n        'cors': {'enabled': True, 'allow_headers': ['Content-Type']},\n    },\n", "")
	default:
		tr.replace(configPy, "    'rest_api': {", "    '"+section+"': {")
		tr.replace(configPy, "_TALLYD_PORT = 9521", "_TALLYD_PORT = "+port)
	}
}

// TestOneRuleJudgesAsTheWholeRun: `check --rule ID` gives the rule the
// verdict the full run gives it, on every case of the table.
func TestOneRuleJudgesAsTheWholeRun(t *testing.T) {
	for _, c := range allCases {
		t.Run(c.rule+"/"+c.name, func(t *testing.T) {
			t.Parallel()
			tr := newTree(t, c.fixture)
			c.edit(tr)
			all, _ := tr.verdict(c.rule)
			if one, msg := tr.verdictOf(c.rule, "--rule", c.rule); one != all {
				t.Errorf("%s after %q: %s with --rule %s, %s in the full run\n\t%s", c.rule, c.name, one, c.rule, all, msg)
			}
		})
	}
}
