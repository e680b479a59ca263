package repo

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// includeBomb is a checkout whose API location includes a file that
// includes itself fanOut times (and a chain of other files): read as a
// tree, fan-out 10 over 8 levels is 10^8 parses of 300 bytes.
func includeBomb(t *testing.T, fanOut int) string {
	root := t.TempDir()
	files := map[string]string{
		"debian/control": "Source: wazo-y\n\nPackage: wazo-y\nArchitecture: any\n",
		"etc/nginx/locations/https-available/wazo-y": "location ^~ /api/y/ {\n  include /etc/nginx/bomb.conf;\n  proxy_pass http://127.0.0.1:9600/;\n}\n",
		"etc/nginx/bomb.conf":                        strings.Repeat("include /etc/nginx/bomb.conf;\ninclude /etc/nginx/next.conf;\n", fanOut) + "proxy_set_header X-Script-Name /api/y;\n",
		"etc/nginx/next.conf":                        strings.Repeat("include /etc/nginx/bomb.conf;\n", fanOut),
	}
	write(t, root, files)
	return root
}

func TestNginxIncludesVisitedOnce(t *testing.T) {
	r, err := Load(includeBomb(t, 10))
	if err != nil {
		t.Fatal(err)
	}
	l := r.Services[0].Nginx[0].Item
	if l.Headers["x-script-name"] != "/api/y" {
		t.Errorf("the included header is lost: %+v", l.Headers)
	}
	testenv.LinearGrowth(t, "Load with an include fan-out", 4, func(n int) string { return includeBomb(t, n) }, func(dir string) { Load(dir) })

	// A chain of distinct files longer than the bounds stops, and says so.
	root := t.TempDir()
	files := map[string]string{
		"debian/control": "Source: wazo-y\n\nPackage: wazo-y\nArchitecture: any\n",
		"etc/nginx/locations/https-available/wazo-y": "location ^~ /api/y/ {\n  include /etc/nginx/c0.conf;\n}\n",
	}
	for i := 0; i < 200; i++ {
		files[fmt.Sprintf("etc/nginx/c%d.conf", i)] = fmt.Sprintf("include /etc/nginx/c%d.conf;\ninclude /etc/nginx/d%d.conf;\n", i+1, i)
	}
	write(t, root, files)
	r, err = Load(root)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(r.Problems, "\n"), "not followed") {
		t.Errorf("problems %v, want the cut include chain named", r.Problems)
	}
}

// packages is a checkout of n binary packages, each with its unit, monit
// check and nginx location.
func packages(t *testing.T, n int) string {
	root := t.TempDir()
	var control strings.Builder
	control.WriteString("Source: wazo-q\n")
	files := map[string]string{}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("wazo-q%d", i)
		fmt.Fprintf(&control, "\nPackage: %s\nArchitecture: any\nDescription: q\n", name)
		files["debian/"+name+".service"] = "[Service]\nExecStart=/usr/bin/" + name + "\nUser=" + name + "\n"
		files["debian/"+name+".monit"] = "check process " + name + " with pidfile /run/" + name + ".pid\n"
		files["etc/nginx/locations/https-available/"+name] = "location ^~ /api/q" + fmt.Sprint(i) + "/ { proxy_pass http://127.0.0.1:9600/; }\n"
	}
	files["debian/control"] = control.String()
	write(t, root, files)
	return root
}

// Every file is parsed once, whatever the number of packages: the work is
// linear in the packages, not in packages × files; past maxServices the
// rest is named, not judged.
func TestManyPackagesLinear(t *testing.T) {
	testenv.LinearGrowth(t, "Load of N packages", 20, func(n int) string { return packages(t, n) }, func(dir string) { Load(dir) })
	r, err := Load(packages(t, maxServices+5))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Services) != maxServices || !strings.Contains(strings.Join(r.Problems, "\n"), "more than the 200 judged") {
		t.Errorf("%d services, problems %v", len(r.Services), r.Problems)
	}
}

// Sources are read once per repository, bounded.
func TestSourcesReadOnce(t *testing.T) {
	root := packages(t, 1)
	write(t, root, map[string]string{"x/a.py": "@required_acl('q.a')\n"})
	r, err := Load(root)
	if err != nil {
		t.Fatal(err)
	}
	first := r.Sources()
	os.Remove(filepath.Join(root, "x/a.py"))
	if len(first) != 1 || len(r.Sources()) != 1 {
		t.Errorf("sources %d then %d, want 1 read once", len(first), len(r.Sources()))
	}
}
