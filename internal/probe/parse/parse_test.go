package parse

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseShellFindsAdduserThroughVariablesAndContinuations(t *testing.T) {
	script := `#!/bin/sh
set -e
USER=wazo-x
USER_HOME="/var/lib/${USER}"
case "$1" in
    configure)
        if ! getent passwd $USER > /dev/null; then
            adduser --system --group --quiet \
                --home $USER_HOME --no-create-home \
                --shell /usr/sbin/nologin \
                "$USER"
        fi
        install -m 0640 -o "$USER" -g "$USER" /dev/null /var/log/$USER.log # comment
    ;;
esac
`
	var add, inst *Command
	for i, c := range ParseShell([]byte(script)) {
		switch c.Name() {
		case "adduser":
			add = &ParseShell([]byte(script))[i]
		case "install":
			inst = &ParseShell([]byte(script))[i]
		}
	}
	if add == nil || inst == nil {
		t.Fatal("adduser or install not found")
	}
	if add.Line != 8 {
		t.Errorf("adduser line %d, want 8", add.Line)
	}
	if h, _ := add.Option("--home"); h != "/var/lib/wazo-x" {
		t.Errorf("--home %q", h)
	}
	if s, _ := add.Option("--shell"); s != "/usr/sbin/nologin" {
		t.Errorf("--shell %q", s)
	}
	if p := add.Positional("--home", "--shell"); !reflect.DeepEqual(p, []string{"wazo-x"}) {
		t.Errorf("positional %v", p)
	}
	if o, _ := inst.Option("-o"); o != "wazo-x" || inst.Args[len(inst.Args)-1] != "/var/log/wazo-x.log" {
		t.Errorf("install %v", inst.Args)
	}
}

func TestParseUnit(t *testing.T) {
	u := ParseUnit([]byte("[Service]\nExecStartPre=/a\nExecStartPre=/b \\\n  c\nUser=x\n# User=root\n[Install]\nWantedBy=multi-user.target default.target\n"))
	if v := u.Sections["Service"]["ExecStartPre"]; len(v) != 2 || v[1].Text != "/b  c" || v[1].Line != 3 {
		t.Errorf("ExecStartPre %+v", v)
	}
	if v, _ := u.Get("Service", "User"); v.Text != "x" {
		t.Errorf("User %+v", v)
	}
	if w := u.All("Install", "WantedBy"); len(w) != 2 || w[1].Text != "default.target" {
		t.Errorf("WantedBy %+v", w)
	}
}

func TestParseNginx(t *testing.T) {
	locs := ParseNginx([]byte(`# comment { not a block
server {
  location ^~ /api/x/ {
      proxy_pass http://127.0.0.1:9300/;
      proxy_set_header X-Script-Name "/api/x";
      location /api/x/inner { include /etc/nginx/wazo-no-auth-shared.conf; }
  }
}`))
	if len(locs) != 2 {
		t.Fatalf("%d locations", len(locs))
	}
	l := locs[0]
	if l.Modifier != "^~" || l.Path != "/api/x/" || l.ProxyPass != "http://127.0.0.1:9300/" || l.Headers["x-script-name"] != "/api/x" || l.Line != 3 {
		t.Errorf("%+v", l)
	}
	if locs[1].Modifier != "" || len(locs[1].Includes) != 1 {
		t.Errorf("%+v", locs[1])
	}
}

func TestParseMonit(t *testing.T) {
	c := ParseMonit([]byte("set daemon 120\ncheck process wazo-x with pidfile /run/wazo-x/wazo-x.pid\n\tstart program = \"/bin/systemctl start wazo-x\"\n\tstop program = \"/bin/systemctl stop wazo-x\"\n\tif failed host 127.0.0.1 port 9504 protocol http then restart\ncheck host h with address 127.0.0.1\n"))
	if len(c) != 2 || c[0].Name != "wazo-x" || c[0].PIDFile != "/run/wazo-x/wazo-x.pid" || c[0].StartProgram != "/bin/systemctl start wazo-x" || c[1].Kind != "host" || c[0].Port != 9504 {
		t.Errorf("%+v", c)
	}
}

