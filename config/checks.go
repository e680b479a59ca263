package config

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// LevelCritical is Python's CRITICAL, above slog's ERROR.
const LevelCritical = slog.LevelError + 4

var logLevels = map[string]slog.Level{
	"CRITICAL": LevelCritical,
	"ERROR":    slog.LevelError,
	"WARNING":  slog.LevelWarn,
	"INFO":     slog.LevelInfo,
	"DEBUG":    slog.LevelDebug,
}

// ParseLogLevel reads a Wazo log_level, in any case.
func ParseLogLevel(name string) (slog.Level, error) {
	level, ok := logLevels[strings.ToUpper(name)]
	if !ok {
		return 0, fmt.Errorf("unknown log_level %q: use one of critical, error, warning, info, debug", name)
	}
	return level, nil
}

// Level is the effective log level: debug: true forces DEBUG (xivo's
// reinterpretation), otherwise log_level. Load has already checked it.
func (c *Common) Level() slog.Level {
	if c.Debug {
		return slog.LevelDebug
	}
	level, err := ParseLogLevel(c.LogLevel)
	if err != nil {
		return slog.LevelInfo
	}
	return level
}

// valueChecks are the checks beyond types, by dotted path. Each runs
// on every layer that sets the key, so its error names that file and line.
var valueChecks = []struct {
	path  string
	check func(n *yaml.Node) error
}{
	{"log_level", func(n *yaml.Node) error {
		_, err := ParseLogLevel(n.Value)
		return err
	}},
	{"rest_api.port", portCheck},
	{"auth.port", portCheck},
	{"bus.port", portCheck},
	{"consul.port", portCheck},
	{"service_discovery.advertise_port", portCheck},
	{"consul.scheme", func(n *yaml.Node) error {
		if n.Value != "http" && n.Value != "https" {
			return fmt.Errorf("must be http or https, not %q", n.Value)
		}
		return nil
	}},
	{"service_discovery.ttl_interval", positiveCheck},
	{"service_discovery.refresh_interval", positiveCheck},
	{"service_discovery.retry_interval", positiveCheck},
	{"auth.timeout", positiveCheck},
	{"rest_api.drain_timeout", positiveCheck},
	{"rest_api.read_timeout", positiveCheck},
	{"rest_api.write_timeout", positiveCheck},
	{"rest_api.idle_timeout", positiveCheck},
	{"rest_api.max_connections", func(n *yaml.Node) error {
		if v, err := strconv.Atoi(n.Value); err != nil || v < 1 {
			return fmt.Errorf("%q must be a number of connections above 0", n.Value)
		}
		return nil
	}},
}

func portCheck(n *yaml.Node) error {
	p, err := strconv.Atoi(n.Value)
	if err != nil || p < 1 || p > 65535 {
		return fmt.Errorf("%q is not a TCP port (1-65535)", n.Value)
	}
	return nil
}

func positiveCheck(n *yaml.Node) error {
	f, err := strconv.ParseFloat(n.Value, 64)
	if err != nil || f <= 0 {
		return fmt.Errorf("%q must be a number of seconds above 0", n.Value)
	}
	return nil
}

func checkValues(layer Layer) error {
	for _, vc := range valueChecks {
		path, check := vc.path, vc.check
		n := lookupPath(layer.Root, strings.Split(path, ".")...)
		if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
			continue
		}
		if err := check(n); err != nil {
			return &Error{msg: fmt.Sprintf("%s:%d: %s: %v", layer.Name, n.Line, path, err), err: err}
		}
	}
	return nil
}
