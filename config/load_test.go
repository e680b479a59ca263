package config

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

type testConfig struct {
	Common `yaml:",inline"`
	Extra  struct {
		List  []string       `yaml:"list"`
		Inner map[string]any `yaml:"inner"`
	} `yaml:"extra"`
}

// write creates files under dir from name → content.
func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func defaultsFor(dir string) []byte {
	return []byte(`
config_file: ` + filepath.Join(dir, "config.yml") + `
extra_config_files: ` + filepath.Join(dir, "conf.d") + `
debug: false
log_level: info
user: wazo-test
auth: {host: localhost, port: 9497, key_file: ` + filepath.Join(dir, "key.yml") + `}
rest_api: {listen: 127.0.0.1, port: 9504, cors: {enabled: true, allow_headers: [Content-Type]}}
extra: {list: [default], inner: {a: default-a, b: default-b}}
`)
}

func load(t *testing.T, dir string, args ...string) (*testConfig, *Loaded, error) {
	t.Helper()
	var cfg testConfig
	loaded, err := Load(Options{Defaults: defaultsFor(dir), Args: args, Getenv: func(string) string { return "uuid-1" }}, &cfg)
	return &cfg, loaded, err
}

func TestConfDFirstFileWinsWithDeepMerge(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"config.yml":          "log_level: warning\nrest_api: {port: 9600}\nextra: {inner: {a: main-a}}\n",
		"conf.d/10-first.yml": "log_level: error\nextra: {inner: {b: first-b}, list: [first]}\n",
		"conf.d/20-later.yml": "log_level: debug\nrest_api: {listen: 127.0.0.2}\nextra: {inner: {a: later-a, c: later-c}, list: [later, more]}\n",
		"conf.d/.hidden.yml":  "log_level: critical\n",
		"conf.d/notes.yaml":   "log_level: critical\n",
		"conf.d/readme.txt":   "not yaml: [",
	})
	cfg, _, err := load(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ what, got, want string }{
		{"log_level from the first conf.d file", cfg.LogLevel, "error"},
		{"rest_api.port from config.yml", strconv.Itoa(cfg.RestAPI.Port), "9600"},
		{"rest_api.listen merged from a later conf.d file", cfg.RestAPI.Listen, "127.0.0.2"},
		{"extra.inner.a: conf.d beats config.yml, later conf.d loses to none above it", cfg.Extra.Inner["a"].(string), "later-a"},
		{"extra.inner.b from the first file", cfg.Extra.Inner["b"].(string), "first-b"},
		{"extra.inner.c only in the later file", cfg.Extra.Inner["c"].(string), "later-c"},
		{"lists are replaced whole by the first file that has one", strings.Join(cfg.Extra.List, ","), "first"},
		{"untouched defaults stay", cfg.Auth.Host, "localhost"},
		{"XIVO_UUID from the environment", cfg.UUID, "uuid-1"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.what, c.got, c.want)
		}
	}
}

func TestMainFileIsOptionalAndDirToo(t *testing.T) {
	dir := t.TempDir()
	cfg, loaded, err := load(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RestAPI.Port != 9504 {
		t.Errorf("defaults not applied: port %d", cfg.RestAPI.Port)
	}
	if len(loaded.Notes) < 2 {
		t.Errorf("missing file and dir should each leave a note, got %q", loaded.Notes)
	}
}

func TestExplicitNullWinsLikeChainMap(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{"conf.d/00.yml": "extra: {inner: null}\n"})
	cfg, _, err := load(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Extra.Inner != nil {
		t.Errorf("an explicit null in the first file must win over the defaults' mapping, got %v", cfg.Extra.Inner)
	}
}

func TestCommandLineBeatsFiles(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"other.yml":     "user: from-file\nextra_config_files: " + filepath.Join(dir, "other.d") + "\n",
		"other.d/a.yml": "log_level: warning\n",
		"config.yml":    "log_level: critical\n",
	})
	cfg, _, err := load(t, dir, "--config-file", filepath.Join(dir, "other.yml"), "-d", "-u", "from-cli")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.User != "from-cli" {
		t.Errorf("user: got %q, want the -u value", cfg.User)
	}
	if cfg.LogLevel != "warning" {
		t.Errorf("the -c file's own extra_config_files dir must be read: log_level %q", cfg.LogLevel)
	}
	if !cfg.Debug || cfg.Level() != slog.LevelDebug {
		t.Errorf("-d must force debug: debug=%v level=%v", cfg.Debug, cfg.Level())
	}
	if cfg.ConfigFile != filepath.Join(dir, "other.yml") {
		t.Errorf("config_file should record the file read, got %q", cfg.ConfigFile)
	}
}

