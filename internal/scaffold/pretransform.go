package scaffold

import (
	"bytes"
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/wazo-platform/wazo-servicekit/config"
)

// Pre-transforms drop what is wazo-doctord's own before the text rewrites
// run: its audit settings and its audit resources. They work on structure
// (top-level keys, API paths), not on wording, so new doctor-only keys or
// paths are dropped without a change here.

// commonKeys are the top-level config keys every daemon on the kit has
// (config.Common's YAML names).
func commonKeys() map[string]bool {
	keys := map[string]bool{}
	t := reflect.TypeOf(config.Common{})
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			keys[name] = true
		}
	}
	return keys
}

var topKeyRe = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_-]*):`)

// keepCommonKeys removes from a YAML config file every top-level key that
// is not in config.Common, with the comment lines right above it.
func keepCommonKeys(text string) string {
	keep := commonKeys()
	lines := strings.SplitAfter(text, "\n")
	var out []string
	var pending []string // comments since the last blank line, waiting for their key
	dropping := false
	for _, l := range lines {
		trimmed := strings.TrimRight(l, "\n")
		switch {
		case strings.TrimSpace(trimmed) == "":
			if !dropping {
				out = append(out, pending...)
			}
			pending = nil
			out = append(out, l)
			dropping = false
		case strings.HasPrefix(trimmed, "#"):
			pending = append(pending, l)
		case topKeyRe.MatchString(trimmed):
			key := topKeyRe.FindStringSubmatch(trimmed)[1]
			dropping = !keep[key]
			if !dropping {
				out = append(out, pending...)
				out = append(out, l)
			}
			pending = nil
		default: // inside a block
			if !dropping {
				out = append(out, pending...)
				out = append(out, l)
			}
			pending = nil
		}
	}
	out = append(out, pending...)
	// A dropped last block leaves the blank line that preceded it.
	res := strings.Join(out, "")
	for strings.HasSuffix(res, "\n\n") {
		res = strings.TrimSuffix(res, "\n")
	}
	return res
}

// genericPaths are the resources every Wazo daemon has; the new service's
// api.yml keeps them from wazo-doctord's and adds its example resource.
var genericPaths = map[string]bool{"/api/api.yml": true, "/status": true, "/config": true}

// filterAPISpec keeps wazo-doctord's generic paths, adds the example
// resource, and drops the definitions, parameters and responses no kept
// path uses.
func filterAPISpec(text string, v *values) (string, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		return "", fmt.Errorf("wazo-doctord's api.yml: %v", err)
	}
	root := doc.Content[0]
	paths := mapValue(root, "paths")
	if paths == nil {
		return "", fmt.Errorf("wazo-doctord's api.yml has no paths")
	}
	kept := 0
	var content []*yaml.Node
	for i := 0; i+1 < len(paths.Content); i += 2 {
		if genericPaths[paths.Content[i].Value] {
			content = append(content, paths.Content[i], paths.Content[i+1])
			kept++
		}
	}
	if kept != len(genericPaths) {
		return "", fmt.Errorf("wazo-doctord's api.yml no longer has all of /api/api.yml, /status, /config: update scaffold/pretransform.go")
	}
	paths.Content = content
	if err := appendMapping(paths, strings.ReplaceAll(examplePathsYAML, "SHORT", v.Short)); err != nil {
		return "", err
	}
	defs := mapValue(root, "definitions")
	if defs == nil {
		return "", fmt.Errorf("wazo-doctord's api.yml has no definitions")
	}
	if err := appendMapping(defs, exampleDefinitionsYAML); err != nil {
		return "", err
	}
	pruneUnreferenced(root)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return "", err
	}
	return buf.String(), nil
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func appendMapping(m *yaml.Node, snippet string) error {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(snippet), &n); err != nil {
		return fmt.Errorf("scaffold's example api.yml snippet: %v", err)
	}
	m.Content = append(m.Content, n.Content[0].Content...)
	return nil
}

var refRe = regexp.MustCompile(`^#/(definitions|parameters|responses)/(.+)$`)

// pruneUnreferenced removes components no kept part refers to ($ref),
// following references between components.
func pruneUnreferenced(root *yaml.Node) {
	sections := []string{"definitions", "parameters", "responses"}
	used := map[string]bool{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == "$ref" {
					if m := refRe.FindStringSubmatch(n.Content[i+1].Value); m != nil && !used[m[1]+"/"+m[2]] {
						used[m[1]+"/"+m[2]] = true
						if sec := mapValue(root, m[1]); sec != nil {
							if c := mapValue(sec, m[2]); c != nil {
								walk(c)
							}
						}
					}
				}
				walk(n.Content[i+1])
			}
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		isSection := false
		for _, s := range sections {
			isSection = isSection || root.Content[i].Value == s
		}
		if !isSection {
			walk(root.Content[i+1])
		}
	}
	var content []*yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i], root.Content[i+1]
		isSection := false
		for _, s := range sections {
			isSection = isSection || key.Value == s
		}
		if isSection {
			var kept []*yaml.Node
			for j := 0; j+1 < len(val.Content); j += 2 {
				if used[key.Value+"/"+val.Content[j].Value] {
					kept = append(kept, val.Content[j], val.Content[j+1])
				}
			}
			if len(kept) == 0 {
				continue
			}
			val.Content = kept
		}
		content = append(content, key, val)
	}
	root.Content = content
}

// dropDoctorOverrides keeps the lintian overrides that hold for any service
// on the kit: an override block (its comment lines and the override line)
// whose comment speaks of the doctor is wazo-doctord's own and is dropped.
// An empty result means no overrides file at all.
func dropDoctorOverrides(text string) string {
	var out, block []string
	doctorOnly := false
	for _, l := range strings.SplitAfter(text, "\n") {
		trimmed := strings.TrimSpace(l)
		switch {
		case trimmed == "":
			if len(block) == 0 {
				out = append(out, l)
			} else {
				block = append(block, l)
			}
		case strings.HasPrefix(trimmed, "#"):
			block = append(block, l)
			doctorOnly = doctorOnly || strings.Contains(strings.ToLower(strings.ReplaceAll(trimmed, "wazo-doctord", "")), "doctor")
		default:
			block = append(block, l)
			if !doctorOnly {
				out = append(out, block...)
			}
			block, doctorOnly = nil, false
		}
	}
	res := strings.Join(out, "")
	if !regexp.MustCompile(`(?m)^[^#\s]`).MatchString(res) {
		return ""
	}
	return res
}
