package main

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
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
		{"cluster, no agent: could not run", []string{"audit", "--consul", "http://127.0.0.1:1"}, exitCouldNotRun, ""},
		{"cluster, not a URL", []string{"audit", "--consul", "ftp://x"}, exitUsage, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := runCLI(t, c.args...)
			if code != c.code || !strings.Contains(out, c.out) {
				t.Fatalf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, c.code, out, errs)
			}
			// A run that could not be done is no usage mistake: no hint.
			if code == exitCouldNotRun && (errs == "" || strings.Contains(errs, "--help")) {
				t.Fatalf("exit 3 wants the reason and no usage hint; stderr: %s", errs)
			}
		})
	}
}

// audit --consul reaches an agent with ACLs and TLS with --consul-token or
// $CONSUL_HTTP_TOKEN and --consul-cacert or $CONSUL_CACERT, as consul's CLI.
func TestAuditConsulTokenAndCA(t *testing.T) {
	ca, cert, key := testenv.SelfSignedCert(t)
	c := testenv.StartConsul(t, testenv.ConsulOptions{ACLToken: "cluster-token", TLS: &testenv.ConsulTLS{CertFile: cert, KeyFile: key}})
	// A wazo-doctord entry nobody answers for: the ACL hides it from a
	// catalog read without the token; with it, the audit lists the node.
	dead := testenv.FreePort(t)
	if err := c.Put("/v1/agent/service/register", fmt.Sprintf(`{"ID": "doctord-dead", "Name": "wazo-doctord", "Address": "127.0.0.1", "Port": %d}`, dead)); err != nil {
		t.Fatal(err)
	}
	url := fmt.Sprintf("https://127.0.0.1:%d", c.HTTPSPort)
	cases := []struct {
		name      string
		env       map[string]string
		args      []string
		code      int
		outSubstr string
		errSubstr string
	}{
		{"flags", nil, []string{"--consul-token", "cluster-token", "--consul-cacert", ca}, exitCouldNotRun, "node-unreachable", "no doctord answered"},
		{"environment", map[string]string{"CONSUL_HTTP_TOKEN": "cluster-token", "CONSUL_CACERT": ca}, nil, exitCouldNotRun, "node-unreachable", "no doctord answered"},
		{"no token", nil, []string{"--consul-cacert", ca}, exitCouldNotRun, "", "lists no node"},
		{"no CA", map[string]string{"CONSUL_HTTP_TOKEN": "cluster-token"}, nil, exitCouldNotRun, "", "certificate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("CONSUL_HTTP_TOKEN", "")
			t.Setenv("CONSUL_CACERT", "")
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			code, out, errs := runCLI(t, append([]string{"audit", "--consul", url, "--format", "json"}, tc.args...)...)
			if code != tc.code || !strings.Contains(out, tc.outSubstr) || !strings.Contains(errs, tc.errSubstr) || strings.Contains(errs+out, "cluster-token") {
				t.Fatalf("exit %d (want %d, stderr with %q)\nstdout: %s\nstderr: %s", code, tc.code, tc.errSubstr, out, errs)
			}
		})
	}
}
