package main

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/scaffold"
)

// command is one entry of the command table, and the one place a command is
// described: its flags (define declares them), what completes their values,
// its examples, files, environment and exit statuses. `CMD --help`, `help
// CMD`, the man pages and the bash completion are all written from it.
type command struct {
	name, args, summary string
	about               string
	// define declares the command's flags on fs and returns what runs the
	// command with them once parsed (nil for a command without flags that
	// takes its positional arguments as they are).
	define func(fs *flag.FlagSet) action
	// values says what completes a flag's value (flag name without dashes),
	// and positional what completes the arguments.
	values     map[string]completion
	positional completion
	examples   []example
	files      []doc // path, what it is
	env        []doc // variable, what it does
	// findings says what exit 1 means for this command ("" = never exits 1).
	findings string
	// tool marks the packaging helpers, listed apart in the top help.
	tool bool
}

// action runs a command with its positional arguments, its flags being
// parsed. It returns the exit code (0 clean, 1 findings) or an error: a
// usageError exits 2 with a hint, any other error exits 3 (could not run).
type action func(pos []string, stdout, stderr io.Writer) (int, error)

// example is one command line of a man page's EXAMPLES and what it does.
type example struct{ line, does string }

// doc is one entry of a man page's FILES or ENVIRONMENT.
type doc struct{ name, what string }

// completion names what completes a value in the bash completion.
type completion string

// Value completions: a directory, a file, a rule ID, a format, a profile,
// a severity of --fail-on, a command name, or a fixed list of words
// ("words:a b c").
const (
	completeNone     completion = ""
	completeDir      completion = "dir"
	completeFile     completion = "file"
	completeRule     completion = "rule"
	completeFormat   completion = "format"
	completeOutput   completion = "output"
	completeProfile  completion = "profile"
	completeSeverity completion = "severity"
	completeCommand  completion = "command"
)

func completeWords(words ...string) completion {
	return completion("words:" + strings.Join(words, " "))
}

// commands is the table, in the order the top help lists it (set in init:
// help reads the table it is part of).
var commands []command

func init() {
	commands = []command{
		rulesCommand(),
		checkCommand(),
		auditCommand(),
		driftCommand(),
		fixCommand(),
		factsCommand(),
		portsCommand(),
		newCommand(),
		updateCommand(),
		{name: "help", args: "[COMMAND]", summary: "this help, or one command's", define: defineHelp, positional: completeCommand,
			examples: []example{{"wazo-servicekit help check", "the flags of check, as check --help prints them"}}},
		{name: "man", args: "DIR", summary: "write the man pages into DIR", define: defineMan, positional: completeDir, tool: true},
		{name: "completion", args: "bash", summary: "print the bash completion script", define: defineCompletion, positional: completeWords("bash"), tool: true},
		{name: "version", summary: "the version, as --version", define: defineVersion, tool: true},
	}
	topUsage = renderTopUsage()
}

// exitContract is the exit status every command shares; a command's
// findings line says what 1 means for it.
var exitContract = []struct {
	code int
	what string
}{
	{exitClean, "clean: nothing at or above --fail-on"},
	{exitFindings, "findings"},
	{exitUsage, "usage or configuration error: a bad flag or argument, a path that is not there, a malformed waiver file or profile; the message says which, with file:line"},
	{exitCouldNotRun, "could not run: an agent that does not answer, an input that cannot be read or is corrupt, a run in which nothing could be judged (every result unknown), an internal error"},
}

// topUsage is the top-level help (`wazo-servicekit --help`).
var topUsage string

