package scaffold

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"gopkg.in/yaml.v3"

	"github.com/wazo-platform/wazo-servicekit/ports"
)

// UpdateOptions say which generated repository to update.
type UpdateOptions struct {
	Root        string // the repository (holds .servicekit.yml)
	KitDir      string // as for Options.KitDir
	SiblingsDir string // as for Options.SiblingsDir
	DryRun      bool   // report only
	Registry    *ports.Registry
}

// Update actions, one per file.
const (
	Added          = "added"           // new in this kit version, written
	Updated        = "updated"         // unchanged since generated: replaced by the new rendering
	Unchanged      = "unchanged"       // the new rendering is what the file holds
	KeptLocal      = "kept-local"      // edited here, and the kit renders it as before: kept
	Conflict       = "conflict"        // edited here and changed by the kit: new rendering beside it
	DeletedLocally = "deleted-locally" // removed here: stays removed
	NoLongerMade   = "no-longer-made"  // the kit no longer renders it: left in place
)

// ConflictSuffix is added to the new rendering of a conflicting file.
const ConflictSuffix = ".servicekit-new"

// UpdateAction is what Update did (or would do) to one file.
type UpdateAction struct {
	File, Action string
}

// Update re-renders a generated repository with this kit, from the answers
// in its .servicekit.yml, and brings in what changed without ever
// overwriting a local edit: a file is replaced only if it still holds what
// was generated (its sha256 in .servicekit.yml); an edited file the kit
// also changed gets the new rendering beside it (file + ConflictSuffix) to
// merge by hand. (A line-level three-way merge would need the old
// rendering's text, which .servicekit.yml does not keep.)
func Update(o UpdateOptions) ([]UpdateAction, error) {
	manifestPath := filepath.Join(o.Root, ".servicekit.yml")
	data, err := os.ReadFile(manifestPath)
	if err != nil {
		return nil, fmt.Errorf("%v: update works on a repository written by `wazo-servicekit new`", err)
	}
	var m Manifest
	if err := yaml.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %v", manifestPath, err)
	}
	if m.Name == "" || m.Port == 0 {
		return nil, fmt.Errorf("%s: name and port are required", manifestPath)
	}
	root, err := filepath.Abs(o.Root)
	if err != nil {
		return nil, err
	}
	if filepath.Base(root) != m.Name {
		return nil, fmt.Errorf("%s: the repository directory must be named %s, as .servicekit.yml says", root, m.Name)
	}
	p, err := Plan(Options{
		Name: m.Name, Dir: filepath.Dir(root), Port: m.Port, APIVersion: m.APIVersion, HAGroup: m.HAGroup,
		Description: m.Description, SiblingsDir: o.SiblingsDir, KitDir: o.KitDir, Registry: o.Registry, existing: true,
	})
	if err != nil {
		return nil, err
	}
	var actions []UpdateAction
	names := make([]string, 0, len(p.Files))
	for f := range p.Files {
		names = append(names, f)
	}
	sort.Strings(names)
	write := func(f string, data []byte) error {
		if o.DryRun {
			return nil
		}
		dst := filepath.Join(root, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		mode := p.Mode[f]
		if mode == 0 {
			mode = 0o644
		}
		if err := os.WriteFile(dst, data, mode); err != nil {
			return err
		}
		return os.Chmod(dst, mode)
	}
	for _, f := range names {
		if f == ".servicekit.yml" {
			continue
		}
		newData := p.Files[f]
		base, wasGenerated := m.Files[f]
		cur, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f)))
		var action string
		switch {
		case os.IsNotExist(err) && wasGenerated:
			action = DeletedLocally
		case os.IsNotExist(err):
			action = Added
		case err != nil:
			return nil, err
		case bytes.Equal(cur, newData):
			action = Unchanged
		case sha256Hex(cur) == base:
			action = Updated
		case sha256Hex(newData) == base:
			action = KeptLocal
		default:
			action = Conflict
		}
		var werr error
		switch action {
		case Added, Updated:
			werr = write(f, newData)
		case Conflict:
			werr = write(f+ConflictSuffix, newData)
		}
		if werr != nil {
			return nil, werr
		}
		actions = append(actions, UpdateAction{File: f, Action: action})
	}
	var gone []string
	for f := range m.Files {
		if _, ok := p.Files[f]; !ok {
			gone = append(gone, f)
		}
	}
	sort.Strings(gone)
	for _, f := range gone {
		actions = append(actions, UpdateAction{File: f, Action: NoLongerMade})
	}
	if !o.DryRun {
		if err := write(".servicekit.yml", p.Files[".servicekit.yml"]); err != nil {
			return nil, err
		}
	}
	return actions, nil
}
