package logging

import (
	"strconv"
	"unicode/utf8"
)

// MaxLineBytes bounds one log line: a request can carry a path or a header
// of any length, and one line per request must not fill the disk.
const MaxLineBytes = 8 << 10

// needsEscape reports whether s holds a byte a log line must not carry as
// is: a control character (a newline would forge a line, ESC drives the
// terminal), DEL, or invalid UTF-8.
func needsEscape(s string) bool {
	i := 0
	// Eight bytes at a time while all are printable ASCII (0x20 to 0x7e),
	// what nearly every line is: a byte below 0x20 borrows in x-0x20…,
	// DEL carries in x+0x01…, and one from 0x80 has its top bit, so any of
	// them sets a top bit (the first one for sure; a borrow or a carry it
	// makes may set more, which only means a closer look).
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if (x|(x-0x2020202020202020)|(x+0x0101010101010101))&0x8080808080808080 != 0 {
			break
		}
	}
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || escapedRune(r) {
			return true
		}
		i += size
	}
	return false
}

// appendEscaped appends s, control characters and invalid bytes written
// as Go escapes (\n, \x1b, \u0085), everything else as is.
func appendEscaped(b []byte, s string) []byte {
	if !needsEscape(s) {
		return append(b, s...)
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\x`...)
			b = append(b, hexDigit(s[i]>>4), hexDigit(s[i]&0xf))
		case r < 0x20 || r == 0x7f || escapedRune(r):
			q := strconv.QuoteRune(r) // 'x' with the escape inside
			b = append(b, q[1:len(q)-1]...)
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return b
}

// escapedRune reports whether a non-ASCII rune is written as an escape: a
// C1 control, which some terminals obey like ESC; a line or paragraph
// separator, which some viewers and JSON tools break the line at; a
// bidirectional control, which shows the rest of the line reordered.
func escapedRune(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f, r == 0x2028, r == 0x2029:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

func hexDigit(n byte) byte { return "0123456789abcdef"[n] }

// truncateLine cuts a line (without its newline) to MaxLineBytes, on a
// rune boundary, saying how much was cut.
func truncateLine(b []byte) []byte {
	if len(b) <= MaxLineBytes {
		return b
	}
	cut := MaxLineBytes - 40
	for cut > 0 && !utf8.RuneStart(b[cut]) {
		cut--
	}
	dropped := len(b) - cut
	b = append(b[:cut], " ...["...)
	b = strconv.AppendInt(b, int64(dropped), 10)
	return append(b, " bytes cut]"...)
}

// Escape returns s with control characters (a newline, ESC, CR, C1) and
// invalid UTF-8 written as Go escapes, so text from a file or a peer can be
// printed to a terminal or a line-oriented file without starting a line or
// driving the terminal.
func Escape(s string) string {
	if !needsEscape(s) {
		return s
	}
	return string(appendEscaped(nil, s))
}
