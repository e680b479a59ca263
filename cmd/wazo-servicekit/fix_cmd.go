package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/wazo-platform/wazo-servicekit/internal/fix"
	"github.com/wazo-platform/wazo-servicekit/internal/rules"
	"github.com/wazo-platform/wazo-servicekit/logging"
	"github.com/wazo-platform/wazo-servicekit/safefile"
)

const fixAbout = `Runs check on each service checkout DIR (or a directory of checkouts) against the
sibling checkouts, and for each failing rule with a fixer computes the edit of the
sibling repository (or of the service's own: maintainer scripts, unit, requirements.txt,
nginx location, monit check): one patch
per repository for every service (one BACKUP_LIST edit adding every missing one), each edit re-parsed and verified, with a commit message
naming the rules and checklist items. Certain fixes (a list entry, a table row) are
written by default; those needing review only with --uncertain. A failing rule
without a fixer is listed with why. Nothing is written without --out or --apply.`

func fixCommand() command {
	return command{name: "fix", args: "DIR... --siblings DIR [flags]", summary: "verified patches (sibling repos, the service's own packaging) for what check fails", about: fixAbout, define: defineFix,
		values:     map[string]completion{"siblings": completeDir, "out": completeDir, "rule": completeRule, "dist": completeWords("trixie", "bookworm")},
		positional: completeDir,
		findings:   "a failing rule is left unfixed (no fixer, needs review without --uncertain, an edit refused, or a finding its fix leaves)",
		examples: []example{
			{"wazo-servicekit fix ~/src/wazo-webhookd --siblings ~/src --diff", "the patches and their messages on stdout"},
			{"wazo-servicekit fix ~/src --siblings ~/src --out patches", "every service of ~/src: patches/<repo>.diff and <repo>.msg"},
			{"wazo-servicekit fix ~/src/wazo-webhookd --siblings ~/src --rule backup-list --apply", "adds it to wazo-backup's BACKUP_LIST in the checkout (git apply --check first)"},
		}}
}

func defineFix(fs *flag.FlagSet) action {
	var opts fix.Options
	fs.StringVar(&opts.Siblings, "siblings", "", "`DIR` holding the sibling checkouts (wazo-service/, wazo-backup/, wazo-acceptance/, wazo-platform.org/): required")
	fs.StringVar(&opts.Dist, "dist", "trixie", "Debian `distribution` check judges against: trixie or bookworm")
	fs.Func("rule", "fix only this rule `ID` (repeatable)", func(v string) error { opts.Rules = append(opts.Rules, v); return nil })
	fs.BoolVar(&opts.Uncertain, "uncertain", false, "also write the fixes that need review (a wazo-service group, a URL not in api.yml, set -e in a postinst, a monit check,\nthe unit's User= or PID directory, requirement pins moved to Debian's versions)")
	dryRun := fs.Bool("dry-run", false, "compute and verify the patches, write nothing (with --apply: only git apply --check)")
	diff := fs.Bool("diff", false, "print each patch and its commit message on stdout")
	apply := fs.Bool("apply", false, "apply each patch to its checkout (a sibling's or the service's), a git checkout whose .git is its own\ndirectory and whose files the patch changes are committed: git apply --check first, all or nothing per repository")
	out := fs.String("out", "", "write <repo>.diff and <repo>.msg (its commit message) into this existing `DIR`")
	return func(pos []string, stdout, stderr io.Writer) (int, error) {
		return runFix(pos, opts, fixOutput{dryRun: *dryRun, diff: *diff, apply: *apply, out: *out}, stdout, stderr)
	}
}

type fixOutput struct {
	dryRun, diff, apply bool
	out                 string
}

