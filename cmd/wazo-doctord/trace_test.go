package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/authtest"
)

// xivoLine is xivo-lib-python's current line: "2026-07-31 15:29:46,123 UTC
// [pid N] [tid N] (LEVEL) (name): message".
var xivoLine = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (?:[A-Z]{3,5}|[-+]\d{2,4}) \[pid [1-9]\d*\] \[tid [1-9]\d*\] \((?:DEBUG|INFO|WARNING|ERROR|CRITICAL)\) \([^)]+\): .*$`)

// TestOneRequestFollowedByItsTraceparent sends a request with a traceparent
// to the running daemon: wazo-auth (the fake records the header) gets the
// same trace id with the daemon's span as parent, the caller gets that span
// back, and the log file's response line, in xivo's current format,
// carries the three ids.
func TestOneRequestFollowedByItsTraceparent(t *testing.T) {
	fake := authtest.StartFakeAuth(t)
	fake.AddToken("trace-token-0123456789", []string{"doctor.status.read"})
	logFile := filepath.Join(worldReadableTempDir(t), "wazo-doctord.log")
	p := start(t, fmt.Sprintf("log_file: %s\npid_file: ''\nuser: ''\nauth: {host: 127.0.0.1, port: %d}\n", logFile, fake.Port), []string{"--dev"})

	const traceID, callerSpan = "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"
	req, _ := http.NewRequest("GET", p.url("/1.0/status"), nil)
	req.Header.Set("X-Auth-Token", "trace-token-0123456789")
	req.Header.Set("traceparent", "00-"+traceID+"-"+callerSpan+"-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET /1.0/status: %d", resp.StatusCode)
	}
	back := regexp.MustCompile(`^00-` + traceID + `-([0-9a-f]{16})-01$`).FindStringSubmatch(resp.Header.Get("traceparent"))
	if back == nil || back[1] == callerSpan {
		t.Fatalf("response traceparent %q: want trace %s with the daemon's own span", resp.Header.Get("traceparent"), traceID)
	}
	span := back[1]

	checks := fake.Requests()
	if len(checks) != 1 || checks[0].Traceparent != "00-"+traceID+"-"+span+"-01" {
		t.Fatalf("wazo-auth got %+v, want one check with traceparent 00-%s-%s-01", checks, traceID, span)
	}

	if code := p.stop(t); code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, p.stderr)
	}
	data, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	ids := "[span_id=" + span + " parent_id=" + callerSpan + " trace_id=" + traceID + "]"
	var response bool
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if !xivoLine.MatchString(line) {
			t.Errorf("not xivo's current log line: %q", line)
		}
		if strings.Contains(line, "request: GET") {
			t.Errorf("a request line at info level (one access line per request): %q", line)
		}
		response = response || strings.Contains(line, "response: GET /1.0/status "+ids)
	}
	if !response {
		t.Errorf("want the response line with %s in:\n%s", ids, data)
	}
}
