package rules

import (
	"fmt"
	"github.com/wazo-platform/wazo-servicekit/internal/lazyre"
	"strconv"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/debiandata"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

var compatRe = lazyre.New(`debhelper-compat\s*\(\s*=\s*(\d+)\s*\)`)

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
			targets := debianTargets(env.Repo)
			var target buildTarget
			if len(targets) > 0 {
				target = targets[0]
			}
			stable := latestStable(env)
			for _, t := range targets {
				if releaseNumber[t.release] > 0 && releaseNumber[t.release] < releaseNumber[stable] {
					out = append(out, fail(t.path, t.line, fmt.Sprintf("the packaging targets Debian %d %q (%s): older than the latest stable, Debian %d %q",
						releaseNumber[t.release], t.release, t.how, releaseNumber[stable], stable)))
				}
			}
			if len(out) == 0 {
				where := "no build target declared (zuul.yaml, Jenkinsfile, Dockerfile, debian/changelog)"
				if target.release != "" {
					where = fmt.Sprintf("targets %s (%s)", target.release, target.how)
				}
				out = append(out, pass(fmt.Sprintf("debian/ complete, compat %d, %s toolchain; %s", level, s.Language, where)))
			}
			return out
		},
	}
}

// releaseNumber maps Debian code names to their major version.
var releaseNumber = map[string]int{"stretch": 9, "buster": 10, "bullseye": 11, "bookworm": 12, "trixie": 13, "forky": 14, "duke": 15}

// DebianRelease is the major version of a Debian code name ("bookworm":
// 12), 0 for a name that is not one: what the fixer of this rule moves
// from and to.
func DebianRelease(codename string) int { return releaseNumber[codename] }

// latestStable is the latest Debian stable, the checklist's target,
// whatever distribution --dist judges the dependencies against.
func latestStable(_ *StaticEnv) string { return debiandata.Latest.Codename }

// buildTarget is the Debian release a repository's packaging is built for,
// and where that was read.
type buildTarget struct {
	release, path, how string
	line               int
}

var (
	zuulTargetRe = lazyre.New(`debian-packaging-([a-z]+)`)
	// Dockerfile instructions are case-insensitive.
	dockerImageRe = lazyre.New(`(?im)^\s*FROM\s+(?:--\S+\s+)*(\S+)`)
	wordRe        = lazyre.New(`[a-z]+`)
)

// debianTargets reads the release everywhere Wazo declares it, most
// authoritative first: the zuul.yaml debian-packaging-<release> job
// templates, the Jenkinsfile, the Dockerfile's base image, the top
// debian/changelog entry's distribution (wazo-dev-<release>). A source
// naming several releases (one build per distribution) targets the newest
// of them. Each must be the latest stable.
func debianTargets(r *repo.Repo) []buildTarget {
	var out []buildTarget
	newest := func(file, how string, data []byte, names []string) (buildTarget, bool) {
		best := ""
		for _, n := range names {
			if releaseNumber[n] > releaseNumber[best] {
				best = n
			}
		}
		if best == "" {
			return buildTarget{}, false
		}
		return buildTarget{best, file, fmt.Sprintf(how, best), lineOf(data, best)}, true
	}
	if data, ok := r.Files["zuul.yaml"]; ok {
		if t, ok := newest("zuul.yaml", "zuul.yaml job template debian-packaging-%s", data, firstGroups(zuulTargetRe, data)); ok {
			out = append(out, t)
		}
	}
	if data, ok := r.Files["Jenkinsfile"]; ok {
		if t, ok := newest("Jenkinsfile", "Jenkinsfile names %s", data, wordRe.FindAllString(string(data), -1)); ok {
			out = append(out, t)
		}
	}
	if data, ok := r.Files["Dockerfile"]; ok {
		if t, ok := newest("Dockerfile", "Dockerfile base image on %s", data, imageTagWords(firstGroups(dockerImageRe, data))); ok {
			out = append(out, t)
		}
	}
	if data, ok := r.Files["debian/changelog"]; ok {
		first, _, _ := strings.Cut(string(data), "\n")
		if _, after, ok := strings.Cut(first, ")"); ok {
			dist := strings.TrimSuffix(strings.Fields(after + " ;")[0], ";")
			if t, ok := newest("debian/changelog", "debian/changelog distribution "+strings.ReplaceAll(dist, "%", "%%")+" (%s)", data, wordRe.FindAllString(dist, -1)); ok {
				t.line = 1
				out = append(out, t)
			}
		}
	}
	return out
}

// imageTagWords returns the words of the tags of image references
// (debian:buster-slim, python:3.11-slim-bookworm, node:18-bookworm-slim),
// where a release codename may stand in any place; a digest and the
// registry's host and port are not the tag.
func imageTagWords(images []string) []string {
	var out []string
	for _, img := range images {
		ref, _, _ := strings.Cut(img, "@")
		if _, tag, ok := ImageTag(ref); ok {
			out = append(out, wordRe.FindAllString(tag, -1)...)
		}
	}
	return out
}

// ImageTag splits an image reference without its digest
// (registry.example:5000/node:18-bookworm-slim) into its name and its tag;
// ok is false when it has no tag (the colon of a registry's port is not
// one).
func ImageTag(ref string) (name, tag string, ok bool) {
	slash, colon := strings.LastIndex(ref, "/"), strings.LastIndex(ref, ":")
	if colon <= slash {
		return ref, "", false
	}
	return ref[:colon], ref[colon+1:], true
}

// firstGroups returns the first capture group of every match of re.
func firstGroups(re *lazyre.Regexp, data []byte) []string {
	var out []string
	for _, m := range re.FindAllSubmatch(data, -1) {
		out = append(out, string(m[1]))
	}
	return out
}
