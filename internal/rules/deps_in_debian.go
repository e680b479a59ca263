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
// it (debiandata/DIST-python3.tsv) or is a Wazo Platform library
// (github.com/wazo-platform archive).
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
					msg += " nor, as far as can be seen, by Wazo: run with --siblings DIR holding the wazo-*-packaging checkouts"
				} else {
					msg += " nor by a wazo-*-packaging checkout in " + env.Siblings
				}
				out = append(out, fail(d.path, d.line, msg))
			}
			if len(out) == 0 {
				out = append(out, pass(fmt.Sprintf("all %d direct dependencies of %s are in %s or Wazo", len(deps), manifest, env.Debian.Dist)))
			}
			return out
		},
	}
}
