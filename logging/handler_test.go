package logging

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wazo-platform/wazo-servicekit/config"
)

// wazoLine is xivo-lib-python's current line, field by field: asctime as
// date, time, a comma and three digits of milliseconds, then the time zone's
// abbreviation; "[pid " process "]"; "[tid " thread "]"; "(" levelname ")";
// "(" name "): " message.
var wazoLine = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (?:[A-Z]{3,5}|[-+]\d{2,4}) \[pid \d+\] \[tid \d+\] \((DEBUG|INFO|WARNING|ERROR|CRITICAL)\) \(([^)]+)\): (.*)$`)

func TestLineFormatIsWazos(t *testing.T) {
	var out, errOut bytes.Buffer
	level := new(slog.LevelVar)
	level.Set(slog.LevelDebug)
	l := slog.New(NewHandler(&out, &errOut, level, "wazo-test"))
	l.Debug("debug line")
	Named(l, "wazo-test.http").Info("GET /1.0/status", "status", 200, "client", "127.0.0.1:1")
	l.With("k", "v w").Warn("careful")
	l.Log(context.Background(), config.LevelCritical, "down")

	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []struct{ level, logger, msg string }{
		{"DEBUG", "wazo-test", "debug line"},
		{"INFO", "wazo-test.http", "GET /1.0/status status=200 client=127.0.0.1:1"},
		{"WARNING", "wazo-test", `careful k="v w"`},
		{"CRITICAL", "wazo-test", "down"},
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines:\n%s", len(lines), out.String())
	}
	for i, w := range want {
		m := wazoLine.FindStringSubmatch(lines[i])
		if m == nil {
			t.Errorf("line %d is not in Wazo's format: %q", i, lines[i])
			continue
		}
		if m[1] != w.level || m[2] != w.logger || m[3] != w.msg {
			t.Errorf("line %d: got (%s) (%s): %s, want (%s) (%s): %s", i, m[1], m[2], m[3], w.level, w.logger, w.msg)
		}
	}
	if n := strings.Count(errOut.String(), "\n"); n != 2 {
		t.Errorf("stderr should get the WARNING and CRITICAL lines only, got %d lines: %q", n, errOut.String())
	}
}

func TestLevelChangesAtRunTime(t *testing.T) {
	var out bytes.Buffer
	level := new(slog.LevelVar)
	l := slog.New(NewHandler(&out, nil, level, "x"))
	l.Debug("hidden")
	level.Set(slog.LevelDebug)
	l.Debug("shown")
	if strings.Contains(out.String(), "hidden") || !strings.Contains(out.String(), "shown") {
		t.Errorf("level not honoured: %q", out.String())
	}
}

// TestCopytruncateSafe is logrotate's copytruncate: the file is copied then
// truncated under the daemon. With O_APPEND the next line lands at the new
// end (offset 0), leaving no hole of NUL bytes.
func TestCopytruncateSafe(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wazo-test.log")
	level := new(slog.LevelVar)
	l, closer, err := Open(path, level, "x")
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	file := closer.(*File)
	l.Info(strings.Repeat("before rotation ", 20))
	file.Flush()
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	l.Info("after rotation")
	file.Flush()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.IndexByte(data, 0) >= 0 {
		t.Fatalf("NUL bytes after truncation: the file is not opened in append mode (%d bytes)", len(data))
	}
	if !strings.HasSuffix(strings.TrimSpace(string(data)), "after rotation") || strings.Contains(string(data), "before") {
		t.Errorf("unexpected content after truncation: %q", data)
	}
}

func TestOpenErrorSaysWhatToDo(t *testing.T) {
	_, _, err := Open(filepath.Join(t.TempDir(), "missing-dir", "x.log"), new(slog.LevelVar), "x")
	if err == nil || !strings.Contains(err.Error(), "missing-dir") || !strings.Contains(err.Error(), "postinst") {
		t.Errorf("want an error naming the file and the fix, got %v", err)
	}
}

// TestControlAfterMultibyteIsEscaped: found by FuzzAccessLogEscaping, a
// control character after a multi-byte one went through.
func TestControlAfterMultibyteIsEscaped(t *testing.T) {
	for _, s := range []string{"\u06eb\x13", "é\n(WARNING) x", "\u0085", "ok\xff"} {
		if !needsEscape(s) {
			t.Errorf("needsEscape(%q) = false", s)
		}
		//lint:ignore SA1011 the invalid byte \xff is the input under test
		if out := string(appendEscaped(nil, s)); strings.ContainsAny(out, "\x13\n\u0085\xff") {
			t.Errorf("appendEscaped(%q) = %q", s, out)
		}
	}
	if needsEscape("héllo wörld") {
		t.Error("plain UTF-8 needs no escape")
	}
}

// needsEscape reads eight bytes at a time: every byte value at every place
// of strings around that width gets the answer a rune by rune reading
// gives.
func TestNeedsEscapeEveryByteAtEveryPlace(t *testing.T) {
	want := func(s string) bool {
		for i, r := range s {
			if _, size := utf8.DecodeRuneInString(s[i:]); r == utf8.RuneError && size == 1 || r < 0x20 || r == 0x7f || escapedRune(r) {
				return true
			}
		}
		return false
	}
	for _, n := range []int{1, 7, 8, 9, 16, 17, 24} {
		base := []byte(strings.Repeat("a~ Z", 8)[:n])
		for at := 0; at < n; at++ {
			for c := 0; c < 256; c++ {
				b := append([]byte(nil), base...)
				b[at] = byte(c)
				if got := needsEscape(string(b)); got != want(string(b)) {
					t.Fatalf("needsEscape(%q) = %v", b, got)
				}
			}
		}
	}
	for _, s := range []string{"0123456\u0085", "01234567\u2028", "abcdefg\xc3\xa9", "abcdefghé\n", "~~~~~~~~\x7f"} {
		if got := needsEscape(s); got != want(s) {
			t.Errorf("needsEscape(%q) = %v", s, got)
		}
	}
}
