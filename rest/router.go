package rest

import (
	"net/http"
	"strings"
)

// Router is a Go 1.22 ServeMux whose "not found" and "method not allowed"
// answers are Wazo error bodies instead of plain text.
type Router struct {
	mux    *http.ServeMux
	routes []string
}

// fallback is the catch-all pattern: ServeMux picks it only when no route
// matches the path and method, so a normal request is matched once.
const fallback = "/"

// NewRouter returns an empty router.
func NewRouter() *Router {
	r := &Router{mux: http.NewServeMux()}
	r.mux.HandleFunc(fallback, r.notFound)
	return r
}

// Handle registers h for a ServeMux pattern such as "GET /1.0/status".
func (r *Router) Handle(pattern string, h http.Handler) {
	r.mux.Handle(pattern, h)
	r.routes = append(r.routes, pattern)
}

// HandleFunc registers f for a ServeMux pattern.
func (r *Router) HandleFunc(pattern string, f http.HandlerFunc) { r.Handle(pattern, f) }

// Routes lists the patterns registered, in order ("GET /1.0/status"), so a
// test can hold them against api.yml.
func (r *Router) Routes() []string { return append([]string(nil), r.routes...) }

// ServeHTTP dispatches to the matching route, or answers 404 / 405.
// A CONNECT (whose target is a host, not a path) gets the Wazo 404 too,
// not ServeMux's plain-text one.
func (r *Router) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method == http.MethodConnect {
		WriteError(w, NewError(http.StatusNotFound, "not-found", "No such resource: CONNECT is not served", map[string]any{"method": req.Method}))
		return
	}
	r.mux.ServeHTTP(w, req)
}

var probeMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// notFound answers 405 with Allow when the path exists for other methods,
// and 404 otherwise.
func (r *Router) notFound(w http.ResponseWriter, req *http.Request) {
	var allowed []string
	for _, m := range probeMethods {
		if m == req.Method {
			continue
		}
		probe := req.Clone(req.Context())
		probe.Method = m
		if _, p := r.mux.Handler(probe); p != fallback {
			allowed = append(allowed, m)
		}
	}
	if len(allowed) > 0 {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		WriteError(w, NewError(http.StatusMethodNotAllowed, "method-not-allowed",
			"Method "+req.Method+" is not allowed on "+req.URL.Path,
			map[string]any{"allowed_methods": allowed}))
		return
	}
	WriteError(w, NewError(http.StatusNotFound, "not-found", "No such resource: "+req.URL.Path,
		map[string]any{"path": req.URL.Path}))
}
