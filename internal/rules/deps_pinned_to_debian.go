package rules

import (
	"fmt"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// depsPinnedToDebian: versions equal the target Debian distribution's.
//
// Static: each go.mod direct requirement's version is v<upstream> of the
// Debian package; each requirements.txt entry packaged in Debian is pinned
// `==` to the Debian upstream version (debiandata.UpstreamVersion).
func depsPinnedToDebian() Rule {
	return Rule{
		ID:          "deps-pinned-to-debian",
		Title:       "Dependency versions equal Debian stable's",
		Checklist:   "requirements.txt pins package versions equal to Debian packages",
		Severity:    Error,
		Rationale:   "Tests run against the pinned versions while the package runs against Debian's: any difference is untested code in production.",
		Remediation: "Pin each dependency to the upstream part of its version in the target Debian distribution (Debian 13 unless --dist says otherwise) (go get mod@v<version>, or name==<version> in requirements.txt).",
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
					out = append(out, fail(d.path, d.line, fmt.Sprintf("%s is not pinned (%s%s); %s has %s (%s)", d.name, d.op, d.version, env.Debian.Dist, want, d.debianPkg)))
				case up != want:
					out = append(out, fail(d.path, d.line, fmt.Sprintf("%s %s; %s has %s (%s %s)", d.name, d.version, env.Debian.Dist, want, d.debianPkg, d.debian)))
				}
			}
			if len(out) == 0 {
				out = append(out, pass(fmt.Sprintf("%d dependencies of %s pinned at %s's versions", n, manifest, env.Debian.Dist)))
			}
			return out
		},
	}
}