func runFix(pos []string, opts fix.Options, o fixOutput, stdout, stderr io.Writer) (int, error) {
	if opts.Siblings == "" {
		return exitUsage, usagef("fix: --siblings DIR is required: the fixers edit the sibling checkouts")
	}
	if len(pos) == 0 {
		return exitUsage, usagef("fix: want at least one service checkout DIR")
	}
	if err := validateSiblings(opts.Siblings); err != nil {
		return exitUsage, err
	}
	for _, id := range opts.Rules {
		if _, err := rules.ByID(id); err != nil {
			return exitUsage, usagef("--rule: %v", err)
		}
	}
	if o.out != "" {
		if st, err := os.Stat(o.out); err != nil || !st.IsDir() {
			return exitUsage, usagef("--out %s: not a directory (create it first)", o.out)
		}
	}
	dirs, err := checkouts(pos, stderr)
	if err != nil {
		return exitUsage, err
	}
	res, err := fix.Plan(dirs, opts)
	if err != nil {
		return exitUsage, usageError{err}
	}
	writeFixPlan(stdout, res)
	for _, p := range res.Patches {
		if p.Text == "" {
			continue
		}
		if o.diff {
			fmt.Fprintf(stdout, "\n=== %s.diff\n%s\n%s", p.Repo, p.Message, p.Text)
		}
		if o.out != "" && !o.dryRun {
			for name, data := range map[string]string{p.Repo + ".diff": p.Text, p.Repo + ".msg": p.Message} {
				if err := safefile.WriteOutput(filepath.Join(o.out, name), []byte(data), 0o644); err != nil {
					return exitCouldNotRun, fmt.Errorf("--out: %v", err)
				}
			}
		}
	}
	if o.apply {
		failed := 0
		for _, p := range res.Patches {
			if p.Text == "" {
				continue
			}
			var err error
			what := "applied"
			if o.dryRun {
				err, what = fix.CheckApplies(p), "applies (git apply --check; not applied: --dry-run)"
			} else {
				err = fix.Apply(p)
			}
			if err != nil {
				failed++
				fmt.Fprintf(stderr, "wazo-servicekit: fix: %s: %s\n", logging.Escape(p.Repo), logging.Escape(err.Error()))
				continue
			}
			fmt.Fprintf(stdout, "%s: %s\n", p.Repo, what)
		}
		if failed > 0 {
			return exitCouldNotRun, fmt.Errorf("fix: %d patch(es) not applied", failed)
		}
	}
	for _, it := range res.Items {
		if !it.Written || len(it.Left) > 0 {
			return exitFindings, nil
		}
	}
	return exitClean, nil
}

// writeFixPlan prints what fix does for each failing rule: the fixes
// written (certain, then reviewed), those not written, the rules without
// fixer, and each patch's refusals.
func writeFixPlan(w io.Writer, res *fix.Result) {
	sections := []struct {
		title string
		keep  func(fix.Item) bool
	}{
		{"fixed (certain)", func(it fix.Item) bool { return it.Written && it.Certainty == fix.Certain }},
		{"fixed (needs review)", func(it fix.Item) bool { return it.Written && it.Certainty == fix.NeedsReview }},
		{"not written", func(it fix.Item) bool { return !it.Written && it.Certainty != "" }},
		{"no fix", func(it fix.Item) bool { return !it.Written && it.Certainty == "" }},
	}
	counts := make([]int, len(sections))
	for i, s := range sections {
		for _, it := range res.Items {
			if s.keep(it) {
				if counts[i] == 0 {
					fmt.Fprintf(w, "%s:\n", s.title)
				}
				counts[i]++
				// What the checkout names (a service, a file, a message
				// quoting it) is escaped: no line of the report is forged.
				repo := ""
				if it.Repo != "" {
					repo = " -> " + logging.Escape(it.Repo)
				}
				fmt.Fprintf(w, "  %s %s%s: %s\n", logging.Escape(it.Service), it.Rule, repo, logging.Escape(it.Why))
			}
		}
	}
	for i, it := range res.Unknown {
		if i == 0 {
			fmt.Fprintf(w, "unknown (nothing to fix until check can see):\n")
		}
		fmt.Fprintf(w, "  %s %s: %s\n", logging.Escape(it.Service), it.Rule, logging.Escape(it.Why))
	}
	for _, p := range res.Patches {
		if p.Text != "" {
			fmt.Fprintf(w, "patch %s: %d file(s), rules %v\n", logging.Escape(p.Repo), len(p.Files), p.Rules)
		}
	}
	fmt.Fprintf(w, "%d failing rule(s): %d fixed (certain), %d fixed (needs review), %d not written, %d without fix\n",
		len(res.Items), counts[0], counts[1], counts[2], counts[3])
}
