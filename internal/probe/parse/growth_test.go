package parse

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// repeat is n copies of a unit of input, numbered, between head and tail.
func repeat(head, unit, tail string) func(n int) []byte {
	return func(n int) []byte {
		var b strings.Builder
		b.WriteString(head)
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, unit, i)
		}
		b.WriteString(tail)
		return []byte(b.String())
	}
}

// Every parser of outside input does work linear in it: 8 times the input
// may not cost more than 24 times the CPU or the memory (a quadratic
// parser costs 64 times). The large inputs stay under the 512 KB a
// checkout file may have.
func TestParsersAreLinear(t *testing.T) {
	cases := []struct {
		name string
		n    int
		gen  func(n int) []byte
		run  func([]byte)
	}{
		{"deb822 paragraphs", 1000, repeat("Source: x\n\n", "Package: p%d\nDepends: a, b (>= 1)\nDescription: x\n more\n\n", ""), func(d []byte) { ParseDeb822(d) }},
		{"deb822 one long field", 2000, repeat("Package: p\nDepends: a", ",\n b%d", "\n"), func(d []byte) { ParseDeb822(d) }},
		{"go.mod requires", 1000, repeat("module m\ngo 1.23\nrequire (\n", "\texample.com/m%d v1.0.0\n", ")\n"), func(d []byte) { ParseGoMod(d) }},
		{"requirements", 1000, repeat("", "package-%d==1.0.%d\n", ""), func(d []byte) { ParseRequirements(d) }},
		{"logrotate entries", 800, repeat("", "/var/log/x%d.log {\n\tdaily\n\trotate 7\n\tcompress\n}\n", ""), func(d []byte) { ParseLogrotate(d) }},
		{"monit checks", 600, repeat("", "check process x%d with pidfile /run/x.pid\n  start program = \"/bin/x start\"\n  stop program = \"/bin/x stop\"\n", ""), func(d []byte) { ParseMonit(d) }},
		{"nginx locations", 400, repeat("", "location ^~ /api/x%d/ {\n  proxy_pass http://127.0.0.1:9500/;\n  proxy_set_header X-Script-Name /api/x;\n  include /etc/nginx/x.conf;\n}\n", ""), func(d []byte) { ParseNginx(d) }},
		{"nginx nested blocks", 1000, repeat("server {\n", "location /a%d { if ($x) { return 404; } }\n", "}\n"), func(d []byte) { ParseNginx(d) }},
		{"passwd", 1000, repeat("", "u%d:x:1000:1000:User:/home/u:/bin/sh\n", ""), func(d []byte) { ParsePasswd(d) }},
		{"group", 1000, repeat("", "g%d:x:1000:a,b,c\n", ""), func(d []byte) { ParseGroup(d) }},
		{"unit keys", 1000, repeat("[Unit]\nDescription=x\n[Service]\n", "Environment=A%d=b\n", "[Install]\nWantedBy=multi-user.target\n"), func(d []byte) { ParseUnit(d) }},
		{"unit continued line", 1000, repeat("[Service]\nExecStart=/usr/bin/x", " \\\n  --opt%d", "\n"), func(d []byte) { ParseUnit(d) }},
		{"shell commands", 800, repeat("#!/bin/sh\nset -e\n", "install -d -o wazo-x -g wazo-x -m 0750 /var/lib/x%d\n", ""), func(d []byte) { ParseShell(d) }},
		{"shell one long line", 4000, repeat("#!/bin/sh\nchown", " a%d", " /x\n"), func(d []byte) { ParseShell(d) }},
		{"shell nested substitutions", 500, repeat("x=", "$(echo %d ", strings.Repeat(")", 0)+"\n"), func(d []byte) { ParseShell(d) }},
		{"shell heredocs", 500, repeat("", "cat <<EOF%d\nline\nEOF\n", ""), func(d []byte) { ParseShell(d) }},
		{"shell list assignments", 800, repeat("", "LIST%d=\"a b c\"\n", ""), func(d []byte) { ParseShellLists(d) }},
		{"shell list words", 4000, repeat("BACKUP_LIST=\"", " /etc/x%d", "\"\n"), func(d []byte) { ParseShellLists(d) }},
		{"python lists", 1000, repeat("SERVICES = [\n", "    Service('wazo-x%d'),\n", "]\n"), func(d []byte) { ParsePythonLists(d) }},
		{"python defaults, wide", 1000, repeat("_DEFAULT_CONFIG = {\n", "    'key%d': 'value',\n", "}\n"), func(d []byte) { PyDefaults(d) }},
		{"python defaults, deep", 300, repeat("_DEFAULT_CONFIG = ", "{'k%d': ", "1"+strings.Repeat("}", 0)+"\n"), func(d []byte) { PyDefaults(d) }},
		{"yaml mapping", 100, repeat("", "key%d: [a, b, c, {d: e}]\n", ""), func(d []byte) { YAMLMap("x.yml", d) }},
		{"yaml sequence", 1500, repeat("list:\n", "  - {name: n%d, acl: [a.b, c.d]}\n", ""), func(d []byte) { YAMLMap("x.yml", d) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if big := len(c.gen(testenv.GrowthFactor * c.n)); big > 512<<10 {
				t.Fatalf("the large input is %d bytes, more than a checkout file may have", big)
			}
			testenv.LinearGrowth(t, c.name, c.n, c.gen, c.run)
		})
	}
}
