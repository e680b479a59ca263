package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// docCommand is a command as its documentation sees it: its entry of the
// command table, its --help, and its flags.
type docCommand struct {
	name, synopsis, summary, help string
	flags                         []string // --name, sorted
}

// docCommands reads the command table and each command's flag set: the
// man pages and the completion say what --help says, from the same source.
func docCommands() []docCommand {
	var out []docCommand
	for _, c := range commands {
		if c.tool {
			continue
		}
		d := docCommand{name: c.name, synopsis: strings.TrimSpace(c.name + " " + c.args), summary: c.summary}
		var fs *flag.FlagSet
		if c.name != "help" {
			var h helpRequest
			if _, err := c.run([]string{"--help"}, io.Discard, io.Discard); errors.As(err, &h) {
				fs = h.fs
			}
		}
		var help bytes.Buffer
		writeHelp(&help, c, fs)
		d.help = help.String()
		if fs != nil {
			fs.VisitAll(func(f *flag.Flag) { d.flags = append(d.flags, "--"+f.Name) })
		}
		sort.Strings(d.flags)
		out = append(out, d)
	}
	return out
}

// cmdMan writes the man pages, wazo-servicekit(1) and one
// wazo-servicekit-COMMAND(1) per command, into a directory (packaging).
func cmdMan(args []string, stdout, _ io.Writer) (int, error) {
	if len(args) != 1 {
		return exitUsage, usagef("man: want the directory to write the pages into")
	}
	dir := args[0]
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return exitInternal, err
	}
	cmds := docCommands()
	pages := map[string]string{"wazo-servicekit.1": topManPage(cmds)}
	for _, c := range cmds {
		pages["wazo-servicekit-"+c.name+".1"] = commandManPage(c)
	}
	for name, text := range pages {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			return exitInternal, err
		}
		fmt.Fprintln(stdout, filepath.Join(dir, name))
	}
	return exitClean, nil
}

// roff escapes text for a man page's no-fill block: backslashes, minus
// signs, and a leading dot or quote that would read as a request.
func roff(text string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		l = strings.ReplaceAll(l, `\`, `\e`)
		l = strings.ReplaceAll(l, "-", `\-`)
		if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") {
			l = `\&` + l
		}
		b.WriteString(l + "\n")
	}
	return b.String()
}

const manExit = `.SH EXIT STATUS
0 clean, 1 findings at or above \-\-fail\-on (update: conflicts, or behind the kit with \-\-check),
2 usage or configuration error, 3 internal error.
`

func topManPage(cmds []docCommand) string {
	var b strings.Builder
	b.WriteString(`.TH WAZO\-SERVICEKIT 1 "" "wazo-servicekit" "User Commands"
.SH NAME
wazo\-servicekit \- make and prove Wazo's new service guidelines checklist
.SH SYNOPSIS
.B wazo\-servicekit
.I COMMAND
[flags]
.SH DESCRIPTION
.nf
`)
	b.WriteString(roff(topUsage))
	b.WriteString(".fi\n.SH COMMANDS\n")
	for _, c := range cmds {
		fmt.Fprintf(&b, ".TP\n.BR wazo\\-servicekit\\-%s (1)\n%s\n", c.name, roff(c.summary))
	}
	b.WriteString(manExit)
	b.WriteString(".SH SEE ALSO\n")
	var refs []string
	for _, c := range cmds {
		refs = append(refs, `.BR wazo\-servicekit\-`+c.name+" (1)")
	}
	b.WriteString(strings.Join(refs, ",\n") + "\n")
	return b.String()
}

func commandManPage(c docCommand) string {
	var b strings.Builder
	fmt.Fprintf(&b, ".TH WAZO\\-SERVICEKIT\\-%s 1 \"\" \"wazo-servicekit\" \"User Commands\"\n.SH NAME\nwazo\\-servicekit\\-%s \\- %s",
		strings.ToUpper(c.name), c.name, roff(c.summary))
	fmt.Fprintf(&b, ".SH SYNOPSIS\n.B wazo\\-servicekit\n%s", roff(c.synopsis))
	b.WriteString(".SH DESCRIPTION\n.nf\n" + roff(c.help) + ".fi\n")
	b.WriteString(manExit)
	b.WriteString(".SH SEE ALSO\n.BR wazo\\-servicekit (1)\n")
	return b.String()
}

// cmdCompletion prints the bash completion script: subcommands first, then
// each subcommand's flags, files otherwise.
func cmdCompletion(args []string, stdout, _ io.Writer) (int, error) {
	if len(args) != 1 || args[0] != "bash" {
		return exitUsage, usagef("completion: want \"bash\"")
	}
	cmds := docCommands()
	var names []string
	var cases strings.Builder
	for _, c := range cmds {
		names = append(names, c.name)
		fmt.Fprintf(&cases, "\t%s) opts=%q ;;\n", c.name, strings.Join(c.flags, " "))
	}
	names = append(names, "help", "--help", "--version")
	_, err := fmt.Fprintf(stdout, `# bash completion for wazo-servicekit (written by "wazo-servicekit completion bash")
_wazo_servicekit() {
	local cur=${COMP_WORDS[COMP_CWORD]} opts=""
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W %q -- "$cur"))
		return
	fi
	case ${COMP_WORDS[1]} in
%s	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}
complete -o filenames -F _wazo_servicekit wazo-servicekit
`, strings.Join(names, " "), cases.String())
	return exitClean, err
}
