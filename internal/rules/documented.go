package rules

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// documented: wazo-platform.org documents the service.
//
// Static (with --siblings): wazo-platform.org has website/docs/api/<service>/
// and the configuration_files.md and log_files.md pages mention the
// service's /etc/<service> and log file. Unknown without the checkout.
func documented() Rule {
	return Rule{
		ID:        "documented",
		Title:     "wazo-platform.org documents the service, its config and its log",
		Checklist: "The service is documented on wazo-platform.org",
		Severity:  Info,
		Rationale: "Operators find config files, logs and the API through wazo-platform.org; an undocumented daemon is a surprise on their host.",
		Remediation: "In wazo-platform.org add website/docs/api/<service>/description.md and a section in " +
			"website/uc-doc/system/configuration_files.md and log_files.md.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			if _, why, ok := sibling(env, "wazo-platform.org", "README.md"); !ok && !strings.Contains(why, "cannot read") {
				return []Finding{unknown(why)}
			}
			var out []Finding
			apiDir := filepath.Join(env.Siblings, "wazo-platform.org", "website", "docs", "api", s.Name)
			if st, err := os.Stat(apiDir); err != nil || !st.IsDir() {
				out = append(out, fail("", 0, "wazo-platform.org has no website/docs/api/"+s.Name+"/"))
			}
			for _, page := range []struct{ file, needle string }{
				{"website/uc-doc/system/configuration_files.md", "/etc/" + s.Name},
				{"website/uc-doc/system/log_files.md", logFile(s)},
			} {
				data, why, ok := sibling(env, "wazo-platform.org", page.file)
				switch {
				case !ok:
					out = append(out, unknown(why))
				case !strings.Contains(string(data), page.needle):
					out = append(out, fail("", 0, "wazo-platform.org "+page.file+" does not mention "+page.needle))
				}
			}
			if len(out) == 0 {
				out = append(out, pass("API page, configuration and log sections found in wazo-platform.org"))
			}
			return out
		},
	}
}
