package rules

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"time"
)

// insecureLoopbackClient talks to nginx on loopback, whose certificate is
// the host's own self-signed one. It refuses any address that is not
// loopback, so a misconfigured URL can never send traffic off the host.
func insecureLoopbackClient(timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: timeout}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // loopback only, see DialContext
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				h, _, err := net.SplitHostPort(addr)
				if err != nil {
					return nil, err
				}
				if ip := net.ParseIP(h); h != "localhost" && (ip == nil || !ip.IsLoopback()) {
					return nil, fmt.Errorf("refusing %s: live probes only reach loopback", addr)
				}
				return dialer.DialContext(ctx, network, addr)
			},
		},
	}
}

// runTool runs a read-only command with the probe's deadline.
func runTool(ctx context.Context, name string, args ...string) ([]byte, error) {
	out, err := exec.CommandContext(ctx, name, args...).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok && len(ee.Stderr) > 0 {
			return out, fmt.Errorf("%v: %s", err, strings.TrimSpace(string(ee.Stderr)))
		}
	}
	return out, err
}
