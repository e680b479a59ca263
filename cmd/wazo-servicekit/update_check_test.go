package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestUpdateCheckCommand: right after new, update --check exits 0; once the
// kit renders files differently (a changed answer stands in for a newer
// kit), it exits 1, lists the files with their line counts, and writes
// nothing, so a second --check says the same.
func TestUpdateCheckCommand(t *testing.T) {
	repo := newForUpdate(t)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"update", repo, "--check"}, &stdout, &stderr); code != exitClean || !strings.Contains(stdout.String(), "is current") {
		t.Fatalf("right after new: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	setDescription(t, repo, "The kit's new description")
	for i := 0; i < 2; i++ {
		stdout.Reset()
		code := run([]string{"update", repo, "--check"}, &stdout, &stderr)
		out := stdout.String()
		if code != exitFindings {
			t.Fatalf("behind the kit: exit %d, want %d\n%s%s", code, exitFindings, out, stderr.String())
		}
		for _, w := range []string{"updated          README.md  (+1 -1 lines)", "is behind this kit"} {
			if !strings.Contains(out, w) {
				t.Errorf("run %d: output does not say %q:\n%s", i+1, w, out)
			}
		}
	}
}
