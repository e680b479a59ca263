package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/report"
	"github.com/wazo-platform/wazo-servicekit/internal/rules"
)

// commonFlags are the output flags check and audit share.
type commonFlags struct {
	format  *string
	outputs outputsFlag
	failOn  *string
	verbose *bool
}

func addCommon(fs *flag.FlagSet) *commonFlags {
	c := &commonFlags{
		format:  fs.String("format", "text", "stdout format: text, json, sarif or junit"),
		failOn:  fs.String("fail-on", "warning", "exit 1 when a failure has this severity or more: error, warning or info"),
		verbose: fs.Bool("verbose", false, "text: list passing results too"),
	}
	fs.Var(&c.outputs, "output", "also write FORMAT=PATH (repeatable)")
	return c
}

// validate checks formats and threshold before any work is done.
func (c *commonFlags) validate() (rules.Severity, error) {
	sev, ok := rules.ParseSeverity(*c.failOn)
	if !ok {
		return "", usagef("--fail-on %q: want error, warning or info", *c.failOn)
	}
	formats := []string{*c.format}
	for _, o := range c.outputs {
		f, _, _ := strings.Cut(o, "=")
		formats = append(formats, f)
	}
	for _, f := range formats {
		if !contains(report.Formats, f) {
			return "", usagef("unknown format %q: want one of %s", f, strings.Join(report.Formats, ", "))
		}
	}
	return sev, nil
}

// emit writes the report to stdout and every --output, then returns the
// exit code for the threshold.
func (c *commonFlags) emit(rep *rules.Report, sev rules.Severity, stdout io.Writer) (int, error) {
	if err := report.Write(stdout, *c.format, rep, *c.verbose); err != nil {
		return exitInternal, err
	}
	for _, o := range c.outputs {
		f, p, _ := strings.Cut(o, "=")
		fh, err := os.Create(p)
		if err != nil {
			return exitUsage, usagef("--output %s: %v", o, err)
		}
		werr := report.Write(fh, f, rep, *c.verbose)
		if cerr := fh.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return exitInternal, fmt.Errorf("--output %s: %v", o, werr)
		}
	}
	if len(rep.Failing(sev)) > 0 {
		return exitFindings, nil
	}
	return exitClean, nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func cmdCheck(args []string, stdout, stderr io.Writer) (int, error) {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	common := addCommon(fs)
	siblings := fs.String("siblings", "", "directory holding wazo-service/, wazo-backup/, wazo-acceptance/, wazo-platform.org/ checkouts")
	var only outputsFlag
	fs.Func("rule", "run only this rule ID (repeatable)", func(v string) error { only = append(only, v); return nil })
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage, err
	}
	sev, err := common.validate()
	if err != nil {
		return exitUsage, err
	}
	dir := "."
	switch len(pos) {
	case 0:
	case 1:
		dir = pos[0]
	default:
		return exitUsage, usagef("check takes one directory, got %v", pos)
	}
	if *siblings != "" {
		if st, err := os.Stat(*siblings); err != nil || !st.IsDir() {
			return exitUsage, usagef("--siblings %s: not a directory", *siblings)
		}
	}
	sups, err := rules.LoadSuppressions(dir)
	if err != nil {
		return exitUsage, usageError{err}
	}
	rep, err := rules.Check(dir, rules.CheckOptions{Siblings: *siblings, Only: only})
	if err != nil {
		return exitUsage, usageError{err}
	}
	rep.Apply(sups)
	return common.emit(rep, sev, stdout)
}
