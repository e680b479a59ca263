package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// runDaemon runs this test binary as wazo-doctord with args.
func runDaemon(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "WAZO_DOCTORD_RUN_MAIN=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}

// --help and --version: exit 0, once, on stdout, before any config is read.
func TestHelpAndVersion(t *testing.T) {
	for _, arg := range []string{"--help", "-h"} {
		code, out, errs := runDaemon(t, arg)
		if code != 0 || errs != "" || strings.Count(out, "usage: wazo-doctord") != 1 || strings.Count(out, "--config-file") != 1 {
			t.Errorf("%s: exit %d\nstdout: %s\nstderr: %s", arg, code, out, errs)
		}
	}
	code, out, errs := runDaemon(t, "--version")
	if code != 0 || errs != "" || out != "wazo-doctord "+version+"\n" {
		t.Errorf("--version: exit %d\nstdout: %q\nstderr: %s", code, out, errs)
	}
}

// A usage error is the error and a one-line hint on stderr, exit 2.
func TestUsageErrorIsOneLineAndAHint(t *testing.T) {
	code, out, errs := runDaemon(t, "--bogus")
	lines := strings.Split(strings.TrimRight(errs, "\n"), "\n")
	if code != 2 || out != "" || len(lines) != 2 || !strings.Contains(lines[0], "bogus") || lines[1] != "Run 'wazo-doctord --help' for the options." {
		t.Errorf("exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
}
