package scaffold

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/wazo-platform/wazo-servicekit/internal/ports"
	"github.com/wazo-platform/wazo-servicekit/internal/scaffold/internal/doctordsrc"
)

func kitRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func TestValidateName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"wazo-exampled", true},
		{"wazo-call-logd2", true},
		{"wazo-a", true},
		{"exampled", false},
		{"xivo-exampled", false},
		{"wazo-", false},
		{"wazo-Exampled", false},
		{"wazo-example_d", false},
		{"wazo--x", false},
		{"wazo-x-", false},
		{"wazo-2x", false},
		{"wazo-x y", false},
		{"wazo-" + strings.Repeat("a", 28), false}, // 33 characters
	}
	for _, tt := range tests {
		if err := ValidateName(tt.name); (err == nil) != tt.ok {
			t.Errorf("ValidateName(%q) = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

func TestPortChoice(t *testing.T) {
	reg, err := ports.Load()
	if err != nil {
		t.Fatal(err)
	}
	next, _ := reg.Next()
	doctord := reg.PortsOf("wazo-doctord")
	if len(doctord) == 0 {
		t.Fatal("wazo-doctord is not in the port registry")
	}
	tests := []struct {
		asked   int
		want    int
		errLike string
	}{
		{0, next, ""},
		{doctord[0], 0, "taken by wazo-doctord"},
		{9486, 0, "taken by wazo-confd"},
		{8080, 0, "common test port"},
		{8000, 0, "common test port"},
		{9000, 0, "common test port"},
		{9306, 0, "outside"},
		{70000, 0, "not a TCP port"},
		{9590, 9590, ""},
	}
	for _, tt := range tests {
		p, err := Plan(Options{Name: "wazo-exampled", Port: tt.asked})
		switch {
		case tt.errLike != "" && (err == nil || !strings.Contains(err.Error(), tt.errLike)):
			t.Errorf("--port %d: err = %v, want one saying %q", tt.asked, err, tt.errLike)
		case tt.errLike == "" && err != nil:
			t.Errorf("--port %d: %v", tt.asked, err)
		case tt.errLike == "" && p.Port != tt.want:
			t.Errorf("--port %d: port %d, want %d", tt.asked, p.Port, tt.want)
		}
	}
}

func TestOptionsRefused(t *testing.T) {
	tests := []struct {
		opts    Options
		errLike string
	}{
		{Options{Name: "wazo-doctord"}, "already exists"},
		{Options{Name: "wazo-x", APIVersion: "v1"}, "API version"},
		{Options{Name: "wazo-x", HAGroup: "slave"}, "HA group"},
		{Options{Name: "wazo-x", Description: "two\nlines"}, "printable"},
		{Options{Name: "wazo-x", Description: strings.Repeat("x", 73)}, "at most 72"},
		{Options{Name: "wazo-x", SiblingsDir: "/nonexistent"}, "no wazo-service/ checkout"},
	}
	for _, tt := range tests {
		if _, err := Plan(tt.opts); err == nil || !strings.Contains(err.Error(), tt.errLike) {
			t.Errorf("Plan(%+v) = %v, want an error saying %q", tt.opts, err, tt.errLike)
		}
	}
}

func TestExistingDirectoryIsNeverOverwritten(t *testing.T) {
	for _, existing := range []string{"empty dir", "file"} {
		dir := t.TempDir()
		target := filepath.Join(dir, "wazo-exampled")
		if existing == "file" {
			if err := os.WriteFile(target, []byte("mine"), 0o644); err != nil {
				t.Fatal(err)
			}
		} else if err := os.Mkdir(target, 0o755); err != nil {
			t.Fatal(err)
		}
		err := Generate(Options{Name: "wazo-exampled", Dir: dir})
		if err == nil || !strings.Contains(err.Error(), "never overwrites") {
			t.Errorf("%s: Generate = %v, want a refusal", existing, err)
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			t.Errorf("%s: %d entries left in the parent, want only the existing one", existing, len(entries))
		}
	}
}

// TestCopiesAreCurrent fails when wazo-doctord's committed files differ
// from the copies new services are derived from: run `go generate
// ./scaffold` and commit testdata/doctord with the change.
func TestCopiesAreCurrent(t *testing.T) {
	if _, err := os.Stat(filepath.Join(kitRoot(t), ".git")); err != nil {
		t.Skip("not a git checkout of wazo-servicekit: nothing to compare the copies with")
	}
	sub, err := fs.Sub(copies, copiesRoot)
	if err != nil {
		t.Fatal(err)
	}
	stale, err := doctordsrc.StaleCopies(kitRoot(t), sub)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stale {
		t.Errorf("scaffold/testdata/doctord is stale: %s (run `go generate ./internal/scaffold`)", s)
	}
}

// TestGenerateDerivesEveryFile: every copy of wazo-doctord's becomes a file
// of the new service, with its names, port and version, and nothing of the
// doctor left (deriveAll refuses that).
func TestGenerateDerivesEveryFile(t *testing.T) {
	for _, tc := range []struct{ name, short, pkg, ver string }{
		{"wazo-exampled", "exampled", "exampled", "1.0"},
		{"wazo-call-stats", "call-stats", "callstats", "0.2"},
		{"wazo-bus", "bus", "bussvc", "1.0"}, // its package would clash with the kit's bus in main.go
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Plan(Options{Name: tc.name, Port: 9590, APIVersion: tc.ver})
			if err != nil {
				t.Fatal(err)
			}
			err = fs.WalkDir(copies, copiesRoot, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				rel := strings.TrimPrefix(path, copiesRoot+"/")
				if notDerived[rel] {
					return nil
				}
				if strings.HasSuffix(rel, ".lintian-overrides") {
					data, _ := fs.ReadFile(copies, path)
					if dropDoctorOverrides(string(data)) == "" {
						return nil // only wazo-doctord's own overrides
					}
				}
				out := strings.ReplaceAll(rel, "wazo-doctord", tc.name)
				out = strings.Replace(out, "internal/doctor/", tc.pkg+"/", 1)
				if _, ok := p.Files[out]; !ok {
					t.Errorf("wazo-doctord's %s gave no %s", rel, out)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			port := "9590"
			expect := map[string][]string{
				"etc/nginx/locations/https-available/" + tc.name: {"location ^~ /api/" + tc.short + "/ {", "proxy_pass http://127.0.0.1:" + port + "/;", "X-Script-Name       /api/" + tc.short + ";"},
				"etc/monit/conf.d/" + tc.name:                    {"check process " + tc.name + " with pidfile /run/" + tc.name + "/" + tc.name + ".pid", "port " + port, `"/` + tc.ver + `/api/api.yml"`},
				"debian/" + tc.name + ".service":                 {"ExecStart=/usr/bin/" + tc.name, "User=" + tc.name, "ReadWritePaths=-/var/log/" + tc.name + ".log"},
				"debian/" + tc.name + ".postinst":                {"USER=" + tc.name},
				"debian/control":                                 {"Source: " + tc.name, "Package: " + tc.name, "XS-Go-Import-Path: github.com/wazo-platform/" + tc.name},
				"cmd/" + tc.name + "/main.go":                    {`"github.com/wazo-platform/` + tc.name + "/" + tc.pkg + `"`, "daemon.App[" + tc.pkg + ".Config]", "Handler:  " + tc.pkg + ".Handler,"},
				tc.pkg + "/app.go":                               {"package " + tc.pkg, "baseapi.Register(r, rt, spec, authClient, cfg.Level())"},
			}
			for f, needles := range expect {
				for _, n := range needles {
					if !strings.Contains(string(p.Files[f]), n) {
						t.Errorf("%s lacks %q", f, n)
					}
				}
			}
			for _, f := range []string{"etc/" + tc.name + "/config.yml", "cmd/" + tc.name + "/defaults.yml"} {
				var c struct {
					RestAPI struct {
						Port int `yaml:"port"`
					} `yaml:"rest_api"`
					SD struct {
						Port int `yaml:"advertise_port"`
					} `yaml:"service_discovery"`
					LogFile string         `yaml:"log_file"`
					Audit   map[string]any `yaml:"audit"`
				}
				if err := yaml.Unmarshal(p.Files[f], &c); err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				if c.RestAPI.Port != 9590 || c.SD.Port != 9590 || c.LogFile != "/var/log/"+tc.name+".log" || c.Audit != nil {
					t.Errorf("%s: rest_api.port=%d advertise_port=%d log_file=%s audit=%v", f, c.RestAPI.Port, c.SD.Port, c.LogFile, c.Audit)
				}
			}
			var spec map[string]any
			if err := yaml.Unmarshal(p.Files[tc.pkg+"/api.yml"], &spec); err != nil {
				t.Fatal(err)
			}
			if spec["x-xivo-port"] != 9590 || spec["x-xivo-name"] != tc.short || spec["basePath"] != "/"+tc.ver {
				t.Errorf("api.yml: x-xivo-port=%v x-xivo-name=%v basePath=%v", spec["x-xivo-port"], spec["x-xivo-name"], spec["basePath"])
			}
			paths, _ := spec["paths"].(map[string]any)
			for _, want := range []string{"/api/api.yml", "/status", "/config", "/examples", "/examples/{example_uuid}"} {
				if _, ok := paths[want]; !ok {
					t.Errorf("api.yml lacks %s", want)
				}
			}
			if len(paths) != 5 {
				t.Errorf("api.yml has %d paths, want 5 (doctor-only ones dropped)", len(paths))
			}
			for f, data := range p.Files {
				if strings.HasPrefix(f, "sibling-patches/") || f == ".servicekit.yml" {
					continue
				}
				if m := regexp.MustCompile(`(?i)doctor`).Find(data); m != nil {
					t.Errorf("%s still mentions %q", f, m)
				}
			}
		})
	}
}

func TestManifestRecordsTheAnswers(t *testing.T) {
	p, err := Plan(Options{Name: "wazo-exampled", HAGroup: "wazo", Description: "Example service"})
	if err != nil {
		t.Fatal(err)
	}
	var m Manifest
	if err := yaml.Unmarshal(p.Files[".servicekit.yml"], &m); err != nil {
		t.Fatal(err)
	}
	if m.Name != "wazo-exampled" || m.Port != p.Port || m.HAGroup != "wazo" || m.APIVersion != "1.0" ||
		m.Description != "Example service" || m.ServicekitVersion != kitVersion() || m.ServicekitVersion == "0.0.0" {
		t.Errorf("manifest = %+v", m)
	}
	for f, data := range p.Files {
		if f != ".servicekit.yml" && m.Files[f] != sha256Hex(data) {
			t.Errorf("manifest hash of %s = %q, want %q", f, m.Files[f], sha256Hex(data))
		}
	}
}

func TestWriteModes(t *testing.T) {
	dir := t.TempDir()
	if err := Generate(Options{Name: "wazo-exampled", Dir: dir}); err != nil {
		t.Fatal(err)
	}
	for f, want := range map[string]os.FileMode{".ci/run": 0o755, "debian/rules": 0o755, "debian/wazo-exampled.postinst": 0o755, "go.mod": 0o644} {
		st, err := os.Stat(filepath.Join(dir, "wazo-exampled", f))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", f, st.Mode().Perm(), want)
		}
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".wazo-exampled.new-*"))
	if len(left) != 0 {
		t.Errorf("temporary directories left: %v", left)
	}
}

// TestServiceCarriesNoBuildMachinery: the build scripts and make targets
// are the kit's (scripts/, shipped in its -dev package), not copied into
// every service; the Makefile includes them and debian/rules carries
// nothing of the kit's own tests.
func TestServiceCarriesNoBuildMachinery(t *testing.T) {
	p, err := Plan(Options{Name: "wazo-exampled"})
	if err != nil {
		t.Fatal(err)
	}
	for f := range p.Files {
		if strings.HasPrefix(f, "scripts/") {
			t.Errorf("%s: a copy of the kit's build machinery", f)
		}
	}
	if mk := string(p.Files["Makefile"]); !strings.Contains(mk, "include $(KIT)/scripts/service.mk") {
		t.Errorf("Makefile does not include the kit's targets:\n%s", mk)
	}
	if rules := string(p.Files["debian/rules"]); strings.Contains(rules, "test/e2e") {
		t.Errorf("debian/rules mentions the kit's test/e2e:\n%s", rules)
	}
	if _, err := os.Stat(filepath.Join(kitRoot(t), "scripts", "service.mk")); err != nil {
		t.Errorf("the kit has no scripts/service.mk: %v", err)
	}
}

// TestDist: --dist picks the distribution the Makefile builds for, and the
// CI job template is one Wazo's Zuul has.
func TestDist(t *testing.T) {
	for _, dist := range []string{"trixie", "bookworm"} {
		p, err := Plan(Options{Name: "wazo-exampled", Dist: dist})
		if err != nil {
			t.Fatal(err)
		}
		if mk := string(p.Files["Makefile"]); !strings.Contains(mk, "\nDIST ?= "+dist+"\n") {
			t.Errorf("%s: Makefile:\n%s", dist, mk)
		}
		if z := string(p.Files["zuul.yaml"]); !strings.Contains(z, "      - debian-packaging-bookworm\n") {
			t.Errorf("%s: zuul.yaml:\n%s", dist, z)
		}
		if m := string(p.Files[".servicekit.yml"]); !strings.Contains(m, "\ndist: "+dist+"\n") {
			t.Errorf("%s: .servicekit.yml does not record the distribution", dist)
		}
	}
	if _, err := Plan(Options{Name: "wazo-exampled", Dist: "sid"}); err == nil || !strings.Contains(err.Error(), "trixie") {
		t.Errorf("--dist sid: %v", err)
	}
}

func TestDropDoctorOverrides(t *testing.T) {
	tests := []struct{ in, want string }{
		{"# The doctor reads dpkg.\nwazo-doctord: uses-dpkg-database-directly [usr/bin/wazo-doctord]\n", ""},
		{"# Go binaries are static.\nwazo-doctord: statically-linked-binary\n", "# Go binaries are static.\nwazo-doctord: statically-linked-binary\n"},
		{"# Static.\nwazo-doctord: a\n\n# The doctor audits.\nwazo-doctord: b\n", "# Static.\nwazo-doctord: a\n\n"},
	}
	for _, tt := range tests {
		if got := dropDoctorOverrides(tt.in); got != tt.want {
			t.Errorf("dropDoctorOverrides(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
