package service

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// platformCheckouts are sibling checkouts naming wazo-quuxd where the
// platform keeps each list, in the files' real shapes.
func platformCheckouts() files {
	return files{
		"wazo-service/bin/wazo-service":                             "#!/bin/bash\nwazo_services=\"wazo-authd wazo-quuxd\"\ndefault_services=\"nginx\"\n",
		"xivo-config/sbin/xivo-manage-slave-services":               "#!/bin/sh\ncase $1 in\n  stop) wazo-service stop wazo ;;\nesac\n",
		"wazo-upgrade/bin/wazo-upgrade":                             "#!/bin/bash\nwazo-service stop\napt-get dist-upgrade\nwazo-service restart\n",
		"wazo-acceptance/features/daily/http.feature":               "Feature: http\n  Examples:\n  | method | url |\n  | GET | /api/quuxd/1.0/status |\n",
		"wazo-platform.org/website/uc-doc/system/backup_restore.md": "## Data\n\n* /etc/wazo-authd/\n* /etc/wazo-quuxd/\n",
		"wazo-acceptance/features/daily/service_discovery.feature":  "Feature: consul\n  Examples:\n  |wazo-quuxd|\n",
		"wazo-platform.org/website/uc-doc/contributors/network.md": "# Ports\n\n| Service | Protocol | Port | Authentication |\n" +
			"|---|---|---|---|\n| wazo-authd | TCP | 9497 | yes |\n| wazo-quuxd | TCP | 9599 | no |\n",
		"wazo-python-consul-packaging/VERSION":                      "1.1.0\n",
		"wazo-auth-keys/etc/wazo-auth/conf.d/50-wazo-default.yml":   "default_policies:\n  wazo_default_admin_policy:\n    acl:\n      - quuxd.#\n      - auth.#\n",
		"wazo-auth-keys/etc/wazo-auth-keys/config.yml":              "wazo-authd:\n  system_user: wazo-auth\nwazo-quuxd:\n  system_user: wazo-quuxd\n  acl:\n    - auth.tenants.read\n",
		"xivo-build-tools/etc/xivo-build-tools/packages":            "wazo-authd\nwazo-quuxd\n",
		"wazo-sdk/project.yml":                                      "wazo-quuxd:\n  python3: true\n",
		"wazo-nginx/etc/nginx/locations/https-available/wazo-quuxd": "location ^~ /api/quuxd/ {\n    proxy_pass http://127.0.0.1:9599/;\n    proxy_set_header X-Script-Name /api/quuxd;\n}\n",
	}
}

func platformFactsOf(t *testing.T, siblings files) *PlatformFacts {
	t.Helper()
	dir := write(t, siblings)
	out, err := ReadRepo(write(t, daemon()), dir)
	if err != nil {
		t.Fatal(err)
	}
	if out[0].Platform == nil {
		t.Fatal("no platform facts from a repository")
	}
	return out[0].Platform
}

// TestPlatformFactsFromCheckouts: every list of the platform naming the
// service gives its fact with the file and line it is on.
func TestPlatformFactsFromCheckouts(t *testing.T) {
	pf := platformFactsOf(t, platformCheckouts())
	for _, c := range []struct{ name, got, want string }{
		{"ha group", pf.HAGroup.Value + " " + pf.HAGroup.Source, "wazo_services wazo-service/bin/wazo-service:2"},
		{"secondary stops", pf.SecondaryStops.Value + " " + pf.SecondaryStops.Source, "wazo_services xivo-config sbin/xivo-manage-slave-services:3"},
		{"upgrade restart", pf.UpgradeRestart.Source, "wazo-upgrade bin/wazo-upgrade runs wazo-service restart, whose wazo_services lists it"},
		{"acceptance", pf.AcceptanceHTTP.Lines[0].Source, "wazo-acceptance/features/daily/http.feature:4"},
		{"backup doc", pf.BackupDoc.Lines[0].Source, "wazo-platform.org/website/uc-doc/system/backup_restore.md:4"},
		{"default acls", strings.Join(Values(List{Value: pf.DefaultPolicyACLs.Lines}), ","), "quuxd.#,auth.#"},
		{"service key", pf.ServiceKey.Lines[0].Value + " " + pf.ServiceKey.Lines[0].Source, "wazo-quuxd wazo-auth-keys/etc/wazo-auth-keys/config.yml:3, 1 ACLs"},
		{"build list", pf.BuildList.Lines[0].Source, "xivo-build-tools/etc/xivo-build-tools/packages:2"},
		{"sdk", pf.SDKProject.Lines[0].Source, "wazo-sdk/project.yml:1"},
		{"wazo-nginx", pf.WazoNginx.Lines[0].Source, "wazo-nginx/etc/nginx/locations/https-available/wazo-quuxd:1"},
		{"service discovery", pf.ServiceDiscovery.Lines[0].Source, "wazo-acceptance/features/daily/service_discovery.feature:3"},
		{"network row", pf.Network.Lines[0].Source, "wazo-platform.org/website/uc-doc/contributors/network.md:6"},
		{"network auth", fmt.Sprintln(pf.NetworkRows[0].HasPort(9599), pf.NetworkRows[0].Authentication), "true no\n"},
	} {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.name, c.got, c.want)
		}
	}
	if !pf.UpgradeRestart.Value || pf.WazoNginxLocation == nil || pf.WazoNginxLocation.Item.ProxyPass != "http://127.0.0.1:9599/" {
		t.Errorf("upgrade restart %v, wazo-nginx location %+v", pf.UpgradeRestart, pf.WazoNginxLocation)
	}
}

