package rules

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/probe/parse"
	"github.com/wazo-platform/wazo-servicekit/probe/repo"
)

// dep is one direct dependency, Go or Python, where it is declared and what
// Debian 13 has for it.
type dep struct {
	name, version, op string
	path              string
	line              int
	wazo              bool   // a Wazo Platform library (GitHub archive URL)
	debian            string // Debian version, "" when not packaged
	debianPkg         string
}

// directDeps lists the service's direct dependencies with their Debian
// counterpart: go.mod requires without "// indirect", requirements.txt lines.
func directDeps(s *repo.Service, env *StaticEnv) (deps []dep, manifest string) {
	if s.GoMod != nil {
		for _, r := range s.GoMod.Entries {
			if r.Indirect {
				continue
			}
			d := dep{name: r.Path, version: r.Version, op: "==", path: s.GoMod.Path, line: r.Line}
			if e, ok := env.Debian.GoModule(r.Path); ok {
				d.debian, d.debianPkg = e.Version, e.Source
			}
			deps = append(deps, d)
		}
		return deps, s.GoMod.Path
	}
	if s.Reqs != nil {
		for _, r := range s.Reqs.Entries {
			d := dep{name: r.Name, version: r.Version, op: r.Op, path: s.Reqs.Path, line: r.Line}
			if r.URL != "" {
				// Wazo's own libraries, from their GitHub archives (wazo-pbx is
				// the organisation's former name).
				d.wazo = strings.Contains(r.URL, "github.com/wazo-platform/") || strings.Contains(r.URL, "github.com/wazo-pbx/")
				if d.name == "" {
					d.name = r.URL
				}
			} else if e, ok := env.Debian.Python(parse.NormalizePyName(r.Name)); ok {
				d.debian, d.debianPkg = e.Version, e.Name
			}
			deps = append(deps, d)
		}
		return deps, s.Reqs.Path
	}
	return nil, ""
}

// missingFromDebian are the dependencies neither Debian 13 nor Wazo Platform packages.
func missingFromDebian(deps []dep) []dep {
	var out []dep
	for _, d := range deps {
		if d.debian == "" && !d.wazo {
			out = append(out, d)
		}
	}
	return out
}

func noManifest(s *repo.Service) []Finding {
	return []Finding{unknown("no go.mod or requirements.txt at the repository root: nothing to compare with Debian")}
}

// depsInDebian: every dependency is packaged in Debian 13 (or by Wazo).
//
// Static: each direct go.mod requirement is a Go import path packaged in
// trixie (debiandata/trixie-go.tsv); each requirements.txt entry has a
// python3-* package in trixie (debiandata/trixie-python3.tsv) or is a Wazo
// Platform library (github.com/wazo-platform archive).
func depsInDebian() Rule {
	return Rule{
		ID:        "deps-in-debian",
		Title:     "Every dependency is packaged in Debian stable or by Wazo",
		Checklist: "The versions of the service dependencies are available as Debian packages in Debian stable or Wazo Platform",
		Severity:  Error,
		Rationale: "The .deb is built from Debian's packaged sources (dh-golang in GOPATH mode, python3-* Depends): a dependency Debian " +
			"lacks breaks the package build, whatever go.mod or pip say.",
		Remediation: "Replace the dependency by one packaged in Debian 13 (see debiandata/), or package it in a " +
			"wazo-<name>-packaging repository.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			deps, manifest := directDeps(s, env)
			if manifest == "" {
				return noManifest(s)
			}
			var out []Finding
			for _, d := range missingFromDebian(deps) {
				out = append(out, fail(d.path, d.line, d.name+" is not packaged in Debian 13 (index of Debian "+env.Debian.Release+")"))
			}
			if len(out) == 0 {
				out = append(out, pass(fmt.Sprintf("all %d direct dependencies of %s are in Debian 13 or Wazo", len(deps), manifest)))
			}
			return out
		},
	}
}

