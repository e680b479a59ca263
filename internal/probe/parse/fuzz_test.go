package parse

import (
	"strings"
	"testing"
)

// Fuzz targets: every parser of outside input must return (never panic,
// never loop) on any bytes, and keep its basic invariants. Run one with
// `go test -fuzz FuzzParseNginx ./probe/parse/` (make fuzz-servicekit runs all).

func FuzzParseUnit(f *testing.F) {
	f.Add([]byte("[Unit]\nA=b\n[Service]\nExecStart=/x \\\n y\n[Install]\nWantedBy=a b\n"))
	f.Add([]byte("[\n=\n\\"))
	f.Fuzz(func(t *testing.T, data []byte) {
		u := ParseUnit(data)
		for _, keys := range u.Sections {
			for _, vs := range keys {
				for _, v := range vs {
					if v.Line < 1 {
						t.Fatalf("line %d", v.Line)
					}
				}
			}
		}
	})
}

func FuzzParseMonit(f *testing.F) {
	f.Add([]byte("check process a with pidfile /run/a.pid\n start program = \"/bin/x\"\n"))
	f.Add([]byte("check\ncheck process\n\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, c := range ParseMonit(data) {
			if c.Name == "" || c.Line < 1 {
				t.Fatalf("%+v", c)
			}
		}
	})
}

func FuzzParseNginx(f *testing.F) {
	f.Add([]byte("location ^~ /api/x/ { proxy_pass http://127.0.0.1:1/; proxy_set_header X-Script-Name /api/x; }"))
	f.Add([]byte("}}{{ location \"unterminated"))
	f.Add([]byte("location 'a\\"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, l := range ParseNginx(data) {
			if l.Line < 1 || l.Headers == nil {
				t.Fatalf("%+v", l)
			}
		}
	})
}

func FuzzParseGoMod(f *testing.F) {
	f.Add([]byte("module m\ngo 1.24\nrequire (\n a v1\n b v2 // indirect\n)\nrequire c v3\n"))
	f.Add([]byte("require (\n)\n)\nrequire"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseGoMod(data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "go.mod:") {
				t.Fatalf("error without location: %v", err)
			}
			return
		}
		for _, r := range m.Requires {
			if r.Path == "" || r.Version == "" || r.Line < 1 {
				t.Fatalf("%+v", r)
			}
		}
	})
}

func FuzzParseRequirements(f *testing.F) {
	f.Add([]byte("flask==3.1.1\nhttps://x/y.zip\n# c\n-r x\npkg[e]>=1 ; python_version<'3'\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, r := range ParseRequirements(data) {
			if r.Line < 1 || (r.Name == "" && r.URL == "") {
				t.Fatalf("%+v", r)
			}
		}
		NormalizePyName(string(data))
	})
}

func FuzzParseDeb822(f *testing.F) {
	f.Add([]byte("Source: s\nBuild-Depends: a,\n b\n\nPackage: p\nDepends: ${x}, y | z\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, p := range ParseDeb822(data) {
			for k := range p.Fields {
				if p.Lines[k] < 1 {
					t.Fatalf("field %q without line", k)
				}
				DependsNames(p.Fields[k])
			}
		}
	})
}

func FuzzParseShell(f *testing.F) {
	f.Add([]byte("U=a\nadduser --system --home \"/var/lib/${U}\" $U \\\n --shell /x\ncase \"$1\" in\n configure) x;; esac\n"))
	f.Add([]byte("'\"\\$${$(`"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, c := range ParseShell(data) {
			if len(c.Args) == 0 || c.Line < 1 {
				t.Fatalf("%+v", c)
			}
			c.Option("--home", "-d")
			c.Positional("--home")
		}
	})
}

func FuzzParseLogrotate(f *testing.F) {
	f.Add([]byte("/var/log/a.log {\n daily\n postrotate\n x\n endscript\n}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, e := range ParseLogrotate(data) {
			if e.Directives == nil || e.Line < 1 {
				t.Fatalf("%+v", e)
			}
		}
	})
}

func FuzzParsePasswd(f *testing.F) {
	f.Add([]byte("root:x:0:0:root:/root:/bin/bash\nx:x:1:1::/:/usr/sbin/nologin\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ents, bad := ParsePasswd(data)
		if bad < 0 {
			t.Fatal(bad)
		}
		for _, e := range ents {
			if strings.Contains(e.Name, ":") {
				t.Fatalf("%+v", e)
			}
		}
	})
}

func FuzzParseGroup(f *testing.F) {
	f.Add([]byte("consul:x:1:a,b\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ents, _ := ParseGroup(data)
		for _, e := range ents {
			for _, m := range e.Members {
				if m == "" {
					t.Fatalf("%+v", e)
				}
			}
		}
	})
}

func FuzzYAMLConfig(f *testing.F) {
	f.Add([]byte("rest_api:\n  port: 9300\nservice_discovery: {advertise_port: 9300}\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Add([]byte("- list\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := YAMLMap("config.yml", data)
		if err == nil && m == nil {
			t.Fatal("nil map without error")
		}
		if err != nil && !strings.HasPrefix(err.Error(), "config.yml") {
			t.Fatalf("error does not name the file: %v", err)
		}
		KeyLine(data, "rest_api", "port")
	})
}

// FuzzAPIMerge merges two fuzzed api.yml documents and checks ChainMap's
// contract: the first document's scalar values always win.
func FuzzAPIMerge(f *testing.F) {
	f.Add([]byte("x-xivo-port: 1\npaths: {/a: {get: {}}}\n"), []byte("x-xivo-port: 2\npaths: {/b: {}}\n"))
	f.Add([]byte("a: {b: 1}\n"), []byte("a: 3\n"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		ma, err1 := YAMLMap("a/api.yml", a)
		mb, err2 := YAMLMap("b/api.yml", b)
		if err1 != nil || err2 != nil {
			return
		}
		m := MergeFirstWins(ma, mb)
		for k, v := range ma {
			if _, isMap := v.(map[string]any); isMap {
				continue
			}
			if _, isList := v.([]any); isList {
				continue
			}
			if m[k] != v && v == v { // NaN never equals itself
				t.Fatalf("key %q: merged %v, first document had %v", k, m[k], v)
			}
		}
		for k := range mb {
			if _, ok := m[k]; !ok {
				t.Fatalf("key %q of the second document lost", k)
			}
		}
	})
}

func FuzzPyDefaults(f *testing.F) {
	f.Add([]byte("_N = 'x'\n_P = 9\n_DEFAULT_CONFIG = {\n    'user': _N,\n    'log': f'/var/log/{_N}.log',\n    'rest_api': {'port': _P, 'x': [1, {2: 3}]},\n}\n"))
	f.Add([]byte("_DEFAULT_CONFIG = { ) ] 'a': } \n"))
	f.Add([]byte("X_DEFAULT: dict = {'a': {'b': {'c': (1, 2)}}, 'd': \"q\"}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		values, lines := PyDefaults(data)
		for k, l := range lines {
			if l < 1 {
				t.Fatalf("key %s line %d", k, l)
			}
		}
		_ = values
	})
}
