package repo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, p), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFindsArtefactsByContent: the files are where this layout puts them,
// not where Wazo's Python services do; they are found by what they are.
func TestFindsArtefactsByContent(t *testing.T) {
	root := t.TempDir()
	write(t, root, map[string]string{
		"debian/control":                "Source: wazo-y\n\nPackage: wazo-y\nArchitecture: any\n",
		"debian/wazo-y.monit":           "check process wazo-y matching wazo-y\n",
		"etc/nginx/conf.d/api.conf":     "location ^~ /api/y/ { proxy_pass http://127.0.0.1:9600/; }\n",
		"etc/systemd/wazo-y.service":    "[Service]\nExecStart=/usr/bin/wazo-y\n",
		"etc/logrotate.d/wazo-y":        "/var/log/wazo-y.log {\n copytruncate\n}\n",
		"etc/rsyslog.d/99-wazo-y.conf":  "if $programname == 'wazo-y' then stop\n",
		"server/api.yml":                "swagger: '2.0'\nx-xivo-name: y\n",
		"server/plugins/a/api.yml":      "paths: {/a: {}}\nx-xivo-name: other\n",
		"testdata/x/etc/monit/conf.d/z": "check process wazo-y matching nope\n",
		"test/e2e/api.yml":              "swagger: '1.0'\n",
		"requirements.txt":              "flask==3.1.1\n",
		"wazo_y/plugins/b/api.yml":      "paths: {/b: {}}\n",
		"node_modules/x/api.yml":        "junk: [\n",
		".hidden/etc/nginx/locations/x": "location ^~ /api/y/ {}\n",
	})
	r, err := Load(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Services) != 1 || len(r.Problems) != 0 {
		t.Fatalf("services %d, problems %v", len(r.Services), r.Problems)
	}
	s := r.Services[0]
	if len(s.Monit) != 1 || s.Monit[0].Path != "debian/wazo-y.monit" {
		t.Errorf("monit: %+v", s.Monit)
	}
	if len(s.Nginx) != 1 || s.Nginx[0].Path != "etc/nginx/conf.d/api.conf" {
		t.Errorf("nginx: %+v", s.Nginx)
	}
	if s.Unit == nil || s.Unit.Path != "etc/systemd/wazo-y.service" {
		t.Errorf("unit: %+v", s.Unit)
	}
	if len(s.Rotate) != 1 || len(s.Rsyslog) != 1 || s.Language != "python" {
		t.Errorf("rotate %d rsyslog %d language %q", len(s.Rotate), len(s.Rsyslog), s.Language)
	}
	// The root document (x-xivo-name + swagger) first: it wins the merge.
	if s.API == nil || len(s.API.Files) != 3 || s.API.Files[0] != "server/api.yml" || s.APIName() != "y" {
		t.Fatalf("api: %+v", s.API)
	}
	if p := s.API.Merged["paths"].(map[string]any); len(p) != 2 {
		t.Errorf("merged paths %v", p)
	}
}

func TestLoadErrors(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("missing dir accepted")
	}
	f := filepath.Join(t.TempDir(), "file")
	os.WriteFile(f, nil, 0o644)
	if _, err := Load(f); err == nil {
		t.Error("a file accepted as a repository")
	}
}

// A crafted package name would end up in paths under the sibling checkouts:
// it is refused, the other packages are kept.
func TestCraftedPackageNameIsRefused(t *testing.T) {
	dir := t.TempDir()
	ctl := "Source: x\n\nPackage: ../../etc\nArchitecture: all\n\nPackage: wazo-quuxd\nArchitecture: all\n"
	if err := os.MkdirAll(filepath.Join(dir, "debian"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "debian", "control"), []byte(ctl), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Services) != 1 || r.Services[0].Name != "wazo-quuxd" {
		t.Fatalf("services %v", r.Services)
	}
	if len(r.Problems) == 0 || !strings.Contains(r.Problems[0], "not a Debian package name") {
		t.Errorf("problems %q", r.Problems)
	}
}
