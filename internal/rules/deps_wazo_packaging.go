package rules

import (
	"fmt"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/parse"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

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
		Remediation: "Create wazo-platform/wazo-python-<name>-packaging (VERSION + debian/) for each dependency the target Debian distribution lacks.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			deps, manifest := directDeps(s, env)
			if manifest == "" {
				return noManifest(s)
			}
			var packaged []string
			var out []Finding
			for _, d := range deps {
				if d.wazo || d.debian != "" {
					continue // the condition does not apply: Debian has it by name, or Wazo builds it
				}
				pin := strings.TrimPrefix(d.version, "v")
				pinned := d.op == "==" || d.op == "==="
				switch {
				case d.wazoPkg != "" && (!pinned || d.wazoVersion == pin):
					packaged = append(packaged, d.name+" by "+d.wazoPkg+" "+d.wazoVersion)
				case d.wazoPkg != "":
					out = append(out, fail(d.path, d.line, fmt.Sprintf("%s is not in %s and %s ships %s, not the pinned %s", d.name, env.Debian.Dist, d.wazoPkg, d.wazoVersion, pin)))
				case env.Siblings == "":
					out = append(out, unknown(fmt.Sprintf("%s is not in %s; whether a wazo-*-packaging repository ships it is not seen: run with --siblings DIR holding those checkouts", d.name, env.Debian.Dist)))
				default:
					out = append(out, fail(d.path, d.line, fmt.Sprintf("%s is not in Debian and no wazo-python-%s-packaging (or wazo-%s-packaging) checkout is in %s", d.name, parse.NormalizePyName(d.name), parse.NormalizePyName(d.name), env.Siblings)))
				}
			}
			if len(out) == 0 && len(packaged) == 0 {
				return []Finding{pass("every dependency is in " + env.Debian.Dist.String() + " by name or built by Wazo: the condition does not apply")}
			}
			if len(out) == 0 {
				return []Finding{pass(fmt.Sprintf("the dependencies %s lacks are packaged by Wazo at their pinned versions: %s", env.Debian.Dist, strings.Join(packaged, ", ")))}
			}
			return out
		},
	}
}
