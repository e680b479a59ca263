// Package udiff writes unified diffs (the format `git apply` and `patch`
// read) of two texts, line by line, with Myers' O(ND) algorithm. The
// scaffold needs it to hand patches for the sibling repositories a new
// service touches; the standard library has no diff.
package udiff

import (
	"fmt"
	"strings"
)

// Context is the number of unchanged lines shown around each change, as
// diff -u and git diff do by default.
const Context = 3

// op is one line of an edit script.
type op struct {
	kind byte // ' ', '-', '+'
	line string
}

// File returns the git-style unified diff turning old into new for the file
// at path (relative, forward slashes). An empty old with created set writes
// a new-file diff ("--- /dev/null"). Identical texts give "".
func File(path string, old, new []byte, created bool) string {
	if !created && string(old) == string(new) {
		return ""
	}
	a, b := SplitLines(string(old)), SplitLines(string(new))
	if created {
		a = nil
	}
	script := diffLines(a, b)
	var sb strings.Builder
	fmt.Fprintf(&sb, "diff --git a/%s b/%s\n", path, path)
	if created {
		sb.WriteString("new file mode 100644\n")
		sb.WriteString("--- /dev/null\n")
	} else {
		fmt.Fprintf(&sb, "--- a/%s\n", path)
	}
	fmt.Fprintf(&sb, "+++ b/%s\n", path)
	writeHunks(&sb, script)
	return sb.String()
}

// Lines returns the unified diff of two texts as hunks only (no file
// headers): handy in tests and error messages.
func Lines(old, new string) string {
	var sb strings.Builder
	writeHunks(&sb, diffLines(SplitLines(old), SplitLines(new)))
	return sb.String()
}

// SplitLines cuts a text into lines, each keeping its "\n"; a last line
// without one stays as is, so "no newline at end of file" can be told
// apart. It is the unit Matches and the three-way merge work on.
func SplitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// Matches returns, for each line of a, the index of the line of b it is
// kept as in a shortest edit script from a to b, or -1 when that line is
// deleted. The kept indexes increase: they are a longest common
// subsequence, which a three-way merge aligns its two sides on.
func Matches(a, b []string) []int {
	m := make([]int, len(a))
	i, j := 0, 0
	for _, o := range diffLines(a, b) {
		switch o.kind {
		case ' ':
			m[i] = j
			i, j = i+1, j+1
		case '-':
			m[i] = -1
			i++
		case '+':
			j++
		}
	}
	return m
}

// Bounds of the search for a shortest edit script: its memory grows as the
// square of the edit distance and its time as lines × distance, and the
// texts may come from a checkout someone else wrote (a README of 40 000
// changed lines). Past them the lines in between the common head and tail
// are given as all removed then all added: a correct, longer script (a
// three-way merge then sees one conflicting region).
const (
	maxEditDistance = 2000
	maxDiffLines    = 200000
)

// diffLines returns an edit script from a to b: the common first and last
// lines kept, the rest a shortest script when within the bounds above.
func diffLines(a, b []string) []op {
	head := 0
	for head < len(a) && head < len(b) && a[head] == b[head] {
		head++
	}
	tail := 0
	for tail < len(a)-head && tail < len(b)-head && a[len(a)-1-tail] == b[len(b)-1-tail] {
		tail++
	}
	out := make([]op, 0, len(a)+len(b)-head-tail)
	for _, l := range a[:head] {
		out = append(out, op{' ', l})
	}
	ma, mb := a[head:len(a)-tail], b[head:len(b)-tail]
	middle, ok := []op(nil), false
	if len(ma)+len(mb) <= maxDiffLines {
		middle, ok = myers(ma, mb, maxEditDistance)
	}
	if !ok {
		middle = middle[:0]
		for _, l := range ma {
			middle = append(middle, op{'-', l})
		}
		for _, l := range mb {
			middle = append(middle, op{'+', l})
		}
	}
	out = append(out, middle...)
	for _, l := range a[len(a)-tail:] {
		out = append(out, op{' ', l})
	}
	return out
}

