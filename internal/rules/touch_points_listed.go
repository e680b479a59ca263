package rules

import (
	"fmt"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
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
			source := s.Name
			if len(env.Repo.Control) > 0 {
				if src := env.Repo.Control[0].Get("Source"); src != "" {
					source = src
				}
			}
			var out []Finding
			if data, why, ok := sibling(env, "xivo-build-tools", "etc/xivo-build-tools/packages"); !ok {
				out = append(out, siblingFinding(env, "xivo-build-tools", "etc/xivo-build-tools/packages", why))
			} else if line := listedLine(data, source); line == 0 {
				out = append(out, fail("", 0, "xivo-build-tools/etc/xivo-build-tools/packages does not list "+source+": the build machines do not build it"))
			} else {
				out = append(out, pass(fmt.Sprintf("xivo-build-tools/etc/xivo-build-tools/packages:%d lists %s", line, source)))
			}
			if data, why, ok := sibling(env, "wazo-sdk", "project.yml"); !ok {
				out = append(out, siblingFinding(env, "wazo-sdk", "project.yml", why))
			} else {
				var projects map[string]any
				switch err := parse.DecodeYAML("wazo-sdk/project.yml", data, &projects); {
				case err != nil:
					out = append(out, unknown("wazo-sdk/project.yml does not parse: "+err.Error()))
				case projects[source] == nil && !hasKey(projects, source):
					out = append(out, fail("", 0, "wazo-sdk/project.yml has no "+source+" entry: `wdk mount` does not know it"))
				default:
					out = append(out, pass("wazo-sdk/project.yml has a "+source+" entry"))
				}
			}
			return out
		},
	}
}

// listedLine is the 1-based line of name alone on a line, 0 if absent.
func listedLine(data []byte, name string) int {
	for i, l := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(l) == name {
			return i + 1
		}
	}
	return 0
}

func hasKey(m map[string]any, k string) bool { _, ok := m[k]; return ok }
