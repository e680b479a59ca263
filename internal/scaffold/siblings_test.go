package scaffold

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/ports"
	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

var siblingRepos = []string{"wazo-service", "wazo-backup", "wazo-acceptance", "wazo-platform.org", "wazo-platform"}

func needGit(t testing.TB) {
	t.Helper()
	testenv.RequireCommand(t, "git")
}

func git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s in %s: %v\n%s", strings.Join(args, " "), dir, err, out)
	}
	return string(out)
}

// fixtureCheckouts makes one git repository per sibling from the fixtures,
// in a temporary directory, and returns that directory.
func fixtureCheckouts(t testing.TB) string {
	t.Helper()
	needGit(t)
	dir := t.TempDir()
	if err := WriteFixtureSiblings(dir); err != nil {
		t.Fatal(err)
	}
	for _, r := range siblingRepos {
		git(t, filepath.Join(dir, r), "init", "-q")
		git(t, filepath.Join(dir, r), "add", ".")
		git(t, filepath.Join(dir, r), "commit", "-q", "-m", "fixture")
	}
	return dir
}

// applyAll checks then applies each non-empty patch in its checkout.
func applyAll(t testing.TB, dir string, p *Project) {
	t.Helper()
	for _, r := range siblingRepos {
		patch := p.Files["sibling-patches/"+r+".diff"]
		if len(patch) == 0 {
			continue
		}
		file := filepath.Join(t.TempDir(), r+".diff")
		if err := os.WriteFile(file, patch, 0o644); err != nil {
			t.Fatal(err)
		}
		git(t, filepath.Join(dir, r), "apply", "--check", file)
		git(t, filepath.Join(dir, r), "apply", file)
	}
}

func read(t testing.TB, dir, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func fields(t testing.TB, text, re string) []string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no match for %s in\n%s", re, text)
	}
	return strings.Fields(m[1])
}

// tableLines returns the "| ... |" lines of the first table with header.
func tableLines(text, header string) []string {
	var out []string
	in := false
	for _, l := range strings.Split(text, "\n") {
		isRow := strings.HasPrefix(strings.TrimSpace(l), "|")
		if isRow && strings.Contains(l, header) {
			in = true
		}
		if in && !isRow {
			break
		}
		if in {
			out = append(out, l)
		}
	}
	return out
}

