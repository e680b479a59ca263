package tracecontext

import (
	"context"
	"net/http"
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
