package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/authtest"
)

// TestServiceKeyFileInStatus: a daemon that sets auth.key_file needs the
// key wazo-auth-keys writes; while the file is readable by others /status
// says service_key fail (with a warning line), once it is 0600 ok.
func TestServiceKeyFileInStatus(t *testing.T) {
	fake := authtest.StartFakeAuth(t)
	fake.AddToken("status-token-0123456789", []string{"doctor.status.read"})
	dir := worldReadableTempDir(t)
	key := filepath.Join(dir, "wazo-doctord-key.yml")
	if err := os.WriteFile(key, []byte("service_id: wazo-doctord\nservice_key: s3cret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(key, 0o644)
	logFile := filepath.Join(dir, "wazo-doctord.log")
	p := start(t, fmt.Sprintf("log_file: %s\npid_file: ''\nuser: ''\nauth: {host: 127.0.0.1, port: %d, key_file: %s}\n", logFile, fake.Port, key), []string{"--dev"})

	serviceKey := func() string {
		code, body := request(t, "GET", p.url("/1.0/status"), "status-token-0123456789", "")
		var st map[string]map[string]string
		if code != 200 || json.Unmarshal(body, &st) != nil {
			t.Fatalf("GET /status: %d %s", code, body)
		}
		return st["service_key"]["status"]
	}
	if got := serviceKey(); got != "fail" {
		t.Errorf("service_key with a 0644 key file: %q, want fail", got)
	}
	if !logHas(logFile, "(WARNING)") || !logHas(logFile, "mode 0644, readable beyond its owner") {
		t.Error("no warning line about the key file's mode")
	}
	if err := os.Chmod(key, 0o600); err != nil {
		t.Fatal(err)
	}
	if got := serviceKey(); got != "ok" {
		t.Errorf("service_key with a 0600 key file: %q, want ok", got)
	}
	os.Remove(key)
	if got := serviceKey(); got != "fail" {
		t.Errorf("service_key with no key file: %q, want fail", got)
	}
}

// TestNoServiceKeyComponentWithoutKeyFile: wazo-doctord itself calls no
// Wazo API with a key of its own, so its /status has no service_key.
func TestNoServiceKeyComponentWithoutKeyFile(t *testing.T) {
	fake := authtest.StartFakeAuth(t)
	fake.AddToken("status-token-0123456789", []string{"doctor.status.read"})
	p := start(t, fmt.Sprintf("log_file: ''\npid_file: ''\nuser: ''\nauth: {host: 127.0.0.1, port: %d}\n", fake.Port), nil)
	code, body := request(t, "GET", p.url("/1.0/status"), "status-token-0123456789", "")
	var st map[string]any
	if code != 200 || json.Unmarshal(body, &st) != nil {
		t.Fatalf("GET /status: %d %s", code, body)
	}
	if _, ok := st["service_key"]; ok {
		t.Errorf("service_key in /status without auth.key_file: %s", body)
	}
}
