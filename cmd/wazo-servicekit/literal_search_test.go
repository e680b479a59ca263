package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/lazyre"
)

// TestLiteralSearchAgreesOnFixtures: every expression the command links
// (rules, parsers, the service model) finds the same matches with its
// literal search as without, on every fixture file in the real formats the
// rules read (units, nginx, monit, shell, YAML, Python, Go).
func TestLiteralSearchAgreesOnFixtures(t *testing.T) {
	if err := lazyre.CompileAll(); err != nil {
		t.Fatal(err)
	}
	root := repoRoot(t)
	files := 0
	for _, dir := range []string{"internal/rules/testdata", "internal/siblings/testdata", "internal/scaffold/testdata", "test/metamorphic/testdata"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			files++
			if err := lazyre.Verify(data); err != nil {
				t.Errorf("%s: %v", p, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if files < 100 {
		t.Fatalf("only %d fixture files found under %s", files, root)
	}
}
