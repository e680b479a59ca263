package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/safefile"
)

// Files is where configuration files are read from: this system for a
// daemon (OS), an image root or a host under audit for wazo-servicekit, so
// that the audit's idea of what a daemon loads is the daemon's own.
type Files interface {
	ReadFile(name string) ([]byte, error)
	ReadDir(name string) ([]fs.DirEntry, error)
	Stat(name string) (fs.FileInfo, error)
}

// OS reads the files of this system.
var OS Files = osFiles{}

type osFiles struct{}

func (osFiles) ReadFile(name string) ([]byte, error)       { return safefile.ReadRegular(name, MaxFileBytes) }
func (osFiles) ReadDir(name string) ([]fs.DirEntry, error) { return os.ReadDir(name) }
func (osFiles) Stat(name string) (fs.FileInfo, error)      { return os.Stat(name) }

// FileLayers reads what a Wazo daemon loads from disk, as xivo-lib-python
// does: configFile, then the extra_config_files directory named by
// Merge(configFile, below...) — in it only names ending in ".yml", dotfiles,
// directories and dangling links skipped, sorted by name. The layers come in
// priority order, highest first (the conf.d files by name, then
// configFile), ready to go above below in Merge.
//
// A missing configFile or directory is a note, as in xivo. Each file that
// cannot be read or parsed is one error naming it, and the others are still
// read: a daemon stops at the first error (Load), an audit reports them all.
func FileLayers(files Files, configFile string, below ...Layer) (layers []Layer, notes []string, errs []error) {
	main, note, err := readLayer(files, configFile)
	if note != "" {
		notes = append(notes, note)
	}
	if err != nil {
		return nil, notes, []error{err}
	}
	dir := stringAt(Merge(append([]Layer{main}, below...)...), "extra_config_files")
	if dir == "" {
		return []Layer{main}, notes, nil
	}
	entries, err := files.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		notes = append(notes, fmt.Sprintf("extra config directory %s does not exist", dir))
	case err != nil:
		errs = append(errs, &Error{msg: fmt.Sprintf("%s: cannot list the extra config directory: %v", dir, err), err: err})
	}
	var names []string
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".yml") {
			continue
		}
		info, err := files.Stat(path.Join(dir, name))
		if err != nil {
			// a dangling link is not a config file, but likely a mistake
			notes = append(notes, fmt.Sprintf("%s%s: skipped, it cannot be read (%v)", WarningPrefix, path.Join(dir, name), err))
			continue
		}
		if info.IsDir() {
			continue // a directory is not a config file
		}
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		layer, _, err := readLayer(files, path.Join(dir, name))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		layers = append(layers, layer)
	}
	return append(layers, main), notes, errs
}

// readLayer reads an optional file: a missing one gives an empty layer and a
// note, as xivo does; an unreadable or malformed one is an error.
func readLayer(files Files, name string) (Layer, string, error) {
	data, err := files.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return Layer{Name: name}, fmt.Sprintf("%s does not exist: ignored, as Wazo daemons do", name), nil
	}
	if err != nil {
		return Layer{}, "", &Error{msg: fmt.Sprintf("%s: cannot read the config file: %v", name, err), err: err}
	}
	layer, err := parseLayer(name, data)
	return layer, "", err
}
