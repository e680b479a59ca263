package scaffold

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestServiceKeyOnlyWhenTheServiceCallsAPIs(t *testing.T) {
	keys := "etc/wazo-auth-keys/conf.d/wazo-exampled.yml"
	policy := "etc/wazo-auth/conf.d/50-wazo-exampled.yml"

	none, err := Plan(Options{Name: "wazo-exampled"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := none.Files[keys]; ok {
		t.Errorf("a service that calls no API ships %s", keys)
	}
	for _, f := range []string{"cmd/wazo-exampled/defaults.yml", "etc/wazo-exampled/config.yml", "debian/wazo-exampled.install"} {
		if strings.Contains(string(none.Files[f]), "wazo-auth-keys") {
			t.Errorf("a service that calls no API mentions a key in %s", f)
		}
	}

	some, err := Plan(Options{Name: "wazo-exampled", ACLs: []string{"confd.users.read", "auth.tenants.read", "confd.users.read"}})
	if err != nil {
		t.Fatal(err)
	}
	var def map[string]struct {
		SystemUser string   `yaml:"system_user"`
		ACL        []string `yaml:"acl"`
	}
	if err := yaml.Unmarshal(some.Files[keys], &def); err != nil {
		t.Fatalf("%s: %v", keys, err)
	}
	if e := def["wazo-exampled"]; e.SystemUser != "wazo-exampled" || strings.Join(e.ACL, " ") != "confd.users.read auth.tenants.read" {
		t.Errorf("%s: %+v", keys, def)
	}
	if !strings.Contains(string(some.Files["debian/wazo-exampled.install"]), keys+" etc/wazo-auth-keys/conf.d/\n") {
		t.Errorf("the package does not install %s", keys)
	}
	for _, f := range []string{"cmd/wazo-exampled/defaults.yml", "etc/wazo-exampled/config.yml"} {
		var layer struct {
			Auth struct {
				KeyFile string `yaml:"key_file"`
			} `yaml:"auth"`
		}
		if err := yaml.Unmarshal(some.Files[f], &layer); err != nil || layer.Auth.KeyFile != "/var/lib/wazo-auth-keys/wazo-exampled-key.yml" {
			t.Errorf("%s: auth.key_file %q (%v)", f, layer.Auth.KeyFile, err)
		}
	}

	for _, p := range []*Project{none, some} {
		var pol struct {
			DefaultPolicies map[string]struct {
				ACL []string `yaml:"acl"`
			} `yaml:"default_policies"`
		}
		if err := yaml.Unmarshal(p.Files[policy], &pol); err != nil {
			t.Fatalf("%s: %v", policy, err)
		}
		if acl := pol.DefaultPolicies["wazo_default_admin_policy"].ACL; len(acl) != 1 || acl[0] != "exampled.#" {
			t.Errorf("%s grants %v to the admin policy, want exampled.#", policy, acl)
		}
	}

	for _, bad := range [][]string{{"confd users"}, {"exampled.things.read"}, {"Confd.users.read"}} {
		if _, err := Plan(Options{Name: "wazo-exampled", ACLs: bad}); err == nil {
			t.Errorf("ACLs %q accepted", bad)
		}
	}
}

func TestUnitSkipsWhenDisabledOnlyInTheWazoGroup(t *testing.T) {
	for group, want := range map[string]bool{"wazo": true, "default": false} {
		p, err := Plan(Options{Name: "wazo-exampled", HAGroup: group})
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Contains(string(p.Files["debian/wazo-exampled.service"]), "\nConditionPathExists=!/var/lib/wazo/disabled\n")
		if got != want {
			t.Errorf("HA group %s: ConditionPathExists=!/var/lib/wazo/disabled in the unit: %v, want %v", group, got, want)
		}
	}
}
