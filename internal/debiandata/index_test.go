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
