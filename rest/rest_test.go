package rest

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/config"
)

func decodeError(t *testing.T, rec *httptest.ResponseRecorder) Error {
	t.Helper()
	var e Error
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
		t.Fatalf("not a JSON body: %q", rec.Body)
	}
	var raw map[string]any
	json.Unmarshal(rec.Body.Bytes(), &raw)
	for _, k := range []string{"message", "error_id", "details", "timestamp"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("Wazo error body lacks %q: %s", k, rec.Body)
		}
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	return e
}

func testRouter() *Router {
	r := NewRouter()
	r.HandleFunc("GET /1.0/things", func(w http.ResponseWriter, _ *http.Request) { WriteJSON(w, 200, []string{}) })
	r.HandleFunc("PATCH /1.0/things", func(w http.ResponseWriter, r *http.Request) {
		var v any
		if e := DecodeJSON(r, &v); e != nil {
			WriteError(w, e)
			return
		}
		WriteJSON(w, 200, v)
	})
	return r
}

func TestErrorsAreWazoBodies(t *testing.T) {
	h := LimitBody(64, testRouter())
	for _, c := range []struct {
		name, method, path, body string
		status                   int
		errorID                  string
	}{
		{"unknown route", "GET", "/1.0/nothing", "", 404, "not-found"},
		{"wrong method", "DELETE", "/1.0/things", "", 405, "method-not-allowed"},
		{"malformed JSON", "PATCH", "/1.0/things", `[{"op": `, 400, "invalid-data"},
		{"oversized body", "PATCH", "/1.0/things", `["` + strings.Repeat("x", 100) + `"]`, 413, "payload-too-large"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(c.method, c.path, strings.NewReader(c.body)))
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, c.status, rec.Body)
			}
			if e := decodeError(t, rec); e.ErrorID != c.errorID {
				t.Errorf("error_id %q, want %q", e.ErrorID, c.errorID)
			}
		})
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("DELETE", "/1.0/things", nil))
	if allow := rec.Header().Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "PATCH") {
		t.Errorf("405 without a proper Allow header: %q", allow)
	}
}

func TestChunkedOversizedBodyIs413(t *testing.T) {
	h := LimitBody(64, testRouter())
	req := httptest.NewRequest("PATCH", "/1.0/things", strings.NewReader(`["`+strings.Repeat("x", 100)+`"]`))
	req.ContentLength = -1 // no declared length: the limit applies while reading
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 413 {
		t.Errorf("status %d: %s", rec.Code, rec.Body)
	}
}

func TestAccessLogMasksTokens(t *testing.T) {
	var out bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&out, nil))
	h := AccessLog(logger, testRouter())
	req := httptest.NewRequest("GET", "/1.0/things?token=query-secret-123456&recurse=true", nil)
	req.Header.Set("X-Auth-Token", "abcdefgh-1234-5678-9abc-def012345678")
	h.ServeHTTP(httptest.NewRecorder(), req)
	line := out.String()
	if strings.Count(line, "\n") != 1 || !strings.Contains(line, "response: GET /1.0/things") {
		t.Errorf("want one response line per request at info level, got %q", line)
	}
	for _, secret := range []string{"query-secret-123456", "abcdefgh-1234-5678-9abc"} {
		if strings.Contains(line, secret) {
			t.Errorf("log line leaks %q: %s", secret, line)
		}
	}
	for _, want := range []string{"token=<hidden>", "recurse=true", "12345678", "status=200"} {
		if !strings.Contains(line, want) {
			t.Errorf("log line lacks %q: %s", want, line)
		}
	}
}

func TestMaskToken(t *testing.T) {
	for in, want := range map[string]string{
		"abcdefgh-1234-5678-9abc-def012345678": "XXXXXXXXXXXXXXXXXXXXXXXXXXXX12345678",
		"short":                                "XXXXX",
	} {
		if got := MaskToken(in); got != want {
			t.Errorf("MaskToken(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCORSAsWazo(t *testing.T) {
	h := CORS(config.CORS{Enabled: true, AllowHeaders: []string{"Content-Type", "X-Auth-Token", "Wazo-Tenant"}}, testRouter())
	req := httptest.NewRequest("OPTIONS", "/1.0/things", nil)
	req.Header.Set("Origin", "https://wazo.example")
	req.Header.Set("Access-Control-Request-Method", "PATCH")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 || rec.Header().Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(rec.Header().Get("Access-Control-Allow-Headers"), "X-Auth-Token") ||
		!strings.Contains(rec.Header().Get("Access-Control-Allow-Methods"), "PATCH") {
		t.Errorf("preflight: %d %v", rec.Code, rec.Header())
	}
	off := CORS(config.CORS{Enabled: false}, testRouter())
	rec = httptest.NewRecorder()
	off.ServeHTTP(rec, req)
	if rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS disabled but headers sent")
	}
}

func TestRecoverAnswers500(t *testing.T) {
	var logged any
	h := Recover(func(_ *http.Request, v any) { logged = v }, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 500 || decodeError(t, rec).ErrorID != "internal-server-error" || logged != "boom" {
		t.Errorf("got %d %s logged=%v", rec.Code, rec.Body, logged)
	}
}

func TestRouterSetsPathValues(t *testing.T) {
	r := NewRouter()
	r.HandleFunc("GET /1.0/services/{name}", func(w http.ResponseWriter, req *http.Request) {
		WriteJSON(w, 200, req.PathValue("name"))
	})
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest("GET", "/1.0/services/wazo-x", nil))
	if rec.Body.String() != `"wazo-x"` {
		t.Errorf("path value not set: %s", rec.Body)
	}
}
