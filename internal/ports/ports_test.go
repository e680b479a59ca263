package ports

import (
	"strings"
	"testing"
)

func TestEmbeddedRegistryHasDoctordAndNextIsAfterIt(t *testing.T) {
	r, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := r.PortsOf("wazo-doctord"); len(got) != 1 || got[0] != 9504 {
		t.Fatalf("wazo-doctord ports = %v, want [9504]", got)
	}
	next, why := r.Next()
	if next != 9505 {
		t.Fatalf("Next() = %d (%s), want 9505", next, why)
	}
	if !strings.Contains(why, "9504") || !strings.Contains(why, "wazo-doctord") {
		t.Fatalf("reason %q does not name the highest port and its owner", why)
	}
}

func TestParse(t *testing.T) {
	cases := []struct {
		name, doc, wantErr string
		next               int
	}{
		{"skips test ports", "block_start: 8070\nblock_end: 8099\ncommon_test_ports: [8080]\nports: [{port: 8079, daemon: a}]", "", 8081},
		{"skips taken ports", "block_start: 10\nblock_end: 20\nports: [{port: 12, daemon: a}, {port: 13, daemon: b, historical: true}]", "", 14},
		{"empty block", "block_start: 10\nblock_end: 20\n", "", 10},
		{"conflict", "block_start: 10\nblock_end: 20\nports: [{port: 12, daemon: a}, {port: 12, daemon: b}]", "claimed by a and b", 0},
		{"no block", "ports: []", "block_start", 0},
		{"bad port", "block_start: 1\nblock_end: 2\nports: [{port: 70000, daemon: a}]", "bad entry", 0},
		{"not yaml", "block_start: [", "ports registry", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Parse([]byte(c.doc))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := r.Next(); got != c.next {
				t.Fatalf("Next() = %d, want %d", got, c.next)
			}
		})
	}
}
