package auth

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKeyFileProblem(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "wazo-test-key.yml")
	os.WriteFile(good, []byte("service_id: wazo-test\nservice_key: k\n"), 0o600)
	open := filepath.Join(dir, "open-key.yml")
	os.WriteFile(open, []byte("service_id: wazo-test\nservice_key: k\n"), 0o640)
	os.Chmod(open, 0o640)
	link := filepath.Join(dir, "link-key.yml")
	os.Symlink(good, link)

	for path, want := range map[string]string{
		good:                           "",
		open:                           "mode 0640",
		filepath.Join(dir, "none.yml"): "wazo-auth-keys service update",
		link:                           "not a regular file",
	} {
		got := KeyFileProblem(path)
		if want == "" && got != "" || want != "" && !strings.Contains(got, want) {
			t.Errorf("KeyFileProblem(%s) = %q, want %q", filepath.Base(path), got, want)
		}
	}
}
