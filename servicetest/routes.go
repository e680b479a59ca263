package servicetest

import (
	"net/http"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// RouteLister is a handler that knows its routes, as rest.Router does.
type RouteLister interface {
	http.Handler
	Routes() []string
}

// RoutesMatchSpec fails the test unless the routes really registered on h
// and the operations of api.yml (basePath + each path, each method) are the
// same set: a route api.yml does not describe, or a described one nothing
// serves, is named.
func RoutesMatchSpec(t testing.TB, h http.Handler, apiYML []byte) {
	t.Helper()
	r, ok := h.(RouteLister)
	if !ok {
		t.Fatalf("the handler (%T) does not list its routes: build it on rest.NewRouter", h)
	}
	var spec struct {
		BasePath string                    `yaml:"basePath"`
		Paths    map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(apiYML, &spec); err != nil {
		t.Fatalf("api.yml: %v", err)
	}
	described := map[string]bool{}
	for path, ops := range spec.Paths {
		for method := range ops {
			switch method {
			case "get", "put", "post", "patch", "delete", "head", "options":
				described[strings.ToUpper(method)+" "+strings.TrimSuffix(spec.BasePath, "/")+path] = true
			}
		}
	}
	served := map[string]bool{}
	for _, route := range r.Routes() {
		served[route] = true
	}
	var problems []string
	for route := range served {
		if !described[route] {
			problems = append(problems, "served but not in api.yml: "+route)
		}
	}
	for op := range described {
		if !served[op] {
			problems = append(problems, "in api.yml but not served: "+op)
		}
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
}
