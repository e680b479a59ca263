package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/wazo-platform/wazo-servicekit/internal/consulsim"
)

// Attacks through what the CLI writes: report files named with --output,
// and text on a terminal.

func init() {
	register(
		attack{"N1", "check --output html=scorecard.html where the checkout commits scorecard.html -> a victim file", outputThroughLink},
		attack{"N1", "check --output sarif=results.sarif where the checkout commits a FIFO there", outputFIFO},
		attack{"N7", "check --format text/grid/html: ESC, OSC 8, CR and LF in a config value", terminalEscapes},
		attack{"N7", "audit --consul --format text/grid: node names with ESC, OSC 8, CR and LF", consulNames},
		attack{"help", "audit --help with $WAZO_TOKEN and $CONSUL_HTTP_TOKEN set", helpToken},
	)
}

// injectedValue, as a YAML double-quoted string, clears the screen, plants
// a hyperlink and starts lines of its own (an SSH key, a fake pass).
const injectedValue = `"/tmp/x.log\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAttacker attacker@evil\r\u001b[2J\u001b[31mALL CHECKS PASSED\u001b[0m\u001b]8;;http://evil.example/\u001b\\click\u001b]8;;\u001b\\\n"`

// hostileGoCheckout is the Go fixture whose log_file carries injectedValue.
func (e *env) hostileGoCheckout() string {
	dir := e.checkout("go-service")
	replaceIn(filepath.Join(dir, "etc/wazo-exampled/config.yml"), "log_file: /var/log/wazo-exampled.log", "log_file: "+injectedValue)
	return dir
}

func replaceIn(path, old, new string) {
	data, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(data), old) {
		panic(fmt.Sprintf("%s: %q not found (%v)", path, old, err))
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		panic(err)
	}
}

func outputThroughLink(e *env) (bool, string) {
	dir := e.hostileGoCheckout()
	victim := filepath.Join(e.tempDir("victim"), "authorized_keys")
	const own = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIVictimOwnKey victim@host\n"
	os.WriteFile(victim, []byte(own), 0o600)
	os.Symlink(victim, filepath.Join(dir, "scorecard.html"))
	o := e.servicekit(dir, []string{"check", ".", "--output", "html=scorecard.html"})
	if data, _ := os.ReadFile(victim); string(data) != own {
		return false, fmt.Sprintf("the victim now holds %d bytes of report (%s)", len(data), o.figures())
	}
	if o.code != 2 || !strings.Contains(o.stderr, "symbolic link") {
		return false, fmt.Sprintf("victim intact but %s; stderr %.200q", o.figures(), o.stderr)
	}
	return true, "refused before the run, victim intact: " + firstLine(o.stderr)
}

func outputFIFO(e *env) (bool, string) {
	dir := e.hostileGoCheckout()
	syscall.Mkfifo(filepath.Join(dir, "results.sarif"), 0o644)
	o := e.servicekit(dir, []string{"check", ".", "--output", "sarif=results.sarif"})
	if !o.bounded() || o.code != 2 {
		return false, fmt.Sprintf("%s %s", o.killed, o.figures())
	}
	return true, fmt.Sprintf("%s: %s", o.figures(), firstLine(o.stderr))
}

func terminalEscapes(e *env) (bool, string) {
	dir := e.hostileGoCheckout()
	seen := 0
	for _, format := range []string{"text", "grid", "html"} {
		o := e.servicekit(dir, []string{"check", ".", "--format", format, "--verbose"})
		if !o.bounded() {
			return false, format + ": " + o.killed
		}
		out := o.stdout + o.stderr
		if format == "html" {
			out = strings.ReplaceAll(out, "\n", "") // the page's own line breaks
		}
		seen += strings.Count(out, "ssh-ed25519")
		if bad := forgedLine(out); bad != "" {
			return false, fmt.Sprintf("--format %s: %s", format, bad)
		}
	}
	if seen == 0 {
		return false, "the injected value was not printed at all: the attack did not reach the output"
	}
	return true, fmt.Sprintf("the value printed %d times, always escaped inside its line", seen)
}

// forgedLine describes the first line of out that starts with injected
// text or carries a control character, or "".
func forgedLine(out string) string {
	for i, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "ssh-ed25519") {
			return fmt.Sprintf("line %d is the checkout's: %.80q", i+1, line)
		}
		for _, r := range line {
			if r < 0x20 && r != '\t' || r == 0x7f || r >= 0x80 && r <= 0x9f {
				return fmt.Sprintf("line %d carries %U: %.80q", i+1, r, line)
			}
		}
	}
	return ""
}

func consulNames(e *env) (bool, string) {
	evil := "evil\x1b[2J\x1b[31mALL NODES OK\x1b[0m\r\nssh-ed25519 forged \x1b]8;;http://evil.example/\x1b\\x\x1b]8;;\x1b\\"
	cat := consulsim.ServeCatalog([]consulsim.Entry{{Node: evil, Address: "127.0.0.1", Port: 1}, {Node: "node-b", Address: "127.0.0.1", Port: 1}})
	defer cat.Close()
	seen := 0
	for _, format := range []string{"text", "grid"} {
		o := e.servicekit(e.scratch, []string{"audit", "--consul", cat.URL, "--format", format, "--trust-node", "127.0.0.1:1"}, "WAZO_TOKEN="+operatorToken)
		if !o.bounded() {
			return false, format + ": " + o.killed
		}
		out := o.stdout + o.stderr
		seen += strings.Count(out, "ALL NODES OK")
		if bad := forgedLine(out); bad != "" {
			return false, fmt.Sprintf("--format %s: %s", format, bad)
		}
	}
	if seen == 0 {
		return false, "the node name was not printed at all: the attack did not reach the output"
	}
	return true, fmt.Sprintf("the node name printed %d times, always escaped inside its line", seen)
}

func helpToken(e *env) (bool, string) {
	o := e.servicekit(e.scratch, []string{"audit", "--help"}, "WAZO_TOKEN=SECRET-wazo-token", "CONSUL_HTTP_TOKEN=SECRET-consul-token")
	if strings.Contains(o.stdout+o.stderr, "SECRET-") {
		return false, "the help prints a token"
	}
	if !strings.Contains(o.stdout, "$WAZO_TOKEN") {
		return false, "the help does not even name $WAZO_TOKEN: attack missed"
	}
	return true, "the help names $WAZO_TOKEN and $CONSUL_HTTP_TOKEN, prints neither value"
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	if len(line) > 160 {
		line = line[:160] + "…"
	}
	return line
}
