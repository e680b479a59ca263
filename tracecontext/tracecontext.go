// Package tracecontext carries a request id across Wazo daemons the way
// xivo-lib-python does: the W3C Trace Context `traceparent` header
// (version-traceid-parentid-flags). A request that brings a valid one keeps
// its trace id and records the caller's span as parent; otherwise a new trace
// starts. Every request gets its own span id, which the access log shows, the
// response returns, and outbound calls made for the request send as parent.
package tracecontext

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"
)

// Header is the W3C header that carries the trace.
const Header = "traceparent"

// Trace is the trace of one request: the trace id shared with every daemon
// the request goes through, this daemon's span id, and the caller's span id
// (empty when the trace started here).
type Trace struct {
	TraceID  string
	SpanID   string
	ParentID string
	Flags    string
}

// Parse reads a traceparent value. It returns false for anything the W3C
// format rejects: wrong lengths or characters, version ff, all-zero ids.
func Parse(value string) (traceID, parentID, flags string, ok bool) {
	parts := strings.Split(value, "-")
	if len(parts) != 4 || !isHex(parts[0], 2) || !isHex(parts[1], 32) || !isHex(parts[2], 16) || !isHex(parts[3], 2) {
		return "", "", "", false
	}
	version := strings.ToLower(parts[0])
	traceID, parentID, flags = strings.ToLower(parts[1]), strings.ToLower(parts[2]), strings.ToLower(parts[3])
	if version == "ff" || traceID == strings.Repeat("0", 32) || parentID == strings.Repeat("0", 16) {
		return "", "", "", false
	}
	return traceID, parentID, flags, true
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// FromHeader continues the trace of an incoming traceparent value, or starts
// a new one when it is absent or invalid. The span id is always new.
func FromHeader(value string) Trace {
	if traceID, parentID, flags, ok := Parse(value); ok {
		return Trace{TraceID: traceID, SpanID: randomHex(8), ParentID: parentID, Flags: flags}
	}
	return New()
}

// New starts a trace, for work that no request asked for (a consul
// registration, a TTL refresh).
func New() Trace {
	return Trace{TraceID: randomHex(16), SpanID: randomHex(8), Flags: "01"}
}

// Value is the traceparent to send for this span: the receiver sees this
// span as its parent.
func (t Trace) Value() string {
	flags := t.Flags
	if flags == "" {
		flags = "01"
	}
	return "00-" + t.TraceID + "-" + t.SpanID + "-" + flags
}

// LogIDs is the "[span_id=… parent_id=… trace_id=…]" suffix xivo puts on its
// request and response lines; "-" stands for no parent.
func (t Trace) LogIDs() string {
	parent := t.ParentID
	if parent == "" {
		parent = "-"
	}
	return "[span_id=" + t.SpanID + " parent_id=" + parent + " trace_id=" + t.TraceID + "]"
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // crypto/rand.Read never fails on Linux
	return hex.EncodeToString(b)
}

type key struct{}

// With returns ctx carrying t.
func With(ctx context.Context, t Trace) context.Context {
	return context.WithValue(ctx, key{}, t)
}

// From returns the trace ctx carries.
func From(ctx context.Context) (Trace, bool) {
	t, ok := ctx.Value(key{}).(Trace)
	return t, ok
}

// SetOutbound puts the traceparent of req's context on req, so the daemon it
// calls (wazo-auth, consul, another Wazo daemon) logs the same trace id; a
// request made outside any trace starts one.
func SetOutbound(req *http.Request) {
	t, ok := From(req.Context())
	if !ok {
		t = New()
	}
	req.Header.Set(Header, t.Value())
}
