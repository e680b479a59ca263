package rules

import (
	"fmt"
	"regexp"

	"github.com/wazo-platform/wazo-servicekit/probe/repo"
)

var basePathRe = regexp.MustCompile(`^/\d+\.\d+$`)

// apiSpec: the service ships a Wazo-style Swagger document.
//
// Static: the api.yml files (merged first-wins, as Wazo merges its plugins'
// specs) declare swagger 2.0 (or openapi 3), info.title/version, basePath
// /<major>.<minor>, x-xivo-name = the package name without wazo- (or without its final
// "d" as well: wazo-doctord publishes "doctor", its ACL prefix), an integer
// x-xivo-port, and some paths. Live: GET /<ver>/api/api.yml on the service's
// port answers that document.
func apiSpec() Rule {
	return Rule{
		ID:        "api-spec",
		Title:     "The service ships a valid Wazo api.yml (basePath, x-xivo-name, x-xivo-port)",
		Checklist: "The OpenAPI/Swagger spec is offered at http://<service_root_api>/<version>/api/api.yml",
		Severity:  Error,
		Rationale: "wazo-platform.org's API browser, nginx's X-Script-Name rewrite and the port registry read these keys; " +
			"the daemon serves the merged document unauthenticated at /<ver>/api/api.yml.",
		Remediation: "Ship an api.yml with `swagger: '2.0'`, info, `basePath: /1.0`, `x-xivo-name: <name>`, `x-xivo-port: <port>` " +
			"and paths (one api.yml per plugin is fine: they are merged).",
		static: func(s *repo.Service, _ *StaticEnv) []Finding {
			if s.API == nil || len(s.API.Files) == 0 {
				return []Finding{fail("", 0, "no api.yml found in the repository")}
			}
			m := s.API.Merged
			at := func(key string) (string, int) { return s.API.Where(key) }
			var out []Finding
			sw, _ := m["swagger"].(string)
			oa, _ := m["openapi"].(string)
			if sw != "2.0" && oa == "" {
				p, l := at("swagger")
				out = append(out, fail(p, l, fmt.Sprintf("swagger is %q: want '2.0' (or an openapi: 3.x document)", sw)))
			}
			info, _ := m["info"].(map[string]any)
			if info["title"] == nil || info["version"] == nil {
				p, l := at("info")
				out = append(out, fail(p, l, "info.title and info.version are required"))
			}
			if bp, _ := m["basePath"].(string); !basePathRe.MatchString(bp) && oa == "" {
				p, l := at("basePath")
				out = append(out, fail(p, l, fmt.Sprintf("basePath is %q: want /<major>.<minor> such as /1.0", bp)))
			}
			if n, _ := m["x-xivo-name"].(string); n != s.Short() && n+"d" != s.Short() {
				p, l := at("x-xivo-name")
				out = append(out, fail(p, l, fmt.Sprintf("x-xivo-name is %q: want %q (the package name without wazo-, or without its final d)", n, s.Short())))
			}
			if _, ok := asInt(m["x-xivo-port"]); !ok {
				p, l := at("x-xivo-port")
				out = append(out, fail(p, l, "x-xivo-port is missing or not an integer"))
			}
			if paths, _ := m["paths"].(map[string]any); len(paths) == 0 {
				p, l := at("paths")
				out = append(out, fail(p, l, "no paths in the merged document"))
			}
			if len(out) == 0 {
				out = append(out, pass(fmt.Sprintf("merged %d api.yml file(s): %v", len(s.API.Files), s.API.Files)))
			}
			return out
		},
		live: liveAPISpec,
	}
}