func TestKeyFileFillsAuthCredentialsUnlessSet(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{"key.yml": "service_id: wazo-test\nservice_key: s3cret\n"})
	cfg, _, err := load(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Auth.Username != "wazo-test" || cfg.Auth.Password != "s3cret" {
		t.Errorf("key file not applied: %q/%q", cfg.Auth.Username, cfg.Auth.Password)
	}

	write(t, dir, map[string]string{"config.yml": "auth: {username: admin, password: pw}\n"})
	cfg, _, err = load(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Auth.Username != "admin" || cfg.Auth.Password != "pw" {
		t.Errorf("credentials set in a file must win over the key file: %q/%q", cfg.Auth.Username, cfg.Auth.Password)
	}
}

func TestLogLevels(t *testing.T) {
	for _, c := range []struct {
		value string
		debug bool
		want  slog.Level
	}{
		{"critical", false, LevelCritical},
		{"ERROR", false, slog.LevelError},
		{"Warning", false, slog.LevelWarn},
		{"info", false, slog.LevelInfo},
		{"DEBUG", false, slog.LevelDebug},
		{"error", true, slog.LevelDebug},
	} {
		dir := t.TempDir()
		write(t, dir, map[string]string{"config.yml": "log_level: " + c.value + "\ndebug: " + map[bool]string{true: "true", false: "false"}[c.debug] + "\n"})
		cfg, _, err := load(t, dir)
		if err != nil {
			t.Fatalf("%s: %v", c.value, err)
		}
		if cfg.Level() != c.want {
			t.Errorf("log_level %q debug %v: got %v, want %v", c.value, c.debug, cfg.Level(), c.want)
		}
	}
}

func TestBadConfigNamesFileAndLine(t *testing.T) {
	for _, c := range []struct {
		name, file, content, want string
	}{
		{"malformed YAML in conf.d", "conf.d/10-bad.yml", "debug: false\nrest_api: {port: 1\n", "conf.d/10-bad.yml:"},
		{"wrong type", "conf.d/20-type.yml", "debug: false\n\nrest_api:\n  port: not-a-number\n", "conf.d/20-type.yml:4: cannot unmarshal"},
		{"unknown log level", "config.yml", "# comment\nlog_level: verbose\n", "config.yml:2: log_level: unknown log_level \"verbose\""},
		{"port out of range", "config.yml", "rest_api:\n  port: 70000\n", "config.yml:2: rest_api.port"},
		{"top level not a mapping", "config.yml", "- a\n- b\n", "config.yml:1: the top level must be a mapping"},
		{"list where a string is wanted", "config.yml", "user: [a, b]\n", "config.yml:1: cannot unmarshal"},
		{"key file without service_key", "key.yml", "service_id: x\n", "key.yml:1: the key file must set service_id and service_key"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, map[string]string{c.file: c.content})
			_, _, err := load(t, dir)
			if err == nil {
				t.Fatal("expected an error")
			}
			var cfgErr *Error
			if !errors.As(err, &cfgErr) {
				t.Errorf("want a *config.Error, got %T", err)
			}
			if !strings.Contains(err.Error(), filepath.Join(dir, c.want)) && !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not contain %q", err, c.want)
			}
			if !strings.Contains(err.Error(), dir) {
				t.Errorf("error %q does not name the file's full path", err)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"--no-such-flag"}, {"positional"}, {"-c"}} {
		_, _, err := load(t, t.TempDir(), args...)
		if !errors.Is(err, ErrUsage) {
			t.Errorf("%v: want a usage error, got %v", args, err)
		}
	}
}

func TestDevLayerSkipsSystemFiles(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{"config.yml": "log_level: critical\n"})
	var cfg testConfig
	loaded, err := Load(Options{
		Defaults: defaultsFor(dir),
		Dev:      []byte("config_file: ''\nuser: ''\n"),
		Args:     []string{"--dev"},
		Getenv:   func(string) string { return "" },
	}, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !loaded.DevMode || cfg.User != "" || cfg.LogLevel != "info" {
		t.Errorf("--dev: dev=%v user=%q log_level=%q (the system config file must not be read)", loaded.DevMode, cfg.User, cfg.LogLevel)
	}
}
