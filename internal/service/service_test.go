package service

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/host"
)

// files is a repository or a root, by relative path.
type files map[string]string

func write(t *testing.T, fs files) string {
	t.Helper()
	dir := t.TempDir()
	writeIn(t, dir, fs)
	return dir
}

// writeIn writes files under dir.
func writeIn(t *testing.T, dir string, fs files) {
	t.Helper()
	for p, data := range fs {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// daemon is a Python daemon in the shape Wazo's are: a unit without User=,
// config.yml, config.py's defaults, main.py switching to the user.
func daemon() files {
	return files{
		"debian/control": "Source: wazo-quuxd\n\nPackage: wazo-quuxd\nArchitecture: all\nDepends: python3\n",
		"debian/wazo-quuxd.service": "[Unit]\nDescription=quuxd\n\n[Service]\nExecStart=/usr/bin/wazo-quuxd\n" +
			"ExecStartPre=/usr/bin/install -d -o wazo-quuxd -g wazo-quuxd /run/wazo-quuxd\n\n[Install]\nWantedBy=multi-user.target\n",
		"debian/wazo-quuxd.postinst": "#!/bin/sh\nset -e\nadduser --quiet --system --group --home /var/lib/wazo-quuxd wazo-quuxd\n",
		"etc/wazo-quuxd/config.yml":  "debug: false\nrest_api:\n  listen: 127.0.0.1\n  port: 9599\nauth:\n  host: localhost\n  port: 9497\n",
		"wazo_quuxd/config.py": "_DEFAULT_CONFIG = {\n    'user': 'wazo-quuxd',\n    'log_file': '/var/log/wazo-quuxd.log',\n" +
			"    'pid_file': '/run/wazo-quuxd/wazo-quuxd.pid',\n    'websocket': {'listen': '127.0.0.1', 'port': 9600},\n}\n",
		"wazo_quuxd/main.py": "from xivo.user_rights import change_user\n\n\ndef main(config):\n    change_user(config['user'])\n",
	}
}

func with(base files, edits files) files {
	out := files{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range edits {
		if v == "" {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	return out
}

func factsOfRepo(t *testing.T, fs files) *Facts {
	t.Helper()
	out, err := ReadRepo(write(t, fs), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 {
		t.Fatalf("%d services, want 1", len(out))
	}
	return out[0]
}

func TestServiceUser(t *testing.T) {
	unit := daemon()["debian/wazo-quuxd.service"]
	for _, c := range []struct {
		name      string
		edit      files
		user, src string // src: part of the source; user "" means unknown
	}{
		{"the configured user the code switches to", nil, "wazo-quuxd", "switched to at wazo_quuxd/main.py:5"},
		{"the unit's User= wins", files{"debian/wazo-quuxd.service": strings.Replace(unit, "[Service]\n", "[Service]\nUser=www-data\n", 1)}, "www-data", "User="},
		{"ExecStart --user", files{"debian/wazo-quuxd.service": strings.Replace(unit, "wazo-quuxd\n", "wazo-quuxd --user nobody\n", 1)}, "nobody", "ExecStart"},
		{"twistd --uid=", files{"debian/wazo-quuxd.service": strings.Replace(unit, "/usr/bin/wazo-quuxd\n", "/usr/bin/twistd --uid=daemon -y x.tac\n", 1)}, "daemon", "ExecStart"},
		{"python3 -u is not a user", files{"debian/wazo-quuxd.service": strings.Replace(unit, "/usr/bin/wazo-quuxd\n", "/usr/bin/python3 -u /usr/bin/wazo-quuxd\n", 1)}, "wazo-quuxd", "config.py"},
		{"a configured user nothing switches to is root", files{"wazo_quuxd/main.py": "def main(config):\n    pass\n"}, "root", "no code switches to it"},
		{"no user anywhere: root, whatever the postinst creates", files{"wazo_quuxd/config.py": "_DEFAULT_CONFIG = {'debug': False}\n"}, "root", "systemd starts it as root"},
		{"config.yml's user overrides the code's", files{"etc/wazo-quuxd/config.yml": "user: www-data\n"}, "www-data", "etc/wazo-quuxd/config.yml:1 user"},
		{"no code in the checkout: unknown", files{"wazo_quuxd/main.py": "", "wazo_quuxd/config.py": "", "etc/wazo-quuxd/config.yml": "user: wazo-quuxd\n"}, "", "not in what was read"},
	} {
		t.Run(c.name, func(t *testing.T) {
			u := factsOfRepo(t, with(daemon(), c.edit)).User
			if c.user == "" {
				if u.Known() || !strings.Contains(u.Unknown, c.src) {
					t.Fatalf("got %+v, want unknown saying %q", u, c.src)
				}
				return
			}
			if !u.Known() || u.Value != c.user || !strings.Contains(u.Source, c.src) {
				t.Fatalf("got %+v, want %s from %q", u, c.user, c.src)
			}
		})
	}
}

func TestPorts(t *testing.T) {
	unit := daemon()["debian/wazo-quuxd.service"]
	for _, c := range []struct {
		name string
		edit files
		want []int
	}{
		{"config and code defaults; a client section is not a port", nil, []int{9599, 9600}},
		{"a port moved to the code's defaults", files{"etc/wazo-quuxd/config.yml": "debug: false\n",
			"wazo_quuxd/config.py": "_PORT = 9601\n_DEFAULT_CONFIG = {'user': 'x', 'rest_api': {'listen': '127.0.0.1', 'port': _PORT}}\n"}, []int{9601}},
		{"the HTTPS server of rest_api", files{"etc/wazo-quuxd/config.yml": "rest_api:\n  https:\n    listen: 0.0.0.0\n    port: 9486\n", "wazo_quuxd/config.py": ""}, []int{9486}},
		{"a server the default config turns off", files{"etc/wazo-quuxd/config.yml": "rest_api:\n  http:\n    enabled: false\n    port: 9487\n", "wazo_quuxd/config.py": ""}, nil},
		{"uvicorn --port in ExecStart", files{"etc/wazo-quuxd/config.yml": "debug: true\n", "wazo_quuxd/config.py": "",
			"debian/wazo-quuxd.service": strings.Replace(unit, "/usr/bin/wazo-quuxd\n", "/usr/bin/uvicorn app:app --port 9610\n", 1)}, []int{9610}},
		{"gunicorn on a Unix socket has no TCP port", files{"etc/wazo-quuxd/config.yml": "debug: true\n", "wazo_quuxd/config.py": "",
			"debian/wazo-quuxd.service": strings.Replace(unit, "/usr/bin/wazo-quuxd\n", "/usr/bin/gunicorn --bind unix:/run/x.sock app\n", 1)}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := factsOfRepo(t, with(daemon(), c.edit))
			if !f.Ports.Known() {
				t.Fatalf("ports unknown: %s", f.Ports.Unknown)
			}
			if got := f.PortNumbers(); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("ports %v, want %v (%+v)", got, c.want, f.Ports.Value)
			}
		})
	}
	f := factsOfRepo(t, with(daemon(), files{"etc/wazo-quuxd/config.yml": "rest_api:\n  port: abc\n"}))
	if f.Ports.Known() || !strings.Contains(f.Ports.Unknown, "rest_api.port is abc") {
		t.Fatalf("an unreadable port: %+v, want unknown naming it", f.Ports)
	}
}

func TestPackageLocationsLeaveDevelopmentFilesOut(t *testing.T) {
	loc := "location ^~ /api/quuxd/ {\n    proxy_pass http://127.0.0.1:9599/;\n}\n"
	f := factsOfRepo(t, with(daemon(), files{"contribs/docker/nginx/quuxd.conf": loc}))
	if len(f.Nginx.Value) != 0 {
		t.Fatalf("a Docker nginx file counted as the package's: %+v", f.Nginx.Value)
	}
	f = factsOfRepo(t, with(daemon(), files{"etc/nginx/locations/https-available/wazo-quuxd": loc}))
	if len(f.Nginx.Value) != 1 || !strings.Contains(f.Nginx.Value[0].Source, "etc/nginx/locations/https-available/wazo-quuxd:1") {
		t.Fatalf("the shipped location: %+v", f.Nginx)
	}
	f = factsOfRepo(t, with(daemon(), files{"etc/nginx/locations/https-available/wazo-quuxd": loc, "debian/wazo-quuxd.install": "etc/wazo-quuxd etc/\n"}))
	if len(f.Nginx.Value) != 0 {
		t.Fatalf("a location the .install file does not ship counted: %+v", f.Nginx.Value)
	}
}

func TestNotADaemon(t *testing.T) {
	f := factsOfRepo(t, with(daemon(), files{"debian/wazo-quuxd.service": ""}))
	if f.Daemon.Value || !strings.Contains(f.Daemon.Source, "no systemd unit") {
		t.Fatalf("no unit: %+v", f.Daemon)
	}
	oneshot := strings.Replace(daemon()["debian/wazo-quuxd.service"], "[Service]\n", "[Service]\nType=oneshot\n", 1)
	if f := factsOfRepo(t, with(daemon(), files{"debian/wazo-quuxd.service": oneshot})); f.Daemon.Value {
		t.Fatalf("a one-shot unit is a daemon: %+v", f.Daemon)
	}
}

func TestSiblingFactsUnknownWithoutCheckouts(t *testing.T) {
	f := factsOfRepo(t, daemon())
	for name, l := range map[string]List{"groups": f.Groups, "backup": f.Backup, "docs": f.Docs, "acceptance": f.Acceptance} {
		if l.Known() || !strings.Contains(l.Unknown, "--siblings") {
			t.Errorf("%s without siblings: %+v, want unknown saying how to provide them", name, l)
		}
	}
}

// install lays the package's files out in an image root as dpkg would:
// the unit in /lib/systemd/system, etc/ under /etc, the Python module in
// dist-packages, the postinst in dpkg's info directory.
func install(t *testing.T, fs files) string {
	t.Helper()
	root := files{}
	for p, data := range fs {
		switch {
		case strings.HasPrefix(p, "debian/") && strings.HasSuffix(p, ".service"):
			root["lib/systemd/system/"+filepath.Base(p)] = data
		case strings.HasPrefix(p, "debian/") && strings.HasSuffix(p, ".postinst"):
			root["var/lib/dpkg/info/"+filepath.Base(p)] = data
		case strings.HasPrefix(p, "etc/"):
			root[p] = data
		case strings.HasPrefix(p, "wazo_quuxd/"):
			root["usr/lib/python3/dist-packages/"+p] = data
		}
	}
	return write(t, root)
}

// TestRepoAndImageRootAgree derives the facts of the same package from its
// checkout and from an image root it is installed in: who it runs as, its
// ports, PID and log files must be the same.
func TestRepoAndImageRootAgree(t *testing.T) {
	for name, edit := range map[string]files{
		"user from the code's defaults": nil,
		"user from the unit":            {"debian/wazo-quuxd.service": strings.Replace(daemon()["debian/wazo-quuxd.service"], "[Service]\n", "[Service]\nUser=www-data\n", 1)},
		"root":                          {"wazo_quuxd/main.py": "def main(config):\n    pass\n"},
	} {
		t.Run(name, func(t *testing.T) {
			fs := with(daemon(), edit)
			static := factsOfRepo(t, fs)
			installed := FromHost(host.Open(install(t, fs)), "wazo-quuxd")
			if static.User.Value != installed.User.Value || !installed.User.Known() {
				t.Errorf("user: repository %+v, image root %+v", static.User, installed.User)
			}
			if !reflect.DeepEqual(static.PortNumbers(), installed.PortNumbers()) {
				t.Errorf("ports: repository %v, image root %v", static.PortNumbers(), installed.PortNumbers())
			}
			if !reflect.DeepEqual(Values(static.PIDFiles), Values(installed.PIDFiles)) {
				t.Errorf("PID files: repository %v, image root %v", Values(static.PIDFiles), Values(installed.PIDFiles))
			}
			if !reflect.DeepEqual(Values(static.LogFiles), Values(installed.LogFiles)) {
				t.Errorf("log files: repository %v, image root %v", Values(static.LogFiles), Values(installed.LogFiles))
			}
		})
	}
}

func TestTextEscapesAndNamesUnknowns(t *testing.T) {
	f := factsOfRepo(t, with(daemon(), files{"etc/wazo-quuxd/config.yml": "log_file: \"/var/log/x\\e[31m.log\"\n"}))
	txt := f.Text()
	if strings.Contains(txt, "\x1b") {
		t.Fatalf("an escape sequence from the repository reached the output:\n%s", txt)
	}
	if !strings.Contains(txt, "wazo-service groups  unknown: lives in wazo-service") {
		t.Fatalf("an unknown fact does not say what is missing:\n%s", txt)
	}
}

// TestDefaultsOutsideConfigPy: a daemon keeping its _DEFAULT_CONFIG in
// main.py (no config.py) has its user, PID file and log file read from there.
func TestDefaultsOutsideConfigPy(t *testing.T) {
	f := factsOfRepo(t, with(daemon(), files{"wazo_quuxd/config.py": "", "etc/wazo-quuxd/config.yml": "debug: false\n",
		"wazo_quuxd/main.py": "from xivo.user_rights import change_user\n\n_DEFAULT_CONFIG = {\n    'user': 'wazo-quuxd',\n" +
			"    'pid_filename': '/run/wazo-quuxd/wazo-quuxd.pid',\n    'log_filename': '/var/log/wazo-quuxd.log',\n}\n\n\ndef main(config):\n    change_user(config['user'])\n"}))
	if f.User.Value != "wazo-quuxd" || !strings.Contains(f.User.Source, "wazo_quuxd/main.py:4 user") {
		t.Errorf("user: %+v", f.User)
	}
	if got := Values(f.PIDFiles); !reflect.DeepEqual(got, []string{"/run/wazo-quuxd/wazo-quuxd.pid"}) {
		t.Errorf("PID files: %v", got)
	}
	if got := Values(f.LogFiles); !reflect.DeepEqual(got, []string{"/var/log/wazo-quuxd.log"}) {
		t.Errorf("log files: %v", got)
	}
	if got := Values(f.RunDirs); !reflect.DeepEqual(got, []string{"/run/wazo-quuxd owned by wazo-quuxd"}) {
		t.Errorf("run directories: %v", got)
	}
}
