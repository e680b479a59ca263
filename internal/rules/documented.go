package rules

import (
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
			docs := factsOf(env, s).Docs
			switch {
			case !docs.Known():
				return []Finding{unknownFact("the documentation pages", docs.Unknown)}
			case len(docs.Value) == 0:
				return []Finding{fail("", 0, "wazo-platform.org has no page or section for "+s.Name+" ("+docs.Source+"); a row of the ports table alone does not count")}
			}
			var found []string
			for _, d := range docs.Value {
				found = append(found, d.Value+" ("+d.Source+")")
			}
			return []Finding{pass("wazo-platform.org documents it: " + strings.Join(found, ", "))}
		},
	}
}
