package config

import (
	"bytes"
	"flag"
	"fmt"

	"gopkg.in/yaml.v3"
)

// commandLine holds what xivo daemons accept on the command line.
type commandLine struct {
	configFile string
	debug      bool
	user       string
	dev        bool
}

// parseArgs reads -c/--config-file, -d/--debug, -u/--user (and --dev when the
// daemon offers it). Errors wrap ErrUsage and carry the usage text.
func parseArgs(args []string, allowDev bool) (commandLine, error) {
	var cli commandLine
	fs := flag.NewFlagSet("daemon", flag.ContinueOnError)
	var usage bytes.Buffer
	fs.SetOutput(&usage)
	for _, name := range []string{"c", "config-file"} {
		fs.StringVar(&cli.configFile, name, "", "the main config file (its extra_config_files directory is read too)")
	}
	for _, name := range []string{"d", "debug"} {
		fs.BoolVar(&cli.debug, name, false, "log at debug level")
	}
	for _, name := range []string{"u", "user"} {
		fs.StringVar(&cli.user, name, "", "the system user to run as")
	}
	if allowDev {
		fs.BoolVar(&cli.dev, "dev", false, "run from a source checkout: stay the current user, log to stderr, no PID file, no service discovery")
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			fs.PrintDefaults()
		}
		return cli, fmt.Errorf("%w: %v\n%s", ErrUsage, err, usage.String())
	}
	if fs.NArg() > 0 {
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
