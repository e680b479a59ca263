package rest

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/logging"
)

// accessLogLines serves req through AccessLog into a Wazo log handler and
// returns what was written for the response; the request line, written
// first at debug level, is checked by the same tests through accessLogEach.
func accessLogLines(t testing.TB, req *http.Request) string {
	return accessLogEach(t, req)[1]
}

// accessLogEach returns the request line and the response line, each with
// its newline, logged at debug level, or fails when AccessLog did not write
// exactly these two and the request's details.
func accessLogEach(t testing.TB, req *http.Request) [2]string {
	t.Helper()
	var out bytes.Buffer
	level := new(slog.LevelVar)
	level.Set(slog.LevelDebug)
	logger := slog.New(logging.NewHandler(&out, nil, level, "wazo-test.http"))
	AccessLog(logger, testRouter()).ServeHTTP(httptest.NewRecorder(), req)
	lines := strings.SplitAfter(out.String(), "\n")
	if len(lines) != 4 || lines[3] != "" || !strings.Contains(lines[0], "(DEBUG) (wazo-test.http): request: ") ||
		!strings.Contains(lines[1], "(INFO) (wazo-test.http): response: ") || !strings.Contains(lines[2], "): request details ") {
		t.Fatalf("want a request line, a response line and the details, got %q", out.String())
	}
	return [2]string{lines[0], lines[1]}
}

// TestAccessLogPathCannotForgeFields: spaces and brackets in the path wrote
// a fake trace id block, client and status before the real ones; line and
// paragraph separators and the right-to-left override were written raw.
func TestAccessLogPathCannotForgeFields(t *testing.T) {
	for _, target := range []string{
		"/1.0/status%20%5Bspan_id=1111111111111111%20parent_id=-%20trace_id=deadbeefdeadbeefdeadbeefdeadbeef%5D%20client=10.9.8.7:4444%20status=200%20bytes=27",
		"/1.0/status%20[span_id=1111111111111111%20parent_id=-%20trace_id=deadbeefdeadbeefdeadbeefdeadbeef]%20client=10.9.8.7:4444",
		"/1.0/a%E2%80%A8b%E2%80%A9c%E2%80%AEd%E2%81%A6e",
	} {
		req := rawRequest(t, target)
		var out bytes.Buffer
		Trace(AccessLog(slog.New(logging.NewHandler(&out, nil, slog.LevelInfo, "wazo-test.http")), testRouter())).ServeHTTP(httptest.NewRecorder(), req)
		line := out.String()
		for _, field := range []string{"[span_id=", "trace_id=", "client=", "status=", "bytes="} {
			if n := strings.Count(line, field); n != 1 {
				t.Errorf("%s: %q %d times in %q", target, field, n, line)
			}
		}
		for _, r := range []rune{'\u2028', '\u2029', '\u202e', '\u2066'} {
			if strings.ContainsRune(line, r) {
				t.Errorf("%s: %U written raw: %q", target, r, line)
			}
		}
	}
}

// rawRequest builds a request whose path holds what a client sent
// percent-encoded, as the server decodes it.
func rawRequest(t testing.TB, target string) *http.Request {
	req := httptest.NewRequest("GET", "/", nil)
	req.URL.RawPath = ""
	u, err := req.URL.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	req.URL = u
	return req
}

// TestAccessLogCannotForgeLines: %0a in the path wrote a fake stop line;
// %1b wrote raw ANSI escapes to a terminal.
func TestAccessLogCannotForgeLines(t *testing.T) {
	for _, target := range []string{
		"/1.0/x%0a2026-12-01%2011:00:00,000%20[pid%201]%20(WARNING)%20(wazo-doctord):%20Stopping%20wazo-doctord:%20SIGTERM",
		"/1.0/%1b[31mred%1b[0m",
		"/1.0/%0d%0a%00%7f%c2%85",
		"/1.0/%ff%fe",
	} {
		for _, out := range accessLogEach(t, rawRequest(t, target)) {
			if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
				t.Errorf("%s: want exactly one line, got %q", target, out)
			}
			body := strings.TrimSuffix(out, "\n")
			for _, r := range body {
				if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == '\uFFFD' {
					t.Errorf("%s: the line carries control character %U: %q", target, r, out)
				}
			}
		}
	}
}

// TestAccessLogHidesTheQueryTokenWhateverItsEncoding: ?tok%65n=<token>
// authenticates (the query parser decodes the key) and was logged whole.
func TestAccessLogHidesTheQueryTokenWhateverItsEncoding(t *testing.T) {
	const secret = "query-secret-0123456789"
	for _, q := range []string{"token=", "tok%65n=", "%74%6f%6b%65%6e=", "a=1&tok%65n="} {
		req := httptest.NewRequest("GET", "/1.0/things?"+q+secret, nil)
		if got := req.URL.Query().Get("token"); got != secret {
			t.Fatalf("?%s: the query parser reads token=%q: the case is not the attack", q, got)
		}
		if out := accessLogLines(t, req); strings.Contains(out, secret) || !strings.Contains(out, "<hidden>") {
			t.Errorf("?%s: %s", q, out)
		}
	}
}

// TestAccessLogLinesAreBounded: one long token or path made a 921 KB line.
func TestAccessLogLinesAreBounded(t *testing.T) {
	req := httptest.NewRequest("GET", "/1.0/"+strings.Repeat("p", 900<<10), nil)
	req.Header.Set("X-Auth-Token", strings.Repeat("t", 900<<10))
	for _, out := range accessLogEach(t, req) {
		if len(out) > logging.MaxLineBytes+1 || !strings.Contains(out, "bytes cut]") {
			t.Errorf("line of %d bytes (bound %d): %.200q", len(out), logging.MaxLineBytes, out)
		}
	}
}

// FuzzAccessLogEscaping: whatever the method, path and query, each of the
// access log's lines is one bounded line without control characters, and never a
// query token.
func FuzzAccessLogEscaping(f *testing.F) {
	f.Add("GET", "/1.0/x\n(WARNING) fake", "tok%65n=secret-secret-secret")
	f.Add("P\x1bST", "/\x1b[31m\xff", "a=%0a")
	f.Add("GET", "/", "token=a&token=b")
	f.Fuzz(func(t *testing.T, method, path, query string) {
		if !validMethod(method) {
			return // net/http refuses the request before any handler
		}
		req := httptest.NewRequest("GET", "/", nil)
		req.Method, req.URL.Path, req.URL.RawQuery = method, path, query
		for _, out := range accessLogEach(t, req) {
			if !strings.HasSuffix(out, "\n") || strings.Count(out, "\n") != 1 || len(out) > logging.MaxLineBytes+1 {
				t.Fatalf("not one bounded line: %d bytes %q", len(out), out)
			}
			for i := 0; i < len(out)-1; i++ {
				if out[i] < 0x20 || out[i] == 0x7f {
					t.Fatalf("control byte %#x at %d: %q", out[i], i, out)
				}
			}
			tok := req.URL.Query().Get("token")
			elsewhere := strings.Count(query, tok) != 1 || strings.Contains(path+method, tok) || strings.Contains("<hidden>", tok)
			if len(tok) >= 12 && !elsewhere && strings.Contains(out, tok) {
				t.Fatalf("query token %q logged: %q", tok, out)
			}
		}
	})
}

// validMethod is net/http's rule for a request method (a token).
func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for i := 0; i < len(m); i++ {
		c := m[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("()<>@,;:\\\"/[]?={}", c) >= 0 {
			return false
		}
	}
	return true
}
