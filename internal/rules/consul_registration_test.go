package rules

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// The live probe reaches the agent the way the service's own consul section
// says: https, verify as a CA file or a boolean, and the ACL token. A real
// agent with ACLs (default deny) and TLS answers it.
func TestConsulProbeHonoursSchemeVerifyAndToken(t *testing.T) {
	ca, cert, key := testenv.SelfSignedCert(t)
	c := testenv.StartConsul(t, testenv.ConsulOptions{ACLToken: "s3cr3t-management", TLS: &testenv.ConsulTLS{CertFile: cert, KeyFile: key}})
	reg := `{"ID": "wazo-exampled-1", "Name": "wazo-exampled", "Port": 9505, "Check": {"CheckID": "wazo-exampled-ttl", "TTL": "60s"}}`
	if err := c.Put("/v1/agent/service/register", reg); err != nil {
		t.Fatal(err)
	}
	if err := c.Put("/v1/agent/check/pass/wazo-exampled-ttl", ""); err != nil {
		t.Fatal(err)
	}
	root := installedRoot(t)
	probe := func(consulSection string) Finding {
		t.Helper()
		cfg := "service_discovery: {enabled: true, advertise_port: 9505}\nrest_api: {port: 9505}\nconsul: " + consulSection + "\n"
		out := liveConsulCatalog(liveService(t, root, cfg), testEnv())
		if len(out) != 1 {
			t.Fatalf("%d findings: %+v", len(out), out)
		}
		return out[0]
	}
	https := fmt.Sprintf("{scheme: https, host: 127.0.0.1, port: %d", c.HTTPSPort)
	for _, tc := range []struct {
		name, section string
		status        Status
		message       string
	}{
		{"https, CA file, token", https + ", verify: " + ca + ", token: s3cr3t-management}", Pass, "passing on port 9505"},
		{"https, verify false, token", https + ", verify: false, token: s3cr3t-management}", Pass, "passing on port 9505"},
		{"https, system roots", https + ", verify: true, token: s3cr3t-management}", Unknown, "certificate"},
		{"https, no token", https + ", verify: " + ca + "}", Unknown, "403"},
		{"http, token", fmt.Sprintf("{scheme: http, host: 127.0.0.1, port: %d, token: s3cr3t-management}", c.HTTPPort), Pass, "passing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := probe(tc.section)
			if f.Status != tc.status || !strings.Contains(f.Message, tc.message) {
				t.Fatalf("got %s %q, want %s containing %q", f.Status, f.Message, tc.status, tc.message)
			}
			if strings.Contains(f.Message, "s3cr3t") {
				t.Fatalf("the token leaks into the finding: %q", f.Message)
			}
		})
	}
}
