package rules

import (
	"fmt"
	"github.com/wazo-platform/wazo-servicekit/internal/lazyre"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
)

// basePathRe: the API version is the base path's last segment (/1.0, or
// /api/provd/0.2 for a daemon that serves under its proxy prefix).
var basePathRe = lazyre.New(`^(/[^/\s]+)*/\d+\.\d+$`)

// apiSpec: the service ships a Wazo-style Swagger document.
//
// Static: the api.yml files (merged first-wins, as Wazo merges its plugins'
// specs) declare swagger 2.0 (or openapi 3), info.title/version, basePath
// /<major>.<minor>, x-xivo-name = the package name without wazo- (or without its final
// "d" as well: wazo-doctord publishes "doctor", its ACL prefix), an integer
// x-xivo-port, and some paths. Live: GET /<ver>/api/api.yml on the model's
// REST API port (the installed config or the code's defaults) answers that
// document.
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
				if why, rest := restAPI(s); !rest {
					return []Finding{fail("", 0, "listens on no REST API ("+why+"): no api.yml is served; the checklist expects an API for every service")}
				}
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
			if n, _ := m["x-xivo-name"].(string); n == "" {
				p, l := at("x-xivo-name")
				out = append(out, fail(p, l, fmt.Sprintf("no x-xivo-name: the document does not say which service it describes (%q for this package)", s.Short())))
			}
			if _, ok := intList(m["x-xivo-port"]); !ok {
				p, l := at("x-xivo-port")
				out = append(out, fail(p, l, "x-xivo-port is missing or neither a port nor a list of ports"))
			}
			if paths, _ := m["paths"].(map[string]any); len(paths) == 0 {
				p, l := at("paths")
				out = append(out, fail(p, l, "no paths in the merged document"))
			}
			if en, ok := s.Setting("enabled_plugins", "api"); ok && en.Value == false && servedByAPIPlugin(s.API.Files) {
				out = append(out, fail(en.Path, en.Line, fmt.Sprintf("the api plugin, which serves /<version>/api/api.yml, is shipped disabled (enabled_plugins.api: false at %s:%d): the spec is not served by default", en.Path, en.Line)))
			}
			if len(out) == 0 {
				out = append(out, pass(fmt.Sprintf("merged %d api.yml file(s): %v", len(s.API.Files), s.API.Files)))
			}
			return out
		},
		live: liveAPISpec,
	}
}

func liveAPISpec(s *LiveService, env *LiveEnv) []Finding {
	port, source, known := s.apiPort()
	switch {
	case !known:
		return []Finding{unknownFact("the REST API's port", source)}
	case port == 0:
		return []Finding{fail("/etc/"+s.Name+"/config.yml", 0, "listens on no HTTP port ("+source+"): the checklist expects an API for every service")}
	}
	if !s.Host.Live {
		return []Finding{notLive(s, "api.yml on port "+fmt.Sprint(port))}
	}
	doc, u, err := fetchSpec(env, env.HTTP, fmt.Sprintf("http://127.0.0.1:%d", port))
	if err != nil {
		return []Finding{fail("", 0, fmt.Sprintf("GET %s: %v", u, err))}
	}
	var out []Finding
	if p, ok := asInt(doc["x-xivo-port"]); !ok || p != port {
		out = append(out, fail("", 0, fmt.Sprintf("%s: x-xivo-port %v, but the daemon listens on %d", u, doc["x-xivo-port"], port)))
	}
	if n, _ := doc["x-xivo-name"].(string); n == "" {
		out = append(out, fail("", 0, u+": no x-xivo-name"))
	}
	if sw, _ := doc["swagger"].(string); sw != "2.0" && doc["openapi"] == nil {
		out = append(out, fail("", 0, u+": not a swagger 2.0 / openapi document"))
	}
	if len(out) == 0 {
		out = append(out, pass(fmt.Sprintf("%s serves api.yml with x-xivo-port %d, x-xivo-name %v", u, port, doc["x-xivo-name"])))
	}
	return out
}

// servedByAPIPlugin reports whether the spec is a plugin-based service's,
// where the plugin named api serves the merged document.
func servedByAPIPlugin(files []string) bool {
	for _, f := range files {
		if strings.Contains("/"+f, "/plugins/api/") {
			return true
		}
	}
	return false
}
