package rules

import (
	"fmt"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// maintainerScripts: the postinst stops at the first failing step and the
// package depends on the tools it calls.
//
// Static: the postinst runs under `set -e` (or `#!/bin/sh -e`), and a
// postinst calling adduser has adduser in Depends (or Pre-Depends). These
// are Debian policy and lint: they do not decide whether the service is
// installed correctly (installs-cleanly), so they are a rule of their own.
func maintainerScripts() Rule {
	return Rule{
		ID:        "maintainer-scripts",
		Title:     "The postinst stops on errors and its tools are in Depends",
		Checklist: "Wazo practice, beyond the checklist: maintainer scripts follow Debian policy (set -e, Depends on the tools they call)",
		Severity:  Info,
		Tags:      []string{TagPractice},
		Rationale: "A postinst without set -e goes on after a failed step and leaves a half-configured package marked configured; " +
			"adduser is not Essential, so a postinst calling it needs Depends: adduser.",
		Remediation: "Start debian/<service>.postinst with `#!/bin/sh` and `set -e`; add adduser to the package's Depends.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			if s.Postinst == nil {
				return []Finding{pass("no postinst: nothing to judge")}
			}
			var out []Finding
			if !setE(s.Postinst.Commands, env.Repo.Files[s.Postinst.Path]) {
				out = append(out, fail(s.Postinst.Path, 1, "the postinst does not `set -e` (nor `#!/bin/sh -e`): a failing step goes unnoticed"))
			}
			if createUser(s, "") != nil && !contains(parse.DependsNames(s.Control.Get("Depends")), "adduser") && !contains(parse.DependsNames(s.Control.Get("Pre-Depends")), "adduser") {
				out = append(out, fail("debian/control", s.Control.Line("Package"), "the postinst calls adduser but Depends lacks adduser"))
			}
			if len(out) == 0 {
				out = append(out, pass(fmt.Sprintf("%s runs under set -e; its tools are in Depends", s.Postinst.Path)))
			}
			return out
		},
	}
}

// setE reports whether a shell script stops at the first failing command.
func setE(cmds []parse.Command, data []byte) bool {
	first, _, _ := strings.Cut(string(data), "\n")
	if strings.HasPrefix(first, "#!") && strings.Contains(first, " -e") {
		return true
	}
	for _, c := range cmds {
		if c.Name() == "set" {
			for _, a := range c.Args[1:] {
				if strings.HasPrefix(a, "-") && strings.Contains(a, "e") {
					return true
				}
			}
		}
	}
	return false
}
