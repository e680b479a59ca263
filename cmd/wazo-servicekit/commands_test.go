package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every command of the table answers --help and help CMD the same way: its
// usage on stdout, once, exit 0, nothing on stderr; each flag it has is
// documented once.
func TestEveryCommandHasItsHelp(t *testing.T) {
	flagLine := regexp.MustCompile(`(?m)^  (--[a-z-]+)`)
	for _, c := range commands {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := runCLI(t, c.name, "--help")
			if code != exitClean || errs != "" || strings.Count(out, "usage: wazo-servicekit "+c.name) != 1 {
				t.Fatalf("%s --help: exit %d\nstdout: %s\nstderr: %s", c.name, code, out, errs)
			}
			code2, out2, errs2 := runCLI(t, "help", c.name)
			if code2 != exitClean || errs2 != "" || out2 != out {
				t.Fatalf("help %s differs from %s --help (exit %d):\n%s\n---\n%s", c.name, c.name, code2, out2, out)
			}
			seen := map[string]bool{}
			for _, m := range flagLine.FindAllStringSubmatch(out, -1) {
				if seen[m[1]] {
					t.Errorf("%s is documented twice", m[1])
				}
				seen[m[1]] = true
			}
		})
	}
	if code, out, _ := runCLI(t, "check", "--help"); code != exitClean || !strings.Contains(out, "--fail-on") {
		t.Fatalf("check --help lacks its flags:\n%s", out)
	}
}

// --help and --version: exit 0, once, on stdout; the top help lists the
// commands, not their flags (each command documents its own).
func TestTopLevelHelpAndVersion(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		code, out, errs := runCLI(t, args...)
		if code != exitClean || errs != "" || strings.Count(out, "usage: wazo-servicekit COMMAND") != 1 || strings.Contains(out, "--output") {
			t.Errorf("%v: exit %d\nstdout: %s\nstderr: %s", args, code, out, errs)
		}
	}
	for _, args := range [][]string{{"--version"}, {"version"}} {
		code, out, errs := runCLI(t, args...)
		if code != exitClean || errs != "" || !regexp.MustCompile(`^wazo-servicekit \S+\n$`).MatchString(out) {
			t.Errorf("%v: exit %d\nstdout: %q\nstderr: %s", args, code, out, errs)
		}
	}
}

// A usage error is the error and a one-line hint on stderr, exit 2: not the
// whole usage, and nothing on stdout.
func TestUsageErrorIsTheErrorAndAHint(t *testing.T) {
	for _, args := range [][]string{{"check", "--bogus"}, {"new"}, {"update", "a", "b"}, {"rules", "--format", "xml"}, {"frobnicate"}, {}} {
		code, out, errs := runCLI(t, args...)
		lines := strings.Split(strings.TrimRight(errs, "\n"), "\n")
		if code != exitUsage || out != "" || len(lines) != 2 || !strings.HasPrefix(lines[0], "wazo-servicekit: ") || !strings.HasPrefix(lines[1], "Run 'wazo-servicekit ") {
			t.Errorf("%v: exit %d\nstdout: %s\nstderr: %s", args, code, out, errs)
		}
	}
}

// new refuses a --dir that does not exist instead of creating it, and its
// refusals speak of the command line, never of the generator's code.
func TestNewRefusalsSpeakOfTheCommandLine(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "not", "there")
	code, out, errs := runCLI(t, "new", "wazo-exampled", "--dir", missing)
	if code != exitUsage || !strings.Contains(errs, missing+": no such directory") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	if _, err := os.Stat(filepath.Dir(missing)); !os.IsNotExist(err) {
		t.Fatalf("new created the missing parent: %v", err)
	}
	code, out, errs = runCLI(t, "new", "wazo-doctor", "--dir", t.TempDir())
	if code != exitUsage || !strings.Contains(errs, "choose another name") || strings.Contains(out+errs, ".go") || strings.Contains(out+errs, "scaffold") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
}
