package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// NPMTool returns the path of an npm tool `make deps` installed under
// .cache/npm, or skips the test saying how to get it.
func NPMTool(t testing.TB, bin string) string {
	t.Helper()
	path := filepath.Join(NodeModules(), ".bin", bin)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("needs the npm tool %s: run `make deps` (installs it under .cache/npm)", bin)
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
		t.Skip("needs root (privilege drop, chown, useradd): CI runs as root")
	}
}

// RequireCommand skips when a program is not installed.
func RequireCommand(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("needs %s: `make deps` installs it", name)
	}
	return path
}

// Itoa is strconv.Itoa, for building command lines.
func Itoa(n int) string { return strconv.Itoa(n) }
