package rules

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

var compatRe = regexp.MustCompile(`debhelper-compat\s*\(\s*=\s*(\d+)\s*\)`)

// debianPackaging: the source builds a Debian package with today's tools.
//
// Static: debian/control, rules, changelog and source/format exist; the
// debhelper compat level is 12 or more; Build-Depends has dh-golang and
// golang-go for a Go service, dh-python for a Python one; a Go package is
// Architecture: any.
func debianPackaging() Rule {
	return Rule{
		ID:        "debian-packaging",
		Title:     "The source carries Debian packaging buildable on Debian stable",
		Checklist: "The service has packaging instructions for the latest Debian stable",
		Severity:  Error,
		Rationale: "Wazo ships as Debian packages; dh_installsystemd, dh-golang and dh-python are what make install, upgrade and " +
			"dependency pinning behave (see the other rules).",
		Remediation: "Add debian/{control,rules,changelog,source/format}; Build-Depends: debhelper-compat (= 13), dh-golang, golang-go " +
			"(Go) or dh-python, python3-all (Python).",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			var out []Finding
			for _, f := range []string{"debian/control", "debian/rules", "debian/changelog", "debian/source/format"} {
				if !s.Debian[f] {
					out = append(out, fail(f, 0, f+" is missing"))
				}
			}
			if len(env.Repo.Control) == 0 {
				return out
			}
			src := env.Repo.Control[0]
			bd := src.Get("Build-Depends") + "," + src.Get("Build-Depends-Arch") + "," + src.Get("Build-Depends-Indep")
			level := 0
			if m := compatRe.FindStringSubmatch(bd); m != nil {
				level, _ = strconv.Atoi(m[1])
			} else if c, ok := env.Repo.Files["debian/compat"]; ok {
				level, _ = strconv.Atoi(strings.TrimSpace(string(c)))
			}
			if level < 12 {
				out = append(out, fail("debian/control", src.Line("Build-Depends"), fmt.Sprintf("debhelper compat level %d: want 12 or more (debhelper-compat (= 13))", level)))
			}
			names := parse.DependsNames(bd)
			switch s.Language {
			case "go":
				for _, need := range []string{"dh-golang", "golang-go"} {
					alt := map[string]string{"dh-golang": "dh-sequence-golang", "golang-go": "golang-any"}[need]
					if !contains(names, need) && !contains(names, alt) {
						out = append(out, fail("debian/control", src.Line("Build-Depends"), "Build-Depends lacks "+need+" (or "+alt+")"))
					}
				}
				if a := s.Control.Get("Architecture"); a != "any" {
					out = append(out, fail("debian/control", s.Control.Line("Architecture"), fmt.Sprintf("Architecture is %q: a Go binary is `any`", a)))
				}
			case "python":
				if !contains(names, "dh-python") && !contains(names, "dh-sequence-python3") {
					out = append(out, fail("debian/control", src.Line("Build-Depends"), "Build-Depends lacks dh-python"))
				}
			}
			if len(out) == 0 {
				out = append(out, pass(fmt.Sprintf("debian/ complete, compat %d, %s toolchain", level, s.Language)))
			}
			return out
		},
	}
}
