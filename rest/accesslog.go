package rest

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/wazo-platform/wazo-servicekit/tracecontext"
)

// MaskToken keeps the last 8 characters of a token, as xivo does in its
// request logs: enough to correlate, not enough to reuse.
func MaskToken(token string) string {
	shown := 0
	if len(token) > 8 {
		shown = 8
	}
	var b strings.Builder
	b.Grow(len(token))
	for i := 0; i < len(token)-shown; i++ {
		b.WriteByte('X')
	}
	b.WriteString(token[len(token)-shown:])
	return b.String()
}

// HideQueryToken replaces the value of every token query parameter with
// <hidden>, however its name is encoded (tok%65n= is token= to the query
// parser, so to the token check); other parameters are kept as sent.
func HideQueryToken(rawQuery string) string {
	if !strings.Contains(rawQuery, "%") && !strings.Contains(rawQuery, "token") {
		return rawQuery
	}
	parts := strings.Split(rawQuery, "&")
	for i, p := range parts {
		key, _, _ := strings.Cut(p, "=")
		if name, err := url.QueryUnescape(key); err == nil && name == "token" || key == "token" {
			parts[i] = key + "=<hidden>"
		}
	}
	return strings.Join(parts, "&")
}

// AccessLog logs one line per request once it is answered, as xivo's
// "response" line: method, target and the request's trace ids in the
// message, then the client, status, bytes, duration and the masked
// X-Auth-Token. At debug level a "request: …" line is written when the
// request arrives, as xivo does, and the request's details after it.
//
// The target is the path percent-encoded (see appendEncoded), so no
// character of it can pass for a separator or another field of the line.
func AccessLog(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := recorders.Get().(*recorder)
		*rec = recorder{ResponseWriter: w, status: http.StatusOK}
		t, traced := tracecontext.From(r.Context())
		serveLogged(logger, next, rec, r, t, traced, nil)
		// A ResponseWriter is not used once ServeHTTP returned (net/http's
		// rule), so the recorder serves the next request. After a panic it
		// is not put back.
		*rec = recorder{}
		recorders.Put(rec)
	})
}

// TraceAndLog is Trace in front of AccessLog, in one middleware: the
// request's copy carrying the trace, the response's recorder and the
// response line's message are one allocation, and the access line takes
// the trace from it.
func TraceAndLog(logger *slog.Logger, next http.Handler) http.Handler {
	return &tracedLog{logger: logger, next: next}
}

// tracedLog is TraceAndLog's handler. It is a type rather than a function
// literal so that its ServeHTTP is compiled here, where the call to
// WithContext is inlined (a literal inlined into another package's
// function may not be).
type tracedLog struct {
	logger *slog.Logger
	next   http.Handler
}

// tracedExchange is what TraceAndLog allocates for a request. line is
// where its response line's message is written (when it fits), the
// string's own storage: nothing writes it again.
type tracedExchange struct {
	req  http.Request
	span tracecontext.Span
	rec  recorder
	line [lineBytes]byte
}

// lineBytes is room for a traced message with a path and query of about
// 90 bytes (a longer message is appended to a new array). With it a
// tracedExchange and the 8-byte header Go puts before an object of more
// than 512 bytes with pointers fill one of the allocator's sizes, 640
// bytes (Go 1.23 to 1.26).
const lineBytes = 184

func (h *tracedLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	x := new(tracedExchange)
	w.Header()[tracecontext.CanonicalHeader] = x.span.Start(r.Context(), tracecontext.Incoming(r))
	// WithContext is inlined, so its copy stays on the stack and is
	// copied into x rather than allocated.
	x.req = *r.WithContext(&x.span)
	x.rec = recorder{ResponseWriter: w, status: http.StatusOK}
	serveLogged(h.logger, h.next, &x.rec, &x.req, x.span.Trace(), true, &x.line)
}

