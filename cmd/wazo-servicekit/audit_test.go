package main

import (
	"os"
	"strings"
	"testing"
)

func TestAuditCommand(t *testing.T) {
	root := t.TempDir()
	for p, c := range map[string]string{
		"/etc/passwd":                        "root:x:0:0::/root:/bin/bash\nwazo-x:x:4321:4321::/var/lib/wazo-x:/bin/bash\n",
		"/etc/group":                         "wazo-x:x:4321:\n",
		"/etc/wazo-x/config.yml":             "user: wazo-x\nrest_api: {port: 9700}\n",
		"/lib/systemd/system/wazo-x.service": "[Service]\nExecStart=/usr/bin/wazo-x\n[Install]\nWantedBy=multi-user.target\n",
	} {
		if err := os.MkdirAll(root+p[:strings.LastIndex(p, "/")], 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(root+p, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"finds the service and its faults", []string{"audit", "--root", root}, exitFindings, "user-no-login-shell"},
		{"named service", []string{"audit", "--root", root, "wazo-x", "--format", "json"}, exitFindings, `"name": "wazo-x"`},
		{"image root says why it cannot see", []string{"audit", "--root", root, "--verbose"}, exitFindings, "is an image root, nothing runs there"},
		{"not a root", []string{"audit", "--root", root + "/nope"}, exitUsage, ""},
		{"empty root", []string{"audit", "--root", t.TempDir()}, exitUsage, ""},
		{"cluster with root", []string{"audit", "--consul", "http://127.0.0.1:1", "--root", root}, exitUsage, ""},
		{"cluster, no agent", []string{"audit", "--consul", "http://127.0.0.1:1"}, exitUsage, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := runCLI(t, c.args...)
			if code != c.code || !strings.Contains(out, c.out) {
				t.Fatalf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, c.code, out, errs)
			}
		})
	}
}
