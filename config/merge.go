package config

import "gopkg.in/yaml.v3"

// Layer is one source of configuration: built-in defaults, a file, the
// command line. Name is what error messages call it (a file path for files).
type Layer struct {
	Name string
	Root *yaml.Node // a mapping node, or nil for an empty layer
}

// Merge combines layers the way xivo's ChainMap does: the FIRST layer that has
// a key wins; when the winner and a later layer both hold a mapping for that
// key, the two mappings are merged key by key with the same rule. Lists and
// scalars are never merged: the first occurrence wins whole, and so does an
// explicit null. The inputs are not modified.
func Merge(layers ...Layer) *yaml.Node {
	merged := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for _, layer := range layers {
		if layer.Root != nil {
			mergeInto(merged, layer.Root)
		}
	}
	return merged
}

// mergeInto adds to dst every key of src that dst lacks, recursing where both
// sides hold a mapping. dst is always a node Merge created, so it may be changed.
func mergeInto(dst, src *yaml.Node) {
	for i := 0; i+1 < len(src.Content); i += 2 {
		key, value := src.Content[i], src.Content[i+1]
		existing := lookup(dst, key.Value)
		switch {
		case existing == nil:
			dst.Content = append(dst.Content, key, copyNode(value))
		case existing.Kind == yaml.MappingNode && value.Kind == yaml.MappingNode:
			mergeInto(existing, value)
		}
	}
}

// copyNode copies mapping nodes deeply (so later merges never touch a layer)
// and shares everything else, which Merge never modifies.
func copyNode(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		return n
	}
	c := *n
	c.Content = nil
	mergeInto(&c, n)
	return &c
}

// lookup returns the value of key in a mapping node, or nil.
func lookup(mapping *yaml.Node, key string) *yaml.Node {
	if mapping == nil || mapping.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(mapping.Content); i += 2 {
		if mapping.Content[i].Value == key {
			return mapping.Content[i+1]
		}
	}
	return nil
}

// lookupPath follows dotted keys through nested mappings.
func lookupPath(root *yaml.Node, path ...string) *yaml.Node {
	n := root
	for _, key := range path {
		n = lookup(n, key)
		if n == nil {
			return nil
		}
	}
	return n
}

// mapping builds a mapping node from alternating keys and nodes, for the
// layers the loader makes itself (command line, key file).
func mapping(pairs ...any) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for i := 0; i+1 < len(pairs); i += 2 {
		value, ok := pairs[i+1].(*yaml.Node)
		if !ok {
			value = scalar(pairs[i+1])
		}
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: pairs[i].(string)}, value)
	}
	return m
}

func scalar(v any) *yaml.Node {
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		panic(err) // only called with strings and bools
	}
	return &n
}
