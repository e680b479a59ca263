package rest

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkTrace is the trace middleware's own cost per request, in front
// of a handler that does nothing, for a request starting a trace and one
// continuing the caller's.
func BenchmarkTrace(b *testing.B) {
	h := Trace(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for _, sent := range []string{"", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"} {
		name := "new"
		if sent != "" {
			name = "continued"
		}
		b.Run(name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/1.0/api/api.yml", nil)
			if sent != "" {
				req.Header.Set("traceparent", sent)
			}
			w := httptest.NewRecorder()
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				h.ServeHTTP(w, req)
			}
		})
	}
}
