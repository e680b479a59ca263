// Package tracecontext carries a request id across Wazo daemons the way
// xivo-lib-python does: the W3C Trace Context `traceparent` header
// (version-traceid-parentid-flags). A request that brings a valid one keeps
// its trace id and records the caller's span as parent; otherwise a new trace
// starts. Every request gets its own span id, which the access log shows, the
// response returns, and outbound calls made for the request send as parent.
//
// A trace's ids are slices of its traceparent value, parsed and formatted
// in place. For an incoming request (StartSpan) the trace, its context,
// its response header and the request's copy carrying that context are
// one allocation.
package tracecontext

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"net/http"
	"unsafe"
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
	// The trace id (3 to 35) and the parent id (36 to 52) eight bytes at a
	// time, at constant offsets (the length checked above spares the loads
	// their bounds checks); the version and the flags a byte at a time.
	n1, c1 := hexWord(word(value, 3))
	n2, c2 := hexWord(word(value, 11))
	n3, c3 := hexWord(word(value, 19))
	n4, c4 := hexWord(word(value, 27))
	n5, c5 := hexWord(word(value, 36))
	n6, c6 := hexWord(word(value, 44))
	notHex := n1 | n2 | n3 | n4 | n5 | n6
	upper := c1|c2|c3|c4|c5|c6 != 0
	for _, i := range [...]int{0, 1, 53, 54} {
		switch c := value[i]; {
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f':
		case 'A' <= c && c <= 'F':
			upper = true
		default:
			return "", "", "", false
		}
	}
	if notHex != 0 {
		return "", "", "", false
	}
	if upper {
		value = lower(value)
	}
	if value[:2] == "ff" || value[3:35] == zeros || value[36:52] == zeros[:16] {
		return "", "", "", false
	}
	return value[3:35], value[36:52], value[53:55], true
}

// zeros is an all-zero trace id, which W3C rejects (and a parent id, its
// first half).
const zeros = "00000000000000000000000000000000"

