package daemon

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/apispec"
	"github.com/wazo-platform/wazo-servicekit/config"
	"github.com/wazo-platform/wazo-servicekit/logging"
	"github.com/wazo-platform/wazo-servicekit/rest"
)

const benchSpec = `swagger: '2.0'
info: {title: wazo-bench, version: 1.0.0}
basePath: /1.0
x-xivo-name: bench
paths:
  /status:
    get:
      responses:
        '200': {description: ok}
`

// apiSpecHandlers are api.yml served bare (a handler writing the same
// bytes) and through the standard chain (recover, trace, access log, CORS,
// body limit, router), logging to nowhere; untraced is that chain without
// the trace, the reference of tracing's own cost.
func apiSpecHandlers(tb testing.TB) (bare, wrapped, untraced http.Handler) {
	spec, err := apispec.Load("bench", []byte(benchSpec), 9504)
	if err != nil {
		tb.Fatal(err)
	}
	r := rest.NewRouter()
	r.Handle("GET /1.0/api/api.yml", spec)
	logger := slog.New(logging.NewHandler(io.Discard, nil, slog.LevelInfo, "bench"))
	cfg := config.RestAPI{MaxBodyBytes: 1 << 20, CORS: config.CORS{Enabled: true, AllowHeaders: []string{"Content-Type"}}}
	body := spec.Bytes("")
	bare = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", apispec.ContentType)
		w.Write(body)
	})
	untraced = rest.Recover(func(*http.Request, any) {}, rest.AccessLog(logger, rest.CORS(cfg.CORS, rest.LimitBody(cfg.MaxBodyBytes, r))))
	return bare, Wrap(r, cfg, logger), untraced
}

// apiSpecRequest is a request for api.yml with a token, and with the
// caller's traceparent when traced.
func apiSpecRequest(traced bool) *http.Request {
	req := httptest.NewRequest("GET", "/1.0/api/api.yml", nil)
	req.Header.Set("X-Auth-Token", "abcdefgh-1234-5678-9abc-def012345678")
	if traced {
		req.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	}
	return req
}

// BenchmarkAPISpecThroughMiddleware is the per-request cost of the
// standard chain in front of api.yml, next to the bare handler, for a
// request starting a trace and one continuing the caller's, and the chain
// without tracing: the in-process half of the goals "api.yml ≥ 0.9× a bare
// handler" and "a trace costs within 10 % of the untraced chain".
// untraced-copied is the untraced chain given a copy of each request with
// a context (Request.WithContext, the only way to put anything in the
// context handlers see): the least a trace carried there can cost.
func BenchmarkAPISpecThroughMiddleware(b *testing.B) {
	bare, wrapped, untraced := apiSpecHandlers(b)
	copied := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		untraced.ServeHTTP(w, r.WithContext(r.Context()))
	})
	for _, c := range []struct {
		name   string
		h      http.Handler
		traced bool
	}{{"bare", bare, false}, {"untraced", untraced, false}, {"untraced-copied", copied, false}, {"wrapped", wrapped, false}, {"wrapped-traceparent", wrapped, true}} {
		b.Run(c.name, func(b *testing.B) {
			req := apiSpecRequest(c.traced)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				c.h.ServeHTTP(discardWriter{h: http.Header{}}, req)
			}
		})
	}
}

// maxAllocsPerRequest bounds the allocations of one api.yml request
// through the standard chain, the handler's own included (the bare
// handler makes 3 in this harness, the chain 4: the request's copy, which
// holds its context with the trace, the response header, the access log's
// recorder and the access line's message).
const maxAllocsPerRequest = 4

// TestMiddlewareAllocationsPerRequest: tracing doubled the allocations per
// request (12 to 25); a trace is parsed and formatted in place, the
// access line built in a pooled buffer, the response recorder pooled.
func TestMiddlewareAllocationsPerRequest(t *testing.T) {
	bare, wrapped, _ := apiSpecHandlers(t)
	for _, traced := range []bool{false, true} {
		req := apiSpecRequest(traced)
		n := testing.AllocsPerRun(200, func() { wrapped.ServeHTTP(discardWriter{h: http.Header{}}, req) })
		base := testing.AllocsPerRun(200, func() { bare.ServeHTTP(discardWriter{h: http.Header{}}, req) })
		t.Logf("traceparent sent: %v: %.0f allocations per request (bare handler %.0f)", traced, n, base)
		if n > maxAllocsPerRequest {
			t.Errorf("traceparent sent: %v: %.0f allocations per request, over %d", traced, n, maxAllocsPerRequest)
		}
	}
}

// discardWriter is a ResponseWriter that keeps nothing, so the benchmark
// measures the handlers and not a recorder.
type discardWriter struct{ h http.Header }

func (d discardWriter) Header() http.Header         { return d.h }
func (d discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d discardWriter) WriteHeader(int)             {}
