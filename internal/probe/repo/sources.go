package repo

import (
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/lazyre"
	"github.com/wazo-platform/wazo-servicekit/safefile"
)

// Bounds of the source scan: a crafted checkout cannot make it read more.
const (
	maxSourceFiles     = 4000
	maxSourceFileBytes = 512 << 10
	maxSourceBytes     = 64 << 20 // in all
)

var notServedPath = lazyre.New(`(^|/)(testdata|tests?|integration_tests)/|_test\.go$`)

// Sources returns the repository's Go and Python sources that are not
// tests, in path order: regular files only, no link followed, each read
// bounded, at most maxSourceFiles and maxSourceBytes in all. They are read
// once per repository, whatever the number of services and rules asking.
func (r *Repo) Sources() []File {
	r.cache.sourcesOnce.Do(func() { r.cache.sources = readSources(r.Root) })
	return r.cache.sources
}

func readSources(root string) []File {
	var out []File
	total := 0
	safefile.Walk(root, safefile.MaxWalkEntries, func(p string, d fs.DirEntry, err error) error {
		if err != nil || len(out) >= maxSourceFiles || total >= maxSourceBytes {
			return filepath.SkipDir
		}
		rel := filepath.ToSlash(strings.TrimPrefix(strings.TrimPrefix(p, root), string(filepath.Separator)))
		if d.IsDir() {
			if name := d.Name(); rel != "" && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "vendor" || notServedPath.MatchString(rel+"/")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || notServedPath.MatchString(rel) || !(strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, ".py")) {
			return nil
		}
		if data, err := safefile.ReadIn(root, filepath.FromSlash(rel), maxSourceFileBytes); err == nil {
			out = append(out, File{Path: rel, Data: data})
			total += len(data)
		}
		return nil
	})
	return out
}
