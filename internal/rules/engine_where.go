package rules

// Where says, for one rule, where wazo-servicekit makes it true by
// construction: the kit code a daemon gets it from (package.Symbol or
// package.Type.Method), the file of wazo-doctord's packaging — the reference
// service — that carries it (paths from the repository root), and the
// source `wazo-servicekit new` renders it from. `rules --explain ID` prints
// it; TestWhereReferencesExist keeps every entry pointing at something that
// exists. A rule about a sibling repository has no kit code nor packaging
// file here: the generator writes a patch for that repository.
type Where struct {
	Kit       []string `json:"kit,omitempty"`
	Packaging []string `json:"packaging,omitempty"`
	Generator []string `json:"generator,omitempty"`
}

// The generator's inputs: wazo-doctord's own files, copied by go generate
// and derived for the new service (scaffold/derive.go), its templates, and
// its sibling-repository patches.
const (
	doctordCopy = "internal/scaffold/testdata/doctord/"
	templates   = "internal/scaffold/templates/"
	siblingGen  = "internal/siblings/siblings.go"
	postinst    = "debian/wazo-doctord.postinst"
	unitFile    = "debian/wazo-doctord.service"
	configYML   = "etc/wazo-doctord/config.yml"
	mainGo      = "cmd/wazo-doctord/main.go"
)

