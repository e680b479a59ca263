package main

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/wazo-platform/wazo-servicekit/internal/report"
	"github.com/wazo-platform/wazo-servicekit/internal/rules"
	"github.com/wazo-platform/wazo-servicekit/internal/scaffold"
	"github.com/wazo-platform/wazo-servicekit/safefile"
)

// knownSiblings are the sibling repositories the rules and new read: the
// scorecard names each one found in --siblings with its commit.
var knownSiblings = []string{"wazo-service", "wazo-backup", "wazo-acceptance", "wazo-platform.org", "wazo-monitoring",
	"wazo-nginx", "wazo-upgrade", "xivo-config", "wazo-auth-keys", "xivo-build-tools", "wazo-sdk", "wazo-platform", "wazo-ansible"}

// hexCommit is what a commit id looks like; anything else is not shown.
var hexCommit = regexp.MustCompile(`^[0-9a-f]{7,64}$`)

// checkoutCommit reads the commit a checkout is at, without running git
// in it (the checkout may be hostile): .git/HEAD and the ref it names
// (loose or packed), else a .commit file (an extracted archive's note).
// Every read is bounded and follows no link; "" when nothing says.
func checkoutCommit(dir string) string {
	if st, err := os.Lstat(filepath.Join(dir, ".git")); err == nil && st.IsDir() {
		head, err := safefile.ReadIn(dir, ".git/HEAD", 4096)
		if err != nil {
			return ""
		}
		h := strings.TrimSpace(string(head))
		ref, isRef := strings.CutPrefix(h, "ref: ")
		if !isRef {
			return validCommit(h)
		}
		if !strings.HasPrefix(ref, "refs/") || strings.Contains(ref, "..") {
			return ""
		}
		if data, err := safefile.ReadIn(dir, filepath.Join(".git", filepath.FromSlash(ref)), 4096); err == nil {
			return validCommit(strings.TrimSpace(string(data)))
		}
		packed, err := safefile.ReadIn(dir, ".git/packed-refs", 4<<20)
		if err != nil {
			return ""
		}
		sc := bufio.NewScanner(bytes.NewReader(packed))
		for sc.Scan() {
			if id, name, ok := strings.Cut(sc.Text(), " "); ok && name == ref {
				return validCommit(id)
			}
		}
		return ""
	}
	data, err := safefile.ReadIn(dir, ".commit", 4096)
	if err != nil {
		return ""
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return ""
	}
	return validCommit(f[0])
}

func validCommit(s string) string {
	if hexCommit.MatchString(s) {
		return s
	}
	return ""
}

// runMeta is the scorecard's metadata of a check: tool, date, profile,
// distribution, and every checkout read with its commit.
func runMeta(rep *rules.Report, dirs map[string][]string, siblings, profile, urlTemplate string) *report.Meta {
	m := &report.Meta{Version: scaffold.KitVersion(), Date: time.Now().UTC().Format(time.RFC3339), Profile: profile,
		Dist: rep.Debian, URLTemplate: urlTemplate}
	daemon := map[string]bool{}
	for _, s := range rep.Services {
		daemon[s.Name] = s.NotADaemon == ""
	}
	isSibling := map[string]bool{}
	for _, s := range knownSiblings {
		isSibling[s] = true
	}
	seen := map[string]bool{}
	var paths []string
	for d := range dirs {
		paths = append(paths, d)
	}
	sort.Strings(paths)
	for _, d := range paths {
		abs, _ := filepath.Abs(d)
		role := report.RolePackage
		for _, s := range dirs[d] {
			if daemon[s] {
				role = report.RoleService
			}
		}
		if role == report.RolePackage && isSibling[filepath.Base(abs)] {
			role = report.RoleSibling
		}
		seen[abs] = true
		m.Repositories = append(m.Repositories, report.Repository{Name: filepath.Base(abs), Role: role, Dir: abs,
			Commit: checkoutCommit(d), Services: dirs[d]})
	}
	if siblings != "" {
		for _, s := range knownSiblings {
			d := filepath.Join(siblings, s)
			abs, _ := filepath.Abs(d)
			if st, err := os.Lstat(d); err != nil || !st.IsDir() || seen[abs] {
				continue
			}
			m.Repositories = append(m.Repositories, report.Repository{Name: s, Role: report.RoleSibling, Dir: abs, Commit: checkoutCommit(d)})
		}
	}
	return m
}

// validURLTemplate checks --url-template: an http(s) address with {path}.
func validURLTemplate(t string) error {
	if t == "" {
		return nil
	}
	if !strings.HasPrefix(t, "https://") && !strings.HasPrefix(t, "http://") {
		return usagef("--url-template %q: want an http:// or https:// address", t)
	}
	if !strings.Contains(t, "{path}") {
		return usagef("--url-template %q: want {path} in it (and {repo}, {commit}, {line} as needed)", t)
	}
	for _, p := range regexp.MustCompile(`\{[^}]*\}`).FindAllString(t, -1) {
		if p != "{path}" && p != "{repo}" && p != "{commit}" && p != "{line}" {
			return usagef("--url-template: unknown placeholder %s (want {repo}, {commit}, {path}, {line})", p)
		}
	}
	return nil
}