func TestParseGoMod(t *testing.T) {
	m, err := ParseGoMod([]byte("module m\n\ngo 1.24\n\nrequire (\n\ta v1.0.0\n\tb/v2 v2.0.0 // indirect\n)\nrequire c/v3 v3.0.0\nreplace (\n\tx => y\n)\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []GoRequire{{"a", "v1.0.0", false, 6}, {"b/v2", "v2.0.0", true, 7}, {"c/v3", "v3.0.0", false, 9}}
	if m.Module != "m" || m.Go != "1.24" || !reflect.DeepEqual(m.Requires, want) {
		t.Errorf("%+v", m)
	}
	if _, err := ParseGoMod([]byte("require (\n\tonly-a-path\n)\n")); err == nil || !strings.Contains(err.Error(), "go.mod:2") {
		t.Errorf("err %v, want one naming go.mod:2", err)
	}
}

func TestParseRequirements(t *testing.T) {
	r := ParseRequirements([]byte("# c\nhttps://github.com/wazo-platform/xivo-lib-python/archive/master.zip\nFlask==3.1.1  # web\nnetifaces>=0.11\n-r other.txt\npkg[extra]==1.0\nname @ https://x/y.zip\n"))
	if len(r) != 5 {
		t.Fatalf("%d entries: %+v", len(r), r)
	}
	if r[0].URL == "" || r[1].Name != "Flask" || r[1].Version != "3.1.1" || r[1].Op != "==" || r[1].Line != 3 || r[2].Op != ">=" || r[3].Name != "pkg" || r[4].Name != "name" {
		t.Errorf("%+v", r)
	}
	if NormalizePyName("Python_Consul.x") != "python-consul-x" {
		t.Error(NormalizePyName("Python_Consul.x"))
	}
}

func TestParseDeb822(t *testing.T) {
	p := ParseDeb822([]byte("Source: s\nBuild-Depends: a,\n b (>= 1)\n\n# c\nPackage: p\nDepends: ${misc:Depends}, x | y, z:any\n"))
	if len(p) != 2 || p[1].Get("package") != "p" || p[0].Line("Build-Depends") != 2 {
		t.Fatalf("%+v", p)
	}
	if got := DependsNames(p[0].Get("Build-Depends")); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("%v", got)
	}
	if got := DependsNames(p[1].Get("Depends")); !reflect.DeepEqual(got, []string{"x", "y", "z"}) {
		t.Errorf("%v", got)
	}
}

func TestParseLogrotate(t *testing.T) {
	e := ParseLogrotate([]byte("weekly\n/var/log/a.log /var/log/b.log {\n  daily\n  create 0640 u g\n  postrotate\n    kill -HUP x\n  endscript\n}\n"))
	if len(e) != 1 || len(e[0].Paths) != 2 || e[0].Directives["create"] != "0640 u g" || e[0].Line != 2 {
		t.Fatalf("%+v", e)
	}
	if _, ok := e[0].Directives["kill"]; ok {
		t.Error("script lines read as directives")
	}
}

func TestParsePasswdAndGroup(t *testing.T) {
	p, bad := ParsePasswd([]byte("root:x:0:0:root:/root:/bin/bash\nbroken\nwazo-x:x:999:999::/var/lib/wazo-x:/usr/sbin/nologin\nnum:x:a:1::/:/bin/sh\n"))
	if len(p) != 2 || bad != 2 || p[1].Shell != "/usr/sbin/nologin" || p[1].UID != 999 || p[1].Line != 3 {
		t.Errorf("%+v bad=%d", p, bad)
	}
	g, bad := ParseGroup([]byte("consul:x:120:wazo-x,other\nx\n"))
	if len(g) != 1 || bad != 1 || !reflect.DeepEqual(g[0].Members, []string{"wazo-x", "other"}) {
		t.Errorf("%+v bad=%d", g, bad)
	}
}

func TestYAMLMapAndMergeFirstWins(t *testing.T) {
	root, err := YAMLMap("a.yml", []byte("x-xivo-port: 9300\ninfo: {title: t}\npaths:\n  /a: {get: {}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	plugin, err := YAMLMap("b.yml", []byte("x-xivo-port: 1\ninfo: {version: v}\npaths:\n  /a: {post: {}}\n  /b: {get: {}}\n1: numeric key\n"))
	if err != nil {
		t.Fatal(err)
	}
	m := MergeFirstWins(root, plugin)
	if m["x-xivo-port"] != 9300 {
		t.Errorf("first document must win scalars: %v", m["x-xivo-port"])
	}
	info := m["info"].(map[string]any)
	paths := m["paths"].(map[string]any)
	if info["title"] != "t" || info["version"] != "v" || len(paths) != 2 || len(paths["/a"].(map[string]any)) != 2 {
		t.Errorf("maps must be deep-merged: %v", m)
	}
	if _, ok := root["paths"].(map[string]any)["/b"]; ok {
		t.Error("MergeFirstWins modified its input")
	}
	for _, bad := range []struct{ doc, want string }{{"a: [", "x.yml: yaml: line"}, {"- a\n", "x.yml:1: top level must be a mapping, not a list"}} {
		if _, err := YAMLMap("x.yml", []byte(bad.doc)); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("YAMLMap(%q) err %v, want %q", bad.doc, err, bad.want)
		}
	}
	if l := KeyLine([]byte("a:\n  b:\n    c: 1\n"), "a", "b", "c"); l != 3 {
		t.Errorf("KeyLine = %d", l)
	}
}

func TestExpandTerminatesOnSpecialParameters(t *testing.T) {
	c := ParseShell([]byte("X=1\necho $- $1 $ ${X} $X$ ${unclosed\n"))
	if len(c) != 1 || strings.Join(c[0].Args, " ") != "echo $- $1 $ 1 1$ ${unclosed" {
		t.Fatalf("%+v", c)
	}
}

func TestPyDefaults(t *testing.T) {
	src := []byte(`import os

_DAEMON = 'wazo-quuxd'
_PORT = 9599
_PID_DIR = '/run/wazo-quuxd'

_DEFAULT_CONFIG = {
    'user': _DAEMON,  # the account
    'log_file': f'/var/log/{_DAEMON}.log',
    'debug': False,
    'rest_api': {
        'port': _PORT,
        'listen': "127.0.0.1",
        'cors': {'enabled': True, 'allow_headers': ['Content-Type', 'X-Auth-Token']},
    },
    'worker_pid_file': os.path.join(_PID_DIR, 'worker.pid'),
    'state_file': os.path.join(os.getcwd(), 'state'),
    'consul': None,
}
`)
	v, lines := PyDefaults(src)
	rest, _ := v["rest_api"].(map[string]any)
	switch {
	case v["user"] != "wazo-quuxd", v["log_file"] != "/var/log/wazo-quuxd.log", v["debug"] != false:
		t.Errorf("scalars: %v", v)
	case rest["port"] != 9599 || rest["listen"] != "127.0.0.1":
		t.Errorf("rest_api: %v", rest)
	case lines["rest_api.port"] != 12:
		t.Errorf("rest_api.port on line %d, want 12", lines["rest_api.port"])
	}
	if v["worker_pid_file"] != "/run/wazo-quuxd/worker.pid" {
		t.Errorf("os.path.join over constants: %v", v["worker_pid_file"])
	}
	if c, ok := v["state_file"].(Computed); !ok || !strings.HasPrefix(c.Expr, "os.path.join(os.getcwd()") {
		t.Errorf("a computed value is not marked Computed: %#v", v["state_file"])
	}
	if x, ok := v["consul"]; !ok || x != nil {
		t.Errorf("consul: None is %v, %v", x, ok)
	}
}
