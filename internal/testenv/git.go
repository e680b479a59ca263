package testenv

import (
	"os/exec"
	"strings"
	"testing"
)

// Git runs git in dir with a fixed identity (tests commit in temporary
// repositories) and returns its output; a failure stops the test with it.
// Without git the test is skipped, saying so.
func Git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	RequireCommand(t, "git")
	cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s in %s: %v\n%s", strings.Join(args, " "), dir, err, out)
	}
	return string(out)
}
