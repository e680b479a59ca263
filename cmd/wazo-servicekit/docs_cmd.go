package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/report"
	"github.com/wazo-platform/wazo-servicekit/internal/rules"
	"github.com/wazo-platform/wazo-servicekit/safefile"
)

// documented lists the commands the man pages and the completion cover:
// every entry of the table but the packaging helpers.
func documented() []command {
	var out []command
	for _, c := range commands {
		if !c.tool {
			out = append(out, c)
		}
	}
	return out
}

func defineMan(*flag.FlagSet) action {
	return func(args []string, stdout, _ io.Writer) (int, error) {
		if len(args) != 1 {
			return exitUsage, usagef("man: want the directory to write the pages into")
		}
		dir := args[0]
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return exitCouldNotRun, err
		}
		pages := map[string]string{"wazo-servicekit.1": topManPage()}
		for _, c := range documented() {
			pages["wazo-servicekit-"+c.name+".1"] = commandManPage(c)
		}
		names := make([]string, 0, len(pages))
		for n := range pages {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			if err := safefile.WriteOutput(filepath.Join(dir, name), []byte(pages[name]), 0o644); err != nil {
				return exitCouldNotRun, err
			}
			fmt.Fprintln(stdout, filepath.Join(dir, name))
		}
		return exitClean, nil
	}
}

