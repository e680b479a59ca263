package logging

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// Durations below a second read as time.Duration's String.
func TestDurationAsTimeWritesIt(t *testing.T) {
	for _, d := range []time.Duration{0, 7, 999, 1000, 1001, 92029, 123456, 999999, 1000000, 1500000, 999999999, -92029, -7, -1500000} {
		if got := string(appendDuration(nil, d)); got != d.String() {
			t.Errorf("appendDuration(%d) = %q, want %q", int64(d), got, d.String())
		}
	}
	for d, want := range map[time.Duration]string{2250 * time.Millisecond: "2.25s", time.Second: "1s", time.Second + 1: "1.000000001s",
		-61500 * time.Millisecond: "-61.5s", 3600 * time.Second: "3600s", -1 << 63: "-9223372036.854775808s"} {
		if got := string(appendDuration(nil, d)); got != want {
			t.Errorf("appendDuration(%d) = %q, want %q", int64(d), got, want)
		}
	}
}

// Line and paragraph separators and bidirectional controls are escaped in
// messages and values: a viewer would break the line there, or show the
// rest of it reordered.
func TestSeparatorsAndBidiControlsAreEscaped(t *testing.T) {
	var out bytes.Buffer
	l := slog.New(NewHandler(&out, nil, slog.LevelInfo, "wazo-test"))
	hostile := "a\u2028b\u2029c\u202ed\u2066e\u200ff\u061cg"
	l.Info(hostile, "k", hostile)
	line := out.String()
	for _, r := range []rune{'\u2028', '\u2029', '\u202e', '\u2066', '\u200f', '\u061c'} {
		if strings.ContainsRune(line, r) {
			t.Errorf("%U written raw: %q", r, line)
		}
	}
	if !strings.Contains(line, `a\u2028b\u2029c\u202ed`) {
		t.Errorf("want the escapes in the message: %q", line)
	}
}

// The date cached per second is right across a change of second.
func TestCachedSecondFollowsTheClock(t *testing.T) {
	var out bytes.Buffer
	h := NewHandler(&out, nil, slog.LevelInfo, "wazo-test")
	base := time.Date(2026, 12, 6, 3, 59, 59, 998e6, time.UTC)
	for _, at := range []time.Time{base, base.Add(time.Millisecond), base.Add(3 * time.Millisecond), base.Add(time.Hour)} {
		h.Handle(context.Background(), slog.NewRecord(at, slog.LevelInfo, "x", 0))
	}
	want := []string{"2026-12-06 03:59:59,998 UTC", "2026-12-06 03:59:59,999 UTC", "2026-12-06 04:00:00,001 UTC", "2026-12-06 04:59:59,998 UTC"}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	for i, w := range want {
		if i >= len(lines) || !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d: want %q, got %q", i, w, lines)
		}
	}
}