// where holds the map, by rule ID, in checklist order.
var where = map[string]Where{
	"user-not-root": {
		Kit:       []string{"daemon.Main", "privilege.Drop", "privilege.VerifyThreads"},
		Packaging: []string{postinst, unitFile, configYML},
		Generator: []string{doctordCopy + postinst, doctordCopy + unitFile, doctordCopy + configYML},
	},
	"user-no-login-shell": {
		Packaging: []string{postinst},
		Generator: []string{doctordCopy + postinst},
	},
	"user-home-not-in-home": {
		Packaging: []string{postinst},
		Generator: []string{doctordCopy + postinst},
	},
	"log-file-writable": {
		Kit:       []string{"logging.Open"},
		Packaging: []string{postinst, unitFile, configYML},
		Generator: []string{doctordCopy + postinst, doctordCopy + unitFile},
	},
	"log-file-rotation": {
		Kit:       []string{"logging.Open"},
		Packaging: []string{"debian/wazo-doctord.logrotate"},
		Generator: []string{doctordCopy + "debian/wazo-doctord.logrotate"},
	},
	"pid-file-writable": {
		Kit:       []string{"pidfile.Create"},
		Packaging: []string{unitFile, configYML},
		Generator: []string{doctordCopy + unitFile, doctordCopy + configYML},
	},
	"user-in-consul-group": {
		Packaging: []string{postinst},
		Generator: []string{doctordCopy + postinst},
	},
	"wazo-service-listed": {
		Generator: []string{siblingGen},
	},
	"monit-check": {
		Kit:       []string{"pidfile.Create"},
		Packaging: []string{"etc/monit/conf.d/wazo-doctord", "debian/wazo-doctord.install"},
		Generator: []string{doctordCopy + "etc/monit/conf.d/wazo-doctord"},
	},
	"installs-cleanly": {
		Kit:       []string{"daemon.Main", "sdnotify.Notify"},
		Packaging: []string{postinst, unitFile, "debian/rules"},
		Generator: []string{doctordCopy + postinst, doctordCopy + unitFile},
	},
	"starts-on-boot": {
		Packaging: []string{unitFile},
		Generator: []string{doctordCopy + unitFile},
	},
	"restarts-on-upgrade": {
		Packaging: []string{"debian/rules", unitFile},
		Generator: []string{doctordCopy + "debian/rules"},
	},
	"ha-secondary-state": {
		Generator: []string{siblingGen},
	},
	"documented": {
		Generator: []string{siblingGen},
	},
	"backup-list": {
		Generator: []string{siblingGen},
	},
	"backup-documented": {
		Generator: []string{siblingGen},
	},
	"consul-registration": {
		Kit:       []string{"consul.NewRegistrar", "consul.Registrar.Start", "consul.Client"},
		Packaging: []string{configYML, mainGo},
		Generator: []string{doctordCopy + configYML, doctordCopy + mainGo},
	},
	"acceptance-service-discovery": {
		Generator: []string{siblingGen},
	},
	"port-convention": {
		Packaging: []string{configYML, "internal/ports/registry.yml"},
		Generator: []string{"internal/scaffold/scaffold.go", "internal/ports/registry.yml"},
	},
	"port-allocation": {
		Packaging: []string{configYML, "internal/ports/registry.yml"},
		Generator: []string{"internal/scaffold/scaffold.go", "internal/ports/registry.yml"},
	},
	"port-consistent": {
		Kit:       []string{"apispec.Load"},
		Packaging: []string{configYML, "internal/doctor/api.yml", "etc/nginx/locations/https-available/wazo-doctord"},
		Generator: []string{doctordCopy + configYML, doctordCopy + "internal/doctor/api.yml"},
	},
	"port-documented": {
		Generator: []string{siblingGen},
	},
	"api-spec": {
		Kit:       []string{"apispec.Load", "apispec.Spec.ServeHTTP", "baseapi.Register"},
		Packaging: []string{"internal/doctor/api.yml"},
		Generator: []string{doctordCopy + "internal/doctor/api.yml", templates + "__PKG__/app.go.tmpl"},
	},
	"nginx-location": {
		Kit:       []string{"apispec.Spec.ServeHTTP"},
		Packaging: []string{"etc/nginx/locations/https-available/wazo-doctord", postinst},
		Generator: []string{doctordCopy + "etc/nginx/locations/https-available/wazo-doctord"},
	},
	"acceptance-http": {
		Generator: []string{siblingGen},
	},
	"debian-packaging": {
		Packaging: []string{"debian/control", "debian/rules", "debian/changelog"},
		Generator: []string{doctordCopy + "debian/control", doctordCopy + "debian/rules"},
	},
	"deps-in-debian": {
		Packaging: []string{"debian/control", "go.mod"},
		Generator: []string{doctordCopy + "debian/control", templates + "go.mod.tmpl"},
	},
	"deps-pinned-to-debian": {
		Packaging: []string{"go.mod"},
		Generator: []string{templates + "go.mod.tmpl", "internal/scaffold/derive.go"},
	},
	"deps-wazo-packaging": {
		Packaging: []string{"debian/control"},
		Generator: []string{doctordCopy + "debian/control"},
	},
	"files-parse": {
		Kit:       []string{"config.Load", "apispec.Load"},
		Packaging: []string{configYML, "internal/doctor/api.yml"},
		Generator: []string{doctordCopy + configYML},
	},
	// Wazo practice beyond the checklist.
	"service-key-provisioned": {
		Kit:       []string{"auth.KeyFileProblem", "config.Load"},
		Packaging: []string{configYML},
		Generator: []string{"internal/scaffold/servicekey.go"},
	},
	"acl-granted": {
		Kit:       []string{"auth.Client.Require", "auth.ACLGrants"},
		Packaging: []string{"etc/wazo-auth/conf.d/50-wazo-doctord.yml", "debian/wazo-doctord.install"},
		Generator: []string{doctordCopy + "etc/wazo-auth/conf.d/50-wazo-doctord.yml", templates + "__PKG__/app.go.tmpl"},
	},
	"ha-unit-condition": {
		Packaging: []string{unitFile},
		Generator: []string{"internal/scaffold/derive.go", siblingGen},
	},
	"touch-points-listed": {
		Generator: []string{"internal/siblings/touchpoints.go"},
	},
	"maintainer-scripts": {
		Packaging: []string{postinst, "debian/control"},
		Generator: []string{doctordCopy + postinst, doctordCopy + "debian/control"},
	},
	"log-format-current": {
		Kit:       []string{"logging.NewHandler", "rest.TraceAndLog", "rest.AccessLog", "rest.Trace"},
		Generator: []string{doctordCopy + mainGo},
	},
}

// WhereOf is where the kit, the packaging and the generator satisfy rule
// id (zero when the catalogue has no such rule).
func WhereOf(id string) Where { return where[id] }