// myers is Myers' greedy shortest edit script (Myers 1986, "An O(ND)
// Difference Algorithm and Its Variations"), keeping each round's V array
// (only its diagonals -d..d, so memory grows with the edit distance D as
// D², not D×(N+M)) to walk the path back. ok is false when the distance is
// more than maxD.
func myers(a, b []string, maxD int) (script []op, ok bool) {
	n, m := len(a), len(b)
	max := n + m
	if max == 0 {
		return nil, true
	}
	off := max + 1
	v := make([]int, 2*max+3)
	// trace[d][k+d] is V[k] as round d found it, for k in -d..d.
	var trace [][]int
	var d int
search:
	for d = 0; d <= max; d++ {
		if d > maxD {
			return nil, false
		}
		trace = append(trace, append([]int(nil), v[off-d:off+d+1]...))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1] // down: insertion
			} else {
				x = v[off+k-1] + 1 // right: deletion
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x, y = x+1, y+1
			}
			v[off+k] = x
			if x >= n && y >= m {
				break search
			}
		}
	}
	// Walk back from (n, m) through the saved V arrays.
	var rev []op
	x, y := n, m
	for ; d > 0; d-- {
		vp := trace[d]
		k := x - y
		var prevK int
		if k == -d || (k != d && vp[k-1+d] < vp[k+1+d]) {
			prevK = k + 1
		} else {
			prevK = k - 1
		}
		prevX := vp[prevK+d]
		prevY := prevX - prevK
		for x > prevX && y > prevY {
			x, y = x-1, y-1
			rev = append(rev, op{' ', a[x]})
		}
		if x == prevX {
			y--
			rev = append(rev, op{'+', b[y]})
		} else {
			x--
			rev = append(rev, op{'-', a[x]})
		}
	}
	for x > 0 && y > 0 {
		x, y = x-1, y-1
		rev = append(rev, op{' ', a[x]})
	}
	out := make([]op, len(rev))
	for i := range rev {
		out[i] = rev[len(rev)-1-i]
	}
	return out, true
}

// writeHunks groups the edit script into hunks with Context lines around
// each change; changes separated by at most 2*Context unchanged lines share
// a hunk, as in diff -u.
func writeHunks(sb *strings.Builder, script []op) {
	// aBefore[i], bBefore[i]: lines of a and b consumed before script[i].
	aBefore := make([]int, len(script)+1)
	bBefore := make([]int, len(script)+1)
	for i, o := range script {
		aBefore[i+1], bBefore[i+1] = aBefore[i], bBefore[i]
		if o.kind != '+' {
			aBefore[i+1]++
		}
		if o.kind != '-' {
			bBefore[i+1]++
		}
	}
	var changes []int
	for i, o := range script {
		if o.kind != ' ' {
			changes = append(changes, i)
		}
	}
	for c := 0; c < len(changes); {
		first, last := changes[c], changes[c]
		c++
		for c < len(changes) && changes[c]-last-1 <= 2*Context {
			last = changes[c]
			c++
		}
		start, end := first-Context, last+1+Context
		if start < 0 {
			start = 0
		}
		if end > len(script) {
			end = len(script)
		}
		aCount := aBefore[end] - aBefore[start]
		bCount := bBefore[end] - bBefore[start]
		fmt.Fprintf(sb, "@@ -%s +%s @@\n", rangeOf(aBefore[start]+1, aCount), rangeOf(bBefore[start]+1, bCount))
		for _, o := range script[start:end] {
			sb.WriteByte(o.kind)
			sb.WriteString(o.line)
			if !strings.HasSuffix(o.line, "\n") {
				sb.WriteString("\n\\ No newline at end of file\n")
			}
		}
	}
}

// rangeOf formats a hunk range: "start,count", with GNU diff's conventions
// for an empty range (the line before it) and a single line ("start").
func rangeOf(start, count int) string {
	switch count {
	case 0:
		return fmt.Sprintf("%d,0", start-1)
	case 1:
		return fmt.Sprintf("%d", start)
	}
	return fmt.Sprintf("%d,%d", start, count)
}
