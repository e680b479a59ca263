package merge3

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/scaffold/udiff"
)

var labels = Labels{Local: "local", Base: "base", Other: "other"}

func TestMerge(t *testing.T) {
	const base = "1\n2\n3\n4\n5\n6\n7\n8\n"
	tests := []struct {
		name, base, local, other, want string
		conflicts                      int
	}{
		{"nothing changed", base, base, base, base, 0},
		{"only local changed", base, "1\n2\nL\n4\n5\n6\n7\n8\n", base, "1\n2\nL\n4\n5\n6\n7\n8\n", 0},
		{"only other changed", base, base, "1\n2\n3\n4\n5\nO\n7\n8\n", "1\n2\n3\n4\n5\nO\n7\n8\n", 0},
		{"both, separate regions", base, "1\nL\n3\n4\n5\n6\n7\n8\n", "1\n2\n3\n4\n5\n6\nO\n8\n", "1\nL\n3\n4\n5\n6\nO\n8\n", 0},
		{"both, same change", base, "1\n2\nX\n4\n5\n6\n7\n8\n", "1\n2\nX\n4\n5\n6\n7\n8\n", "1\n2\nX\n4\n5\n6\n7\n8\n", 0},
		{"both, same line differently", base, "1\n2\nL\n4\n5\n6\n7\n8\n", "1\n2\nO\n4\n5\n6\n7\n8\n",
			"1\n2\n<<<<<<< local\nL\n||||||| base\n3\n=======\nO\n>>>>>>> other\n4\n5\n6\n7\n8\n", 1},
		{"adjacent lines conflict", base, "1\n2\nL\n4\n5\n6\n7\n8\n", "1\n2\n3\nO\n5\n6\n7\n8\n",
			"1\n2\n<<<<<<< local\nL\n4\n||||||| base\n3\n4\n=======\n3\nO\n>>>>>>> other\n5\n6\n7\n8\n", 1},
		{"insert at start and at end", base, "L\n" + base, base + "O\n", "L\n" + base + "O\n", 0},
		{"both insert at start", base, "L\n" + base, "O\n" + base,
			"<<<<<<< local\nL\n||||||| base\n=======\nO\n>>>>>>> other\n" + base, 1},
		{"both insert the same at end", base, base + "X\n", base + "X\n", base + "X\n", 0},
		{"local deletes, other edits elsewhere", base, "1\n2\n4\n5\n6\n7\n8\n", "1\n2\n3\n4\n5\n6\n7\nO\n", "1\n2\n4\n5\n6\n7\nO\n", 0},
		{"local deletes what other edits", base, "1\n2\n4\n5\n6\n7\n8\n", "1\n2\nO\n4\n5\n6\n7\n8\n",
			"1\n2\n<<<<<<< local\n||||||| base\n3\n=======\nO\n>>>>>>> other\n4\n5\n6\n7\n8\n", 1},
		{"two conflicts", base, "L\n2\n3\n4\n5\n6\n7\nL\n", "O\n2\n3\n4\n5\n6\n7\nO\n",
			"<<<<<<< local\nL\n||||||| base\n1\n=======\nO\n>>>>>>> other\n2\n3\n4\n5\n6\n7\n<<<<<<< local\nL\n||||||| base\n8\n=======\nO\n>>>>>>> other\n", 2},
		{"empty everywhere", "", "", "", "", 0},
		{"empty base, only local", "", "L\n", "", "L\n", 0},
		{"empty base, both add", "", "L\n", "O\n", "<<<<<<< local\nL\n||||||| base\n=======\nO\n>>>>>>> other\n", 1},
		{"other empties the file", "a\nb\n", "a\nb\n", "", "", 0},
		{"no trailing newline, other adds one", "a\nb", "a\nb", "a\nb\n", "a\nb\n", 0},
		{"no trailing newline kept, local edits top", "a\nb\nc", "A\nb\nc", "a\nb\nc\nd", "A\nb\nc\nd", 0},
		{"no trailing newline, conflict", "a\nb", "a\nL", "a\nO",
			"a\n<<<<<<< local\nL\n||||||| base\nb\n=======\nO\n>>>>>>> other\n", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Merge(tt.base, tt.local, tt.other, labels)
			if got.Text != tt.want || got.Conflicts != tt.conflicts {
				t.Errorf("Merge() = %d conflicts:\n%s\nwant %d:\n%s", got.Conflicts, got.Text, tt.conflicts, tt.want)
			}
		})
	}
}

