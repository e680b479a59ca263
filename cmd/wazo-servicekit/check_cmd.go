package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"

	"github.com/wazo-platform/wazo-servicekit/internal/report"
	"github.com/wazo-platform/wazo-servicekit/internal/rules"
	"github.com/wazo-platform/wazo-servicekit/internal/service"
	"github.com/wazo-platform/wazo-servicekit/logging"
	"github.com/wazo-platform/wazo-servicekit/safefile"
)

// failOnUnknown is the --fail-on value below info: any failure, and any
// result that could not be judged, counts.
const failOnUnknown = "unknown"

// commonFlags are the output flags check and audit share.
type commonFlags struct {
	fs       *flag.FlagSet
	format   *string
	outputs  outputsFlag
	failOn   *string
	verbose  *bool
	baseline *string
	base     *report.Scorecard // the baseline, read by validate
	history  outputsFlag
	past     []*report.Scorecard // the --history runs, read by validate
	// meta describes the run on the scorecard (set by the command).
	meta *report.Meta
}

// commonValues completes the values of the common flags.
var commonValues = map[string]completion{"format": completeFormat, "output": completeOutput, "fail-on": completeSeverity, "baseline": completeFile, "history": completeFile}

func addCommon(fs *flag.FlagSet) *commonFlags {
	c := &commonFlags{
		fs:       fs,
		format:   fs.String("format", "text", "stdout `FORMAT`: text, json, sarif, junit, or the service × rule scorecard: grid, scorecard (JSON), html (default grid for several services)"),
		failOn:   fs.String("fail-on", "warning", "exit 1 when a failure has this `SEVERITY` or more: error, warning or info;\nunknown: also when a result could not be judged"),
		verbose:  fs.Bool("verbose", false, "text: list passing results too"),
		baseline: fs.String("baseline", "", "an earlier run's JSON `FILE` (--format scorecard or json): every format marks new fails and fixes since"),
	}
	fs.Var(&c.outputs, "output", "also write `FORMAT=PATH` (repeatable), e.g. html=scorecard.html; each PATH is checked before the run")
	fs.Func("history", "an earlier run's JSON `FILE` (repeatable, oldest first): the scorecard draws each service's failing cells over the runs", func(v string) error {
		c.history = append(c.history, v)
		return nil
	})
	return c
}

// formatGiven reports whether --format was on the command line.
func (c *commonFlags) formatGiven() bool {
	given := false
	c.fs.Visit(func(f *flag.Flag) { given = given || f.Name == "format" })
	return given
}

// threshold is what --fail-on asked: a severity, or unknown.
type threshold struct {
	sev     rules.Severity
	unknown bool
}

// validate checks formats, threshold, outputs and baseline before any work
// is done, so a mistake costs no run and no report is printed in vain.
func (c *commonFlags) validate() (threshold, error) {
	th := threshold{}
	if *c.failOn == failOnUnknown {
		th = threshold{sev: rules.Info, unknown: true}
	} else if sev, ok := rules.ParseSeverity(*c.failOn); ok {
		th.sev = sev
	} else {
		return th, usagef("--fail-on %q: want error, warning, info or unknown", *c.failOn)
	}
	formats := []string{*c.format}
	for _, o := range c.outputs {
		f, _, _ := strings.Cut(o, "=")
		formats = append(formats, f)
	}
	for _, f := range formats {
		if !contains(report.Formats, f) {
			return th, usagef("unknown format %q: want one of %s", f, strings.Join(report.Formats, ", "))
		}
	}
	seen := map[string]bool{}
	for _, o := range c.outputs {
		_, p, _ := strings.Cut(o, "=")
		if seen[filepath.Clean(p)] {
			return th, usagef("--output %s: that path is given twice", o)
		}
		seen[filepath.Clean(p)] = true
		// Refused before the run rather than after it: a link or a FIFO
		// at the path, or a missing directory; then a directory that
		// cannot be written.
		if err := safefile.CheckOutput(p); err != nil {
			return th, usagef("--output %s: %v", o, err)
		}
		if err := writablePath(p); err != nil {
			return th, usagef("--output %s: %v", o, err)
		}
	}
	if *c.baseline != "" {
		if st, err := os.Stat(*c.baseline); err != nil {
			return th, usagef("--baseline: %v", err)
		} else if !st.Mode().IsRegular() {
			return th, usagef("--baseline %s: not a regular file", *c.baseline)
		}
		base, err := report.LoadBaseline(*c.baseline)
		if err != nil {
			return th, fmt.Errorf("--baseline: %v", err)
		}
		c.base = base
	}
	for _, h := range c.history {
		if st, err := os.Stat(h); err != nil || !st.Mode().IsRegular() {
			return th, usagef("--history %s: not a readable file", h)
		}
		past, err := report.LoadBaseline(h)
		if err != nil {
			return th, fmt.Errorf("--history: %v", err)
		}
		c.past = append(c.past, past)
	}
	return th, nil
}

