package rules

import (
	"fmt"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// depsInDebian: every dependency is packaged in the target Debian
// distribution (or by Wazo).
//
// Static: each direct go.mod requirement is a Go import path packaged in
// the distribution (debiandata/DIST-go.tsv; trixie unless check --dist
// says otherwise); each requirements.txt entry has a python3-* package in
// it (debiandata/DIST-python3.tsv, by its name, its name with dots, or the
// python3-* binary the package's Depends names), is a Wazo Platform library
// (an archive of wazo-platform, wazo-pbx or TinxHQ), or is packaged by a
// wazo-*-packaging sibling checkout. Without --siblings, a dependency
// Debian lacks is unknown: whether Wazo packages it cannot be seen.
func depsInDebian() Rule {
	return Rule{
		ID:        "deps-in-debian",
		Title:     "Every dependency is packaged in Debian stable or by Wazo",
		Checklist: "The versions of the service dependencies are available as Debian packages in Debian stable or Wazo Platform",
		Severity:  Error,
		Rationale: "The .deb is built from Debian's packaged sources (dh-golang in GOPATH mode, python3-* Depends): a dependency Debian " +
			"lacks breaks the package build, whatever go.mod or pip say.",
		Remediation: "Replace the dependency by one packaged in the target Debian distribution (Debian 13 unless --dist says otherwise; see debiandata/), or package it in a " +
			"wazo-<name>-packaging repository.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			deps, manifest := directDeps(s, env)
			if manifest == "" {
				return noManifest(s)
			}
			var out []Finding
			for _, d := range missingFromDebian(deps) {
				msg := d.name + " is not packaged in " + env.Debian.Dist.String() + " (index of Debian " + env.Debian.Release + ")"
				if env.Siblings == "" {
					// Whether Wazo packages it lives in its wazo-*-packaging
					// repository: not seen, so not judged.
					out = append(out, unknown(msg+"; whether Wazo packages it is not seen: run with --siblings DIR holding the wazo-*-packaging checkouts"))
					continue
				}
				out = append(out, fail(d.path, d.line, msg+" nor by a wazo-*-packaging checkout in "+env.Siblings))
			}
			if len(out) == 0 {
				out = append(out, pass(fmt.Sprintf("all %d direct dependencies of %s are in %s or Wazo", len(deps), manifest, env.Debian.Dist)))
			}
			return out
		},
	}
}
