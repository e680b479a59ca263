package config

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds arbitrary bytes as a conf.d file: Load must either succeed
// or return a *config.Error naming the file, never panic.
func FuzzLoad(f *testing.F) {
	f.Add([]byte("log_level: info\n"))
	f.Add([]byte("rest_api: {port: 9504, cors: {allow_headers: [a]}}\n"))
	f.Add([]byte("a: &x {b: 1}\nc: *x\n"))
	f.Add([]byte("- list\n"))
	f.Add([]byte("consul: {verify: /etc/ca.crt}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, "conf.d"), 0o755); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "conf.d", "10-fuzz.yml")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		var cfg testConfig
		_, err := Load(Options{Defaults: defaultsFor(dir), Getenv: func(string) string { return "" }}, &cfg)
		if err == nil {
			return
		}
		if _, ok := err.(*Error); !ok {
			t.Fatalf("error of type %T: %v", err, err)
		}
	})
}
