// Command wazo-servicekit makes Wazo's "New service guidelines" checklist
// executable: `rules` lists the catalogue, `check` audits a service's source
// repository, `audit` an installed host or image root, `ports` shows the port
// registry. Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or
// configuration error, 3 internal error.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/scaffold"
)

// Exit codes, shared by check and audit (golangci-lint's and lintian's
// contract: CI can tell "found problems" from "could not run").
const (
	exitClean    = 0
	exitFindings = 1
	exitUsage    = 2
	exitInternal = 3
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// usageError is an error caused by the command line or the checked input's
// configuration (exit 2), as opposed to an internal failure (exit 3).
type usageError struct{ error }

func (u usageError) Unwrap() error { return u.error }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

func run(args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(stderr, "wazo-servicekit: internal error: %v\n", p)
			code = exitInternal
		}
	}()
	if len(args) == 0 {
		fmt.Fprint(stderr, topUsage)
		return exitUsage
	}
	var err error
	switch args[0] {
	case "rules":
		err = cmdRules(args[1:], stdout)
	case "check":
		code, err = cmdCheck(args[1:], stdout, stderr)
	case "audit":
		code, err = cmdAudit(args[1:], stdout, stderr)
	case "ports":
		err = cmdPorts(args[1:], stdout)
	case "new":
		err = cmdNew(args[1:], stdout)
	case "update":
		code, err = cmdUpdate(args[1:], stdout)
	case "man":
		err = cmdMan(args[1:], stdout)
	case "completion":
		err = cmdCompletion(args[1:], stdout)
	case "version", "--version":
		fmt.Fprintf(stdout, "wazo-servicekit %s\n", scaffold.KitVersion())
		return exitClean
	case "help", "-h", "--help":
		fmt.Fprint(stdout, topUsage)
		return exitClean
	default:
		err = usagef("unknown command %q", args[0])
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitClean
	}
	if err != nil {
		fmt.Fprintf(stderr, "wazo-servicekit: %v\n", err)
		var u usageError
		if errors.As(err, &u) || errors.Is(err, flag.ErrHelp) {
			if errors.Is(err, flag.ErrHelp) {
				return exitClean
			}
			return exitUsage
		}
		return exitInternal
	}
	return code
}

const topUsage = `usage: wazo-servicekit COMMAND [flags]

  rules [--format text|json] [--explain ID]   the rule catalogue
  check [DIR...] [flags]                      static audit of service source repositories (several: a scorecard)
  audit [--root DIR] [SERVICE...] [flags]     audit of this host, or of an image root
  ports [next] [--format text|json]           the registry of known Wazo ports; the next free one
  new wazo-<name> [flags]                     a new compliant service and its sibling-repo patches
  update [DIR] [--dry-run|--check]            re-render a generated service, local edits never overwritten

check/audit flags: --format text|json|sarif|junit|grid|scorecard|html, --output FORMAT=PATH (repeatable),
  --baseline PREVIOUS.json,
  --fail-on error|warning|info (default warning), --siblings DIR (check), --verbose
also: --version; man DIR and completion bash write the man pages and the bash completion
exit: 0 clean, 1 findings at or above --fail-on, 2 usage/config error, 3 internal error
`

// parseInterleaved parses flags that may come after positional arguments
// (check DIR --format json), which the flag package alone stops at.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
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
