package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// injected is a config value that, printed raw, clears the screen, plants
// a hyperlink and starts a line of its own (an SSH key in a file, a fake
// result on a terminal).
const injected = `"/tmp/x.log\nssh-ed25519 AAAAattacker attacker@evil\r\u001b[2J\u001b]8;;http://evil.example/\u001b\\click\u001b]8;;\u001b\\\u009b31m"`

func hostileCheckout(t *testing.T) string {
	t.Helper()
	dir := testenv.CopyTree(t, goFixture, nil)
	mutate(t, dir+"/etc/wazo-exampled/config.yml", "log_file: /var/log/wazo-exampled.log", "log_file: "+injected)
	return dir
}

// noForgedLine fails when out holds a control character or a line that
// begins with what the checkout chose.
func noForgedLine(t *testing.T, what, out string, shown bool) {
	t.Helper()
	if shown && !strings.Contains(out, "ssh-ed25519") {
		t.Fatalf("%s: the injected value is not in the output at all (test broken?):\n%s", what, out)
	}
	for i, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "ssh-ed25519") {
			t.Errorf("%s line %d begins with the checkout's text: %q", what, i+1, line)
		}
		for _, r := range line {
			if r < 0x20 && r != '\t' || r == 0x7f || r >= 0x80 && r <= 0x9f {
				t.Errorf("%s line %d carries control character %U: %q", what, i+1, r, line)
				break
			}
		}
	}
}

func TestHumanOutputsEscapeTheCheckout(t *testing.T) {
	dir := hostileCheckout(t)
	for _, format := range []string{"text", "grid", "html"} {
		_, out, errs := runCLI(t, "check", dir, "--format", format, "--verbose")
		if format == "html" {
			// The page's own markup has newlines; none may come from the checkout.
			out = strings.ReplaceAll(out, "\n", "")
			out = strings.ReplaceAll(out, "&#10;", "\n") // a title's structure
		}
		noForgedLine(t, "--format "+format, out, format != "grid") // the grid shows no message
		noForgedLine(t, "stderr of --format "+format, errs, false)
	}
}

// A reviewer runs check with --output on a pull request whose checkout
// commits scorecard.html as a link to their authorized_keys.
func TestOutputIsNeverWrittenThroughALink(t *testing.T) {
	dir := hostileCheckout(t)
	victim := filepath.Join(t.TempDir(), "authorized_keys")
	const own = "ssh-ed25519 AAAAvictim victim@host\n"
	if err := os.WriteFile(victim, []byte(own), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(dir, "scorecard.html")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "results.sarif"), 0o644); err != nil {
		t.Fatal(err)
	}
	old, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(old)
	for _, o := range []string{"html=scorecard.html", "sarif=results.sarif", "text=" + filepath.Join(dir, "scorecard.html")} {
		code, _, errs := runCLI(t, "check", ".", "--output", o)
		if code != exitUsage || !strings.Contains(errs, "refused") {
			t.Errorf("--output %s: exit %d, want %d and a refusal; stderr: %s", o, code, exitUsage, errs)
		}
	}
	if data, _ := os.ReadFile(victim); string(data) != own {
		t.Errorf("the victim file was written through the link:\n%s", data)
	}
	// A plain path is written, and its lines are the report's own.
	code, _, errs := runCLI(t, "check", ".", "--output", "text=report.txt", "--output", "html=report.html")
	if code == exitUsage || code == exitCouldNotRun {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, name := range []string{"report.txt", "report.html"} {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "ssh-ed25519") {
				t.Errorf("%s line %d is the checkout's: %q", name, i+1, line)
			}
		}
	}
}

// The tokens' environment variables are defaults of audit's flags: --help,
// and the man page made from it, must not print their values.
func TestHelpPrintsNoToken(t *testing.T) {
	t.Setenv("WAZO_TOKEN", "SECRET-wazo-token")
	t.Setenv("CONSUL_HTTP_TOKEN", "SECRET-consul-token")
	for _, args := range [][]string{{"audit", "--help"}, {"help", "audit"}, {"audit", "-h"}} {
		_, out, errs := runCLI(t, args...)
		if !strings.Contains(out+errs, "$WAZO_TOKEN") {
			t.Errorf("%v: the help does not name $WAZO_TOKEN (test broken?):\n%s", args, out+errs)
		}
		if strings.Contains(out+errs, "SECRET-") {
			t.Errorf("%v prints a token:\n%s", args, out+errs)
		}
	}
}

// Whatever a command prints, no terminal control but a line break or a tab
// reaches the terminal, even split across writes.
func TestControlFilter(t *testing.T) {
	var b strings.Builder
	w := &controlFilter{w: &b}
	for _, p := range []string{"ok\tline\n", "\x1b[2Jcleared\r", "csi \xc2", "\x9b31m red \u00e9t\u00e9 ", "\x07\x7f\n"} {
		w.Write([]byte(p))
	}
	want := "ok\tline\n\\x1b[2Jcleared\\r" + "csi \\u009b31m red \u00e9t\u00e9 \\a\\x7f\n"
	if b.String() != want {
		t.Errorf("filtered:\n%q\nwant\n%q", b.String(), want)
	}
}
