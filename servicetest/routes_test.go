package servicetest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/rest"
)

// recorder is a testing.TB that keeps the failures instead of failing.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Error(args ...any) {
	for _, a := range args {
		r.errors = append(r.errors, a.(string))
	}
}
func (r *recorder) Helper() {}

const spec = `basePath: /1.0
paths:
  /status:
    get: {}
  /examples:
    parameters: []
    get: {}
    post: {}
`

func TestRoutesMatchSpec(t *testing.T) {
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	r := rest.NewRouter()
	r.Handle("GET /1.0/status", ok)
	r.Handle("GET /1.0/examples", ok)
	r.Handle("POST /1.0/examples", ok)
	RoutesMatchSpec(t, r, []byte(spec))

	// Broken on purpose: one route more, one operation not served.
	broken := rest.NewRouter()
	broken.Handle("GET /1.0/status", ok)
	broken.Handle("GET /1.0/examples", ok)
	broken.Handle("DELETE /1.0/examples", ok)
	rec := &recorder{TB: t}
	RoutesMatchSpec(rec, broken, []byte(spec))
	got := strings.Join(rec.errors, "\n")
	if got != "in api.yml but not served: POST /1.0/examples\nserved but not in api.yml: DELETE /1.0/examples" {
		t.Fatalf("problems:\n%s", got)
	}
}