// writablePath says why p cannot be written as an output, before the run:
// its directory must exist and be writable, and p itself, when there, must
// be a regular file (never a directory, device or link).
func writablePath(p string) error {
	dir := filepath.Dir(p)
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("directory %s: %v", dir, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	if err := syscall.Access(dir, 2 /* W_OK */); err != nil {
		return fmt.Errorf("directory %s is not writable: %v", dir, err)
	}
	if st, err := os.Lstat(p); err == nil && !st.Mode().IsRegular() {
		return fmt.Errorf("%s exists and is not a regular file", p)
	}
	return nil
}

// emit writes the report to stdout and every --output, then returns the
// exit code: 3 when nothing could be judged, 1 for findings at or above the
// threshold, else 0.
func (c *commonFlags) emit(rep *rules.Report, th threshold, stdout io.Writer) (int, error) {
	// The scorecard (a copy of every verdict, by node and rule) is built
	// only when a format or --baseline needs it: a cluster audit's JSON
	// would otherwise hold the report twice.
	var sc *report.Scorecard
	scorecard := func() *report.Scorecard {
		if sc == nil {
			sc = report.NewScorecard(rep)
			if c.meta != nil {
				sc.SetMeta(c.meta)
			}
			for i, past := range c.past {
				sc.AddHistory(filepath.Base(c.history[i]), past)
			}
			if c.base != nil {
				sc.CompareBaseline(c.base, filepath.Base(*c.baseline))
			}
		}
		return sc
	}
	opts := report.Options{Verbose: *c.verbose}
	if c.base != nil {
		opts.Changes = scorecard().Changes()
		opts.Baseline = scorecard().Baseline
	}
	write := func(w io.Writer, format string) error {
		if report.IsScorecard(format) {
			return report.WriteScorecard(w, format, scorecard())
		}
		return report.WriteWith(w, format, rep, opts)
	}
	format := *c.format
	if len(rep.Services) > 1 && !c.formatGiven() {
		format = "grid"
	}
	if err := write(stdout, format); err != nil {
		return exitCouldNotRun, err
	}
	for _, o := range c.outputs {
		f, p, _ := strings.Cut(o, "=")
		var buf bytes.Buffer
		if err := write(&buf, f); err != nil {
			return exitCouldNotRun, fmt.Errorf("--output %s: %v", o, err)
		}
		// Never through a link: the path may lie in the checked checkout.
		// It was checked before the run; failing now, the run could not
		// be completed.
		if err := safefile.WriteOutput(p, buf.Bytes(), 0o644); err != nil {
			return exitCouldNotRun, fmt.Errorf("--output %s: %v", o, err)
		}
	}
	return exitCode(rep, th)
}

// exitCode applies the exit-status contract to a finished run.
func exitCode(rep *rules.Report, th threshold) (int, error) {
	var t tally
	for _, s := range rep.Services {
		t.add(s, th)
	}
	return t.exitCode(th)
}

// tally counts, service by service, what the exit status needs of a run:
// judged, unknown and failing results, and of a cluster audit the parts
// not audited and the services a doctord answered for.
type tally struct {
	judged, unknown, failing int
	gaps, answered           int
}

func (t *tally) add(s rules.ServiceReport, th threshold) {
	for _, r := range s.Results {
		switch r.Status {
		case rules.Pass, rules.Fail:
			t.judged++
		case rules.Unknown:
			t.unknown++
		}
		if r.FailsAt(th.sev) {
			t.failing++
		}
	}
	gaps, answered := rules.NodeCoverage(s)
	t.gaps += gaps
	if answered {
		t.answered++
	}
}

func (t *tally) exitCode(th threshold) (int, error) {
	if t.judged == 0 {
		return exitCouldNotRun, fmt.Errorf("nothing could be judged: all %d result(s) are unknown (the report says why for each)", t.unknown)
	}
	if t.failing > 0 || (th.unknown && t.unknown > 0) {
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

func checkCommand() command {
	values := map[string]completion{"siblings": completeDir, "dist": completeWords("trixie", "bookworm"), "rule": completeRule, "profile": completeProfile}
	for k, v := range commonValues {
		values[k] = v
	}
	return command{name: "check", args: "[DIR...] [flags]", summary: "static audit of service source repositories (several: a scorecard)", define: defineCheck,
		about:  "Audits the source repository DIR (default .), Python or Go: debian/, etc/, api.yml,\nnginx, monit, units, dependencies. Several DIRs, or a directory of checkouts, give a\nservice × rule scorecard.",
		values: values, positional: completeDir,
		findings: "findings at or above --fail-on",
		files: []doc{
			{rules.WaiversFile, "in a checked repository: its waivers, each with rule, reason, owner and optionally expires, service, path, when (see WAIVERS)"},
		},
		examples: []example{
			{"wazo-servicekit check ~/src/wazo-webhookd", "one service, text"},
			{"wazo-servicekit check ~/src --siblings ~/src --output html=scorecard.html", "every checkout in ~/src: a grid on stdout and the HTML scorecard"},
			{"wazo-servicekit check . --format sarif --fail-on error", "for CI code scanning; exit 1 only on errors"},
			{"wazo-servicekit check ~/src --format scorecard --baseline last.json", "new failures and fixes since last.json"},
			{"wazo-servicekit check ~/src --siblings ~/src --profile wazo-today", "the platform's departures from the checklist waived by the platform: what stays red is each service's own"},
		}}
}

func defineCheck(fs *flag.FlagSet) action {
	common := addCommon(fs)
	siblings := fs.String("siblings", "", "`DIR` holding wazo-service/, wazo-backup/, wazo-acceptance/, wazo-platform.org/ checkouts\n(and wazo-auth-keys/, xivo-build-tools/, wazo-sdk/ for the Wazo practice rules)")
	profile := fs.String("profile", "", "a platform profile (`NAME`): the waivers the platform owns for the items where it departs from\nthe checklist as a whole (shown as waived by the platform, never hidden): "+strings.Join(rules.ProfileNames(), ", "))
	dist := fs.String("dist", "trixie", "the Debian distribution (`DIST`) the dependency rules judge against: trixie (Debian 13, the latest stable) or bookworm (Debian 12, Wazo's today)")
	urlTemplate := fs.String("url-template", "", "evidence links through this `TEMPLATE` address instead of the checkout's file, e.g.\nhttps://github.com/wazo-platform/{repo}/blob/{commit}/{path}#L{line}")
	var only outputsFlag
	fs.Func("rule", "run only this rule `ID` (repeatable)", func(v string) error { only = append(only, v); return nil })
	return func(pos []string, stdout, stderr io.Writer) (int, error) {
		th, err := common.validate()
		if err != nil {
			return exitUsage, err
		}
		if err := validateSiblings(*siblings); err != nil {
			return exitUsage, err
		}
		if err := validURLTemplate(*urlTemplate); err != nil {
			return exitUsage, err
		}
		for _, id := range only {
			if _, err := rules.ByID(id); err != nil {
				return exitUsage, usagef("--rule: %v", err)
			}
		}
		if *profile != "" {
			if _, err := rules.LoadProfile(*profile); err != nil {
				return exitUsage, usagef("--profile: %v", err)
			}
		}
		dirs, rep, err := fleetOf(pos, stderr)
		if err != nil {
			return exitUsage, err
		}
		servicesOf := map[string][]string{}
		// One read of the sibling checkouts for every repository of the
		// run; the repositories are checked side by side, reported in the
		// order given.
		opts := rules.CheckOptions{Siblings: *siblings, Dist: *dist, Only: only, Platform: service.NewPlatform(*siblings)}
		checked := sideBySide(dirs, func(dir string) repoCheck { return checkRepo(dir, opts, *profile) })
		for i, dir := range dirs {
			one, waivers, err := checked[i].report, checked[i].waivers, checked[i].err
			if err != nil {
				return exitUsage, err
			}
			one.Apply(waivers)
			for j, s := range one.Services {
				servicesOf[dir] = append(servicesOf[dir], s.Name)
				one.Services[j].Repo = dir
			}
			rep.Debian = one.Debian
			if len(dirs) == 1 {
				rep = one
			} else {
				rep.Services = append(rep.Services, one.Services...)
			}
		}
		common.meta = runMeta(rep, servicesOf, *siblings, *profile, *urlTemplate)
		return common.emit(rep, th, stdout)
	}
}

// repoCheck is one repository's report before its waivers are applied,
// with the waivers to apply (its own, then the profile's), or the usage
// error that stops the run.
type repoCheck struct {
	report  *rules.Report
	waivers []*rules.Waiver
	err     error
}

// checkRepo checks one repository of a run with its waivers and, when
// profile is not "", the platform profile of that name.
func checkRepo(dir string, opts rules.CheckOptions, profile string) repoCheck {
	waivers, err := rules.LoadWaivers(dir)
	if err != nil {
		return repoCheck{err: usageError{err}}
	}
	var p *rules.Profile
	if profile != "" {
		if p, err = rules.LoadProfile(profile); err != nil {
			return repoCheck{err: usagef("--profile: %v", err)}
		}
	}
	one, err := checkWithProfile(dir, opts, p)
	if err != nil {
		return repoCheck{err: usageError{err}}
	}
	if p != nil {
		// The repository's own waivers first: a cell it waives is its
		// own choice, whatever the platform does.
		waivers = append(waivers, p.Waivers...)
	}
	return repoCheck{report: one, waivers: waivers}
}

// sideBySide runs f on every item, as many at once as there are
// processors, and returns the results in the items' order.
func sideBySide[T any](items []string, f func(string) T) []T {
	out := make([]T, len(items))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), len(items)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = f(items[i])
			}
		}()
	}
	for i := range items {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// checkWithProfile checks dir, preparing the profile's waivers (nil: no
// profile) for it first.
func checkWithProfile(dir string, opts rules.CheckOptions, p *rules.Profile) (*rules.Report, error) {
	if p != nil {
		if err := p.Prepare(dir, opts); err != nil {
			return nil, err
		}
	}
	return rules.Check(dir, opts)
}

// fleetOf is the checkouts the arguments name (default: .) and the empty
// report of their check.
func fleetOf(pos []string, stderr io.Writer) ([]string, *rules.Report, error) {
	if len(pos) == 0 {
		pos = []string{"."}
	}
	dirs, err := checkouts(pos, stderr)
	return dirs, &rules.Report{Tool: "wazo-servicekit", Mode: "check", Target: strings.Join(pos, " ")}, err
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
		entries, err := safefile.ReadDir(a, safefile.MaxWalkEntries)
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
	entries, _ := safefile.ReadDir(filepath.Join(dir, "etc"), safefile.MaxWalkEntries)
	for _, e := range entries {
		if st, err := os.Lstat(filepath.Join(dir, "etc", e.Name(), "config.yml")); err == nil && st.Mode().IsRegular() {
			return true
		}
	}
	return false
}