// checkInvariants holds for any three texts: merging with an unchanged
// side gives the other side; merging two equal sides gives that side; a
// clean merge is the same whichever side is "local", and keeps every line
// either side added, in order.
func checkInvariants(t *testing.T, base, local, other string) {
	t.Helper()
	if r := Merge(base, base, other, labels); r.Text != other || r.Conflicts != 0 {
		t.Fatalf("Merge(b, b, o) = %q (%d conflicts), want o = %q", r.Text, r.Conflicts, other)
	}
	if r := Merge(base, local, base, labels); r.Text != local || r.Conflicts != 0 {
		t.Fatalf("Merge(b, l, b) = %q (%d conflicts), want l = %q", r.Text, r.Conflicts, local)
	}
	if r := Merge(base, local, local, labels); r.Text != local || r.Conflicts != 0 {
		t.Fatalf("Merge(b, l, l) = %q (%d conflicts), want l = %q", r.Text, r.Conflicts, local)
	}
	r := Merge(base, local, other, labels)
	swapped := Merge(base, other, local, Labels{Local: labels.Other, Base: labels.Base, Other: labels.Local})
	if (r.Conflicts == 0) != (swapped.Conflicts == 0) {
		t.Fatalf("swapping sides changes whether the merge is clean: %d vs %d conflicts", r.Conflicts, swapped.Conflicts)
	}
	if r.Conflicts > 0 {
		if !strings.Contains(r.Text, "<<<<<<< local\n") || !strings.Contains(r.Text, ">>>>>>> other\n") {
			t.Fatalf("conflicting merge without markers: %q", r.Text)
		}
		return
	}
	if r.Text != swapped.Text {
		t.Fatalf("clean merge depends on the side order: %q vs %q", r.Text, swapped.Text)
	}
	merged := udiff.SplitLines(r.Text)
	for _, side := range []string{local, other} {
		added := addedLines(base, side)
		if !isSubsequence(added, merged) {
			t.Fatalf("clean merge %q lost lines %q added in %q (base %q)", r.Text, added, side, base)
		}
	}
}

// addedLines are the lines of side that a shortest edit script from base
// inserts.
func addedLines(base, side string) []string {
	s := udiff.SplitLines(side)
	keptAt := map[int]bool{}
	for _, j := range udiff.Matches(udiff.SplitLines(base), s) {
		if j >= 0 {
			keptAt[j] = true
		}
	}
	var out []string
	for j, line := range s {
		if !keptAt[j] {
			out = append(out, line)
		}
	}
	return out
}

func isSubsequence(sub, seq []string) bool {
	i := 0
	for _, s := range seq {
		if i < len(sub) && s == sub[i] {
			i++
		}
	}
	return i == len(sub)
}

// lines turns fuzz bytes into a text over a small alphabet of lines, so
// the three versions share many lines and their diffs overlap; bit 7 of
// the last byte drops the final newline.
func lines(data []byte) string {
	var sb strings.Builder
	for _, c := range data {
		fmt.Fprintf(&sb, "%c\n", 'a'+c%6)
	}
	s := sb.String()
	if len(data) > 0 && data[len(data)-1]&0x80 != 0 {
		s = strings.TrimSuffix(s, "\n")
	}
	return s
}

func TestMergeInvariantsRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	randBytes := func() []byte {
		b := make([]byte, rng.Intn(12))
		rng.Read(b)
		return b
	}
	for i := 0; i < 2000; i++ {
		checkInvariants(t, lines(randBytes()), lines(randBytes()), lines(randBytes()))
	}
}

func FuzzMerge(f *testing.F) {
	f.Add([]byte("abcdef"), []byte("abXdef"), []byte("abcdeY"))
	f.Add([]byte(""), []byte("a"), []byte("b"))
	f.Add([]byte("aaa\x80"), []byte("aa"), []byte("aaaa"))
	f.Fuzz(func(t *testing.T, base, local, other []byte) {
		// Generated files are small; longer inputs only slow the search.
		if len(base) > 256 || len(local) > 256 || len(other) > 256 {
			t.Skip()
		}
		checkInvariants(t, lines(base), lines(local), lines(other))
	})
}

// BenchmarkMerge2000 merges a 2,000-line file with 20 scattered edits on
// each side (no conflicts), the size of a large generated file.
func BenchmarkMerge2000(b *testing.B) {
	var base, local, other strings.Builder
	for i := 0; i < 2000; i++ {
		line := fmt.Sprintf("line %d of the generated file\n", i)
		base.WriteString(line)
		switch {
		case i%100 == 10:
			local.WriteString("local " + line)
			other.WriteString(line)
		case i%100 == 60:
			local.WriteString(line)
			other.WriteString("kit " + line)
		default:
			local.WriteString(line)
			other.WriteString(line)
		}
	}
	bs, ls, os := base.String(), local.String(), other.String()
	b.SetBytes(int64(len(bs)))
	for i := 0; i < b.N; i++ {
		if r := Merge(bs, ls, os, labels); r.Conflicts != 0 {
			b.Fatalf("%d conflicts", r.Conflicts)
		}
	}
}
