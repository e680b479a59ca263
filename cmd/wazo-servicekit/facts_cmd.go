package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/wazo-platform/wazo-servicekit/internal/service"
)

func factsCommand() command {
	return command{name: "facts", args: "[DIR [--siblings DIR] | --root DIR [SERVICE...]] [--format text|json]",
		summary: "what the tool believes about a service, each fact with its source", define: defineFacts,
		about: "Prints the model of the service that check, audit and wazo-doctord judge, each fact with\n" +
			"the file and line it came from, or unknown with what is missing: from the source\n" +
			"repository DIR (with its sibling checkouts), from an image root (--root), or, with\n" +
			"neither, from this host's installed services.",
		values:     map[string]completion{"format": completeWords("text", "json"), "siblings": completeDir, "root": completeDir},
		positional: completeDir,
		files: []doc{
			{"/etc/wazo-*/config.yml, /lib/systemd/system/wazo-*.service", "how the installed services are found (under --root when given)"},
		},
		examples: []example{
			{"wazo-servicekit facts ~/src/wazo-webhookd --siblings ~/src", "the service user, ports, PID and log files, ... of a checkout, with the platform's lists"},
			{"wazo-servicekit facts --root /srv/image wazo-webhookd --format json", "the same facts of the installed package"},
			{"wazo-servicekit facts", "the facts of every Wazo service of this host, the running processes included"},
		}}
}

func defineFacts(fs *flag.FlagSet) action {
	format := fs.String("format", "text", "text or json")
	siblings := fs.String("siblings", "", "directory holding sibling checkouts (wazo-service/, wazo-backup/, wazo-platform.org/, wazo-acceptance/, ...)")
	root := fs.String("root", "", "read the services installed in this image root instead of a source repository")
	return func(pos []string, stdout, _ io.Writer) (int, error) {
		return runFacts(pos, *format, *siblings, *root, stdout)
	}
}

func runFacts(pos []string, format, siblings, root string, stdout io.Writer) (int, error) {
	if format != "text" && format != "json" {
		return exitUsage, usagef("facts: unknown --format %q (text or json)", format)
	}
	var facts []*service.Facts
	var err error
	switch {
	case root != "":
		if siblings != "" {
			return exitUsage, usagef("facts: --siblings is for a source repository, not with --root")
		}
		if st, serr := os.Stat(root); serr != nil || !st.IsDir() {
			return exitUsage, usagef("facts: --root %s: not a directory", root)
		}
		facts, err = service.ReadHost(root, pos)
	case len(pos) == 1:
		facts, err = service.ReadRepo(pos[0], siblings)
	case len(pos) == 0:
		if siblings != "" {
			return exitUsage, usagef("facts: --siblings needs a source repository DIR")
		}
		facts, err = service.ReadHost("/", nil)
	default:
		return exitUsage, usagef("facts: want one repository DIR (or --root ROOT [SERVICE...], or nothing for this host)")
	}
	if err != nil {
		return exitUsage, usageError{err}
	}
	if len(facts) == 0 {
		return exitUsage, usagef("facts: no Wazo service found")
	}
	if format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return exitClean, enc.Encode(facts)
	}
	for i, f := range facts {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		if _, err := io.WriteString(stdout, f.Text()); err != nil {
			return exitCouldNotRun, err
		}
	}
	return exitClean, nil
}