// depsPinnedToDebian: versions equal Debian 13's.
//
// Static: each go.mod direct requirement's version is v<upstream> of the
// Debian package; each requirements.txt entry packaged in Debian is pinned
// `==` to the Debian upstream version (the same comparison as the project's
// before-stop hook).
func depsPinnedToDebian() Rule {
	return Rule{
		ID:          "deps-pinned-to-debian",
		Title:       "Dependency versions equal Debian stable's",
		Checklist:   "requirements.txt pins package versions equal to Debian packages",
		Severity:    Error,
		Rationale:   "Tests run against the pinned versions while the package runs against Debian's: any difference is untested code in production.",
		Remediation: "Pin each dependency to the upstream part of its Debian 13 version (go get mod@v<version>, or name==<version> in requirements.txt).",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			deps, manifest := directDeps(s, env)
			if manifest == "" {
				return noManifest(s)
			}
			var out []Finding
			n := 0
			for _, d := range deps {
				if d.debian == "" {
					continue // deps-in-debian reports it
				}
				n++
				up := strings.TrimPrefix(d.version, "v")
				want := upstreamOf(d.debian)
				switch {
				case d.op != "==" && d.op != "===":
					out = append(out, fail(d.path, d.line, fmt.Sprintf("%s is not pinned (%s%s); Debian 13 has %s (%s)", d.name, d.op, d.version, want, d.debianPkg)))
				case up != want:
					out = append(out, fail(d.path, d.line, fmt.Sprintf("%s %s; Debian 13 has %s (%s %s)", d.name, d.version, want, d.debianPkg, d.debian)))
				}
			}
			if len(out) == 0 {
				out = append(out, pass(fmt.Sprintf("%d dependencies of %s pinned at Debian 13's versions", n, manifest)))
			}
			return out
		},
	}
}

// depsWazoPackaging: what Debian lacks is packaged by Wazo.
//
// Static (with --siblings when needed): every dependency missing from
// Debian has a wazo-python-<name>-packaging or wazo-<name>-packaging
// checkout in the siblings directory. Passes when nothing is missing.
func depsWazoPackaging() Rule {
	return Rule{
		ID:          "deps-wazo-packaging",
		Title:       "Dependencies Debian lacks are packaged in a wazo-*-packaging repository",
		Checklist:   "If a package is not available in Debian, we need to package the version in our repo like the other wazo-<name_dependencies>-packaging.",
		Severity:    Info,
		Rationale:   "Wazo's own packaging repositories (wazo-python-pyfcm-packaging...) are how a non-Debian dependency reaches a Wazo host.",
		Remediation: "Create wazo-platform/wazo-python-<name>-packaging (VERSION + debian/) for each dependency Debian 13 lacks.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			deps, manifest := directDeps(s, env)
			if manifest == "" {
				return noManifest(s)
			}
			missing := missingFromDebian(deps)
			if len(missing) == 0 {
				return []Finding{pass("every dependency is in Debian 13 or Wazo Platform: nothing to package")}
			}
			if env.Siblings == "" {
				return []Finding{unknown(fmt.Sprintf("%d dependencies are not in Debian; run with --siblings DIR holding the wazo-*-packaging checkouts", len(missing)))}
			}
			var out []Finding
			for _, d := range missing {
				short := parse.NormalizePyName(d.name[strings.LastIndex(d.name, "/")+1:])
				found := false
				for _, cand := range []string{"wazo-python-" + short + "-packaging", "wazo-" + short + "-packaging", "wazo-golang-" + short + "-packaging"} {
					if st, err := os.Stat(filepath.Join(env.Siblings, cand)); err == nil && st.IsDir() {
						found = true
					}
				}
				if !found {
					out = append(out, fail(d.path, d.line, fmt.Sprintf("%s is not in Debian and no wazo-*-%s-packaging checkout is in %s", d.name, short, env.Siblings)))
				}
			}
			if len(out) == 0 {
				out = append(out, pass(fmt.Sprintf("%d non-Debian dependencies have a wazo-*-packaging repository", len(missing))))
			}
			return out
		},
	}
}
