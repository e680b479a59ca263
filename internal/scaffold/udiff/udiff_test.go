package udiff

import (
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

func TestLinesExact(t *testing.T) {
	tests := []struct {
		name, old, new, want string
	}{
		{"identical", "a\nb\n", "a\nb\n", ""},
		{"append", "a\nb\n", "a\nb\nc\n", "@@ -1,2 +1,3 @@\n a\n b\n+c\n"},
		{"insert in middle", "1\n2\n3\n4\n5\n6\n7\n8\n", "1\n2\n3\n4\nX\n5\n6\n7\n8\n",
			"@@ -2,6 +2,7 @@\n 2\n 3\n 4\n+X\n 5\n 6\n 7\n"},
		{"replace", "a\nb\nc\n", "a\nB\nc\n", "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"},
		{"from empty", "", "x\n", "@@ -0,0 +1 @@\n+x\n"},
		{"to empty", "x\n", "", "@@ -1 +0,0 @@\n-x\n"},
		{"no final newline", "a\nb", "a\nc", "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"},
		{"two hunks", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n", "0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n",
			"@@ -1,3 +1,4 @@\n+0\n 1\n 2\n 3\n@@ -10,3 +11,4 @@\n 10\n 11\n 12\n+13\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Lines(tt.old, tt.new); got != tt.want {
				t.Errorf("Lines() =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestGitApplyRandom checks, against git itself, that every diff applies
// and gives the new text: random edits of a small random text.
func TestGitApplyRandom(t *testing.T) {
	testenv.RequireCommand(t, "git")
	dir := t.TempDir()
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	git("init", "-q")
	rng := rand.New(rand.NewSource(1))
	words := []string{"a", "b", "c", "d", "e"}
	randText := func(n int) string {
		var sb strings.Builder
		for i := 0; i < n; i++ {
			sb.WriteString(words[rng.Intn(len(words))] + "\n")
		}
		s := sb.String()
		if n > 0 && rng.Intn(5) == 0 {
			s = strings.TrimSuffix(s, "\n")
		}
		return s
	}
	for i := 0; i < 60; i++ {
		old := randText(rng.Intn(30))
		lines := strings.SplitAfter(old, "\n")
		var nb strings.Builder
		for _, l := range lines {
			switch rng.Intn(6) {
			case 0: // drop
			case 1:
				nb.WriteString(words[rng.Intn(len(words))] + "\n")
				nb.WriteString(l)
			default:
				nb.WriteString(l)
			}
		}
		if rng.Intn(3) == 0 {
			nb.WriteString(randText(rng.Intn(3)))
		}
		newText := nb.String()
		path := filepath.Join(dir, "f.txt")
		if err := os.WriteFile(path, []byte(old), 0o644); err != nil {
			t.Fatal(err)
		}
		patch := File("f.txt", []byte(old), []byte(newText), false)
		if patch == "" {
			if old != newText {
				t.Fatalf("case %d: empty diff for different texts", i)
			}
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, "p.diff"), []byte(patch), 0o644); err != nil {
			t.Fatal(err)
		}
		git("apply", "p.diff")
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != newText {
			t.Fatalf("case %d: after git apply\n%q\nwant\n%q\npatch:\n%s", i, got, newText, patch)
		}
	}
}

func TestNewFile(t *testing.T) {
	got := File("docs/x.md", nil, []byte("# X\n\nhello\n"), true)
	want := "diff --git a/docs/x.md b/docs/x.md\nnew file mode 100644\n--- /dev/null\n+++ b/docs/x.md\n@@ -0,0 +1,3 @@\n+# X\n+\n+hello\n"
	if got != want {
		t.Errorf("File() =\n%s\nwant\n%s", got, want)
	}
}

func BenchmarkFile(b *testing.B) {
	var old, nw strings.Builder
	for i := 0; i < 2000; i++ {
		old.WriteString("line " + string(rune('a'+i%26)) + "\n")
		if i%100 == 0 {
			nw.WriteString("inserted\n")
		}
		nw.WriteString("line " + string(rune('a'+i%26)) + "\n")
	}
	for i := 0; i < b.N; i++ {
		File("f", []byte(old.String()), []byte(nw.String()), false)
	}
}

func TestMatches(t *testing.T) {
	tests := []struct {
		name, a, b string
		want       []int
	}{
		{"identical", "x\ny\n", "x\ny\n", []int{0, 1}},
		{"insert", "x\ny\n", "x\nN\ny\n", []int{0, 2}},
		{"delete", "x\ny\nz\n", "x\nz\n", []int{0, -1, 1}},
		{"replace", "x\ny\nz\n", "x\nY\nz\n", []int{0, -1, 2}},
		{"to empty", "x\n", "", []int{-1}},
		{"from empty", "", "x\n", []int{}},
		{"final newline differs", "x\ny", "x\ny\n", []int{0, -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Matches(SplitLines(tt.a), SplitLines(tt.b))
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("Matches() = %v, want %v", got, tt.want)
			}
		})
	}
}

// A locally rewritten file of tens of thousands of lines costs memory and
// time linear in its lines (it was the square of the edit distance: 3 GB
// for 20 000 lines), and the script is still a valid one.
func TestDiffBoundedOnHostileInput(t *testing.T) {
	texts := func(n int) [2][]string {
		var a, b strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&a, "line %d\n", i)
			fmt.Fprintf(&b, "other %d\n", i)
		}
		return [2][]string{SplitLines(a.String()), SplitLines(b.String())}
	}
	testenv.LinearGrowth(t, "diffLines of all-different texts", 5000, texts, func(in [2][]string) { diffLines(in[0], in[1]) })
	in := texts(40000)
	m := Matches(in[0], in[1])
	kept := 0
	for _, j := range m {
		if j >= 0 {
			kept++
		}
	}
	if kept != 0 {
		t.Errorf("%d lines kept between texts with no line in common", kept)
	}
	// Within the bounds the script is still the shortest: one changed line.
	a := SplitLines(strings.Repeat("same\n", 30000) + "x\n" + strings.Repeat("same\n", 30000))
	b := SplitLines(strings.Repeat("same\n", 30000) + "y\n" + strings.Repeat("same\n", 30000))
	if d := Lines(strings.Join(a, ""), strings.Join(b, "")); strings.Count(d, "\n-") != 1 || strings.Count(d, "\n+") != 1 {
		t.Errorf("one changed line gives:\n%s", d)
	}
}