// TestPlatformFactsAbsentAndUnknown: a list that does not name the
// service, a file gone from its checkout and no checkouts at all are three
// different facts, none of them a line.
func TestPlatformFactsAbsentAndUnknown(t *testing.T) {
	unlisted := with(platformCheckouts(), files{
		"wazo-service/bin/wazo-service":                             "wazo_services=\"wazo-authd\"\ndefault_services=\"wazo-quuxd wazo-x\"\nwazo_services=\"wazo-quuxd\"\n",
		"xivo-build-tools/etc/xivo-build-tools/packages":            "wazo-authd\n",
		"wazo-sdk/project.yml":                                      "[not yaml\n",
		"wazo-platform.org/website/uc-doc/system/backup_restore.md": "",
		"wazo-platform.org/README.md":                               "the site\n",
	})
	pf := platformFactsOf(t, unlisted)
	if pf.HAGroup.Value != "" || !strings.Contains(pf.HAGroup.Source, "in 2 groups") {
		t.Errorf("two groups: %+v, want no group settled, saying why", pf.HAGroup)
	}
	if pf.BuildList.Found() || !pf.BuildList.Known() || !strings.Contains(pf.BuildList.Source, "does not list wazo-quuxd") {
		t.Errorf("build list without the package: %+v", pf.BuildList)
	}
	if pf.SDKProject.Known() || !strings.Contains(pf.SDKProject.Unknown, "does not parse") {
		t.Errorf("unparsable project.yml: %+v, want unknown", pf.SDKProject)
	}
	if !pf.BackupDoc.Absent || !strings.Contains(pf.BackupDoc.Source, "backup_restore.md") {
		t.Errorf("backup page gone: %+v, want absent naming it", pf.BackupDoc)
	}

	none := platformFactsOf(t, files{"unrelated/README": "x\n"})
	for name, l := range map[string]Listed{"acceptance": none.AcceptanceHTTP, "backup doc": none.BackupDoc, "sdk": none.SDKProject} {
		if l.Known() || l.Found() {
			t.Errorf("%s with no checkout: %+v, want unknown", name, l)
		}
	}
	if none.SecondaryStops.Known() || none.UpgradeRestart.Known() {
		t.Errorf("no xivo-config, no wazo-upgrade: %+v %+v, want unknown", none.SecondaryStops, none.UpgradeRestart)
	}
}

// TestPlatformFactsShown: facts prints the platform's facts, text and JSON.
func TestPlatformFactsShown(t *testing.T) {
	dir := write(t, platformCheckouts())
	out, err := ReadRepo(write(t, daemon()), dir)
	if err != nil {
		t.Fatal(err)
	}
	text := out[0].Text()
	for _, want := range []string{"ha group", "wazo-service/bin/wazo-service:2", "2 ACLs", "wazo-nginx location"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	js, err := json.Marshal(out[0])
	if err != nil || !strings.Contains(string(js), `"acceptance_http":{"lines":[{"value":"/api/quuxd/"`) {
		t.Errorf("json (%v): %s", err, js)
	}
}

// TestPackagingCheckout: a wazo-*-packaging checkout packages a Python
// requirement under the platform's names for it, with its VERSION; a name
// no checkout could have is never a path.
func TestPackagingCheckout(t *testing.T) {
	p := NewPlatform(write(t, platformCheckouts()))
	for name, want := range map[string]string{"consul": "wazo-python-consul-packaging 1.1.0", "python-consul": "wazo-python-consul-packaging 1.1.0",
		"requests": " ", "../consul": " "} {
		if r, v := p.Packaging(name); r+" "+v != want {
			t.Errorf("Packaging(%q) = %q %q, want %q", name, r, v, want)
		}
	}
}
