package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzCheckRepo feeds fuzzed content to every file kind of a repository at
// once and runs the whole static check: no probe may crash (a recovered
// panic shows up as an "internal error" result) whatever the input.
func FuzzCheckRepo(f *testing.F) {
	seed := func(p string) []byte {
		data, err := os.ReadFile("testdata/go-service/" + p)
		if err != nil {
			f.Fatal(err)
		}
		return data
	}
	f.Add(seed("debian/control"), seed("debian/wazo-exampled.postinst"), seed("debian/wazo-exampled.service"),
		seed("etc/wazo-exampled/config.yml"), seed("api/api.yml"), seed("etc/nginx/locations/https-available/wazo-exampled"),
		seed("etc/monit/conf.d/wazo-exampled"), seed("go.mod"))
	f.Add([]byte("Package: wazo-x\n"), []byte("adduser --system"), []byte("[Service]"), []byte("rest_api: {port: x}"),
		[]byte("x-xivo-port: [1]\npaths: 3\ninfo: x"), []byte("location"), []byte("check process"), []byte("require x"))
	f.Fuzz(func(t *testing.T, control, postinst, unit, config, api, nginx, monit, gomod []byte) {
		dir := t.TempDir()
		if !strings.Contains(string(control), "Package:") {
			control = append(control, "\n\nPackage: wazo-x\n"...)
		}
		for p, data := range map[string][]byte{
			"debian/control": control, "debian/wazo-x.postinst": postinst, "debian/wazo-x.service": unit,
			"etc/wazo-x/config.yml": config, "api.yml": api, "etc/nginx/locations/https-available/wazo-x": nginx,
			"etc/monit/conf.d/wazo-x": monit, "go.mod": gomod,
		} {
			if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, p), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		rep, err := Check(dir, CheckOptions{})
		if err != nil {
			return // e.g. a control file whose Package has an empty name
		}
		for _, r := range rep.Results() {
			if strings.Contains(r.Message, "internal error") {
				t.Fatalf("%s: %s", r.Rule, r.Message)
			}
		}
	})
}
