// Command wazo-servicekit makes Wazo's "New service guidelines" checklist
// executable: `rules` lists the catalogue, `check` audits a service's source
// repository, `audit` an installed host or image root, `ports` shows the port
// registry. Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or
// configuration error, 3 could not run.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/logging"
)

// Exit codes, shared by every command (golangci-lint's and lintian's
// contract: CI can tell "found problems" from "was called wrongly" from
// "could not run").
const (
	exitClean       = 0
	exitFindings    = 1
	exitUsage       = 2
	exitCouldNotRun = 3
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// usageError is an error caused by the command line or a configuration
// file the run reads (exit 2), as opposed to a run that could not be done
// (exit 3).
type usageError struct{ error }

func (u usageError) Unwrap() error { return u.error }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

func run(args []string, stdout, stderr io.Writer) (code int) {
	stdout, stderr = &controlFilter{w: stdout}, &controlFilter{w: stderr}
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(stderr, "wazo-servicekit: internal error: %v\n", p)
			code = exitCouldNotRun
		}
	}()
	if len(args) == 0 {
		fmt.Fprint(stderr, "wazo-servicekit: no command given\nRun 'wazo-servicekit --help' for the commands.\n")
		return exitUsage
	}
	name := args[0]
	switch name {
	case "--version", "-version":
		name = "version"
	case "--help", "-help", "-h":
		name = "help"
	}
	c, ok := lookup(name)
	if !ok {
		fmt.Fprintf(stderr, "wazo-servicekit: unknown command %q\nRun 'wazo-servicekit --help' for the commands.\n", args[0])
		return exitUsage
	}
	code, err := runCommand(c, args[1:], stdout, stderr)
	var usage usageError
	switch {
	case err == nil:
		return code
	case errors.As(err, &helpRequest{}):
		writeHelp(stdout, c)
		return exitClean
	case errors.As(err, &usage):
		fmt.Fprintf(stderr, "wazo-servicekit: %s\nRun 'wazo-servicekit %s --help' for its usage.\n", logging.Escape(err.Error()), c.name)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "wazo-servicekit: %s\n", logging.Escape(err.Error()))
		return exitCouldNotRun
	}
}

// runCommand parses c's flags from the table and runs it.
func runCommand(c command, args []string, stdout, stderr io.Writer) (int, error) {
	fs, act := c.flags()
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage, err
	}
	return act(pos, stdout, stderr)
}

// parseInterleaved parses flags that may come after positional arguments
// (check DIR --format json), which the flag package alone stops at.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
			return nil, helpRequest{}
		} else if err != nil {
			return nil, usageError{err}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// outputsFlag collects repeated --output FORMAT=PATH.
type outputsFlag []string

func (o *outputsFlag) String() string { return strings.Join(*o, ",") }
func (o *outputsFlag) Set(v string) error {
	f, p, ok := strings.Cut(v, "=")
	if !ok || f == "" || p == "" {
		return fmt.Errorf("want FORMAT=PATH, got %q", v)
	}
	*o = append(*o, v)
	return nil
}
