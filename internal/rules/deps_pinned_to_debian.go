package rules

import (
	"fmt"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

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
				if d.wazoPkg != "" && d.wazoVersion != "" && (d.op == "==" || d.op == "===") && strings.TrimPrefix(d.version, "v") == d.wazoVersion {
					continue // packaged by Wazo at the pinned version
				}
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
