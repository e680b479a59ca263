// Package merge3 merges two edited versions of a text with their common
// ancestor, line by line, as diff3 and git do. `wazo-servicekit update`
// needs it to bring a newer kit's rendering of a file into a project that
// edited the file since `new`: changes to different regions both land,
// and where both sides changed the same region differently the result
// holds git-style conflict markers for the user to resolve.
package merge3

import (
	"slices"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/scaffold/udiff"
)

// Labels name the three versions in conflict markers.
type Labels struct {
	Local string // after "<<<<<<< "
	Base  string // after "||||||| "
	Other string // after ">>>>>>> "
}

// Result is a merged text and how many regions conflict in it.
type Result struct {
	Text      string
	Conflicts int
}

// chunk is one region of the merge: stable (the three versions agree) or
// unstable (at least one side changed it), as line ranges of each version.
type chunk struct {
	stable                 bool
	b0, b1, l0, l1, o0, o1 int
}

// Merge merges local and other, both derived from base. A region only
// one side changed takes that side's lines; a region both sides changed
// identically takes them once; a region both changed differently is a
// conflict, written in git's diff3 style:
//
//	<<<<<<< Local
//	local's lines
//	||||||| Base
//	base's lines
//	=======
//	other's lines
//	>>>>>>> Other
//
// Changes that touch adjacent lines, with no unchanged line between them,
// count as one region (as in diff3 and git), so they conflict.
func Merge(base, local, other string, l Labels) Result {
	b, lo, ot := udiff.SplitLines(base), udiff.SplitLines(local), udiff.SplitLines(other)
	var sb strings.Builder
	var res Result
	for _, c := range chunks(b, lo, ot) {
		bl, ll, ol := b[c.b0:c.b1], lo[c.l0:c.l1], ot[c.o0:c.o1]
		switch {
		case c.stable, slices.Equal(ll, ol), slices.Equal(bl, ol):
			writeLines(&sb, ll)
		case slices.Equal(bl, ll):
			writeLines(&sb, ol)
		default:
			res.Conflicts++
			sb.WriteString("<<<<<<< " + l.Local + "\n")
			writeSide(&sb, ll)
			sb.WriteString("||||||| " + l.Base + "\n")
			writeSide(&sb, bl)
			sb.WriteString("=======\n")
			writeSide(&sb, ol)
			sb.WriteString(">>>>>>> " + l.Other + "\n")
		}
	}
	res.Text = sb.String()
	return res
}

// chunks cuts the three versions into alternating stable and unstable
// regions: a base line is stable when both sides keep it (per a shortest
// edit script from base to each) and the lines before it on each side are
// all accounted for — the classic diff3 alignment.
func chunks(b, lo, ot []string) []chunk {
	ml, mo := udiff.Matches(b, lo), udiff.Matches(b, ot)
	var out []chunk
	i, j, k := 0, 0, 0
	for i < len(b) || j < len(lo) || k < len(ot) {
		// A run of lines all three agree on, at the current positions.
		s := i
		for i < len(b) && ml[i] == j && mo[i] == k {
			i, j, k = i+1, j+1, k+1
		}
		if i > s {
			out = append(out, chunk{stable: true, b0: s, b1: i, l0: j - (i - s), l1: j, o0: k - (i - s), o1: k})
			continue
		}
		// Otherwise the unstable region runs to the next base line both
		// sides keep (or to the ends).
		n := i
		for n < len(b) && (ml[n] < 0 || mo[n] < 0) {
			n++
		}
		nl, no := len(lo), len(ot)
		if n < len(b) {
			nl, no = ml[n], mo[n]
		}
		out = append(out, chunk{b0: i, b1: n, l0: j, l1: nl, o0: k, o1: no})
		i, j, k = n, nl, no
	}
	return out
}

func writeLines(sb *strings.Builder, lines []string) {
	for _, s := range lines {
		sb.WriteString(s)
	}
}

// writeSide writes one side of a conflict, ending it with a newline so the
// next marker starts its own line even when the side is a last line
// without one (git does the same).
func writeSide(sb *strings.Builder, lines []string) {
	writeLines(sb, lines)
	if len(lines) > 0 && !strings.HasSuffix(lines[len(lines)-1], "\n") {
		sb.WriteByte('\n')
	}
}
