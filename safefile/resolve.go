package safefile

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// maxLinkHops is the kernel's limit on symbolic links in one path.
const maxLinkHops = 40

// ResolveIn maps path p of a system whose root directory is root (an image
// under audit) to a path of this process that stays inside root, as if
// root were "/": relative and absolute paths both start at root, ".."
// never climbs above it, and symbolic links are resolved within it (an
// absolute target starts again at root). With followLast false the last
// component is not resolved (a dangling link can be looked at). A missing
// component ends the resolution there: the rest is joined as is.
func ResolveIn(root, p string, followLast bool) (string, error) {
	if root == "/" || root == "" {
		return filepath.Join("/", p), nil
	}
	pending := splitPath(p)
	var cur []string
	for hops := 0; len(pending) > 0; {
		c := pending[0]
		pending = pending[1:]
		switch c {
		case ".":
			continue
		case "..":
			if len(cur) > 0 {
				cur = cur[:len(cur)-1]
			}
			continue
		}
		next := append(cur[:len(cur):len(cur)], c)
		if len(pending) == 0 && !followLast {
			cur = next
			break
		}
		full := filepath.Join(root, filepath.Join(next...))
		info, err := os.Lstat(full)
		if err != nil || info.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		if hops++; hops > maxLinkHops {
			return "", fmt.Errorf("%s: more than %d symbolic links on the way", p, maxLinkHops)
		}
		target, err := os.Readlink(full)
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(target, "/") {
			cur = nil
		}
		pending = append(splitPath(target), pending...)
	}
	return filepath.Join(root, filepath.Join(cur...)), nil
}

func splitPath(p string) []string {
	var out []string
	for _, c := range strings.Split(filepath.ToSlash(p), "/") {
		if c != "" {
			out = append(out, c)
		}
	}
	return out
}
