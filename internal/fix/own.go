package fix

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
	"github.com/wazo-platform/wazo-servicekit/internal/scaffold/udiff"
	"github.com/wazo-platform/wazo-servicekit/internal/service"
	"github.com/wazo-platform/wazo-servicekit/internal/siblings"
	"github.com/wazo-platform/wazo-servicekit/safefile"
)

// ownEdit is one file edit of the service's repository.
type ownEdit struct {
	rel       string
	certainty Certainty
	change    func(old string) (string, error)
	verify    func(old, new string) error
	does      string
	// keepsCR: the edit keeps CRLF line endings as they are (else a file
	// holding a CR is refused).
	keepsCR bool
	// create: the edit creates the file, which must be absent (change is
	// given ""); the patch then creates it.
	create bool
	// once: an edit of the repository as a whole (not of one service),
	// made once per repository: a later edit with the same key, for
	// another service of the checkout, is already in the patch.
	once string
}

// ownCtx is what a fixer of the service's own repository knows of the
// service: its checkout, its model, and the parsed repository (read on
// demand, once per checkout).
type ownCtx struct {
	dir     string
	service string
	facts   *service.Facts // nil when the model has no such service
	opts    Options
	repo    func() (*repo.Repo, error)
	// left are the rule's findings the fixer leaves as they are, with why
	// (its edits fix the others).
	left []Left
}

// leave records a finding of the rule the fix leaves failing, and why.
func (c *ownCtx) leave(path string, line int, why string) {
	c.left = append(c.left, Left{Path: path, Line: line, Why: why})
}

// pkg is the parsed package of the service, nil when the repository does
// not hold it.
func (c *ownCtx) pkg() (*repo.Service, error) {
	rp, err := c.repo()
	if err != nil {
		return nil, err
	}
	for _, s := range rp.Services {
		if s.Name == c.service {
			return s, nil
		}
	}
	return nil, fmt.Errorf("the repository packages no %s", c.service)
}

// ownFixer returns the edits that fix a failing rule in the service's own
// repository, or why there are none.
type ownFixer func(c *ownCtx, rule failing) ([]ownEdit, string)

// ownFixers are the fixers of the service's own repository, one per rule
// (each in a file of its own).
var ownFixers = map[string]ownFixer{
	"maintainer-scripts":    maintainerScriptsFix,
	"user-not-root":         userNotRootFix,
	"pid-file-writable":     pidFileWritableFix,
	"deps-pinned-to-debian": depsPinsFix,
	"deps-in-debian":        depsPinsFix,
	"debian-packaging":      debianPackagingFix,
}

// ownFix returns the edits that fix the rule in the service's own
// repository, or why there are none; nil and "" when the rule has no fixer
// there.
func ownFix(c *ownCtx, rule failing) ([]ownEdit, string) {
	fx, ok := ownFixers[rule.id]
	if !ok {
		return nil, ""
	}
	edits, why := fx(c, rule)
	if edits == nil && why == "" {
		why = "no fix: nothing to edit"
	}
	return edits, why
}

// plainRelRe is a file name of the checkout a patch may name in its
// headers: nothing a diff or a terminal reads as something else.
var plainRelRe = regexp.MustCompile(`^[A-Za-z0-9_.+@/-]+$`)

// ownJob is one rule's edits of a service's own repository, waiting to
// be merged with the other rules' edits of that repository.
type ownJob struct {
	item  int // index in Result.Items
	dir   string
	edits []ownEdit
}

