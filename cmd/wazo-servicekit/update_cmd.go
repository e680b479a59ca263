package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/wazo-platform/wazo-servicekit/internal/scaffold"
)

// updateAbout is update's description in its --help; the flags document themselves.
const updateAbout = `Re-renders a repository written by "wazo-servicekit new" (DIR, default the
current directory) with this kit, from the answers in its .servicekit.yml.
A file still as generated is replaced. A file edited here that the kit also
changed is three-way merged, line by line, from the old rendering, which is
found by its sha256 in the repository's git history (commit right after
"new"; renderings merged from are kept under refs/servicekit/rendered):
changes in different lines both land ("merged"); changes to the same lines
are written between conflict markers ("conflict") to resolve by hand, then
commit. A file with uncommitted changes is left alone (commit, then run
update again); one whose old rendering is in no commit is left alone too,
with the new rendering beside it as FILE.servicekit-new to merge by hand.
Nothing local is ever lost. Exit 1 when there are conflicts.

The files are rendered by this wazo-servicekit; where the kit is found at
build time is the generated Makefile's business (a checkout beside the
repository, KIT=DIR, or the installed -dev package), so nothing of it is
recorded. The recorded answers (port and why, API version, HA group,
description, distribution, siblings) are kept: update never changes them on
its own. Sibling patches computed against checkouts (new --siblings) are
recomputed only with --siblings DIR, the kit's port registry patch only with
--kit DIR: never against another source than the one recorded.

--check only reports, and exits 1 when the repository is behind the kit
(update would add, replace or merge a file), 0 when it is current: for CI.`

func updateCommand() command {
	return command{name: "update", args: "[DIR] [--dry-run|--check]", summary: "re-render a generated service, local edits never overwritten",
		about: updateAbout, define: defineUpdate, positional: completeDir,
		values:   map[string]completion{"kit": completeDir, "siblings": completeDir},
		findings: "conflicts left to resolve, or (--check) the repository is behind the kit",
		files:    []doc{{".servicekit.yml", "the answers and file hashes new recorded; update reads and rewrites it"}},
		examples: []example{
			{"wazo-servicekit update --dry-run ~/src/wazo-example", "what update would change, file by file; nothing written"},
			{"wazo-servicekit update --check", "in CI: exit 1 when the repository is behind the kit"},
		}}
}

func defineUpdate(fs *flag.FlagSet) action {
	var o scaffold.UpdateOptions
	fs.StringVar(&o.KitDir, "kit", "", "a wazo-servicekit checkout `DIR` to recompute the port registry patch against\n(default: the patch is kept as it is)")
	fs.StringVar(&o.SiblingsDir, "siblings", "", "`DIR` holding the sibling checkouts to recompute the patches against\n(wazo-service/, wazo-backup/, wazo-acceptance/, wazo-platform.org/)")
	fs.BoolVar(&o.DryRun, "dry-run", false, "report what update would do; write nothing")
	fs.BoolVar(&o.Check, "check", false, "report only; exit 1 when the repository is behind the kit (update would change a file), for CI")
	return func(pos []string, stdout, _ io.Writer) (int, error) { return runUpdate(o, pos, stdout) }
}

func runUpdate(o scaffold.UpdateOptions, pos []string, stdout io.Writer) (int, error) {
	if err := validateSiblings(o.SiblingsDir); err != nil {
		return exitUsage, err
	}
	switch len(pos) {
	case 0:
		o.Root = "."
	case 1:
		o.Root = pos[0]
	default:
		return exitUsage, usagef("update: at most one directory")
	}
	actions, err := scaffold.Update(o)
	if err != nil {
		return exitUsage, usagef("update: %v", err)
	}
	code := exitClean
	if o.DryRun || o.Check {
		fmt.Fprintln(stdout, "dry run: what update would do; nothing written")
	}
	var marked, beside []scaffold.UpdateAction
	for _, a := range actions {
		switch {
		case a.Action == scaffold.Unchanged:
			continue
		case a.Action == scaffold.Conflict && a.Reason != "":
			fmt.Fprintf(stdout, "%-16s %s  (not merged: %s; the new rendering is in %s%s)\n", a.Action, a.File, a.Reason, a.File, scaffold.ConflictSuffix)
			beside = append(beside, a)
		case a.Action == scaffold.Conflict:
			fmt.Fprintf(stdout, "%-16s %s  (%d conflicting region(s) between markers)\n", a.Action, a.File, a.Conflicts)
			marked = append(marked, a)
		case a.Note != "":
			fmt.Fprintf(stdout, "%-16s %s  (%s)\n", a.Action, a.File, a.Note)
		case a.LinesAdded+a.LinesRemoved > 0:
			fmt.Fprintf(stdout, "%-16s %s  (+%d -%d lines)\n", a.Action, a.File, a.LinesAdded, a.LinesRemoved)
		default:
			fmt.Fprintf(stdout, "%-16s %s\n", a.Action, a.File)
		}
	}
	if o.Check {
		if scaffold.Behind(actions) {
			fmt.Fprintf(stdout, "\n%s is behind this kit: run wazo-servicekit update, review, commit\n", o.Root)
			return exitFindings, nil
		}
		fmt.Fprintf(stdout, "%s is current with this kit\n", o.Root)
		return exitClean, nil
	}
	if len(marked) > 0 {
		code = exitFindings
		fmt.Fprintf(stdout, "\n%d file(s) merged with conflicts: in each, keep what you want between the\n"+
			"\"<<<<<<< local\" and \">>>>>>> wazo-servicekit ...\" lines, remove the markers,\n"+
			"then commit (git add FILE && git commit). \"git diff\" shows what update changed.\n", len(marked))
		for _, a := range marked {
			fmt.Fprintf(stdout, "  %s\n", a.File)
		}
	}
	if len(beside) > 0 {
		code = exitFindings
		fmt.Fprintf(stdout, "\n%d file(s) not merged, each for the reason shown: after uncommitted changes, commit\n"+
			"and run update again; otherwise merge FILE%s into FILE by hand, delete it, commit.\n", len(beside), scaffold.ConflictSuffix)
		for _, a := range beside {
			fmt.Fprintf(stdout, "  %s\n", a.File)
		}
	}
	return code, nil
}
