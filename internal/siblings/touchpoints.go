package siblings

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// The other repositories a new Wazo service touches besides wazo-service,
// wazo-backup, wazo-acceptance, wazo-platform.org and wazo-platform: the
// build list of xivo-build-tools, the service key definitions of
// wazo-auth-keys (when the service calls other APIs), wazo-sdk's project
// list, and with --installer the UC engine role of wazo-ansible.

// --- xivo-build-tools ---------------------------------------------------------

const buildToolsPackages = "etc/xivo-build-tools/packages"

// packageNameRe is a line of the package list; other lines (conflict
// markers, comments) are kept as they are and not ordered.
var packageNameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9.+-]*$`)

// xivoBuildToolsEdits add the service's source package to the list of
// what Wazo builds, and the kit's (KitSourcePackage, which builds the -dev
// package the service Build-Depends on) when the list lacks it.
func xivoBuildToolsEdits(v Service) []edit {
	names := []string{v.Name}
	if v.KitSourcePackage != "" {
		names = []string{v.KitSourcePackage, v.Name}
	}
	return []edit{{rel: buildToolsPackages,
		change: func(old string) (string, string, error) {
			text, notes := old, []string{}
			for _, n := range names {
				out, note, err := addPackageName(text, n)
				if err != nil {
					return "", "", err
				}
				if out != "" {
					text = out
				}
				if n == v.KitSourcePackage && out != "" {
					note += " (the kit's source package: it builds golang-github-wazo-platform-wazo-servicekit-dev, which " + v.Name + " Build-Depends on)"
				}
				notes = append(notes, note)
			}
			if text == old {
				return "", strings.Join(notes, "; "), nil
			}
			return text, strings.Join(notes, "; "), nil
		},
		verify: func(old, new string) error {
			text := old
			for _, n := range names {
				out, _, err := addPackageName(text, n)
				if err != nil {
					return err
				}
				if out == "" {
					continue // listed already
				}
				if err := verifyPackageName(text, out, n); err != nil {
					return err
				}
				text = out
			}
			if text != new {
				return fmt.Errorf("the result is not the list with %s added", strings.Join(names, " and "))
			}
			return nil
		},
	}}
}

// addPackageName inserts name into the sorted list of source packages the
// build tools know, before the first name that sorts after it.
func addPackageName(old, name string) (string, string, error) {
	lines := strings.Split(old, "\n")
	at, names := -1, 0
	for i, l := range lines {
		if !packageNameRe.MatchString(l) {
			continue
		}
		names++
		if l == name {
			return "", buildToolsPackages + " lists " + name + " already", nil
		}
		if at < 0 && l > name {
			at = i
		}
	}
	if names == 0 {
		return "", "", notShaped("one source package name a line", "no such line")
	}
	if at < 0 {
		at = len(lines)
		for at > 0 && lines[at-1] == "" {
			at--
		}
	}
	lines = append(lines[:at], append([]string{name}, lines[at:]...)...)
	note := buildToolsPackages + ": " + name + " added in name order"
	if strings.Contains(old, "\n<<<<<<< ") || strings.HasPrefix(old, "<<<<<<< ") {
		note += " (the file holds unresolved merge conflict markers upstream: left as they are)"
	}
	return strings.Join(lines, "\n"), note, nil
}

// verifyPackageName: exactly one line added, the name, between names that
// sort around it.
func verifyPackageName(old, new, name string) error {
	a, b := strings.Split(old, "\n"), strings.Split(new, "\n")
	if len(b) != len(a)+1 {
		return fmt.Errorf("want one line more, got %d", len(b)-len(a))
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if b[i] != name || strings.Join(a[i:], "\n") != strings.Join(b[i+1:], "\n") {
		return fmt.Errorf("the lines around %s changed", name)
	}
	for j := i - 1; j >= 0; j-- {
		if packageNameRe.MatchString(b[j]) {
			if b[j] > name {
				return fmt.Errorf("%s after %s: out of name order", name, b[j])
			}
			break
		}
	}
	for j := i + 1; j < len(b); j++ {
		if packageNameRe.MatchString(b[j]) {
			if b[j] < name {
				return fmt.Errorf("%s before %s: out of name order", name, b[j])
			}
			break
		}
	}
	return nil
}

// --- wazo-auth-keys and wazo-sdk: top-level YAML mappings ----------------------

const authKeysConfig = "etc/wazo-auth-keys/config.yml"

func wazoAuthKeysEdits(v Service) []edit {
	if len(v.ACLs) == 0 {
		return nil // no API called, no key: nothing to define
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s:\n  system_user: %s\n  acl:\n", v.Name, v.Name)
	for _, a := range v.ACLs {
		fmt.Fprintf(&b, "    - '%s'\n", a)
	}
	want := map[string]any{"system_user": v.Name, "acl": toAny(v.ACLs)}
	return []edit{{rel: authKeysConfig,
		change: func(old string) (string, string, error) {
			text, err := insertTopLevelBlock(old, v.Name, b.String())
			return text, authKeysConfig + ": " + v.Name + " (system_user " + v.Name + ", " + strings.Join(v.ACLs, ", ") +
				"); the package also ships it in /etc/wazo-auth-keys/conf.d, apply one or the other", err
		},
		verify: func(old, new string) error { return verifyTopLevelBlock(old, new, v.Name, want) },
	}}
}

func wazoSDKEdits(v Service) []edit {
	cfg := "etc/" + v.Name + "/config.yml"
	block := fmt.Sprintf("%s:\n  bind:\n    %s: /%s\n  clean: []\n", v.Name, cfg, cfg)
	want := map[string]any{"bind": map[string]any{cfg: "/" + cfg}, "clean": []any{}}
	return []edit{{rel: "project.yml",
		change: func(old string) (string, string, error) {
			text, err := insertTopLevelBlock(old, v.Name, block)
			return text, "project.yml: " + v.Name + " (a Go daemon: no python3 mount; its shipped config bound from the checkout)", err
		},
		verify: func(old, new string) error { return verifyTopLevelBlock(old, new, v.Name, want) },
	}}
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

var topLevelKeyRe = regexp.MustCompile(`^([a-z0-9][a-z0-9._-]*):\s*$`)

// insertTopLevelBlock puts block (one top-level mapping entry) before the
// first wazo-/xivo- entry whose name sorts after name, followed by a blank
// line; at the end of the file when none does.
func insertTopLevelBlock(old, name, block string) (string, error) {
	lines := strings.Split(old, "\n")
	at, keys := -1, 0
	for i, l := range lines {
		m := topLevelKeyRe.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		keys++
		if m[1] == name {
			return "", nil
		}
		if at < 0 && m[1] > name && (strings.HasPrefix(m[1], "wazo-") || strings.HasPrefix(m[1], "xivo-")) {
			at = i
		}
	}
	if keys == 0 {
		return "", notShaped("a mapping of service names, one `name:` line each", "no such line")
	}
	if at >= 0 {
		// Above the entry's own comment lines, if any.
		for at > 0 && strings.HasPrefix(lines[at-1], "#") {
			at--
		}
		return strings.Join(lines[:at], "\n") + "\n" + block + "\n" + strings.Join(lines[at:], "\n"), nil
	}
	text := strings.TrimRight(old, "\n")
	return text + "\n\n" + block, nil
}

// verifyTopLevelBlock parses both versions: the new one has name with
// exactly want, and every other entry as it was.
func verifyTopLevelBlock(old, new, name string, want map[string]any) error {
	var a, b map[string]any
	if err := yaml.Unmarshal([]byte(old), &a); err != nil {
		return fmt.Errorf("the file does not parse: %v", err)
	}
	if err := yaml.Unmarshal([]byte(new), &b); err != nil {
		return fmt.Errorf("the result does not parse: %v", err)
	}
	if len(b) != len(a)+1 {
		return fmt.Errorf("want one entry more, got %d", len(b)-len(a))
	}
	if !reflect.DeepEqual(b[name], want) {
		return fmt.Errorf("%s reads back as %v, want %v", name, b[name], want)
	}
	delete(b, name)
	if !reflect.DeepEqual(a, b) {
		return fmt.Errorf("other entries changed")
	}
	return nil
}

// --- wazo-ansible -----------------------------------------------------------------

const ucEngineTasks = "roles/uc-engine/tasks/main.yml"

// wazoAnsibleEdits installs the package in the UC engine role, right after
// wazo-setupd's task, when the installer must know the service (--installer).
func wazoAnsibleEdits(v Service) []edit {
	if !v.Installer {
		return nil
	}
	task := fmt.Sprintf("- name: Install %s\n  ansible.builtin.apt:\n    name: %s\n    state: present\n", v.Name, v.Name)
	return []edit{{rel: ucEngineTasks,
		change: func(old string) (string, string, error) {
			if strings.Contains(old, "\n    name: "+v.Name+"\n") {
				return "", ucEngineTasks + " installs " + v.Name + " already", nil
			}
			text, err := insertTaskAfter(old, "- name: Install wazo-setupd", task)
			return text, ucEngineTasks + ": installs " + v.Name + " after wazo-setupd", err
		},
		verify: func(old, new string) error { return verifyTaskInserted(old, new, v.Name) },
	}}
}

// insertTaskAfter puts task after the task starting with the line after:
// at its first blank line, which ends a task of the role's files.
func insertTaskAfter(old, after, task string) (string, error) {
	lines := strings.Split(old, "\n")
	start := -1
	for i, l := range lines {
		if strings.TrimRight(l, " ") == after {
			start = i
			break
		}
	}
	if start < 0 {
		return "", notShaped("a task `"+after+"`", "none")
	}
	end := start + 1
	for end < len(lines) && strings.TrimSpace(lines[end]) != "" {
		end++
	}
	out := append([]string{}, lines[:end]...)
	out = append(out, "")
	out = append(out, strings.Split(strings.TrimSuffix(task, "\n"), "\n")...)
	out = append(out, lines[end:]...)
	return strings.Join(out, "\n"), nil
}

// verifyTaskInserted: the task list has one task more, the one installing
// name, and the others are as they were.
func verifyTaskInserted(old, new, name string) error {
	var a, b []map[string]any
	if err := yaml.Unmarshal([]byte(old), &a); err != nil {
		return fmt.Errorf("the file does not parse: %v", err)
	}
	if err := yaml.Unmarshal([]byte(new), &b); err != nil {
		return fmt.Errorf("the result does not parse: %v", err)
	}
	if len(b) != len(a)+1 {
		return fmt.Errorf("want one task more, got %d", len(b)-len(a))
	}
	var rest []map[string]any
	found := false
	for _, t := range b {
		apt, _ := t["ansible.builtin.apt"].(map[string]any)
		if t["name"] == "Install "+name && apt["name"] == name && apt["state"] == "present" && !found {
			found = true
			continue
		}
		rest = append(rest, t)
	}
	if !found {
		return fmt.Errorf("no task installing %s", name)
	}
	if !reflect.DeepEqual(a, rest) {
		return fmt.Errorf("other tasks changed")
	}
	return nil
}
