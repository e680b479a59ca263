package config

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"

	"gopkg.in/yaml.v3"
)

// commandLine holds what xivo daemons accept on the command line.
type commandLine struct {
	configFile string
	debug      bool
	user       string
	dev        bool
}

// option is one command-line option of a Wazo daemon, as xivo's daemons
// spell it: a short and a long name, and what it does. The table below is
// both what parseArgs accepts and what Usage prints.
type option struct {
	short, long, arg, help string
	dev                    bool // only when the daemon offers --dev
}

var options = []option{
	{short: "c", long: "config-file", arg: "FILE", help: "the main config file (its extra_config_files directory is read too)"},
	{short: "d", long: "debug", help: "log at debug level"},
	{short: "u", long: "user", arg: "USER", help: "the system user to run as"},
	{long: "dev", help: "run from a source checkout: stay the current user, log to stderr, no PID file, no service discovery", dev: true},
	{short: "h", long: "help", help: "print this help and exit"},
	{long: "version", help: "print the version and exit"},
}

// Usage is a daemon's --help text: its options, each once.
func Usage(name string, allowDev bool) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "usage: %s [options]\n\noptions:\n", name)
	for _, o := range options {
		if o.dev && !allowDev {
			continue
		}
		names := "--" + o.long
		if o.short != "" {
			names = "-" + o.short + ", " + names
		}
		if o.arg != "" {
			names += " " + o.arg
		}
		fmt.Fprintf(&b, "  %-24s %s\n", names, o.help)
	}
	return b.String()
}

// ErrHelp and ErrVersion are what parseArgs returns for --help and
// --version: the daemon prints its help or version and exits 0.
var (
	ErrHelp    = errors.New("help requested")
	ErrVersion = errors.New("version requested")
)

// parseArgs reads -c/--config-file, -d/--debug, -u/--user (and --dev when the
// daemon offers it). Errors wrap ErrUsage and say what is wrong, in one line.
func parseArgs(args []string, allowDev bool) (commandLine, error) {
	var cli commandLine
	var help, version bool
	fs := flag.NewFlagSet("daemon", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	for _, o := range options {
		if o.dev && !allowDev {
			continue
		}
		for _, name := range []string{o.short, o.long} {
			if name == "" {
				continue
			}
			switch o.long {
			case "config-file":
				fs.StringVar(&cli.configFile, name, "", o.help)
			case "debug":
				fs.BoolVar(&cli.debug, name, false, o.help)
			case "user":
				fs.StringVar(&cli.user, name, "", o.help)
			case "dev":
				fs.BoolVar(&cli.dev, name, false, o.help)
			case "help":
				fs.BoolVar(&help, name, false, o.help)
			case "version":
				fs.BoolVar(&version, name, false, o.help)
			}
		}
	}
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp) || help:
		return cli, ErrHelp
	case err != nil:
		return cli, fmt.Errorf("%w: %v", ErrUsage, err)
	case version:
		return cli, ErrVersion
	case fs.NArg() > 0:
		return cli, fmt.Errorf("%w: unexpected argument %q (options only: -c FILE, -d, -u USER)", ErrUsage, fs.Arg(0))
	}
	return cli, nil
}

// layer turns the options that were given into a config layer. config_file
// is always recorded so that /config shows which file was read.
func (c commandLine) layer(configFile string) *yaml.Node {
	m := mapping("config_file", configFile)
	if c.debug {
		m.Content = append(m.Content, mapping("debug", true).Content...)
	}
	if c.user != "" {
		m.Content = append(m.Content, mapping("user", c.user).Content...)
	}
	return m
}
