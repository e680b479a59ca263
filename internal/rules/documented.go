package rules

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// documented: wazo-platform.org documents the service.
//
// Static (with --siblings): wazo-platform.org has a page of the service in
// one of the trees the site is built from: the API module
// content/<api-name>/ (production site), website/docs/api/<service>/ (beta
// site), or a page website/uc-doc/system/<service>.md or <service>/. The
// pass says whether configuration_files.md and log_files.md mention it too.
// Unknown without the checkout.
func documented() Rule {
	return Rule{
		ID:        "documented",
		Title:     "wazo-platform.org documents the service",
		Checklist: "The service is documented on wazo-platform.org",
		Severity:  Info,
		Rationale: "Operators find config files, logs and the API through wazo-platform.org; an undocumented daemon is a surprise on their host.",
		Remediation: "In wazo-platform.org add content/<api-name>/description.md (and the module in content/sections.yaml), " +
			"website/docs/api/<service>/description.md, or a website/uc-doc/system/<service>.md page.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			if env.Siblings == "" {
				return []Finding{unknown("lives in wazo-platform.org; run with --siblings DIR holding a wazo-platform.org/ checkout")}
			}
			root := filepath.Join(env.Siblings, "wazo-platform.org")
			if st, err := os.Stat(root); err != nil || !st.IsDir() {
				return []Finding{unknown("no wazo-platform.org/ checkout in " + env.Siblings)}
			}
			pages := []string{"website/docs/api/" + s.Name, "website/uc-doc/system/" + s.Name + ".md", "website/uc-doc/system/" + s.Name}
			if api := s.APIName(); packagingNameRe.MatchString(api) {
				// A crafted x-xivo-name or location is never a path.
				pages = append([]string{"content/" + api}, pages...)
			}
			var found []string
			for _, p := range pages {
				if _, err := os.Lstat(filepath.Join(root, filepath.FromSlash(p))); err == nil {
					found = append(found, p)
				}
			}
			if len(found) == 0 {
				return []Finding{fail("", 0, "wazo-platform.org has no page for "+s.Name+": looked for "+strings.Join(pages, ", "))}
			}
			var ev []string
			for _, page := range []struct{ file, needle string }{
				{"website/uc-doc/system/configuration_files.md", "/etc/" + s.Name},
				{"website/uc-doc/system/log_files.md", logFile(s)},
			} {
				if data, _, ok := sibling(env, "wazo-platform.org", page.file); ok && !strings.Contains(string(data), page.needle) {
					ev = append(ev, page.file+" does not mention "+page.needle)
				}
			}
			return []Finding{pass("wazo-platform.org documents it: "+strings.Join(found, ", "), ev...)}
		},
	}
}
