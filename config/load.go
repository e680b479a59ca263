// Package config loads a Wazo daemon's configuration with xivo-lib-python's
// semantics: built-in defaults ← config.yml ← conf.d/*.yml (sorted by name,
// the FIRST file wins) ← the auth key file ← the command line.
//
// One deliberate deviation from xivo: a malformed file, a wrong type or an
// unknown log level is a start-up error naming the file and the line, where
// xivo prints a message and skips the file (which can silently drop a
// security setting an operator put in conf.d).
package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// Options says where a daemon's configuration comes from.
type Options struct {
	// Defaults is the YAML text of the built-in defaults, usually embedded.
	// It must set config_file and extra_config_files.
	Defaults []byte
	// Args are the command-line arguments, without the program name.
	Args []string
	// Dev, when the command line says --dev, is put just above the defaults
	// so that a developer can run the daemon from a checkout (no privilege
	// drop, log on stderr, no PID file). Nil disables --dev.
	Dev []byte
	// Getenv reads XIVO_UUID; nil means os.Getenv.
	Getenv func(string) string
}

// Loaded is the outcome of Load besides the decoded struct.
type Loaded struct {
	// Tree is the effective configuration, every layer merged.
	Tree *yaml.Node
	// Notes are things worth logging once logging is set up (a missing
	// optional file, a missing XIVO_UUID).
	Notes []string
	// Sources lists the layers in priority order, highest first.
	Sources []string
	// DevMode is true when --dev was given.
	DevMode bool
}

// WarningPrefix starts a note of Loaded.Notes that the daemon logs as a
// WARNING: something an operator should fix, which does not stop start-up.
const WarningPrefix = "warning: "

// ErrUsage marks command-line mistakes (exit status 2).
var ErrUsage = errors.New("usage")

// Load reads every layer, checks each against the type of into, merges them
// and decodes the result into into (a pointer to a struct that embeds Common
// inline). The first problem found is returned, naming file and line.
func Load(opts Options, into any) (*Loaded, error) {
	cli, err := parseArgs(opts.Args, opts.Dev != nil)
	if err != nil {
		return nil, err
	}
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	out := &Loaded{DevMode: cli.dev}

	defaults, err := parseLayer("built-in defaults", opts.Defaults)
	if err != nil {
		return nil, err
	}
	base := []Layer{defaults}
	if cli.dev {
		dev, err := parseLayer("--dev defaults", opts.Dev)
		if err != nil {
			return nil, err
		}
		base = []Layer{dev, defaults}
	}

	configFile := cli.configFile
	if configFile == "" {
		configFile = stringAt(Merge(base...), "config_file")
	}
	var fileLayers []Layer
	if configFile != "" {
		layers, notes, errs := FileLayers(OS, configFile, base...)
		if len(errs) > 0 {
			return nil, errs[0]
		}
		out.Notes = append(out.Notes, notes...)
		fileLayers = layers
		for _, l := range layers {
			out.Notes = append(out.Notes, unknownKeys(reflect.TypeOf(into), l.Root, l.Name, "")...)
		}
	}

	cliLayer := Layer{Name: "command line", Root: cli.layer(configFile)}
	layers := append(append([]Layer{cliLayer}, fileLayers...), base...)

	keyLayer, note, err := keyFileLayer(Merge(layers...))
	if err != nil {
		return nil, err
	}
	if note != "" {
		out.Notes = append(out.Notes, note)
	}
	uuid := getenv("XIVO_UUID")
	if uuid == "" {
		out.Notes = append(out.Notes, "XIVO_UUID is not set in the environment: events and consul tags will carry an empty uuid")
	}
	envLayer := Layer{Name: "environment", Root: mapping("uuid", uuid)}
	layers = append([]Layer{envLayer, keyLayer}, layers...)

	for _, layer := range layers {
		if err := checkLayer(layer, into); err != nil {
			return nil, err
		}
		out.Sources = append(out.Sources, layer.Name)
	}
	out.Tree = Merge(layers...)
	if err := out.Tree.Decode(into); err != nil {
		return nil, fmt.Errorf("effective configuration: %w", err)
	}
	return out, nil
}

