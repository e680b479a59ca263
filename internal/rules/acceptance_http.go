package rules

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// acceptanceHTTP: wazo-acceptance calls the API through nginx daily.
//
// Static (with --siblings): wazo-acceptance's features/daily/http.feature
// (formerly data/features/daily/http/http.feature) has a /api/<name>/ row.
func acceptanceHTTP() Rule {
	return Rule{
		ID:          "acceptance-http",
		Title:       "wazo-acceptance's http.feature reaches /api/<name>/",
		Checklist:   "Add an entry to the acceptance test: daily/http/http.feature",
		Severity:    Info,
		Rationale:   "The daily acceptance run notices a location that stopped proxying (a 404 through nginx).",
		Remediation: "Add `| GET | /api/<name>/<ver>/status |` to the Examples of wazo-acceptance features/daily/http.feature.",
		static: func(s *repo.Service, env *StaticEnv) []Finding {
			if why, ok := httpReachable(s); !ok {
				return []Finding{fail("", 0, "no HTTP API ("+why+"): nothing for wazo-acceptance's http.feature to reach; the checklist expects an API for every service")}
			}
			var reasons []string
			files := []string{"features/daily/http.feature", "data/features/daily/http/http.feature"}
			missing := 0
			for _, f := range files {
				data, why, ok := sibling(env, "wazo-acceptance", f)
				if !ok {
					reasons = append(reasons, why)
					if siblingFinding(env, "wazo-acceptance", f, why).Status == Fail {
						missing++
					}
					continue
				}
				needle := "/api/" + s.APIName() + "/"
				if !strings.Contains(string(data), needle) {
					return []Finding{fail("", 0, "wazo-acceptance "+f+" has no "+needle+" row")}
				}
				return []Finding{pass(fmt.Sprintf("wazo-acceptance %s:%d has %s", f, lineOf(data, needle), needle))}
			}
			if missing == len(files) {
				return []Finding{fail("", 0, "wazo-acceptance has neither "+strings.Join(files, " nor ")+" (looked in "+filepath.Join(env.Siblings, "wazo-acceptance")+")")}
			}
			return []Finding{unknown(reasons[0])}
		},
	}
}