// roffText escapes one line of running text: backslashes, minus signs, and
// a leading dot or quote that would read as a request.
func roffText(l string) string {
	l = strings.ReplaceAll(l, `\`, `\e`)
	l = strings.ReplaceAll(l, "-", `\-`)
	// A long word (an address, a path) may break after its slashes.
	for _, w := range strings.Fields(l) {
		if len(w) > 40 {
			l = strings.Replace(l, w, strings.ReplaceAll(w, "/", `/\:`), 1)
		}
	}
	if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") {
		l = `\&` + l
	}
	return l
}

// roffParagraphs turns text with blank lines between paragraphs into
// filled roff paragraphs.
func roffParagraphs(text string) string {
	var b strings.Builder
	for i, para := range strings.Split(strings.TrimSpace(text), "\n\n") {
		if i > 0 {
			b.WriteString(".PP\n")
		}
		for _, l := range strings.Split(para, "\n") {
			b.WriteString(roffText(strings.TrimSpace(l)) + "\n")
		}
	}
	return b.String()
}

// manExit is a page's EXIT STATUS: the contract, with what 1 means for c.
func manExit(findings string) string {
	var b strings.Builder
	b.WriteString(".SH EXIT STATUS\n")
	for _, e := range exitContract {
		what := e.what
		if e.code == exitFindings {
			if findings == "" {
				continue
			}
			what = findings
		}
		fmt.Fprintf(&b, ".TP\n.B %d\n%s\n", e.code, roffText(what))
	}
	return b.String()
}

func manDocs(section string, docs []doc) string {
	if len(docs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(".SH " + section + "\n")
	for _, d := range docs {
		fmt.Fprintf(&b, ".TP\n.I %s\n%s\n", roffText(d.name), roffText(d.what))
	}
	return b.String()
}

func manExamples(ex []example) string {
	if len(ex) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(".SH EXAMPLES\n")
	for _, e := range ex {
		fmt.Fprintf(&b, ".PP\n%s\n.RS\n.EX\n%s\n.EE\n.RE\n", roffText(e.does)+":", roffText(e.line))
	}
	return b.String()
}

func manHeader(title, name, summary string) string {
	// Left-aligned, not hyphenated: paths and flags are long words.
	return fmt.Sprintf(".TH %s 1 \"\" \"wazo-servicekit\" \"User Commands\"\n.ad l\n.nh\n.SH NAME\n%s \\- %s\n",
		roffText(strings.ToUpper(title)), roffText(name), roffText(summary))
}

func topManPage() string {
	var b strings.Builder
	b.WriteString(manHeader("wazo-servicekit", "wazo-servicekit", "make and prove Wazo's new service guidelines checklist"))
	b.WriteString(".SH SYNOPSIS\n.B wazo\\-servicekit\n.I COMMAND\n[flags]\n.SH DESCRIPTION\n")
	b.WriteString(roffParagraphs(`wazo-servicekit is a command line over one catalogue of rules, one per item of
Wazo Platform's "New service guidelines" checklist, with stable IDs. It checks a
service's source repository, audits an installed host, an image root or a whole
cluster, scaffolds a compliant service, and reports where the checklist and the
platform drifted apart.

Every command documents its flags with --help; each has its own page.`))
	b.WriteString(".SH COMMANDS\n")
	for _, c := range documented() {
		fmt.Fprintf(&b, ".TP\n.BR wazo\\-servicekit\\-%s (1)\n%s\n", c.name, roffText(c.summary))
	}
	b.WriteString(manExit("findings: failures at or above \\-\\-fail\\-on (check, audit), conflicts or a repository behind the kit (update)"))
	b.WriteString(manDocs("FILES", []doc{{rules.WaiversFile, "a checked repository's waivers (see WAIVERS)"}}))
	var env []doc
	var ex []example
	for _, c := range documented() {
		env = append(env, c.env...)
		if len(c.examples) > 0 {
			ex = append(ex, c.examples[0])
		}
	}
	b.WriteString(manDocs("ENVIRONMENT", env))
	b.WriteString(waiversSection)
	b.WriteString(manExamples(ex))
	b.WriteString(".SH SEE ALSO\n")
	var refs []string
	for _, c := range documented() {
		refs = append(refs, `.BR wazo\-servicekit\-`+c.name+" (1)")
	}
	b.WriteString(strings.Join(refs, ",\n") + "\n")
	return b.String()
}

// waiversSection documents the waiver file where check's and the top page
// need it.
var waiversSection = ".SH WAIVERS\n" + roffParagraphs(`A checked repository may waive a rule's failures in `+rules.WaiversFile+` at its root:
a list under the key "waivers", each entry with rule (a rule ID), reason (why it does
not apply), owner (who answers for it), and optionally expires (an ISO 8601 date,
waived through that day UTC, or a date-time), service (one service of the
repository), path (a glob on the failing file; dir/** for a whole tree) and when
(a regular expression the failure's message must match).
Any other key, a missing reason or owner, an unknown rule or a bad date stops
the run with exit 2 and the file and line. A waived failure is shown as waived
with its reason and never counts for --fail-on; an expired waiver waives nothing
and says so; an entry that matches no failure is reported as unused-waiver.

A platform profile (check --profile NAME; shipped: `+strings.Join(rules.ProfileNames(), ", ")+`) is a waiver set the
platform owns, for the items where Wazo Platform as a whole departs from its
checklist; each entry has an owner, a reason, an expiry and a cause (when, or
dist: the failure does not fail against that Debian release). Its failures show
as waived by the platform, apart from the repository's own waivers, never hidden.`) +
	".PP\n.EX\nwaivers:\n  \\- rule: monit\\-check\n    owner: jdoe@wazo.io\n    expires: 2027\\-03\\-31\n    reason: systemd Restart= supervises this one\\-shot service\n.EE\n"

func commandManPage(c command) string {
	var b strings.Builder
	fs, _ := c.flags()
	b.WriteString(manHeader("wazo-servicekit-"+c.name, "wazo-servicekit-"+c.name, c.summary))
	fmt.Fprintf(&b, ".SH SYNOPSIS\n.B wazo\\-servicekit\n%s\n", roffText(c.synopsis()))
	b.WriteString(".SH DESCRIPTION\n")
	about := c.about
	if about == "" {
		about = c.summary + "."
	}
	b.WriteString(roffParagraphs(about))
	if hasFlags(fs) {
		b.WriteString(".SH OPTIONS\n")
		fs.VisitAll(func(f *flag.Flag) {
			arg, usage := flagUsage(f)
			if arg != "" {
				fmt.Fprintf(&b, ".TP\n.BI \"\\-\\-%s \" %s", roffText(f.Name), roffText(arg))
			} else {
				fmt.Fprintf(&b, ".TP\n.B \\-\\-%s", roffText(f.Name))
			}
			b.WriteString("\n" + roffText(strings.ReplaceAll(usage, "\n", " ")) + "\n")
		})
	}
	b.WriteString(manExit(c.findings))
	b.WriteString(manDocs("FILES", c.files))
	b.WriteString(manDocs("ENVIRONMENT", c.env))
	if c.name == "check" {
		b.WriteString(waiversSection)
	}
	b.WriteString(manExamples(c.examples))
	b.WriteString(".SH SEE ALSO\n.BR wazo\\-servicekit (1)\n")
	return b.String()
}

// words is what a completion offers, for the kinds that are lists.
func (k completion) words() []string {
	switch k {
	case completeRule:
		var ids []string
		for _, r := range rules.All() {
			ids = append(ids, r.ID)
		}
		return ids
	case completeFormat:
		return report.Formats
	case completeOutput:
		var out []string
		for _, f := range report.Formats {
			out = append(out, f+"=")
		}
		return out
	case completeSeverity:
		return []string{"error", "warning", "info", failOnUnknown}
	case completeProfile:
		return rules.ProfileNames()
	case completeCommand:
		var out []string
		for _, c := range commands {
			out = append(out, c.name)
		}
		return out
	}
	if w, ok := strings.CutPrefix(string(k), "words:"); ok {
		return strings.Fields(w)
	}
	return nil
}

// bashReply is the bash statement completing a value of kind k.
func (k completion) bashReply() string {
	switch k {
	case completeNone:
		return ""
	case completeDir:
		return `COMPREPLY=($(compgen -d -- "$cur"))`
	case completeFile:
		return `COMPREPLY=($(compgen -f -- "$cur"))`
	case completeOutput:
		return fmt.Sprintf(`if [[ $cur == *=* ]]; then COMPREPLY=($(compgen -f -- "${cur#*=}")); else COMPREPLY=($(compgen -W %q -- "$cur")); compopt -o nospace; fi`, strings.Join(k.words(), " "))
	}
	return fmt.Sprintf(`COMPREPLY=($(compgen -W %q -- "$cur"))`, strings.Join(k.words(), " "))
}

// defineCompletion prints the bash completion script: commands, each
// command's flags, the values of the flags that take a known kind (rule
// IDs, formats, profiles, severities, directories), positional arguments.
func defineCompletion(*flag.FlagSet) action {
	return func(args []string, stdout, _ io.Writer) (int, error) {
		if len(args) != 1 || args[0] != "bash" {
			return exitUsage, usagef("completion: want \"bash\"")
		}
		var names []string
		var values, flags, positional strings.Builder
		for _, c := range documented() {
			names = append(names, c.name)
			fs, _ := c.flags()
			fmt.Fprintf(&flags, "\t%s) opts=%q ;;\n", c.name, strings.Join(flagNames(fs), " "))
			var keys []string
			for k := range c.values {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if fs.Lookup(k) == nil {
					panic(fmt.Sprintf("command table: %s completes --%s, which it does not declare", c.name, k))
				}
				if r := c.values[k].bashReply(); r != "" {
					fmt.Fprintf(&values, "\t%s/--%s) %s; return ;;\n", c.name, k, r)
				}
			}
			if r := c.positional.bashReply(); r != "" {
				fmt.Fprintf(&positional, "\t%s) %s; return ;;\n", c.name, r)
			}
		}
		names = append(names, "--help", "--version")
		_, err := fmt.Fprintf(stdout, `# bash completion for wazo-servicekit (written by "wazo-servicekit completion bash")
_wazo_servicekit() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} opts=""
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W %q -- "$cur"))
		return
	fi
	local cmd=${COMP_WORDS[1]}
	case $cmd/$prev in
%s	esac
	case $cmd in
%s	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi
	case $cmd in
%s	esac
	COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _wazo_servicekit wazo-servicekit
`, strings.Join(names, " "), values.String(), flags.String(), positional.String())
		return exitClean, err
	}
}
