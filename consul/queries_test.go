package consul

import (
	"context"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

func TestConfigFromURL(t *testing.T) {
	for _, tc := range []struct {
		raw, want, err string
	}{
		{"http://127.0.0.1:8500", "http://127.0.0.1:8500", ""},
		{"https://consul.example", "https://consul.example:8500", ""},
		{"https://[::1]:8501/", "https://[::1]:8501", ""},
		{"127.0.0.1:8500", "", "want http://HOST:PORT"},
		{"http://user:pw@127.0.0.1:8500", "", "only a scheme, a host and a port"},
		{"http://127.0.0.1:8500/v1/catalog", "", "only a scheme, a host and a port"},
		{"http://127.0.0.1:port", "", "port"},
	} {
		cfg, err := ConfigFromURL(tc.raw)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err = %v, want %q", tc.raw, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.raw, err)
		}
		if !cfg.Verify.Enabled {
			t.Errorf("%s: verify is off", tc.raw)
		}
		c, err := NewClient(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if c.URL() != tc.want {
			t.Errorf("%s: URL() = %s, want %s", tc.raw, c.URL(), tc.want)
		}
	}
}

// The agent answers 503 with the list when an instance is critical, 200
// when passing, 404 for a name it does not know.
func TestAgentServiceHealthOfARealAgent(t *testing.T) {
	c := testenv.StartConsul(t, testenv.ConsulOptions{})
	if err := c.Put("/v1/agent/service/register", `{"ID": "x-1", "Name": "wazo-x", "Port": 9600, "Check": {"CheckID": "x-ttl", "TTL": "60s"}}`); err != nil {
		t.Fatal(err)
	}
	client, err := NewClient(c.Config())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	check := func(want string) {
		t.Helper()
		got, err := client.AgentServiceHealth(ctx, "wazo-x")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].AggregatedStatus != want || got[0].Service.ID != "x-1" || got[0].Service.Port != 9600 {
			t.Fatalf("got %+v, want one x-1 on 9600 %s", got, want)
		}
	}
	check("critical") // a TTL check starts critical
	if err := c.Put("/v1/agent/check/pass/x-ttl", ""); err != nil {
		t.Fatal(err)
	}
	check("passing")
	if got, err := client.AgentServiceHealth(ctx, "wazo-none"); err != nil || len(got) != 0 {
		t.Fatalf("unknown service: %+v, %v", got, err)
	}
}