// ownPatches merges the jobs into one patch per repository: each file is
// read once from the checkout (never through a link), each rule's edits
// are made in turn on what the rules before it left, each verified; a rule
// whose edit fails leaves its files as they were and its item unwritten,
// the others go on.
func ownPatches(items []Item, jobs []ownJob) []Patch {
	var dirs []string
	byDir := map[string][]ownJob{}
	for _, j := range jobs {
		if byDir[j.dir] == nil {
			dirs = append(dirs, j.dir)
		}
		byDir[j.dir] = append(byDir[j.dir], j)
	}
	var out []Patch
	for _, dir := range dirs {
		orig, cur := map[string][]byte{}, map[string]string{}
		made := map[string]bool{}
		var order, notes, ids []string
		for _, j := range byDir[dir] {
			next, err := applyEdits(dir, j.edits, orig, cur, &order, made)
			if err != nil {
				items[j.item].Written = false
				items[j.item].Why = "not written: " + err.Error()
				continue
			}
			cur = next
			for _, e := range j.edits {
				if e.once != "" {
					made[e.once] = true
				}
			}
			items[j.item].Written = true
			ids = append(ids, items[j.item].Rule)
			for _, e := range j.edits {
				if !contains(notes, e.does) {
					notes = append(notes, e.does) // an edit two rules make is said once
				}
			}
		}
		p := Patch{Root: filepath.Dir(dir)}
		p.Repo = filepath.Base(dir)
		p.Rules, p.Notes = dedup(ids), notes
		var diff strings.Builder
		for _, rel := range order {
			created := orig[rel] == nil
			if string(orig[rel]) == cur[rel] && !created || created && cur[rel] == "" {
				continue
			}
			p.Files = append(p.Files, siblings.FileChange{Rel: rel, Old: orig[rel], New: []byte(cur[rel]), Created: created})
			diff.WriteString(udiff.File(rel, orig[rel], []byte(cur[rel]), created))
		}
		p.Text = diff.String()
		if len(ids) > 0 {
			out = append(out, p)
		}
	}
	return out
}

// applyEdits makes one rule's edits on a copy of cur (the files as the
// rules before left them; orig and order get each file read the first
// time), and returns the copy; nothing of cur changes on an error. An
// edit whose once key is in made is already made.
func applyEdits(dir string, edits []ownEdit, orig map[string][]byte, cur map[string]string, order *[]string, made map[string]bool) (map[string]string, error) {
	next := make(map[string]string, len(cur))
	for k, v := range cur {
		next[k] = v
	}
	for _, e := range edits {
		if e.once != "" && made[e.once] {
			continue
		}
		if !plainRelRe.MatchString(e.rel) || safefile.CheckRel(e.rel) != nil {
			return nil, fmt.Errorf("%q: not a file name a patch carries as is (letters, digits, ._+@-/ only; relative, no ..)", e.rel)
		}
		if _, ok := orig[e.rel]; !ok {
			// orig is nil for a file that is not there (an empty one is
			// []byte{}).
			data, err := safefile.ReadIn(dir, e.rel, maxFile)
			switch {
			case errors.Is(err, fs.ErrNotExist) && e.create:
				data, err = nil, nil
			case err == nil && data == nil:
				data = []byte{}
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %v", e.rel, err)
			}
			orig[e.rel], cur[e.rel], next[e.rel] = data, string(data), string(data)
			*order = append(*order, e.rel)
		}
		old := next[e.rel]
		switch absent := orig[e.rel] == nil; {
		case e.create && !absent:
			return nil, fmt.Errorf("%s: expected no such file (the fix creates it); found one", e.rel)
		case !e.create && absent:
			return nil, fmt.Errorf("%s: expected the file; found none", e.rel)
		}
		if !e.keepsCR && strings.Contains(old, "\r") {
			return nil, fmt.Errorf("%s: expected LF line endings; found CR", e.rel)
		}
		changed, err := e.change(old)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", e.rel, err)
		}
		if err := e.verify(old, changed); err != nil {
			return nil, fmt.Errorf("%s: the edit does not check (nothing written): %v", e.rel, err)
		}
		if e.create && old != "" && changed != old {
			// Created by a fix before (one service read from two
			// checkouts): the same text, or a conflict.
			return nil, fmt.Errorf("%s: another fix of this run creates it with another text", e.rel)
		}
		next[e.rel] = changed
	}
	return next, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
