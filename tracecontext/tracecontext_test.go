package tracecontext

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestParseFollowsW3C(t *testing.T) {
	for value, ok := range map[string]bool{
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01": true,
		"00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-00": true,
		"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01": false, // version ff is invalid
		"00-00000000000000000000000000000000-00f067aa0ba902b7-01": false, // all-zero trace id
		"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01": false, // all-zero parent id
		"00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01":  false, // short trace id
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7":    false,
		"00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01": false,
		"": false,
	} {
		traceID, parentID, _, got := Parse(value)
		if got != ok {
			t.Errorf("Parse(%q) ok=%v, want %v", value, got, ok)
		}
		if got && (traceID != "4bf92f3577b34da6a3ce929d0e0e4736" || parentID != "00f067aa0ba902b7") {
			t.Errorf("Parse(%q) = %s %s, want lower-case ids", value, traceID, parentID)
		}
	}
}

func TestSetOutboundSendsTheRequestsSpan(t *testing.T) {
	in := FromHeader("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	req, _ := http.NewRequestWithContext(With(context.Background(), in), "GET", "http://127.0.0.1/", nil)
	SetOutbound(req)
	if got, want := req.Header.Get(Header), "00-4bf92f3577b34da6a3ce929d0e0e4736-"+in.SpanID+"-01"; got != want {
		t.Errorf("outbound traceparent %q, want %q", got, want)
	}

	bare, _ := http.NewRequest("GET", "http://127.0.0.1/", nil)
	SetOutbound(bare)
	if _, _, _, ok := Parse(bare.Header.Get(Header)); !ok {
		t.Errorf("a call outside any request should start a trace, got %q", bare.Header.Get(Header))
	}
}

func TestPutHexWritesSixteenLowerCaseDigits(t *testing.T) {
	values := []uint64{0, 1, 9, 10, 15, 16, 0x0123456789abcdef, 0xfedcba9876543210, 0xa0a0a0a09f9f9f9f, ^uint64(0)}
	for i := 0; i < 1000; i++ {
		values = append(values, rand.Uint64())
	}
	for _, n := range values {
		var b [16]byte
		putHex(b[:], n)
		if want := fmt.Sprintf("%016x", n); string(b[:]) != want {
			t.Fatalf("putHex(%#x) = %q, want %q", n, b[:], want)
		}
	}
}

func TestStartSpanPutsTheTraceInTheRequestsContext(t *testing.T) {
	for _, sent := range []string{"", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-00", "garbage"} {
		type other struct{}
		in := httptest.NewRequest("GET", "/", nil)
		in = in.WithContext(context.WithValue(in.Context(), other{}, "kept"))
		if sent != "" {
			in.Header.Set(Header, sent)
		}
		r, header := StartSpan(in)
		got, ok := From(r.Context())
		if !ok || len(header) != 1 || cap(header) != 1 || header[0] != got.Value() {
			t.Fatalf("traceparent %q: trace %+v (%v), header %q: want the context's trace in the header", sent, got, ok, header)
		}
		if r.URL != in.URL || r.Header.Get(Header) != sent || r.Context().Value(other{}) != "kept" {
			t.Errorf("traceparent %q: the request's copy lost the request or its context", sent)
		}
		if _, ok := From(in.Context()); ok {
			t.Errorf("traceparent %q: the incoming request was changed", sent)
		}
		wantTrace, wantParent := "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
		if !strings.HasPrefix(sent, "00-") {
			wantTrace, wantParent = got.TraceID, ""
		}
		if _, _, _, valid := Parse(got.Value()); !valid || got.TraceID != wantTrace || got.ParentID != wantParent || got.SpanID == wantParent {
			t.Errorf("traceparent %q: got %+v, want trace %q parent %q and a new valid span", sent, got, wantTrace, wantParent)
		}
		if sent != "" && strings.HasPrefix(sent, "00-") && got.Flags != "00" {
			t.Errorf("traceparent %q: flags %q, want the caller's", sent, got.Flags)
		}
	}
}

func TestSpanStartsOnce(t *testing.T) {
	var s Span
	s.Start(context.Background(), "")
	defer func() {
		if recover() == nil {
			t.Error("a second Start should panic: it would change the strings of the first")
		}
	}()
	s.Start(context.Background(), "")
}

// validTraceparent is the W3C rule Parse applies, written a byte at a time.
func validTraceparent(v string) bool {
	if len(v) != 55 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if i == 2 || i == 35 || i == 52 {
			if c != '-' {
				return false
			}
			continue
		}
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	l := strings.ToLower(v)
	return l[:2] != "ff" && strings.Trim(l[3:35], "0") != "" && strings.Trim(l[36:52], "0") != ""
}

// TestParseAgreesWithTheRuleForEveryByteAnywhere: every byte value at
// every place of a valid traceparent (Parse tests eight bytes at once).
func TestParseAgreesWithTheRuleForEveryByteAnywhere(t *testing.T) {
	const sent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	for i := 0; i < len(sent); i++ {
		for c := 0; c < 256; c++ {
			b := []byte(sent)
			b[i] = byte(c)
			v := string(b)
			traceID, parentID, flags, ok := Parse(v)
			if want := validTraceparent(v); ok != want {
				t.Fatalf("Parse(%q) ok=%v, want %v", v, ok, want)
			}
			l := strings.ToLower(v)
			if ok && (traceID != l[3:35] || parentID != l[36:52] || flags != l[53:55]) {
				t.Fatalf("Parse(%q) = %s %s %s, want the lower-case fields", v, traceID, parentID, flags)
			}
		}
	}
}
