package rest

import (
	"net/http"

	"github.com/wazo-platform/wazo-servicekit/tracecontext"
)

// Trace gives every request its trace (continued from the caller's
// traceparent, or new), puts it in the request's context for the access log
// and outbound calls, and returns this daemon's span to the caller in the
// traceparent response header. Header maps are read and written under
// their canonical key, which costs no allocation.
func Trace(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, value := tracecontext.StartSpan(r)
		w.Header()[tracecontext.CanonicalHeader] = value
		next.ServeHTTP(w, r)
	})
}