// serveLogged serves r through rec (new, for this request) and writes its
// access lines, with t's ids when traced. The response line's message is
// written in line when not nil (see ownMessage).
func serveLogged(logger *slog.Logger, next http.Handler, rec *recorder, r *http.Request, t tracecontext.Trace, traced bool, line *[lineBytes]byte) {
	start := time.Now()
	ctx := r.Context()
	debug := logger.Enabled(ctx, slog.LevelDebug)
	if debug {
		logger.LogAttrs(ctx, slog.LevelDebug, accessMessage("request: ", r, t, traced), slog.String("client", r.RemoteAddr))
	}
	next.ServeHTTP(rec, r)
	if h := logger.Handler(); h.Enabled(ctx, slog.LevelInfo) {
		// The record is made here rather than by logger.LogAttrs, which
		// would walk the stack for a source position nothing prints.
		end := time.Now()
		var msg string
		if line != nil {
			msg = ownMessage(appendAccessMessage(line[:0], "response: ", r, t, traced))
		} else {
			msg = accessMessage("response: ", r, t, traced)
		}
		record := slog.NewRecord(end, slog.LevelInfo, msg, 0)
		record.AddAttrs(slog.String("client", r.RemoteAddr), slog.Int("status", rec.status),
			slog.Int64("bytes", rec.bytes), slog.Duration("duration", end.Sub(start)))
		if tok := r.Header["X-Auth-Token"]; len(tok) > 0 && tok[0] != "" {
			record.AddAttrs(slog.String("token", MaskToken(tok[0])))
		}
		h.Handle(ctx, record)
	}
	if debug {
		logger.LogAttrs(ctx, slog.LevelDebug, "request details",
			slog.String("user_agent", r.UserAgent()), slog.Int64("content_length", r.ContentLength),
			slog.String("tenant", r.Header.Get("Wazo-Tenant")))
	}
}

// recorders are the recorders of requests being answered.
var recorders = sync.Pool{New: func() any { return new(recorder) }}

// messageBufs are the buffers access messages are built in.
var messageBufs = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

// accessMessage is appendAccessMessage's message built in a pooled
// buffer: its only allocation is the string itself.
func accessMessage(kind string, r *http.Request, t tracecontext.Trace, traced bool) string {
	bp := messageBufs.Get().(*[]byte)
	b := appendAccessMessage((*bp)[:0], kind, r, t, traced)
	msg := string(b)
	if cap(b) <= 64<<10 {
		*bp = b
		messageBufs.Put(bp)
	}
	return msg
}

// ownMessage is b as a string without a copy. b must be memory nothing
// writes again (an exchange's line, or what append moved it to), as a
// string's bytes never change.
func ownMessage(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// appendAccessMessage appends "<kind><method> <escaped path>[?query]
// [span_id=… parent_id=… trace_id=…]", the ids when traced.
func appendAccessMessage(b []byte, kind string, r *http.Request, t tracecontext.Trace, traced bool) []byte {
	b = append(b, kind...)
	b = append(b, r.Method...)
	b = append(b, ' ')
	b = appendEncoded(b, r.URL.EscapedPath(), true)
	if r.URL.RawQuery != "" {
		b = append(b, '?')
		b = appendEncoded(b, HideQueryToken(r.URL.RawQuery), false)
	}
	if traced {
		b = t.AppendLogIDs(append(b, ' '))
	}
	return b
}

// appendEncoded appends a percent-encoded path (equals true) or raw query
// with '[' and ']' encoded too, and '=' in a path (a URL may carry them
// raw): the target then holds no space, no "[…]", and a path no "key=",
// that a search or a parser of the line could take for one of its fields.
func appendEncoded(b []byte, s string, equals bool) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '[':
			b = append(b, "%5B"...)
		case c == ']':
			b = append(b, "%5D"...)
		case c == '=' && equals:
			b = append(b, "%3D"...)
		default:
			b = append(b, c)
		}
	}
	return b
}

// recorder remembers the status and size of a response for the access log.
type recorder struct {
	http.ResponseWriter
	status  int
	bytes   int64
	written bool
}

func (r *recorder) WriteHeader(status int) {
	if !r.written {
		r.status, r.written = status, true
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.written = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the real writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
