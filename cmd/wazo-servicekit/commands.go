package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/scaffold"
)

// command is one entry of the command table. Every command has the same
// signature: it returns its exit code (0 clean, 1 findings), or an error — a
// usageError exits 2 with the message and a one-line hint, any other error
// exits 3. Its flags are documented once, where its flag set defines them;
// `CMD --help` and `help CMD` print about and those flags on stdout.
type command struct {
	name, args, summary string
	about               string
	run                 func(args []string, stdout, stderr io.Writer) (int, error)
	// tool marks the packaging helpers, listed apart in the top help.
	tool bool
}

// commands is the table, in the order the top help lists it (set in init:
// help reads the table it is part of).
var commands []command

func init() {
	commands = []command{
		{name: "rules", args: "[--explain ID] [--format text|json]", summary: "the rule catalogue", run: cmdRules,
			about: "Lists the rules of the \"New service guidelines\" checklist; --explain ID prints one in full,\nwith where the kit, the packaging and the generator satisfy it."},
		{name: "check", args: "[DIR...] [flags]", summary: "static audit of service source repositories (several: a scorecard)", run: cmdCheck,
			about: "Audits the source repository DIR (default .), Python or Go: debian/, etc/, api.yml,\nnginx, monit, units, dependencies. Several DIRs give a service × rule scorecard."},
		{name: "audit", args: "[--root DIR | --consul URL] [SERVICE...] [flags]", summary: "audit of this host, an image root, or a cluster", run: cmdAudit,
			about: "Audits the Wazo services installed on this host (or under --root, an image root where\nthe probes that need a running system say unknown), or with --consul every node's\nwazo-doctord listed in the cluster's catalog."},
		{name: "ports", args: "[next] [--format text|json]", summary: "the registry of known Wazo ports; the next free one", run: cmdPorts,
			about: "Prints the registry of the ports Wazo daemons use; `ports next` the next free one of\nthe 9486+ block, and why."},
		{name: "new", args: "wazo-<name> [flags]", summary: "a new compliant service and its sibling-repo patches", run: cmdNew, about: newAbout},
		{name: "update", args: "[DIR] [--dry-run|--check]", summary: "re-render a generated service, local edits never overwritten", run: cmdUpdate, about: updateAbout},
		{name: "help", args: "[COMMAND]", summary: "this help, or one command's", run: cmdHelp},
		{name: "man", args: "DIR", summary: "write the man pages into DIR", run: cmdMan, tool: true},
		{name: "completion", args: "bash", summary: "print the bash completion script", run: cmdCompletion, tool: true},
		{name: "version", summary: "the version, as --version", run: cmdVersion, tool: true},
	}
	topUsage = renderTopUsage()
}

// topUsage is the top-level help (`wazo-servicekit --help`).
var topUsage string

func renderTopUsage() string {
	var b strings.Builder
	var tools []string
	width := 0
	for _, c := range commands {
		if n := len(c.name + " " + c.args); !c.tool && n > width {
			width = n
		}
	}
	b.WriteString("usage: wazo-servicekit COMMAND [flags]\n\n")
	for _, c := range commands {
		if c.tool {
			tools = append(tools, strings.TrimSpace(c.name+" "+c.args)+" ("+c.summary+")")
			continue
		}
		fmt.Fprintf(&b, "  %-*s  %s\n", width, strings.TrimSpace(c.name+" "+c.args), c.summary)
	}
	fmt.Fprintf(&b, "\nalso: %s\n", strings.Join(tools, ", "))
	b.WriteString("wazo-servicekit COMMAND --help (or help COMMAND) lists the command's flags.\n")
	b.WriteString("exit: 0 clean, 1 findings at or above --fail-on, 2 usage/config error, 3 internal error\n")
	return b.String()
}

func lookup(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// newFlags is a command's flag set. It prints nothing itself: --help is
// answered on stdout from the table and the flags' own documentation, and a
// bad flag is a usage error (parseInterleaved).
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// helpRequest is parseInterleaved's answer to -h or --help: run prints the
// command's help with the flags of fs.
type helpRequest struct{ fs *flag.FlagSet }

func (helpRequest) Error() string { return "help requested" }

// writeHelp prints one command's help: usage line, about, flags.
func writeHelp(w io.Writer, c command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: wazo-servicekit %s\n\n%s\n", strings.TrimSpace(c.name+" "+c.args), c.summary)
	if c.about != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimRight(c.about, "\n"))
	}
	if fs != nil {
		has := false
		fs.VisitAll(func(*flag.Flag) { has = true })
		if has {
			fmt.Fprint(w, "\nflags:\n")
			printFlags(w, fs)
		}
	}
}

// helpOfCommand is the help of a command that takes flags, from its own
// flag set (it answers --help before doing anything), or from the table.
func helpOfCommand(c command, stdout io.Writer) {
	if c.name != "help" && !c.tool {
		_, err := c.run([]string{"--help"}, io.Discard, io.Discard)
		var h helpRequest
		if errors.As(err, &h) {
			writeHelp(stdout, c, h.fs)
			return
		}
	}
	writeHelp(stdout, c, nil)
}

func cmdHelp(args []string, stdout, _ io.Writer) (int, error) {
	switch len(args) {
	case 0:
		fmt.Fprint(stdout, topUsage)
		return exitClean, nil
	case 1:
		c, ok := lookup(args[0])
		if !ok {
			return exitUsage, usagef("help: unknown command %q", args[0])
		}
		helpOfCommand(c, stdout)
		return exitClean, nil
	}
	return exitUsage, usagef("help: want at most one command")
}

func cmdVersion(args []string, stdout, _ io.Writer) (int, error) {
	if len(args) > 0 {
		return exitUsage, usagef("version: takes no argument")
	}
	fmt.Fprintf(stdout, "wazo-servicekit %s\n", scaffold.KitVersion())
	return exitClean, nil
}

// printFlags documents each flag as the command line spells it (--name),
// from its definition: the one place a flag is described.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if arg != "" {
			line += " " + arg
		}
		usage = strings.ReplaceAll(usage, "\n", "\n      ")
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && !strings.Contains(usage, "(default") {
			usage += " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(w, "%s\n      %s\n", line, usage)
	})
}
