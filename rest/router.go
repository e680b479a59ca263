package rest

import (
	"net/http"
	"strings"
)

// Router is a Go 1.22 ServeMux whose "not found" and "method not allowed"
// answers are Wazo error bodies instead of plain text.
type Router struct {
	mux *http.ServeMux
}

// NewRouter returns an empty router.
func NewRouter() *Router { return &Router{mux: http.NewServeMux()} }

// Handle registers h for a ServeMux pattern such as "GET /1.0/status".
func (r *Router) Handle(pattern string, h http.Handler) { r.mux.Handle(pattern, h) }

// HandleFunc registers f for a ServeMux pattern.
func (r *Router) HandleFunc(pattern string, f http.HandlerFunc) { r.mux.Handle(pattern, f) }

var probeMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// ServeHTTP dispatches, answering 404 or 405 itself when no pattern matches.
func (r *Router) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if _, pattern := r.mux.Handler(req); pattern != "" {
		r.mux.ServeHTTP(w, req) // sets the path values Handler does not
		return
	}
	var allowed []string
	for _, m := range probeMethods {
		if m == req.Method {
			continue
		}
		probe := req.Clone(req.Context())
		probe.Method = m
		if _, p := r.mux.Handler(probe); p != "" {
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
