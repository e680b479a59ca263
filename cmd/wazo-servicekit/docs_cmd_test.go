package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// TestManPages: one page per command of the top-level help plus
// wazo-servicekit(1), each naming its command and the flags its --help
// lists; man renders each without a warning.
func TestManPages(t *testing.T) {
	dir := t.TempDir()
	if code, out, errs := runCLI(t, "man", dir); code != exitClean {
		t.Fatalf("man: exit %d\n%s%s", code, out, errs)
	}
	cmds := documented()
	if len(cmds) < 6 {
		t.Fatalf("%d commands read from the top-level help, want at least 6", len(cmds))
	}
	top, err := os.ReadFile(filepath.Join(dir, "wazo-servicekit.1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, sec := range []string{".SH DESCRIPTION", ".SH COMMANDS", ".SH EXIT STATUS", ".SH FILES", ".SH ENVIRONMENT", ".SH WAIVERS", ".SH EXAMPLES"} {
		if !strings.Contains(string(top), sec) {
			t.Errorf("wazo-servicekit(1) has no %s", sec)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(cmds)+1 {
		t.Errorf("%d pages for %d commands", len(entries), len(cmds))
	}
	man, err := exec.LookPath("man")
	for _, c := range cmds {
		page := filepath.Join(dir, "wazo-servicekit-"+c.name+".1")
		data, rerr := os.ReadFile(page)
		if rerr != nil {
			t.Fatal(rerr)
		}
		if !strings.Contains(string(data), `.SH NAME`+"\n"+`wazo\-servicekit\-`+c.name+` \- `) {
			t.Errorf("%s: no NAME line", page)
		}
		fs, _ := c.flags()
		if !hasFlags(fs) && c.name != "help" {
			t.Errorf("%s: no flags in its table entry", c.name)
		}
		for _, sec := range []string{".SH DESCRIPTION", ".SH EXIT STATUS", ".SH SEE ALSO"} {
			if !strings.Contains(string(data), sec) {
				t.Errorf("%s: no %s", page, sec)
			}
		}
		if len(c.examples) > 0 && !strings.Contains(string(data), ".SH EXAMPLES") {
			t.Errorf("%s: its examples are missing", page)
		}
		for _, f := range flagNames(fs) {
			if !strings.Contains(string(data), strings.ReplaceAll(strings.TrimLeft(f, "-"), "-", `\-`)) {
				t.Errorf("%s: flag %s missing", page, f)
			}
		}
		if err != nil {
			continue
		}
		cmd := exec.Command(man, "--warnings", "-l", page)
		cmd.Env = append(os.Environ(), "MANWIDTH=80", "MAN_KEEP_STDERR=1")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil || stderr.Len() > 0 {
			t.Errorf("man %s: %v\n%s", page, err, stderr.String())
		}
		if !strings.Contains(stdout.String(), "wazo-servicekit-"+c.name) {
			t.Errorf("man %s renders without its name:\n%s", page, stdout.String())
		}
	}
	if err != nil {
		t.Skip("needs man (man-db) to render the pages: `make deps` installs it")
	}
}

// TestBashCompletion: the script, sourced by bash, completes subcommands
// and a subcommand's flags.
func TestBashCompletion(t *testing.T) {
	bash := testenv.RequireCommand(t, "bash")
	code, script, errs := runCLI(t, "completion", "bash")
	if code != exitClean {
		t.Fatalf("completion: exit %d: %s", code, errs)
	}
	file := filepath.Join(t.TempDir(), "wazo-servicekit")
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"wazo-servicekit ch":                        "check",
		"wazo-servicekit up":                        "update",
		"wazo-servicekit update --ch":               "--check",
		"wazo-servicekit check --base":              "--baseline",
		"wazo-servicekit audit --consul":            "--consul --consul-cacert --consul-token",
		"wazo-servicekit check --format h":          "html",
		"wazo-servicekit check --fail-on u":         "unknown",
		"wazo-servicekit check --rule monit-":       "monit-check",
		"wazo-servicekit rules --explain user-no-l": "user-no-login-shell",
		"wazo-servicekit check --dist b":            "bookworm",
		"wazo-servicekit help up":                   "update",
		"wazo-servicekit ports n":                   "next",
	}
	for line, want := range cases {
		words := strings.Fields(line)
		prog := `source "$1"; COMP_WORDS=(` + strings.Join(words, " ") + `); COMP_CWORD=` + itoa(len(words)-1) +
			`; complete -p wazo-servicekit >/dev/null && _wazo_servicekit && echo "${COMPREPLY[*]}"`
		out, err := exec.Command(bash, "-c", prog, "bash", file).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", line, err, out)
		}
		if got := strings.TrimSpace(string(out)); got != want {
			t.Errorf("%q completes to %q, want %q", line, got, want)
		}
	}
}
