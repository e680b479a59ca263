package fix

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"

	"github.com/wazo-platform/wazo-servicekit/safefile"
)

// The package files the monit and nginx fixers ship: a file under etc/ of
// the service's repository, the debian/<pkg>.install line that puts it in
// the package when no line does yet.

// plainPathRe is an absolute path a fixer may write into a file it
// generates (no quote, space or shell character).
var plainPathRe = regexp.MustCompile(`^/[A-Za-z0-9_.+/-]+$`)

// packageFile is the service's debian/<pkg>.<kind> (or debian/<kind>)
// and its content, "" when the package has none, or an error when it
// cannot be read safely (a link, not a regular file, too large).
func packageFile(c *ownCtx, kind string) (string, []byte, error) {
	for _, rel := range []string{"debian/" + c.facts.Service + "." + kind, "debian/" + kind} {
		data, err := safefile.ReadIn(c.dir, rel, maxFile)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return "", nil, err
		}
		return rel, data, nil
	}
	return "", nil, nil
}

// installs reports whether a line of a dh_install file puts file (a path of
// the repository) in the package: a source pattern naming the file or one
// of its directories (dh_install copies a directory whole).
func installs(lines, file string) bool {
	for _, l := range strings.Split(lines, "\n") {
		f := strings.Fields(l)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		srcs := f
		if len(f) > 1 {
			srcs = f[:len(f)-1]
		}
		for _, src := range srcs {
			src = strings.TrimSuffix(src, "/")
			for p := file; p != "." && p != "/"; p = path.Dir(p) {
				if ok, _ := path.Match(src, p); ok {
					return true
				}
			}
		}
	}
	return false
}

// installEdit is the edit that adds "file dir/" to the install file rel,
// or nil when a line installs the file already.
func installEdit(rel string, data []byte, file string) *ownEdit {
	if installs(string(data), file) {
		return nil
	}
	line := file + " " + path.Dir(file) + "/"
	return &ownEdit{rel: rel, certainty: Certain, keepsCR: true,
		change: func(old string) (string, error) {
			eol := "\n"
			switch crlf := strings.Count(old, "\r\n"); {
			case crlf > 0 && crlf == strings.Count(old, "\n") && crlf == strings.Count(old, "\r"):
				eol = "\r\n" // a CRLF file keeps its line endings
			case strings.Contains(old, "\r"):
				return "", fmt.Errorf("expected one kind of line ending; found %d CRLF among %d line ends", crlf, strings.Count(old, "\n"))
			}
			if old != "" && !strings.HasSuffix(old, "\n") {
				old += eol
			}
			return old + line + eol, nil
		},
		verify: func(old, new string) error {
			rest, ok := strings.CutPrefix(new, old)
			rest = strings.ReplaceAll(rest, "\r\n", "\n")
			if !ok || strings.TrimPrefix(rest, "\n") != line+"\n" || !installs(new, file) {
				return fmt.Errorf("expected the old lines then %q", line)
			}
			return nil
		},
		does: "installs " + file + " (" + rel + ")"}
}
