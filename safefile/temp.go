package safefile

import (
	"fmt"
	"os"
	"path/filepath"
)

// PrivateTemp returns a read-write file of this process alone, for data
// on its way out (a report written piece by piece): made 0600 in a 0700
// directory of its own and unlinked at once, the directory too, so
// nothing is left of it on disk once it is closed or the process ends,
// whatever ends it, and no other process can open it by name.
func PrivateTemp() (*os.File, error) {
	dir, err := os.MkdirTemp("", "wazo-servicekit-")
	if err != nil {
		return nil, fmt.Errorf("temporary file: %v", err)
	}
	defer os.Remove(dir)
	name := filepath.Join(dir, "spool")
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("temporary file: %v", err)
	}
	if err := os.Remove(name); err != nil {
		f.Close()
		return nil, fmt.Errorf("temporary file: %v", err)
	}
	return f, nil
}
