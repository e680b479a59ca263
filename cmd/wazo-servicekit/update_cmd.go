package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/wazo-platform/wazo-servicekit/scaffold"
)

const updateUsage = `usage: wazo-servicekit update [DIR] [--kit DIR] [--siblings DIR] [--dry-run]

Re-renders a repository written by "wazo-servicekit new" (DIR, default the
current directory) with this kit, from the answers in its .servicekit.yml.
A file still as generated is replaced; a file edited here is never
overwritten: if the kit changed it too, the new rendering is written beside
it as FILE.servicekit-new, to merge by hand. Exit 1 when there are such
conflicts.
`

func cmdUpdate(args []string, stdout io.Writer) (int, error) {
	fs := flag.NewFlagSet("update", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var o scaffold.UpdateOptions
	fs.StringVar(&o.KitDir, "kit", "", "wazo-servicekit checkout for go.mod's replace")
	fs.StringVar(&o.SiblingsDir, "siblings", "", "sibling checkouts directory")
	fs.BoolVar(&o.DryRun, "dry-run", false, "report only")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		fmt.Fprint(stdout, updateUsage)
		return exitUsage, err
	}
	switch len(pos) {
	case 0:
		o.Root = "."
	case 1:
		o.Root = pos[0]
	default:
		return exitUsage, usagef("update: at most one directory\n%s", updateUsage)
	}
	actions, err := scaffold.Update(o)
	if err != nil {
		return exitUsage, usagef("update: %v", err)
	}
	code := exitClean
	for _, a := range actions {
		if a.Action == scaffold.Unchanged {
			continue
		}
		fmt.Fprintf(stdout, "%-16s %s\n", a.Action, a.File)
		if a.Action == scaffold.Conflict {
			fmt.Fprintf(stdout, "%-16s %s%s  (merge it into %s, then delete it)\n", "", a.File, scaffold.ConflictSuffix, a.File)
			code = exitFindings
		}
	}
	return code, nil
}
