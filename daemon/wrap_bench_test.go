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

// BenchmarkAPISpecThroughMiddleware is the per-request cost of the
// standard chain (recover, access log, CORS, body limit, router) in front of
// api.yml, next to the bare handler: the in-process half of the
// goal "api.yml ≥ 0.8× a bare handler".
func BenchmarkAPISpecThroughMiddleware(b *testing.B) {
	spec, err := apispec.Load("bench", []byte(benchSpec), 9504)
	if err != nil {
		b.Fatal(err)
	}
	r := rest.NewRouter()
	r.Handle("GET /1.0/api/api.yml", spec)
	logger := slog.New(logging.NewHandler(io.Discard, nil, slog.LevelInfo, "bench"))
	cfg := config.RestAPI{MaxBodyBytes: 1 << 20, CORS: config.CORS{Enabled: true, AllowHeaders: []string{"Content-Type"}}}
	body := spec.Bytes("")
	bare := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", apispec.ContentType)
		w.Write(body)
	})
	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"bare", bare}, {"wrapped", Wrap(r, cfg, logger)}} {
		b.Run(c.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/1.0/api/api.yml", nil)
			req.Header.Set("X-Auth-Token", "abcdefgh-1234-5678-9abc-def012345678")
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				c.h.ServeHTTP(discardWriter{h: http.Header{}}, req)
			}
		})
	}
}

// discardWriter is a ResponseWriter that keeps nothing, so the benchmark
// measures the handlers and not a recorder.
type discardWriter struct{ h http.Header }

func (d discardWriter) Header() http.Header         { return d.h }
func (d discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d discardWriter) WriteHeader(int)             {}
