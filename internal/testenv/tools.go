package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// StrictEnv, when set (make test sets it as root, after installing every
// tool), turns a missing tool from a skip into a failure: a run that should
// have everything must not pass by skipping.
const StrictEnv = "SERVICEKIT_TEST_STRICT"

// missing skips, or under StrictEnv fails, a test that lacks what it needs.
func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv(StrictEnv) != "" {
		t.Fatalf(format+" ("+StrictEnv+" is set: make test installed the tools, so this is a failure)", args...)
	}
	t.Skipf(format, args...)
}

// NPMTool returns the path of an npm tool `make deps` installed under
// .cache/npm, or skips the test saying how to get it.
func NPMTool(t testing.TB, bin string) string {
	t.Helper()
	path := filepath.Join(NodeModules(), ".bin", bin)
	if _, err := os.Stat(path); err != nil {
		missing(t, "needs the npm tool %s: run `make deps` (installs it under .cache/npm)", bin)
	}
	return path
}

// NodeModules is where `make deps` installs npm packages.
func NodeModules() string {
	root, err := RepoRoot()
	if err != nil {
		return filepath.Join(".cache", "npm", "node_modules")
	}
	return filepath.Join(root, ".cache", "npm", "node_modules")
}

// RequireRoot skips tests that change users, ownership or namespaces.
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		missing(t, "needs root (privilege drop, chown, useradd): CI runs as root")
	}
}

// RequireCommand skips when a program is not installed.
func RequireCommand(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		missing(t, "needs %s: `make deps` installs it", name)
	}
	return path
}

// NeedFile skips, or under StrictEnv fails, a test when a file a tool
// installs is not there.
func NeedFile(t testing.TB, path, why string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		missing(t, "needs %s (%s)", path, why)
	}
}

// Itoa is strconv.Itoa, for building command lines.
func Itoa(n int) string { return strconv.Itoa(n) }
