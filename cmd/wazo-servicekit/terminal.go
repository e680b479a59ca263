package main

import (
	"io"
	"strconv"
)

// controlFilter is what every command writes to stdout and stderr through:
// a control character that is not a line break or a tab (ESC, CR, BEL,
// DEL, a C1 control such as CSI) is written as an escape (\x1b) instead of
// reaching the terminal. The reports escape each string of the checked
// repository already (newlines included, so no line can be forged); this
// covers every other message that echoes a path or a value.
type controlFilter struct {
	w       io.Writer
	pending bool // the last write ended with 0xc2, the first byte of a C1 control in UTF-8
}

func (c *controlFilter) Write(p []byte) (int, error) {
	out := make([]byte, 0, len(p)+8)
	if c.pending {
		c.pending = false
		if len(p) > 0 && p[0] >= 0x80 && p[0] <= 0x9f {
			out = appendControl(out, rune(p[0]))
			p = p[1:]
		} else {
			out = append(out, 0xc2)
		}
	}
	n := 0
	for i := 0; i < len(p); i++ {
		b := p[i]
		switch {
		case b == 0xc2 && i+1 == len(p):
			c.pending = true
		case b == 0xc2 && p[i+1] >= 0x80 && p[i+1] <= 0x9f:
			out = appendControl(out, rune(p[i+1]))
			i++
		case b < 0x20 && b != '\n' && b != '\t', b == 0x7f:
			out = appendControl(out, rune(b))
		default:
			out = append(out, b)
		}
		n = i + 1
	}
	if _, err := c.w.Write(out); err != nil {
		return 0, err
	}
	return max(n, len(p)), nil
}

func appendControl(b []byte, r rune) []byte {
	q := strconv.QuoteRune(r)
	return append(b, q[1:len(q)-1]...)
}