// parseLayer parses YAML text into a layer; empty text is an empty layer.
func parseLayer(name string, data []byte) (Layer, error) {
	doc, err := ParseYAML(name, data)
	if err != nil {
		return Layer{}, err
	}
	if len(doc.Content) == 0 {
		return Layer{Name: name}, nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return Layer{Name: name}, nil
	}
	if root.Kind != yaml.MappingNode {
		return Layer{}, errorf("%s:%d: the top level must be a mapping of keys to values, not a %s", name, root.Line, kindName(root))
	}
	return Layer{Name: name, Root: root}, nil
}

// keyFileLayer reads auth.key_file (as xivo's _load_key_file): unless both
// auth.username and auth.password are already set, service_id and
// service_key become them.
func keyFileLayer(merged *yaml.Node) (Layer, string, error) {
	if stringAt(merged, "auth", "username") != "" && stringAt(merged, "auth", "password") != "" {
		return Layer{Name: "auth key file (not needed)"}, "", nil
	}
	path := stringAt(merged, "auth", "key_file")
	if path == "" {
		return Layer{Name: "auth key file (none)"}, "", nil
	}
	layer, note, err := readLayer(OS, path)
	if err != nil || layer.Root == nil {
		return Layer{Name: path}, note, err
	}
	var key struct {
		ServiceID  string `yaml:"service_id"`
		ServiceKey string `yaml:"service_key"`
	}
	if err := layer.Root.Decode(&key); err != nil {
		return Layer{}, "", fileError(path, err)
	}
	if key.ServiceID == "" || key.ServiceKey == "" {
		return Layer{}, "", errorf("%s:%d: the key file must set service_id and service_key (wazo-auth-keys writes it)", path, layer.Root.Line)
	}
	return Layer{Name: path, Root: mapping("auth", mapping("username", key.ServiceID, "password", key.ServiceKey))}, "", nil
}

// checkLayer decodes one layer alone into a fresh value of into's type, so a
// wrong type is reported against the file that holds it, then runs the
// value checks of checks.go.
func checkLayer(layer Layer, into any) error {
	if layer.Root == nil {
		return nil
	}
	fresh := reflect.New(reflect.TypeOf(into).Elem()).Interface()
	if err := layer.Root.Decode(fresh); err != nil {
		return fileError(layer.Name, err)
	}
	return checkValues(layer)
}

var yamlLine = regexp.MustCompile(`(?:yaml: )?line (\d+): `)

// fileError rewrites yaml.v3's "line N: ..." messages as "file:N: ...", one
// per line, which is what editors and operators look for.
func fileError(name string, err error) error {
	var typeErr *yaml.TypeError
	var lines []string
	if errors.As(err, &typeErr) {
		lines = typeErr.Errors
	} else {
		lines = []string{err.Error()}
	}
	var b bytes.Buffer
	for i, line := range lines {
		if i > 0 {
			b.WriteString("\n")
		}
		if m := yamlLine.FindStringSubmatchIndex(line); m != nil {
			fmt.Fprintf(&b, "%s:%s: %s", name, line[m[2]:m[3]], line[m[1]:])
		} else {
			fmt.Fprintf(&b, "%s: %s", name, strings.TrimPrefix(line, "yaml: "))
		}
	}
	return &Error{msg: b.String(), err: err}
}

// Error is a configuration problem; its message names file and line.
type Error struct {
	msg string
	err error
}

func (e *Error) Error() string { return e.msg }

func errorf(format string, args ...any) *Error {
	return &Error{msg: fmt.Sprintf(format, args...)}
}
func (e *Error) Unwrap() error { return e.err }

// stringAt returns the scalar at a dotted path of a merged tree, or "".
func stringAt(root *yaml.Node, path ...string) string {
	n := lookupPath(root, path...)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return ""
	}
	return n.Value
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.MappingNode:
		return "mapping"
	default:
		return "single value"
	}
}