func TestSiblingPatchesApplyToFixtures(t *testing.T) {
	for _, group := range []string{"default", "wazo"} {
		t.Run(group, func(t *testing.T) {
			dir := fixtureCheckouts(t)
			before := map[string]string{}
			for _, f := range []string{"wazo-service/bin/wazo-service", "wazo-backup/bin/wazo-backup", "wazo-acceptance/features/daily/http.feature"} {
				before[f] = read(t, dir, f)
			}
			p, err := Plan(Options{Name: "wazo-exampled", HAGroup: group, Description: "Example service"})
			if err != nil {
				t.Fatal(err)
			}
			applyAll(t, dir, p)

			// wazo-service: the group list gains the service, the other is unchanged.
			ws := read(t, dir, "wazo-service/bin/wazo-service")
			def := fields(t, ws, `(?m)^default_services="([^"]*)"`)
			wz := fields(t, ws, `(?m)^wazo_services="([^"]*)"`)
			oldDef := fields(t, before["wazo-service/bin/wazo-service"], `(?m)^default_services="([^"]*)"`)
			oldWz := fields(t, before["wazo-service/bin/wazo-service"], `(?m)^wazo_services="([^"]*)"`)
			if group == "default" {
				want := append(append([]string{}, oldDef[:len(oldDef)-1]...), "wazo-exampled", "$wazo_services")
				if strings.Join(def, " ") != strings.Join(want, " ") || strings.Join(wz, " ") != strings.Join(oldWz, " ") {
					t.Errorf("default_services=%v wazo_services=%v", def, wz)
				}
			} else {
				want := append(append([]string{}, oldWz...), "wazo-exampled")
				if strings.Join(wz, " ") != strings.Join(want, " ") || strings.Join(def, " ") != strings.Join(oldDef, " ") {
					t.Errorf("default_services=%v wazo_services=%v", def, wz)
				}
			}
			py := read(t, dir, "wazo-service/wazo_service/main.py")
			list := "DEFAULT_SERVICES"
			if group == "wazo" {
				list = "WAZO_SERVICES"
			}
			if !regexp.MustCompile(`(?s)` + list + ` = \[[^\]]*'exampled',\n\]`).MatchString(py) {
				t.Errorf("main.py: 'exampled' not last in %s:\n%s", list, py)
			}

			// wazo-backup: inserted before the first /etc/wazo-*/ entry after it.
			bl := fields(t, read(t, dir, "wazo-backup/bin/wazo-backup"), `(?s)BACKUP_LIST="([^"]*)"`)
			oldBl := fields(t, before["wazo-backup/bin/wazo-backup"], `(?s)BACKUP_LIST="([^"]*)"`)
			at := len(oldBl)
			for i, e := range oldBl {
				if strings.HasPrefix(e, "/etc/wazo-") && e > "/etc/wazo-exampled/" {
					at = i
					break
				}
			}
			want := append(append(append([]string{}, oldBl[:at]...), "/etc/wazo-exampled/"), oldBl[at:]...)
			if strings.Join(bl, " ") != strings.Join(want, " ") {
				t.Errorf("BACKUP_LIST = %v\nwant %v", bl, want)
			}

			// wazo-acceptance: the row, in URL order, the table aligned.
			rows := tableLines(read(t, dir, "wazo-acceptance/features/daily/http.feature"), "| method")
			if len(rows) != len(tableLines(before["wazo-acceptance/features/daily/http.feature"], "| method"))+1 {
				t.Fatalf("http.feature table: %d lines", len(rows))
			}
			var urls []string
			for _, r := range rows {
				if len(r) != len(rows[0]) {
					t.Errorf("http.feature row not aligned: %q", r)
				}
				urls = append(urls, strings.TrimSpace(strings.Split(r, "|")[2]))
			}
			found := false
			for i := 2; i < len(urls); i++ {
				if urls[i] < urls[i-1] {
					t.Errorf("http.feature rows out of order: %s after %s", urls[i], urls[i-1])
				}
				found = found || urls[i] == "/api/exampled/1.0/status"
			}
			if !found {
				t.Errorf("http.feature has no /api/exampled/1.0/status row: %v", urls)
			}
			sd := read(t, dir, "wazo-acceptance/features/daily/service_discovery.feature")
			if !strings.Contains(sd, "| wazo-exampled |") || !strings.Contains(sd, `Then consul returns a running "<service>" service`) {
				t.Errorf("service_discovery.feature:\n%s", sd)
			}

			// wazo-platform.org.
			doc := func(rel string) string { return read(t, dir, "wazo-platform.org/website/"+rel) }
			if !strings.Contains(doc("uc-doc/contributors/network.md"), "| wazo-exampled | HTTP | TCP | "+itoa(p.Port)+" | 127.0.0.1 | yes | yes |") {
				t.Errorf("network.md lacks the row:\n%s", doc("uc-doc/contributors/network.md"))
			}
			if !strings.Contains(doc("uc-doc/system/configuration_files.md"), "## wazo-exampled\n\n- Default configuration directory: `/etc/wazo-exampled/conf.d`\n- Default configuration file: `/etc/wazo-exampled/config.yml`\n\n## wazo-webhookd") {
				t.Errorf("configuration_files.md:\n%s", doc("uc-doc/system/configuration_files.md"))
			}
			if !strings.Contains(doc("uc-doc/system/log_files.md"), "## wazo-exampled\n\n- File location: `/var/log/wazo-exampled.log`\n- Rotate configuration: `/etc/logrotate.d/wazo-exampled`\n- Number of archived files: 15\n- Rotation frequence: Daily\n\n## wazo-webhookd") {
				t.Errorf("log_files.md:\n%s", doc("uc-doc/system/log_files.md"))
			}
			if !strings.Contains(doc("uc-doc/system/backup_restore.md"), "- `/etc/wazo-dxtora/`\n- `/etc/wazo-exampled/`\n- `/etc/wazo-phoned/`") {
				t.Errorf("backup_restore.md:\n%s", doc("uc-doc/system/backup_restore.md"))
			}
			if d := doc("docs/api/wazo-exampled/description.md"); !strings.Contains(d, "Example service.") || !strings.Contains(d, "/api/exampled/1.0/api/api.yml") {
				t.Errorf("description.md:\n%s", d)
			}

			// wazo-platform: the meta-package depends on it, alphabetically.
			ctl := read(t, dir, "wazo-platform/debian/control")
			if !strings.Contains(ctl, " wazo-dird,\n wazo-exampled,\n wazo-phoned,\n") {
				t.Errorf("wazo-platform's debian/control:\n%s", ctl)
			}

			// Against the patched checkouts, nothing is left to change.
			again, err := Plan(Options{Name: "wazo-exampled", HAGroup: group, Description: "Example service", SiblingsDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range again.Patches {
				if len(again.Files[f]) != 0 {
					t.Errorf("%s against the patched checkouts is not empty:\n%s", f, again.Files[f])
				}
			}
		})
	}
}

// TestSiblingsDirGivesTheSamePatches: checkouts equal to the fixtures give
// the fixtures' patches; an existing service_discovery.feature gets a row.
func TestSiblingsDirGivesTheSamePatches(t *testing.T) {
	dir := fixtureCheckouts(t)
	opts := Options{Name: "wazo-exampled"}
	fromFixtures, err := Plan(opts)
	if err != nil {
		t.Fatal(err)
	}
	opts.SiblingsDir = dir
	fromDir, err := Plan(opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fromFixtures.Patches {
		if string(fromFixtures.Files[f]) != string(fromDir.Files[f]) {
			t.Errorf("%s differs between the fixtures and a checkout of them", f)
		}
	}

	sd := "Feature: Service discovery\n\n    Scenario Outline: Get services from consul\n        Then consul returns a running \"<service>\" service\n\n" +
		"    Examples:\n        | service       |\n        | wazo-agentd   |\n        | wazo-webhookd |\n"
	acc := filepath.Join(dir, "wazo-acceptance")
	if err := os.WriteFile(filepath.Join(acc, "features/daily/service_discovery.feature"), []byte(sd), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, acc, "add", ".")
	git(t, acc, "commit", "-q", "-m", "service discovery")
	p, err := Plan(Options{Name: "wazo-exampled", SiblingsDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	applyAll(t, dir, p)
	want := strings.Replace(sd, "        | wazo-agentd   |\n", "        | wazo-agentd   |\n        | wazo-exampled |\n", 1)
	if got := read(t, dir, "wazo-acceptance/features/daily/service_discovery.feature"); got != want {
		t.Errorf("service_discovery.feature =\n%s\nwant\n%s", got, want)
	}
}

func TestSiblingsDirMissingFileIsNamed(t *testing.T) {
	dir := fixtureCheckouts(t)
	if err := os.Remove(filepath.Join(dir, "wazo-backup/bin/wazo-backup")); err != nil {
		t.Fatal(err)
	}
	_, err := Plan(Options{Name: "wazo-exampled", SiblingsDir: dir})
	if err == nil || !strings.Contains(err.Error(), "bin/wazo-backup") {
		t.Errorf("Plan = %v, want an error naming bin/wazo-backup", err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestRegistryPatchMakesThePortTaken: with --kit, the patch to the kit's
// internal/ports/registry.yml applies, and the patched registry gives the port to
// the new service and a later `new` the next one.
func TestRegistryPatchMakesThePortTaken(t *testing.T) {
	needGit(t)
	kit := t.TempDir()
	data, err := os.ReadFile(filepath.Join(kitRoot(t), "internal", "ports", "registry.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(kit, "internal", "ports"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(kit, "internal", "ports", "registry.yml"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, kit, "init", "-q")
	p, err := Plan(Options{Name: "wazo-exampled", KitDir: kit})
	if err != nil {
		t.Fatal(err)
	}
	patch := filepath.Join(t.TempDir(), "kit.diff")
	if err := os.WriteFile(patch, p.Files["sibling-patches/wazo-servicekit.diff"], 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, kit, "apply", "--check", patch)
	git(t, kit, "apply", patch)
	patched, err := os.ReadFile(filepath.Join(kit, "internal", "ports", "registry.yml"))
	if err != nil {
		t.Fatal(err)
	}
	reg, err := ports.Parse(patched)
	if err != nil {
		t.Fatalf("patched registry: %v", err)
	}
	if got := reg.PortsOf("wazo-exampled"); len(got) != 1 || got[0] != p.Port {
		t.Errorf("patched registry gives wazo-exampled %v, want [%d]", got, p.Port)
	}
	if next, _ := reg.Next(); next <= p.Port {
		t.Errorf("next port after the patch = %d, want above %d", next, p.Port)
	}
	if _, err := Plan(Options{Name: "wazo-other", Port: p.Port, Registry: reg}); err == nil || !strings.Contains(err.Error(), "taken by wazo-exampled") {
		t.Errorf("port %d after the patch: %v, want taken by wazo-exampled", p.Port, err)
	}
}
