package main

import (
	"os"
	"path/filepath"
	"strings"
)

// requiredSiblings are the checkouts a --siblings directory must hold: the
// repositories the checklist's sibling items are read from and new patches.
var requiredSiblings = []string{"wazo-service", "wazo-backup", "wazo-acceptance", "wazo-platform.org"}

// validateSiblings is the one check of --siblings, the same for check, new,
// update and drift: "" (not given) is fine; otherwise a directory holding a
// checkout of each required sibling, so a mistyped folder is refused
// instead of making every sibling rule unknown.
func validateSiblings(dir string) error {
	if dir == "" {
		return nil
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return usagef("--siblings %s: not a directory", dir)
	}
	var missing []string
	for _, r := range requiredSiblings {
		if st, err := os.Lstat(filepath.Join(dir, r)); err != nil || !st.IsDir() {
			missing = append(missing, r+"/")
		}
	}
	if len(missing) > 0 {
		return usagef("--siblings %s: no %s checkout there (want %s/)", dir, strings.Join(missing, ", "), strings.Join(requiredSiblings, "/, "))
	}
	return nil
}
