package rest

import (
	"net/http"

	"github.com/wazo-platform/wazo-servicekit/tracecontext"
)

// Trace gives every request its trace (continued from the caller's
// traceparent, or new), puts it in the request's context for the access log
// and outbound calls, and returns this daemon's span to the caller in the
// traceparent response header.
func Trace(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := tracecontext.FromHeader(r.Header.Get(tracecontext.Header))
		w.Header().Set(tracecontext.Header, t.Value())
		next.ServeHTTP(w, r.WithContext(tracecontext.With(r.Context(), t)))
	})
}

// traceIDs is the request's "[span_id=… parent_id=… trace_id=…]", or
// nothing when no Trace middleware runs.
func traceIDs(r *http.Request) string {
	if t, ok := tracecontext.From(r.Context()); ok {
		return " " + t.LogIDs()
	}
	return ""
}
