package servicetest

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/config"
	"github.com/wazo-platform/wazo-servicekit/daemon"
	"github.com/wazo-platform/wazo-servicekit/status"
)

// Runtime is what daemon.Main hands a service's handler, for a test: the
// service's name, an empty load (no file read), logs discarded, level info
// (a PATCH /config debug can change it) and a status aggregator whose
// rest_api component is ok.
func Runtime(name string) *daemon.Runtime {
	level := new(slog.LevelVar)
	rt := &daemon.Runtime{
		Name:   name,
		Loaded: &config.Loaded{},
		Logger: slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: level})),
		Level:  level,
		Status: status.NewAggregator(),
	}
	rt.Status.Add("rest_api", func() string { return status.OK })
	return rt
}

// Do sends one request to srv with the token in X-Auth-Token (none when
// empty) and a JSON body (none when empty), and returns the status and the
// body (up to 1 MiB). Any transport error fails the test.
func Do(t testing.TB, srv *httptest.Server, method, path, token, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, data
}
