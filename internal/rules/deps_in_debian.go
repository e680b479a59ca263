package rules

import (
	"fmt"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// depsInDebian: every dependency is packaged in the target Debian
// distribution (or by Wazo).
//
// Static, at the version level: each direct requirement's pinned version
// (go.mod, requirements.txt ==) is the upstream version of the package
// the target distribution ships (debiandata/DIST-*.tsv; the latest stable
// unless check --dist says otherwise; found by name, name with dots, or
// the python3-* binary the package's Depends names), or the VERSION of the
// wazo-*-packaging sibling checkout that packages it; an unpinned one needs
// the package at any version. Wazo's own libraries count as available.
// Without --siblings, a dependency Debian lacks at that version is unknown:
// whether Wazo packages it cannot be seen.
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
			for _, d := range deps {
				if d.wazo {
					continue // Wazo's own libraries come from Wazo's repositories
				}
				pinned := d.op == "==" || d.op == "==="
				pin := strings.TrimPrefix(d.version, "v")
				switch {
				case !pinned && (d.debian != "" || d.wazoPkg != ""):
					continue // any version: the package is there
				case pinned && d.debian != "" && upstreamOf(d.debian) == pin:
					continue
				case pinned && d.wazoPkg != "" && d.wazoVersion == pin:
					continue
				}
				what := d.name + " is not packaged"
				if pinned {
					what += " at " + pin
				}
				var has []string
				if d.debian != "" {
					has = append(has, fmt.Sprintf("%s ships %s (%s)", env.Debian.Dist, upstreamOf(d.debian), d.debianPkg))
				} else {
					has = append(has, env.Debian.Dist.String()+" does not package it")
				}
				if d.wazoPkg != "" {
					has = append(has, fmt.Sprintf("%s ships %s", d.wazoPkg, d.wazoVersion))
				}
				msg := fmt.Sprintf("%s: %s", what, strings.Join(has, "; "))
				if d.wazoPkg == "" && env.Siblings == "" {
					// Whether Wazo packages it lives in its wazo-*-packaging
					// repository: not seen, so not judged.
					out = append(out, unknown(msg+"; whether Wazo packages it is not seen: run with --siblings DIR holding the wazo-*-packaging checkouts"))
					continue
				}
				if d.wazoPkg == "" {
					msg += "; no wazo-*-packaging checkout in " + env.Siblings + " packages it"
				}
				out = append(out, fail(d.path, d.line, msg))
			}
			if len(out) == 0 {
				out = append(out, pass(fmt.Sprintf("every direct dependency of %s is available at its pinned version in %s or from Wazo (index of Debian %s)", manifest, env.Debian.Dist, env.Debian.Release)))
			}
			return out
		},
	}
}
