package rules

import (
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
	"github.com/wazo-platform/wazo-servicekit/internal/service"
)

// touchPointsListed: the repositories around a service's own know it:
// xivo-build-tools builds its source package, wazo-sdk can mount it on a
// development host.
//
// Static (with --siblings): xivo-build-tools/etc/xivo-build-tools/packages
// names the source package (debian/control's Source) on a line of its own,
// and wazo-sdk/project.yml has an entry for it. No live probe: these are
// development repositories, not installed files.
func touchPointsListed() Rule {
	return Rule{
		ID:        "touch-points-listed",
		Title:     "xivo-build-tools builds the package and wazo-sdk knows the project",
		Checklist: "Wazo practice, beyond the checklist: the build list and the SDK's project list",
		Severity:  Info,
		Tags:      []string{TagPractice},
		Rationale: "Wazo's build machines build the source packages xivo-build-tools lists, and `wdk mount` works only for the projects " +
			"of wazo-sdk's project.yml: a service missing from either is never built or developed like the others.",
		Remediation: "Apply the xivo-build-tools and wazo-sdk patches `wazo-servicekit new` writes (sibling-patches/), or add the source " +
			"package's name to etc/xivo-build-tools/packages (in name order) and an entry to wazo-sdk's project.yml.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			pf := factsOf(env, s).Platform
			return []Finding{
				touchPoint("xivo-build-tools' build list", pf.BuildList, "the build machines do not build it"),
				touchPoint("wazo-sdk's project entry", pf.SDKProject, "`wdk mount` does not know it"),
			}
		},
	}
}

// touchPoint judges one list of the platform: the line naming the source
// package passes, a list that lacks it (or is gone) fails saying so.
func touchPoint(fact string, l service.Listed, consequence string) Finding {
	switch {
	case !l.Known():
		return unknownFact(fact, l.Unknown)
	case !l.Found():
		return fail("", 0, l.Source+": "+consequence)
	}
	return pass(l.Lines[0].Source + " lists " + l.Lines[0].Value)
}