func renderTopUsage() string {
	var b strings.Builder
	var tools []string
	width := 0
	for _, c := range commands {
		if n := len(c.synopsis()); !c.tool && n > width {
			width = n
		}
	}
	b.WriteString("usage: wazo-servicekit COMMAND [flags]\n\n")
	for _, c := range commands {
		if c.tool {
			tools = append(tools, c.synopsis()+" ("+c.summary+")")
			continue
		}
		fmt.Fprintf(&b, "  %-*s  %s\n", width, c.synopsis(), c.summary)
	}
	fmt.Fprintf(&b, "\nalso: %s\n", strings.Join(tools, ", "))
	b.WriteString("wazo-servicekit COMMAND --help (or help COMMAND) lists the command's flags.\n")
	b.WriteString("exit: 0 clean, 1 findings at or above --fail-on, 2 usage or configuration error, 3 could not run\n")
	return b.String()
}

func (c command) synopsis() string { return strings.TrimSpace(c.name + " " + c.args) }

func lookup(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// flags declares c's flags on a new set and returns it with the action
// bound to them.
func (c command) flags() (*flag.FlagSet, action) {
	fs := newFlags(c.name)
	var act action
	if c.define != nil {
		act = c.define(fs)
	}
	return fs, act
}

// newFlags is a command's flag set. It prints nothing itself: --help is
// answered on stdout from the table, and a bad flag is a usage error
// (parseInterleaved).
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// hasFlags reports whether fs declares any flag.
func hasFlags(fs *flag.FlagSet) bool {
	has := false
	fs.VisitAll(func(*flag.Flag) { has = true })
	return has
}

// flagNames lists fs's flags as the command line spells them, sorted.
func flagNames(fs *flag.FlagSet) []string {
	var out []string
	fs.VisitAll(func(f *flag.Flag) { out = append(out, "--"+f.Name) })
	sort.Strings(out)
	return out
}

// helpRequest is parseInterleaved's answer to -h or --help.
type helpRequest struct{}

func (helpRequest) Error() string { return "help requested" }

// writeHelp prints one command's help: usage line, about, flags, exit.
func writeHelp(w io.Writer, c command) {
	fs, _ := c.flags()
	fmt.Fprintf(w, "usage: wazo-servicekit %s\n\n%s\n", c.synopsis(), c.summary)
	if c.about != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimRight(c.about, "\n"))
	}
	if hasFlags(fs) {
		fmt.Fprint(w, "\nflags:\n")
		printFlags(w, fs)
	}
	if c.findings != "" {
		fmt.Fprintf(w, "\nexit: 0 clean, 1 %s, 2 usage or configuration error, 3 could not run\n", c.findings)
	}
}

func defineHelp(*flag.FlagSet) action {
	return func(args []string, stdout, _ io.Writer) (int, error) {
		switch len(args) {
		case 0:
			fmt.Fprint(stdout, topUsage)
			return exitClean, nil
		case 1:
			c, ok := lookup(args[0])
			if !ok {
				return exitUsage, usagef("help: unknown command %q", args[0])
			}
			writeHelp(stdout, c)
			return exitClean, nil
		}
		return exitUsage, usagef("help: want at most one command")
	}
}

func defineVersion(*flag.FlagSet) action {
	return func(args []string, stdout, _ io.Writer) (int, error) {
		if len(args) > 0 {
			return exitUsage, usagef("version: takes no argument")
		}
		fmt.Fprintf(stdout, "wazo-servicekit %s\n", scaffold.KitVersion())
		return exitClean, nil
	}
}

// printFlags documents each flag as the command line spells it (--name),
// from its definition: the one place a flag is described.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage := flagUsage(f)
		line := "  --" + f.Name
		if arg != "" {
			line += " " + arg
		}
		usage = strings.ReplaceAll(usage, "\n", "\n      ")
		fmt.Fprintf(w, "%s\n      %s\n", line, usage)
	})
}

// flagUsage is a flag's argument name and its usage with the default.
func flagUsage(f *flag.Flag) (string, string) {
	arg, usage := flag.UnquoteUsage(f)
	if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "[]" && !strings.Contains(usage, "(default") {
		usage += " (default " + f.DefValue + ")"
	}
	return arg, usage
}
