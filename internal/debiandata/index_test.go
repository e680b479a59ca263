package debiandata

import "testing"

func TestUpstreamVersion(t *testing.T) {
	for in, want := range map[string]string{
		"3.0.1-3":                   "3.0.1",
		"1:2.32.3+dfsg-5+deb13u1":   "2.32.3",
		"0.0~git20201014.17e97d9-4": "0.0",
		"6.0.2-1+b2":                "6.0.2",
		"1.10.0":                    "1.10.0",
	} {
		if got := UpstreamVersion(in); got != want {
			t.Errorf("UpstreamVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEmbeddedIndex(t *testing.T) {
	ix, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if ix.Release == "" || ix.Release[:3] != "13." {
		t.Errorf("Release = %q, want a 13.x point release", ix.Release)
	}
	cases := []struct {
		kind, name, upstream string
		found                bool
	}{
		{"go", "gopkg.in/yaml.v3", "3.0.1", true},
		{"go", "github.com/rabbitmq/amqp091-go", "1.10.0", true},
		{"go", "github.com/hashicorp/consul/api", "", false},
		{"py", "flask", "3.1.1", true},
		{"py", "pyyaml", "6.0.2", true},     // source package name
		{"py", "psycopg2-binary", "", true}, // alias
		{"py", "surely-not-a-debian-package", "", false},
	}
	for _, c := range cases {
		var e Entry
		var ok bool
		if c.kind == "go" {
			e, ok = ix.GoModule(c.name)
		} else {
			e, ok = ix.Python(c.name)
		}
		if ok != c.found {
			t.Errorf("%s %s: found=%v, want %v", c.kind, c.name, ok, c.found)
			continue
		}
		if c.upstream != "" && e.Upstream() != c.upstream {
			t.Errorf("%s %s: upstream %q (%s), want %q", c.kind, c.name, e.Upstream(), e.Version, c.upstream)
		}
	}
}

func TestParseRejectsBadRowNamingLine(t *testing.T) {
	_, err := Parse([]byte("# h\nonly-one-field\n"), nil)
	if err == nil || err.Error()[:15] != "trixie-go.tsv:2" {
		t.Fatalf("err = %v, want one naming trixie-go.tsv:2", err)
	}
}

// Each distribution's index is its own: the packages the kit uses are in
// both, at each one's version.
func TestEmbeddedIndexPerDistribution(t *testing.T) {
	for _, c := range []struct {
		dist, release, amqp string
	}{
		{"trixie", "13.", "1.10.0"},
		{"bookworm", "12.", "1.5.0"},
	} {
		d, err := Lookup(c.dist)
		if err != nil {
			t.Fatal(err)
		}
		ix, err := ForDist(d)
		if err != nil {
			t.Fatal(err)
		}
		if ix.Dist != d || len(ix.Release) < 3 || ix.Release[:3] != c.release {
			t.Errorf("%s: index of %s release %q, want %s release %sx", c.dist, ix.Dist, ix.Release, d, c.release)
		}
		if e, ok := ix.GoModule("github.com/rabbitmq/amqp091-go"); !ok || e.Upstream() != c.amqp {
			t.Errorf("%s: amqp091-go %q (found %v), want %s", c.dist, e.Version, ok, c.amqp)
		}
		if e, ok := ix.GoModule("gopkg.in/yaml.v3"); !ok || e.Upstream() != "3.0.1" {
			t.Errorf("%s: yaml.v3 %q (found %v), want 3.0.1", c.dist, e.Version, ok)
		}
		if again, _ := ForDist(d); again != ix {
			t.Errorf("%s: ForDist parsed the tables twice", c.dist)
		}
	}
	if d, err := Lookup("12"); err != nil || d.Codename != "bookworm" {
		t.Errorf("Lookup(12) = %v, %v; want bookworm", d, err)
	}
	if _, err := Lookup("sid"); err == nil || err.Error() != `unknown Debian distribution "sid" (known: trixie, bookworm)` {
		t.Errorf("Lookup(sid): err = %v", err)
	}
	if Latest.String() != "Debian 13 trixie" {
		t.Errorf("Latest = %s, want Debian 13 trixie", Latest)
	}
}
