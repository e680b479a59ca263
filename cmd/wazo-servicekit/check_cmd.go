package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/report"
	"github.com/wazo-platform/wazo-servicekit/internal/rules"
	"github.com/wazo-platform/wazo-servicekit/logging"
	"github.com/wazo-platform/wazo-servicekit/safefile"
)

// commonFlags are the output flags check and audit share.
type commonFlags struct {
	fs       *flag.FlagSet
	format   *string
	outputs  outputsFlag
	failOn   *string
	verbose  *bool
	baseline *string
}

func addCommon(fs *flag.FlagSet) *commonFlags {
	c := &commonFlags{
		fs:       fs,
		format:   fs.String("format", "text", "stdout format: text, json, sarif, junit, or the service × rule scorecard: grid, scorecard (JSON), html (default grid for several services)"),
		failOn:   fs.String("fail-on", "warning", "exit 1 when a failure has this severity or more: error, warning or info"),
		verbose:  fs.Bool("verbose", false, "text: list passing results too"),
		baseline: fs.String("baseline", "", "the JSON of an earlier run (--format scorecard or json): the scorecard marks new fails and fixes since"),
	}
	fs.Var(&c.outputs, "output", "also write FORMAT=PATH (repeatable), e.g. html=scorecard.html")
	return c
}

// formatGiven reports whether --format was on the command line.
func (c *commonFlags) formatGiven() bool {
	given := false
	c.fs.Visit(func(f *flag.Flag) { given = given || f.Name == "format" })
	return given
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
	for _, o := range c.outputs {
		// Refused before the run rather than after it: a link or a FIFO
		// at the path, or a missing directory.
		if _, p, _ := strings.Cut(o, "="); p != "" {
			if err := safefile.CheckOutput(p); err != nil {
				return "", usagef("--output %s: %v", o, err)
			}
		}
	}
	if *c.baseline != "" {
		if _, err := os.Stat(*c.baseline); err != nil {
			return "", usagef("--baseline: %v", err)
		}
	}
	return sev, nil
}

// emit writes the report to stdout and every --output, then returns the
// exit code for the threshold.
func (c *commonFlags) emit(rep *rules.Report, sev rules.Severity, stdout io.Writer) (int, error) {
	sc := report.NewScorecard(rep)
	if *c.baseline != "" {
		base, err := report.LoadBaseline(*c.baseline)
		if err != nil {
			return exitUsage, usagef("--baseline: %v", err)
		}
		sc.CompareBaseline(base, filepath.Base(*c.baseline))
	}
	write := func(w io.Writer, format string) error {
		if report.IsScorecard(format) {
			return report.WriteScorecard(w, format, sc)
		}
		return report.Write(w, format, rep, *c.verbose)
	}
	format := *c.format
	if len(rep.Services) > 1 && !c.formatGiven() {
		format = "grid"
	}
	if err := write(stdout, format); err != nil {
		return exitInternal, err
	}
	for _, o := range c.outputs {
		f, p, _ := strings.Cut(o, "=")
		var buf bytes.Buffer
		if err := write(&buf, f); err != nil {
			return exitInternal, fmt.Errorf("--output %s: %v", o, err)
		}
		// Never through a link: the path may lie in the checked checkout.
		if err := safefile.WriteOutput(p, buf.Bytes(), 0o644); err != nil {
			return exitUsage, usagef("--output %s: %v", o, err)
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
	fs := newFlags("check")
	common := addCommon(fs)
	siblings := fs.String("siblings", "", "directory holding wazo-service/, wazo-backup/, wazo-acceptance/, wazo-platform.org/ checkouts\n(and wazo-auth-keys/, xivo-build-tools/, wazo-sdk/ for the Wazo practice rules)")
	dist := fs.String("dist", "trixie", "Debian distribution the dependency rules judge against: trixie (Debian 13, the latest stable) or bookworm (Debian 12, Wazo's today)")
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
	if len(pos) == 0 {
		pos = []string{"."}
	}
	if *siblings != "" {
		if st, err := os.Stat(*siblings); err != nil || !st.IsDir() {
			return exitUsage, usagef("--siblings %s: not a directory", *siblings)
		}
	}
	dirs, err := checkouts(pos, stderr)
	if err != nil {
		return exitUsage, err
	}
	rep := &rules.Report{Tool: "wazo-servicekit", Mode: "check", Target: strings.Join(pos, " ")}
	for _, dir := range dirs {
		sups, err := rules.LoadSuppressions(dir)
		if err != nil {
			return exitUsage, usageError{err}
		}
		one, err := rules.Check(dir, rules.CheckOptions{Siblings: *siblings, Dist: *dist, Only: only})
		if err != nil {
			return exitUsage, usageError{err}
		}
		one.Apply(sups)
		rep.Debian = one.Debian
		if len(dirs) == 1 {
			rep = one
		} else {
			rep.Services = append(rep.Services, one.Services...)
		}
	}
	return common.emit(rep, sev, stdout)
}

// checkouts expands check's arguments: each is a service repository, or a
// directory whose subdirectories are (a fleet of checkouts). Links are not
// followed and hidden directories are skipped, so a crafted tree cannot
// point check outside what was named.
func checkouts(args []string, stderr io.Writer) ([]string, error) {
	var out []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, usagef("check %s: %v", a, err)
		}
		if !st.IsDir() {
			return nil, usagef("check %s: not a directory", a)
		}
		if looksLikeService(a) {
			out = append(out, a)
			continue
		}
		entries, err := os.ReadDir(a)
		if err != nil {
			return nil, usagef("check %s: %v", a, err)
		}
		var found []string
		for _, e := range entries {
			sub := filepath.Join(a, e.Name())
			if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			if looksLikeService(sub) {
				found = append(found, sub)
			} else {
				fmt.Fprintf(stderr, "wazo-servicekit: check: skipping %s: no debian/control nor etc/<service>/config.yml (not a service checkout)\n", logging.Escape(sub))
			}
		}
		if len(found) == 0 {
			// Neither a service nor a fleet: let Check say why.
			found = []string{a}
		}
		out = append(out, found...)
	}
	return out, nil
}

// looksLikeService reports whether dir has what Check finds services by: a
// debian/control or an etc/<service>/config.yml.
func looksLikeService(dir string) bool {
	if st, err := os.Lstat(filepath.Join(dir, "debian", "control")); err == nil && st.Mode().IsRegular() {
		return true
	}
	m, _ := filepath.Glob(filepath.Join(dir, "etc", "*", "config.yml"))
	return len(m) > 0
}
