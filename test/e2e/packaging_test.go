package e2e

// Static checks of wazo-doctord's packaging, cheap enough for `make test`:
// the shipped files must agree with each other and with the daemon's
// built-in defaults. The booted-trixie proof is TestDoctordPackage (e2e tag).

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// repoRoot is the checkout this test runs from (test/e2e/../..).
func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(filepath.Dir(wd))
}

func readRepoFile(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func yamlMap(t *testing.T, rel string) map[string]any {
	t.Helper()
	m := map[string]any{}
	if err := yaml.Unmarshal([]byte(readRepoFile(t, rel)), &m); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return m
}

// diffKeys lists the dotted keys whose values differ between a and b.
func diffKeys(prefix string, a, b map[string]any) []string {
	var out []string
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	for k := range keys {
		am, aok := a[k].(map[string]any)
		bm, bok := b[k].(map[string]any)
		if aok && bok {
			out = append(out, diffKeys(prefix+k+".", am, bm)...)
		} else if !reflect.DeepEqual(a[k], b[k]) {
			out = append(out, fmt.Sprintf("%s%s: defaults.yml %v, config.yml %v", prefix, k, a[k], b[k]))
		}
	}
	sort.Strings(out)
	return out
}

func TestShippedConfigRestatesTheBuiltInDefaults(t *testing.T) {
	defaults := yamlMap(t, "cmd/wazo-doctord/defaults.yml")
	shipped := yamlMap(t, "etc/wazo-doctord/config.yml")
	delete(defaults, "config_file") // meaningless inside the file itself, as in Wazo's
	for _, d := range diffKeys("", defaults, shipped) {
		t.Errorf("etc/wazo-doctord/config.yml does not restate the default: %s", d)
	}
	if !strings.HasPrefix(readRepoFile(t, "etc/wazo-doctord/config.yml"), "# This file should not be modified") {
		t.Errorf("etc/wazo-doctord/config.yml lacks Wazo's \"This file should not be modified\" header")
	}
}

func TestShippedFilesAgreeOnThePort(t *testing.T) {
	cfg := yamlMap(t, "etc/wazo-doctord/config.yml")
	port := fmt.Sprint(cfg["rest_api"].(map[string]any)["port"])
	if adv := fmt.Sprint(cfg["service_discovery"].(map[string]any)["advertise_port"]); adv != port {
		t.Errorf("service_discovery.advertise_port %s != rest_api.port %s", adv, port)
	}
	for _, c := range []struct{ file, pattern string }{
		{"etc/nginx/locations/https-available/wazo-doctord", `proxy_pass http://127\.0\.0\.1:` + port + `/;`},
		{"etc/nginx/locations/https-available/wazo-doctord", `location \^~ /api/doctor/ \{`},
		{"etc/nginx/locations/https-available/wazo-doctord", `proxy_set_header\s+X-Script-Name\s+/api/doctor;`},
		{"etc/monit/conf.d/wazo-doctord", `port ` + port + ` protocol http`},
		{"etc/monit/conf.d/wazo-doctord", `with pidfile ` + regexp.QuoteMeta(fmt.Sprint(cfg["pid_file"])) + `\n`},
	} {
		if !regexp.MustCompile(c.pattern).MatchString(readRepoFile(t, c.file)) {
			t.Errorf("%s: no match for %s", c.file, c.pattern)
		}
	}
}

func TestUnitFileMeetsTheChecklist(t *testing.T) {
	unit := readRepoFile(t, "debian/wazo-doctord.service")
	for _, want := range []string{"Type=notify", "Restart=on-failure", "RuntimeDirectory=wazo-doctord",
		"WantedBy=multi-user.target", "User=wazo-doctord", "SyslogIdentifier=wazo-doctord"} {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(want) + `$`).MatchString(unit) {
			t.Errorf("debian/wazo-doctord.service: no line %q", want)
		}
	}
	// Every relaxation of the hardening says why, just above it.
	lines := strings.Split(unit, "\n")
	relaxed := regexp.MustCompile(`^(ProtectProc=default|ProcSubset=all|PrivateUsers=no|PrivateNetwork=no|ProtectHome=read-only|ProtectSystem=(full|yes|no)|ReadWritePaths=.*|RestrictAddressFamilies=.*)$`)
	for i, line := range lines {
		if relaxed.MatchString(line) && (i == 0 || !strings.HasPrefix(lines[i-1], "#")) {
			t.Errorf("debian/wazo-doctord.service:%d: %q relaxes the hardening without a comment above it", i+1, line)
		}
	}
}

func TestLogrotateIsWazos(t *testing.T) {
	conf := readRepoFile(t, "debian/wazo-doctord.logrotate")
	for _, want := range []string{"/var/log/wazo-doctord.log {", "daily", "rotate 15", "compress", "copytruncate", "missingok"} {
		if !regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(want) + `\s*$`).MatchString(conf) {
			t.Errorf("debian/wazo-doctord.logrotate: no %q", want)
		}
	}
}

// TestBuildDependsCoverGoMod: every module go.mod requires is built from its
// -dev package in both distributions the package is built for, and go.mod
// pins trixie's version (the Go reading of Wazo's "requirements.txt pinned
// to Debian's versions", for the latest stable; the bookworm build uses
// bookworm's version of the same -dev package).
func TestBuildDependsCoverGoMod(t *testing.T) {
	control := readRepoFile(t, "debian/control")
	buildDeps := regexp.MustCompile(`(?s)Build-Depends:(.*?)\n\S`).FindStringSubmatch(control)
	if buildDeps == nil {
		t.Fatal("debian/control: no Build-Depends")
	}
	req := regexp.MustCompile(`(?m)^\s*(?:require\s+)?([a-z0-9.\-]+\.[a-z]+/\S+)\s+v(\S+)\s*(//.*)?$`)
	mods := req.FindAllStringSubmatch(readRepoFile(t, "go.mod"), -1)
	if len(mods) == 0 {
		t.Fatal("go.mod: no require found")
	}
	for _, dist := range []string{"trixie", "bookworm"} {
		debian := map[string][2]string{} // import path -> {upstream version, -dev package}
		for _, line := range strings.Split(readRepoFile(t, "internal/debiandata/"+dist+"-go.tsv"), "\n") {
			f := strings.Split(line, "\t")
			if len(f) == 4 && !strings.HasPrefix(line, "#") {
				upstream := f[2]
				if i := strings.LastIndex(upstream, "-"); i > 0 {
					upstream = upstream[:i]
				}
				if i := strings.Index(upstream, ":"); i >= 0 {
					upstream = upstream[i+1:]
				}
				debian[f[0]] = [2]string{upstream, f[3]}
			}
		}
		for _, m := range mods {
			path, version := m[1], m[2]
			d, ok := debian[path]
			if !ok {
				t.Errorf("go.mod requires %s, which %s does not package", path, dist)
				continue
			}
			if dist == "trixie" && !strings.HasPrefix(d[0], version) {
				t.Errorf("go.mod requires %s v%s, trixie has %s", path, version, d[0])
			}
			if !regexp.MustCompile(`\s` + regexp.QuoteMeta(d[1]) + `[\s,(]`).MatchString(buildDeps[1]) {
				t.Errorf("go.mod requires %s: debian/control Build-Depends lacks %s, its %s package", path, d[1], dist)
			}
		}
	}
}
