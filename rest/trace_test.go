package rest

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/tracecontext"
)

// tracedChains are the two ways to put a trace and an access log in front
// of a handler: the two middlewares, and TraceAndLog, which must behave
// the same.
var tracedChains = map[string]func(*slog.Logger, http.Handler) http.Handler{
	"Trace(AccessLog)": func(l *slog.Logger, h http.Handler) http.Handler { return Trace(AccessLog(l, h)) },
	"TraceAndLog":      TraceAndLog,
}

func TestTraceContinuesTheCallersTraceparent(t *testing.T) {
	for name, chain := range tracedChains {
		var out bytes.Buffer
		h := chain(slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug})), testRouter())
		req := httptest.NewRequest("GET", "/1.0/things", nil)
		req.Header.Set("traceparent", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)

		back := rec.Header().Get("traceparent")
		m := regexp.MustCompile(`^00-4bf92f3577b34da6a3ce929d0e0e4736-([0-9a-f]{16})-01$`).FindStringSubmatch(back)
		if m == nil || m[1] == "00f067aa0ba902b7" {
			t.Fatalf("%s: response traceparent %q: want the caller's trace id and a new span id", name, back)
		}
		ids := "[span_id=" + m[1] + " parent_id=00f067aa0ba902b7 trace_id=4bf92f3577b34da6a3ce929d0e0e4736]"
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if len(lines) != 3 || !strings.Contains(lines[0], "request: GET /1.0/things "+ids) || !strings.Contains(lines[1], "response: GET /1.0/things "+ids) {
			t.Errorf("%s: want request (debug) and response lines ending with %s, got:\n%s", name, ids, out.String())
		}
	}
}

func TestTraceStartsOneForAMissingOrInvalidHeader(t *testing.T) {
	for name, chain := range tracedChains {
		for _, sent := range []string{"", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "garbage"} {
			var seen tracecontext.Trace
			var out bytes.Buffer
			h := chain(slog.New(slog.NewTextHandler(&out, nil)), http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { seen, _ = tracecontext.From(r.Context()) }))
			req := httptest.NewRequest("GET", "/", nil)
			if sent != "" {
				req.Header.Set("traceparent", sent)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if seen.ParentID != "" || len(seen.TraceID) != 32 || strings.Contains(sent, seen.TraceID) {
				t.Errorf("%s: traceparent %q: want a new trace without parent, got %+v", name, sent, seen)
			}
			if rec.Header().Get("traceparent") != seen.Value() {
				t.Errorf("%s: traceparent %q: response header %q, want %q", name, sent, rec.Header().Get("traceparent"), seen.Value())
			}
			if ids := "response: GET / " + seen.LogIDs(); !strings.Contains(out.String(), ids) {
				t.Errorf("%s: traceparent %q: want the access line with %s, got %s", name, sent, ids, out.String())
			}
		}
	}
}

// keptMessages is a slog handler that keeps the message of every record
// at info level and above, as a handler that queues records would.
type keptMessages struct{ messages *[]string }

func (k keptMessages) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }
func (k keptMessages) Handle(_ context.Context, r slog.Record) error {
	*k.messages = append(*k.messages, r.Message)
	return nil
}
func (k keptMessages) WithAttrs([]slog.Attr) slog.Handler { return k }
func (k keptMessages) WithGroup(string) slog.Handler      { return k }

// TestTraceAndLogMessagesStayAsLogged: the response line's message is
// written in the request's own memory, which must never be written again:
// a handler keeping records sees every message as it was logged, short or
// longer than that memory.
func TestTraceAndLogMessagesStayAsLogged(t *testing.T) {
	var kept []string
	h := TraceAndLog(slog.New(keptMessages{&kept}), http.NotFoundHandler())
	var want []string
	for i, path := range []string{"/a", "/" + strings.Repeat("b", 300), "/c?x=1", "/" + strings.Repeat("d", 150)} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		back := rec.Header().Get("traceparent")
		traceID, span, _, ok := tracecontext.Parse(back)
		if !ok {
			t.Fatalf("request %d: response traceparent %q", i, back)
		}
		want = append(want, "response: GET "+path+" [span_id="+span+" parent_id=- trace_id="+traceID+"]")
	}
	if strings.Join(kept, "\n") != strings.Join(want, "\n") {
		t.Errorf("messages kept:\n%s\nwant:\n%s", strings.Join(kept, "\n"), strings.Join(want, "\n"))
	}
}
