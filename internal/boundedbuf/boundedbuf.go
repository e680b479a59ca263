// Package boundedbuf keeps what a child process writes, up to a bound: a
// command that floods its output cannot exhaust the process reading it.
package boundedbuf

import (
	"bytes"
	"errors"
)

// ErrOver is the error of a write past the bound of a Buffer that refuses.
var ErrOver = errors.New("output over its bound")

// Buffer keeps at most Max bytes. Past them it drops the rest quietly (a
// command's messages, quoted by their start), or, with Refuse, fails the
// write (output read whole or not at all: os/exec stops copying and the
// child gets EPIPE). Over says a write went past Max either way.
//
// The bytes.Buffer is a field, not embedded: its ReadFrom would be
// promoted, and io.Copy (os/exec's) would use it, bypassing Write and
// its bound.
type Buffer struct {
	Max    int
	Refuse bool
	Over   bool
	buf    bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	room := b.Max - b.buf.Len()
	if len(p) <= room {
		return b.buf.Write(p)
	}
	b.Over = true
	if b.Refuse {
		return 0, ErrOver
	}
	b.buf.Write(p[:max(room, 0)])
	return len(p), nil
}

// Bytes is what was kept.
func (b *Buffer) Bytes() []byte { return b.buf.Bytes() }

// String is what was kept.
func (b *Buffer) String() string { return b.buf.String() }
