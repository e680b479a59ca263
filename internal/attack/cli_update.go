package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Attacks on `update` through the checkout it updates (run in CI as
// `update --check` on pull requests).

func init() {
	register(
		attack{"N6", "update --dry-run: kit_dir /proc/self/cwd and internal/ports/registry.yml -> /dev/zero", updateKitDir},
		attack{"N6", "update --dry-run: a locally rewritten README.md of 20 000 lines, its base unknown", updateBigDiff(20000, "--dry-run")},
		attack{"N6", "update --check: a locally rewritten README.md of 40 000 lines, its base unknown", updateBigDiff(40000, "--check")},
		attack{"N15", "new --description with JSX, an MDX expression and a javascript: link; update with it in .servicekit.yml", descriptionMarkup},
	)
}

// generated writes a repository with `new` (this checkout as its kit).
func (e *env) generated() (string, error) {
	kit, err := os.Getwd()
	if err != nil {
		return "", err
	}
	parent := e.tempDir("generated")
	o := e.servicekit(parent, []string{"new", "wazo-sectest", "--kit", kit})
	if o.code != 0 {
		return "", fmt.Errorf("new: %s %.300q", o.figures(), o.stderr)
	}
	return filepath.Join(parent, "wazo-sectest"), nil
}

// setManifest replaces a top-level key's line of .servicekit.yml.
func setManifest(dir, key, value string) {
	p := filepath.Join(dir, ".servicekit.yml")
	data, _ := os.ReadFile(p)
	re := regexp.MustCompile(`(?m)^` + key + `:.*$`)
	os.WriteFile(p, re.ReplaceAll(data, []byte(key+": "+value)), 0o644)
}

func updateKitDir(e *env) (bool, string) {
	dir, err := e.generated()
	if err != nil {
		return false, err.Error()
	}
	// The keys as the attacked version read them, whether or not this one
	// still records them.
	p := filepath.Join(dir, ".servicekit.yml")
	data, _ := os.ReadFile(p)
	data = regexp.MustCompile(`(?m)^kit_(source|dir):.*\n`).ReplaceAll(data, nil)
	os.WriteFile(p, append(data, "kit_source: checkout\nkit_dir: /proc/self/cwd\n"...), 0o644)
	os.MkdirAll(filepath.Join(dir, "internal/ports"), 0o755)
	os.Symlink("/dev/zero", filepath.Join(dir, "internal/ports/registry.yml"))
	o := e.servicekit(dir, []string{"update", "--dry-run"})
	if !o.bounded() || o.peakKB>>10 > 200 || o.code == 3 {
		return false, fmt.Sprintf("%s %s; stderr %.200q", o.killed, o.figures(), o.stderr)
	}
	if o.code == 2 {
		return true, o.figures() + ": " + firstLine(o.stderr)
	}
	return true, o.figures() + ": the checkout's kit_dir names nothing update reads (the kit comes only from --kit)"
}

func updateBigDiff(lines int, mode string) func(*env) (bool, string) {
	return func(e *env) (bool, string) {
		dir, err := e.generated()
		if err != nil {
			return false, err.Error()
		}
		var b strings.Builder
		for i := 0; i < lines; i++ {
			fmt.Fprintf(&b, "line %d\n", i)
		}
		os.WriteFile(filepath.Join(dir, "README.md"), []byte(b.String()), 0o644)
		p := filepath.Join(dir, ".servicekit.yml")
		data, _ := os.ReadFile(p)
		re := regexp.MustCompile(`(?m)^(\s+README\.md:) [0-9a-f]{64}$`)
		os.WriteFile(p, re.ReplaceAll(data, []byte("$1 "+strings.Repeat("cd", 32))), 0o644)
		o := e.servicekit(dir, []string{"update", mode})
		if ok, why := withinCost(o); !ok {
			return false, why
		}
		if o.code == 3 {
			return false, fmt.Sprintf("%s: %.200q", o.figures(), o.stderr)
		}
		return true, o.figures()
	}
}

const hostileDescription = "<img src=x onerror=alert(1)> [x](javascript:alert(2)) | a {x}"

func descriptionMarkup(e *env) (bool, string) {
	parent := e.tempDir("new-description")
	o := e.servicekit(parent, []string{"new", "wazo-mdx", "--description", hostileDescription})
	if o.code != 2 || !strings.Contains(o.stderr, "markup") {
		return false, fmt.Sprintf("new: %s; stderr %.200q", o.figures(), o.stderr)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		return false, "new wrote files"
	}
	dir, err := e.generated()
	if err != nil {
		return false, err.Error()
	}
	before, _ := os.ReadFile(filepath.Join(dir, "README.md"))
	setManifest(dir, "description", `"`+hostileDescription+`"`)
	u := e.servicekit(dir, []string{"update"})
	after, _ := os.ReadFile(filepath.Join(dir, "README.md"))
	if u.code != 2 || string(before) != string(after) {
		return false, fmt.Sprintf("update: %s, README changed: %v", u.figures(), string(before) != string(after))
	}
	return true, "refused by new and by update, nothing written: " + firstLine(o.stderr)
}
