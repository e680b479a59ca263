package rules

import (
	"strconv"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// filesParse: the packaging and config files the service ships parse.
//
// Static: every shipped YAML (config.yml, api.yml) and go.mod parses; a
// file that does not is reported with its line, since the other rules then
// read nothing from it.
func filesParse() Rule {
	return Rule{
		ID:          "files-parse",
		Title:       "Shipped config, api.yml and manifests parse",
		Checklist:   "The service has packaging instructions for the latest Debian stable",
		Severity:    Error,
		Rationale:   "A config.yml that does not parse stops the daemon at start-up (wazo-servicekit daemons refuse it, xivo ones drop it silently).",
		Remediation: "Fix the syntax at the line given.",
		static: func(_ *repo.Service, env *StaticEnv) []Finding {
			if len(env.Repo.Problems) == 0 {
				return []Finding{pass("every YAML file and go.mod read parses")}
			}
			var out []Finding
			for _, p := range env.Repo.Problems {
				path, line := splitPathLine(p)
				out = append(out, fail(path, line, p))
			}
			return out
		},
	}
}

// splitPathLine extracts "path:line" from an error like "etc/x/config.yml:3: ..."
// or "path: yaml: line 3: ...".
func splitPathLine(msg string) (string, int) {
	head, rest, _ := strings.Cut(msg, ":")
	rest = strings.TrimSpace(rest)
	if n, _, ok := strings.Cut(rest, ":"); ok {
		if l, err := strconv.Atoi(n); err == nil {
			return head, l
		}
	}
	if i := strings.Index(rest, "line "); i >= 0 {
		num := rest[i+5:]
		if j := strings.IndexFunc(num, func(r rune) bool { return r < '0' || r > '9' }); j > 0 {
			num = num[:j]
		}
		if l, err := strconv.Atoi(num); err == nil {
			return head, l
		}
	}
	return head, 0
}
