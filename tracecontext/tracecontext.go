// Package tracecontext carries a request id across Wazo daemons the way
// xivo-lib-python does: the W3C Trace Context `traceparent` header
// (version-traceid-parentid-flags). A request that brings a valid one keeps
// its trace id and records the caller's span as parent; otherwise a new trace
// starts. Every request gets its own span id, which the access log shows, the
// response returns, and outbound calls made for the request send as parent.
//
// A trace costs one allocation to start and one to put in a context (with
// its response header, WithHeader): its
// ids are slices of its traceparent value, parsed and formatted in place.
package tracecontext

import (
	"context"
	"math/rand/v2"
	"net/http"
)

// Header is the W3C header that carries the trace.
const Header = "traceparent"

// CanonicalHeader is Header as net/http stores it in a Header map, for a
// lookup that does not canonicalise (allocate) the name each time.
const CanonicalHeader = "Traceparent"

// valueLen is the length of a version 00 traceparent:
// 2 (version) + 1 + 32 (trace id) + 1 + 16 (parent id) + 1 + 2 (flags).
const valueLen = 55

// Trace is the trace of one request: the trace id shared with every daemon
// the request goes through, this daemon's span id, and the caller's span id
// (empty when the trace started here).
type Trace struct {
	TraceID  string
	SpanID   string
	ParentID string
	Flags    string
	// value is this span's traceparent, of which TraceID, SpanID and Flags
	// are slices (empty for a Trace built field by field).
	value string
}

// Parse reads a traceparent value. It returns false for anything the W3C
// format rejects: wrong lengths or characters, version ff, all-zero ids.
// The ids are slices of value (lower-cased copies when it has capitals).
func Parse(value string) (traceID, parentID, flags string, ok bool) {
	if len(value) != valueLen || value[2] != '-' || value[35] != '-' || value[52] != '-' {
		return "", "", "", false
	}
	upper := false
	for i := 0; i < valueLen; i++ {
		if i == 2 || i == 35 || i == 52 {
			continue
		}
		switch c := value[i]; {
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f':
		case 'A' <= c && c <= 'F':
			upper = true
		default:
			return "", "", "", false
		}
	}
	if upper {
		value = lower(value)
	}
	if value[:2] == "ff" || allZero(value[3:35]) || allZero(value[36:52]) {
		return "", "", "", false
	}
	return value[3:35], value[36:52], value[53:55], true
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func allZero(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '0' {
			return false
		}
	}
	return true
}

// FromHeader continues the trace of an incoming traceparent value, or starts
// a new one when it is absent or invalid. The span id is always new.
func FromHeader(value string) Trace {
	traceID, parentID, flags, ok := Parse(value)
	if !ok {
		return New()
	}
	var b [valueLen]byte
	copy(b[3:35], traceID)
	t := build(&b, flags)
	t.ParentID = parentID
	return t
}

// New starts a trace, for work that no request asked for (a consul
// registration, a TTL refresh).
func New() Trace {
	var b [valueLen]byte
	for {
		putHex(b[3:19], rand.Uint64())
		putHex(b[19:35], rand.Uint64())
		if !allZero(string(b[3:35])) {
			break
		}
	}
	return build(&b, "01")
}

// build completes b (whose trace id is set) with version 00, a new span id
// and flags, and makes the Trace over it: one allocation.
func build(b *[valueLen]byte, flags string) Trace {
	b[0], b[1], b[2], b[35], b[52] = '0', '0', '-', '-', '-'
	for {
		putHex(b[36:52], rand.Uint64())
		if !allZero(string(b[36:52])) {
			break
		}
	}
	copy(b[53:], flags)
	v := string(b[:])
	return Trace{TraceID: v[3:35], SpanID: v[36:52], Flags: v[53:55], value: v}
}

// putHex writes n as 16 lower-case hex digits into dst.
func putHex(dst []byte, n uint64) {
	const digits = "0123456789abcdef"
	for i := 15; i >= 0; i-- {
		dst[i] = digits[n&0xf]
		n >>= 4
	}
}

// Value is the traceparent to send for this span: the receiver sees this
// span as its parent.
func (t Trace) Value() string {
	if t.value != "" {
		return t.value
	}
	flags := t.Flags
	if flags == "" {
		flags = "01"
	}
	return "00-" + t.TraceID + "-" + t.SpanID + "-" + flags
}

// LogIDs is the "[span_id=… parent_id=… trace_id=…]" suffix xivo puts on its
// request and response lines; "-" stands for no parent.
func (t Trace) LogIDs() string { return string(t.AppendLogIDs(nil)) }

// AppendLogIDs appends LogIDs to b, for a log line built without
// allocating.
func (t Trace) AppendLogIDs(b []byte) []byte {
	parent := t.ParentID
	if parent == "" {
		parent = "-"
	}
	b = append(b, "[span_id="...)
	b = append(b, t.SpanID...)
	b = append(b, " parent_id="...)
	b = append(b, parent...)
	b = append(b, " trace_id="...)
	b = append(b, t.TraceID...)
	return append(b, ']')
}

// LogIDsLen is the length of LogIDs, to size a buffer.
func (t Trace) LogIDsLen() int {
	parent := len(t.ParentID)
	if parent == 0 {
		parent = 1
	}
	return len("[span_id= parent_id= trace_id=]") + len(t.SpanID) + parent + len(t.TraceID)
}

type key struct{}

// traceCtx is a context carrying a trace: one allocation where
// context.WithValue would need two (the context and the boxed Trace),
// and with it the response header's value (WithHeader).
type traceCtx struct {
	context.Context
	t      Trace
	header [1]string
}

func (c *traceCtx) Value(k any) any {
	if k == (key{}) {
		return &c.t
	}
	return c.Context.Value(k)
}

// With returns ctx carrying t.
func With(ctx context.Context, t Trace) context.Context {
	return &traceCtx{Context: ctx, t: t}
}

// WithHeader returns ctx carrying t, and []string{t.Value()}, a header
// value to send t with, made in the same allocation (its capacity is 1:
// an Add to it copies instead of writing in it).
func WithHeader(ctx context.Context, t Trace) (context.Context, []string) {
	c := &traceCtx{Context: ctx, t: t}
	c.header[0] = t.Value()
	return c, c.header[:]
}

// From returns the trace ctx carries.
func From(ctx context.Context) (Trace, bool) {
	if t, ok := ctx.Value(key{}).(*Trace); ok {
		return *t, true
	}
	return Trace{}, false
}

// SetOutbound puts the traceparent of req's context on req, so the daemon it
// calls (wazo-auth, consul, another Wazo daemon) logs the same trace id; a
// request made outside any trace starts one.
func SetOutbound(req *http.Request) {
	t, ok := From(req.Context())
	if !ok {
		t = New()
	}
	req.Header[CanonicalHeader] = []string{t.Value()}
}
