package rules

import (
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
			row := factsOf(env, s).Platform.AcceptanceHTTP
			switch {
			case !row.Known():
				return []Finding{unknownFact("wazo-acceptance's http.feature row", row.Unknown)}
			case !row.Found():
				return []Finding{fail("", 0, row.Source)}
			}
			return []Finding{pass(row.Lines[0].Source + " has " + row.Lines[0].Value)}
		},
	}
}
