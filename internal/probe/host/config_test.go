package host

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/config"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The audit's view of a daemon's configuration is the kit loader's: the
// same conf.d selection (".yml" only, no dotfile, no directory, no dangling
// link, by name) and the same ChainMap merge (first wins, mappings merged).
func TestConfigIsWhatTheDaemonLoads(t *testing.T) {
	root := t.TempDir()
	etc := root + "/etc/wazo-x"
	writeFile(t, etc+"/config.yml", "log_level: info\nrest_api: {port: 9700, listen: 127.0.0.1}\nuser: wazo-x\n")
	writeFile(t, etc+"/conf.d/10-a.yml", "log_level: debug\nrest_api: {port: 9701}\n")
	writeFile(t, etc+"/conf.d/20-b.yml", "log_level: error\nuser: other\n")
	writeFile(t, etc+"/conf.d/.hidden.yml", "user: hidden\n")
	writeFile(t, etc+"/conf.d/30-c.yaml", "user: not-yml\n")
	writeFile(t, etc+"/conf.d/d.yml/x", "")
	if err := os.Symlink("/nonexistent", etc+"/conf.d/z.yml"); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"log_level": "debug", "rest_api": map[string]any{"port": 9701, "listen": "127.0.0.1"}, "user": "other"}

	got, problems := Open(root).Config("wazo-x")
	if len(problems) != 0 || !reflect.DeepEqual(got, want) {
		t.Fatalf("audit sees %v (problems %v), want %v", got, problems, want)
	}

	// The daemon itself, loading the same files through the kit.
	var daemon struct {
		config.Common `yaml:",inline"`
	}
	loaded, err := config.Load(config.Options{Defaults: []byte("config_file: " + etc + "/config.yml\nextra_config_files: " + etc + "/conf.d\n")}, &daemon)
	if err != nil {
		t.Fatal(err)
	}
	if daemon.LogLevel != "debug" || daemon.RestAPI.Port != 9701 || daemon.User != "other" {
		t.Fatalf("the daemon loads log_level %q, port %d, user %q", daemon.LogLevel, daemon.RestAPI.Port, daemon.User)
	}
	if !reflect.DeepEqual(loaded.Sources[3:6], []string{etc + "/conf.d/10-a.yml", etc + "/conf.d/20-b.yml", etc + "/config.yml"}) {
		t.Fatalf("the daemon's sources: %v", loaded.Sources)
	}

	// A malformed file is named with its line and left out; the rest still merges.
	writeFile(t, etc+"/conf.d/15-bad.yml", "log_level: [unclosed\n")
	got, problems = Open(root).Config("wazo-x")
	if len(problems) != 1 || !strings.Contains(problems[0], "/etc/wazo-x/conf.d/15-bad.yml:") || !reflect.DeepEqual(got, want) {
		t.Fatalf("with a malformed file: %v, problems %v", got, problems)
	}
}
