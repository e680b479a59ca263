package boundedbuf

import (
	"errors"
	"io"
	"testing"
)

func TestBufferKeepsTheStartOrRefuses(t *testing.T) {
	quiet := &Buffer{Max: 5}
	for _, s := range []string{"abc", "defg", "hij"} {
		if n, err := quiet.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("write %q: %d %v", s, n, err)
		}
	}
	if quiet.String() != "abcde" || !quiet.Over {
		t.Errorf("kept %q, over %v; want the first 5 bytes and over", quiet.String(), quiet.Over)
	}

	strict := &Buffer{Max: 5, Refuse: true}
	if _, err := strict.Write([]byte("abcde")); err != nil || strict.Over {
		t.Fatalf("a write up to the bound: %v, over %v", err, strict.Over)
	}
	if n, err := strict.Write([]byte("f")); n != 0 || !errors.Is(err, ErrOver) || !strict.Over || strict.String() != "abcde" {
		t.Errorf("past the bound: %d %v, over %v, kept %q", n, err, strict.Over, strict.String())
	}
}

// os/exec copies a child's output with io.Copy, which prefers the
// destination's ReadFrom: the bound must hold there too.
func TestBufferBoundsACopy(t *testing.T) {
	for _, refuse := range []bool{false, true} {
		b := &Buffer{Max: 1 << 10, Refuse: refuse}
		n, err := io.Copy(b, io.LimitReader(zeros{}, 1<<20))
		if len(b.Bytes()) > 1<<10 || !b.Over || (refuse && !errors.Is(err, ErrOver)) || (!refuse && (err != nil || n != 1<<20)) {
			t.Errorf("refuse %v: copied %d (%v), kept %d bytes, over %v", refuse, n, err, len(b.Bytes()), b.Over)
		}
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }
