package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/consulsim"
	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// TestAuditConsulExitStatus: a cluster audit exited 0 with an empty
// catalogue or with every node unreachable, even with --fail-on info. Now
// 3 when it could not run (nothing listed, no node answered), 1 when some
// node could not be asked whatever --fail-on says, 2 for a bad flag.
func TestAuditConsulExitStatus(t *testing.T) {
	up := &consulsim.Doctord{Services: 1, Results: 1}
	srv, upPort := up.Serve()
	t.Cleanup(srv.Close)
	down := testenv.FreePort(t)
	catalog := func(entries ...consulsim.Entry) string {
		c := consulsim.ServeCatalog(entries)
		t.Cleanup(c.Close)
		return c.URL
	}
	at := func(node string, port int) consulsim.Entry {
		return consulsim.Entry{Node: node, Address: "127.0.0.1", Port: port}
	}
	trust := func(ports ...int) []string {
		var out []string
		for _, p := range ports {
			out = append(out, "--trust-node", fmt.Sprintf("127.0.0.1:%d", p))
		}
		return out
	}
	cases := []struct {
		name   string
		url    string
		args   []string
		code   int
		stderr string
	}{
		{"empty catalogue", catalog(), nil, exitCouldNotRun, "lists no node"},
		{"every node unreachable", catalog(at("n1", down), at("n2", down)), trust(down), exitCouldNotRun, "no doctord answered (2 "},
		{"every node unreachable, --fail-on info", catalog(at("n1", down)), append(trust(down), "--fail-on", "info"), exitCouldNotRun, "no doctord answered (1 "},
		{"an entry not trusted", catalog(at("n1", down)), nil, exitCouldNotRun, "no doctord answered (1 "},
		{"one node unreachable", catalog(at("n1", upPort), at("n2", down)), trust(upPort, down), exitFindings, "1 part(s) of the cluster not audited"},
		{"one node unreachable, --fail-on error", catalog(at("n1", upPort), at("n2", down)), append(trust(upPort, down), "--fail-on", "error"), exitFindings, "1 part(s) of the cluster not audited"},
		{"one entry not trusted beside a node that answered", catalog(at("n1", upPort), at("n1", down)), trust(upPort), exitFindings, "1 part(s) of the cluster not audited"},
		{"every node answered", catalog(at("n1", upPort), at("n2", upPort)), trust(upPort), exitClean, ""},
		{"a node marked critical", catalog(at("n1", upPort), consulsim.Entry{Node: "n2", Address: "127.0.0.1", Port: upPort, Critical: true}), trust(upPort), exitFindings, ""},
		{"bad concurrency", catalog(at("n1", upPort)), []string{"--concurrency", "0"}, exitUsage, "--concurrency"},
		{"too much concurrency", catalog(at("n1", upPort)), []string{"--concurrency", "65"}, exitUsage, "at most 64"},
		{"bad trust-node", catalog(at("n1", upPort)), []string{"--trust-node", "127.0.0.1"}, exitUsage, "HOST:PORT"},
		{"no doctor CA file", catalog(at("n1", upPort)), []string{"--doctor-cacert", "/nonexistent/ca.pem"}, exitUsage, "--doctor-cacert"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := runCLI(t, append([]string{"audit", "--consul", c.url, "--token", "tok"}, c.args...)...)
			if code != c.code || !strings.Contains(errs, c.stderr) {
				t.Fatalf("exit %d (want %d, stderr with %q)\nstdout: %s\nstderr: %s", code, c.code, c.stderr, out, errs)
			}
		})
	}
}
