package parse

import (
	"bytes"
	"errors"
	"fmt"
	"sort"

	"gopkg.in/yaml.v3"

	"github.com/wazo-platform/wazo-servicekit/config"
)

// YAMLMap parses a YAML document whose top level must be a mapping (a Wazo
// config.yml or api.yml). An empty file is an empty map. Errors name the file
// and, when yaml.v3 knows it, the line.
func YAMLMap(name string, data []byte) (map[string]any, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return map[string]any{}, nil
	}
	var node yaml.Node
	if err := yaml.Unmarshal(data, &node); err != nil {
		return nil, fmt.Errorf("%s: %v (fix the YAML syntax)", name, err)
	}
	if len(node.Content) == 0 {
		return map[string]any{}, nil
	}
	top := node.Content[0]
	if top.Kind == yaml.ScalarNode && top.Tag == "!!null" {
		return map[string]any{}, nil
	}
	if top.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: top level must be a mapping, not a %s", name, top.Line, kindName(top.Kind))
	}
	return NodeMap(name, top)
}

// NodeMap is a parsed YAML mapping node as nested maps, the form probes
// read (keys are strings, nested mappings map[string]any).
func NodeMap(name string, top *yaml.Node) (map[string]any, error) {
	if err := config.CheckYAMLBounds(name, top); err != nil {
		return nil, err // an alias bomb, or keys enough to make decoding quadratic
	}
	var v any
	if err := top.Decode(&v); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	m, _ := normalize(v).(map[string]any)
	if m == nil {
		return nil, errors.New(name + ": top level is not a mapping")
	}
	return m, nil
}

// KeyLine returns the line of a top-level or nested key path in a YAML
// document (0 if not found), so findings can point at config.yml:12.
func KeyLine(data []byte, path ...string) int { return NewKeyLines(data).Line(path...) }

// KeyLines is a YAML document parsed once for the lines of many key paths
// (a service's config.yml is asked for each setting a rule cites).
type KeyLines struct{ top *yaml.Node }

// NewKeyLines parses a YAML document; one that does not parse has no key
// lines.
func NewKeyLines(data []byte) *KeyLines {
	var node yaml.Node
	if yaml.Unmarshal(data, &node) != nil || len(node.Content) == 0 {
		return &KeyLines{}
	}
	return &KeyLines{top: node.Content[0]}
}

// Line is the line of a key path in the document (0 if not found).
func (k *KeyLines) Line(path ...string) int {
	if k == nil || k.top == nil {
		return 0
	}
	n, line := k.top, 0
	for _, key := range path {
		if n.Kind != yaml.MappingNode {
			return 0
		}
		found := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				line, n, found = n.Content[i].Line, n.Content[i+1], true
				break
			}
		}
		if !found {
			return 0
		}
	}
	return line
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "scalar"
	case yaml.AliasNode:
		return "alias"
	}
	return "document"
}

// normalize turns map[any]any (non-string keys) into map[string]any
// recursively so that merging and lookups see one map type.
func normalize(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			t[k] = normalize(x)
		}
		return t
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[fmt.Sprint(k)] = normalize(x)
		}
		return m
	case []any:
		for i, x := range t {
			t[i] = normalize(x)
		}
		return t
	}
	return v
}

// NamedDoc is one parsed file to merge, keeping its name for error messages.
type NamedDoc struct {
	Name string
	Doc  map[string]any
}

// MergeFirstWins merges documents as xivo's ChainMap does: the first
// document holding a key wins; when both values are mappings they are merged
// key by key with the same rule; lists and scalars are never merged. Wazo
// builds a service's api.yml this way from every plugin's api.yml. The
// inputs are not modified.
func MergeFirstWins(docs ...map[string]any) map[string]any {
	out := map[string]any{}
	for _, d := range docs {
		mergeInto(out, d)
	}
	return out
}

func mergeInto(dst, src map[string]any) {
	keys := make([]string, 0, len(src))
	for k := range src {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		sv := src[k]
		dv, ok := dst[k]
		if !ok {
			if sm, isMap := sv.(map[string]any); isMap {
				cp := map[string]any{}
				mergeInto(cp, sm)
				dst[k] = cp
			} else {
				dst[k] = sv
			}
			continue
		}
		dm, dIsMap := dv.(map[string]any)
		sm, sIsMap := sv.(map[string]any)
		if dIsMap && sIsMap {
			mergeInto(dm, sm)
		}
	}
}

// DecodeYAML decodes a document read from outside (a checkout, a sibling,
// a waivers or policy file) into out, within config's bounds: at most
// config.MaxFileBytes, no alias bomb, no mapping of more keys than
// yaml.v3 checks in reasonable time (it compares every key with every other),
// no deeper nesting. Errors name the file and line.
func DecodeYAML(name string, data []byte, out any) error {
	doc, err := config.ParseYAML(name, data)
	if err != nil {
		return err
	}
	if len(doc.Content) == 0 {
		return nil // an empty document leaves out as it is, as yaml.Unmarshal does
	}
	if err := doc.Decode(out); err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	return nil
}
