//go:build e2e

package e2e

import (
	"strings"
	"testing"
)

// checkPackagedCLI installs the wazo-servicekit package (and the kit's -dev
// package it depends on) as a Wazo developer would, in the booted system
// where no checkout of wazo-servicekit exists, and uses it: --version, its
// man page, its bash completion, then `new` and the generated repository's
// `make test`, offline (no module proxy), against the installed kit.
func checkPackagedCLI(t *testing.T, c *container, version string) {
	c.must(t, "apt-get", "install", "-y", "-q", "--no-install-recommends",
		"/srv/dist/wazo-servicekit_"+version+"_amd64.deb",
		"/srv/dist/golang-github-wazo-platform-wazo-servicekit-dev_"+version+"_all.deb")
	// What reading the man page and completing need, from the mirror: the
	// image of the other steps has neither.
	c.must(t, "sh", "-c", "apt-get update -q && apt-get install -y -q --no-install-recommends man-db bash-completion")
	if _, err := c.run("test", "-e", "/usr/local/bin/wazo-servicekit"); err == nil {
		t.Fatal("/usr/local/bin/wazo-servicekit exists: the packaged CLI must be the only one")
	}
	if out := c.must(t, "sh", "-c", "command -v wazo-servicekit && wazo-servicekit --version"); !strings.Contains(out, "/usr/bin/wazo-servicekit\nwazo-servicekit "+version+"\n") {
		t.Errorf("wazo-servicekit --version:\n%s", out)
	}
	man := c.must(t, "sh", "-c", "MANWIDTH=200 MANPAGER=cat man wazo-servicekit-check 2>&1")
	man = strings.Join(strings.Fields(man), " ") // man justifies lines with extra spaces
	for _, want := range []string{"WAZO-SERVICEKIT-CHECK(1)", "wazo-servicekit-check - static audit", "-baseline", "EXIT STATUS"} {
		if !strings.Contains(man, want) {
			t.Errorf("man wazo-servicekit-check lacks %q:\n%s", want, man)
		}
	}
	// bash-completion loads /usr/share/bash-completion/completions/wazo-servicekit
	// when the command is first completed; ask it the way bash would.
	comp := c.must(t, "bash", "-ic", `. /usr/share/bash-completion/bash_completion
_comp_load wazo-servicekit 2>/dev/null || _completion_loader wazo-servicekit
complete -p wazo-servicekit
COMP_WORDS=(wazo-servicekit up); COMP_CWORD=1; _wazo_servicekit; echo "subcommand: ${COMPREPLY[*]}"
COMP_WORDS=(wazo-servicekit update --ch); COMP_CWORD=2; _wazo_servicekit; echo "flag: ${COMPREPLY[*]}"`)
	for _, want := range []string{"-F _wazo_servicekit wazo-servicekit\n", "subcommand: update\n", "flag: --check\n"} {
		if !strings.Contains(comp, want) {
			t.Errorf("bash completion: no %q in:\n%s", want, comp)
		}
	}
	// new, then make test, with no checkout, no module proxy, an empty module cache.
	out := c.must(t, "sh", "-c", "rm -rf /root/pkgnew && mkdir /root/pkgnew && cd /root/pkgnew && wazo-servicekit new wazo-pkgcheckd")
	if !strings.Contains(out, "kit: the installed package's sources, /usr/share/gocode/src/github.com/wazo-platform/wazo-servicekit") {
		t.Errorf("new did not use the installed kit:\n%s", out)
	}
	test, err := c.run("sh", "-c", "cd /root/pkgnew/wazo-pkgcheckd && GOPROXY=off GOMODCACHE=/root/pkgnew/modcache make test 2>&1")
	if err != nil {
		t.Fatalf("make test of the repository new wrote, offline: %v\n%s", err, test)
	}
	if !strings.Contains(test, "ok  \tgithub.com/wazo-platform/wazo-pkgcheckd") {
		t.Errorf("make test ran no package test:\n%s", test)
	}
	t.Logf("make test of a repository made by the packaged CLI:\n%s", test)
	c.must(t, "rm", "-rf", "/root/pkgnew")
}