// word is the eight bytes of s from i, the first in the low byte.
func word(s string, i int) uint64 {
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// hexWord tests the eight bytes of x at once: notHex has the top bit of
// each byte that is not a hex digit, capitals that of each capital letter.
// For ASCII bytes, adding 0x80-bound to every byte sets the top bit of
// those at or above bound and carries into no other byte; a byte that is
// not ASCII is marked by its own top bit, whatever its carry does to the
// others. Lower and
// capital letters are tested together, with bit 0x20 set on all bytes.
func hexWord(x uint64) (notHex, capitals uint64) {
	const ones, tops = 0x0101010101010101, 0x8080808080808080
	digits := (x + ones*(0x80-'0')) &^ (x + ones*(0x80-'9'-1))
	folded := x | ones*0x20
	letters := (folded + ones*(0x80-'a')) &^ (folded + ones*(0x80-'f'-1))
	// A capital is a letter without bit 0x20, which <<2 moves to the top.
	return (x | ^(digits | letters)) & tops, letters &^ (x << 2) & tops
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

// FromHeader continues the trace of an incoming traceparent value, or starts
// a new one when it is absent or invalid. The span id is always new.
func FromHeader(value string) Trace {
	var b [valueLen]byte
	parentID := fill(&b, value)
	return over(string(b[:]), parentID)
}

// New starts a trace, for work that no request asked for (a consul
// registration, a TTL refresh).
func New() Trace { return FromHeader("") }

// fill writes into b the traceparent of a new span: of the trace of sent
// (a caller's traceparent) when it is valid, of a new trace otherwise. It
// returns the caller's span id, empty for a new trace.
func fill(b *[valueLen]byte, sent string) (parentID string) {
	traceID, parentID, flags, ok := Parse(sent)
	if ok {
		copy(b[3:35], traceID)
	} else {
		parentID, flags = "", "01"
		hi, lo := rand.Uint64(), rand.Uint64()
		for hi|lo == 0 {
			hi, lo = rand.Uint64(), rand.Uint64()
		}
		putHex(b[3:19], hi)
		putHex(b[19:35], lo)
	}
	span := rand.Uint64()
	for span == 0 {
		span = rand.Uint64()
	}
	putHex(b[36:52], span)
	b[0], b[1], b[2], b[35], b[52] = '0', '0', '-', '-', '-'
	copy(b[53:], flags)
	return parentID
}

// over is the Trace whose traceparent is value (as fill writes it), its
// ids slices of value.
func over(value, parentID string) Trace {
	return Trace{TraceID: value[3:35], SpanID: value[36:52], ParentID: parentID, Flags: value[53:55], value: value}
}

// putHex writes n as 16 lower-case hex digits into dst.
func putHex(dst []byte, n uint64) {
	binary.BigEndian.PutUint64(dst[:8], hexDigits(uint32(n>>32)))
	binary.BigEndian.PutUint64(dst[8:16], hexDigits(uint32(n)))
}

// hexDigits is n's eight hex digits, its last in the low byte: each nibble
// is spread to a byte of its own, then all bytes are made digits at once,
// '0' added to each and 'a'-'0'-10 more to those of 10 and over (adding 6
// to those carries into their bit 4). No byte overflows into the next.
func hexDigits(n uint32) uint64 {
	x := uint64(n)
	x = (x | x<<16) & 0x0000ffff0000ffff
	x = (x | x<<8) & 0x00ff00ff00ff00ff
	x = (x | x<<4) & 0x0f0f0f0f0f0f0f0f
	letters := (x + 0x0606060606060606) >> 4 & 0x0101010101010101
	return x + 0x3030303030303030 + letters*('a'-'0'-10)
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

// Span is this daemon's span of a request's trace, as the context of the
// request's copy the handlers get. It keeps the trace as the bytes of its
// traceparent and the caller's span id, and makes a Trace of them when
// asked (From, Trace). It is a type of its own so that a middleware can
// make it part of the one allocation it makes per request (StartSpan).
// Start it once, before any other use, and use it by its address.
type Span struct {
	context.Context
	parentID string
	header   [1]string // the traceparent, a view of value
	value    [valueLen]byte
}

// Start makes s a context derived from parent that carries this daemon's
// span: the span continues the trace of traceparent (a caller's header)
// when valid, or starts one. It returns the span's traceparent as a response header value
// (its capacity is 1: an Add to it copies instead of writing in it).
func (s *Span) Start(parent context.Context, traceparent string) []string {
	if s.Context != nil {
		panic("tracecontext: a Span is started twice")
	}
	s.Context = parent
	s.parentID = fill(&s.value, traceparent)
	// The trace's strings are views of s.value, which nothing writes
	// again: a string made there is as immutable as one allocated apart,
	// and keeps s alive as long as it is used.
	s.header[0] = unsafe.String(&s.value[0], valueLen)
	return s.header[:]
}

// Trace is the trace s carries.
func (s *Span) Trace() Trace { return over(s.header[0], s.parentID) }

// Value is the span for this package's key, else parent's value.
func (s *Span) Value(k any) any {
	if k == (key{}) {
		return s
	}
	return s.Context.Value(k)
}

// spanRequest is all StartSpan allocates for a request: the request's copy
// that carries the new context (the copy Request.WithContext makes) and
// that context.
type spanRequest struct {
	req  http.Request
	span Span
}

// StartSpan starts this daemon's span for an incoming request (Span.Start
// with r's traceparent header). It returns r's copy whose context carries
// the trace, for the handlers, the access log and outbound calls, and the
// traceparent header value to answer with. One allocation in all.
func StartSpan(r *http.Request) (*http.Request, []string) {
	s := new(spanRequest)
	header := s.span.Start(r.Context(), Incoming(r))
	// WithContext is inlined, so its copy stays on the stack and is copied
	// into s rather than allocated.
	s.req = *r.WithContext(&s.span)
	return &s.req, header
}

// Incoming is the traceparent header r came with ("" without one), read
// under its canonical key, which allocates nothing.
func Incoming(r *http.Request) string {
	if v := r.Header[CanonicalHeader]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// From returns the trace ctx carries.
func From(ctx context.Context) (Trace, bool) {
	switch t := ctx.Value(key{}).(type) {
	case *Trace:
		return *t, true
	case *Span:
		return t.Trace(), true
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
