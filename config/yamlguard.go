package config

import "gopkg.in/yaml.v3"

// Bounds on a YAML document read from outside: a config file, or a file
// wazo-servicekit scans. yaml.v3 checks every mapping's keys against each
// other when decoding (cost: keys²) and expands aliases, so a small file
// could take minutes and gigabytes (an alias bomb); within these bounds a
// document decodes in milliseconds.
const (
	MaxFileBytes   = 4 << 20 // a config file
	MaxYAMLNodes   = 100000  // values in a document, aliases expanded
	MaxMappingKeys = 1000    // keys in one mapping
	MaxYAMLDepth   = 100     // nesting
)

// ParseYAML parses a document read from outside into its node tree, and
// refuses one beyond the bounds above with an error naming file and line.
func ParseYAML(name string, data []byte) (*yaml.Node, error) {
	if len(data) > MaxFileBytes {
		return nil, errorf("%s: %d bytes, more than the %d a YAML file may have", name, len(data), MaxFileBytes)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fileError(name, err)
	}
	if err := CheckYAMLBounds(name, &doc); err != nil {
		return nil, err
	}
	return &doc, nil
}

// CheckYAMLBounds counts the values of a parsed document as decoding would
// see them (each alias counted as a copy of its anchor, computed once per
// anchor so the count itself is linear) and refuses a document over
// MaxYAMLNodes, a mapping over MaxMappingKeys or nesting over MaxYAMLDepth.
func CheckYAMLBounds(name string, doc *yaml.Node) error {
	c := yamlCounter{name: name, sizes: map[*yaml.Node]int{}}
	_, err := c.size(doc, 0)
	return err
}

type yamlCounter struct {
	name  string
	sizes map[*yaml.Node]int // expanded size; -1 while being counted
}

func (c *yamlCounter) size(n *yaml.Node, depth int) (int, error) {
	if depth > MaxYAMLDepth {
		return 0, errorf("%s:%d: nested more than %d levels deep", c.name, n.Line, MaxYAMLDepth)
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return c.size(n.Alias, depth+1)
	}
	if s, ok := c.sizes[n]; ok {
		if s < 0 {
			return 0, errorf("%s:%d: an alias refers to the value that holds it", c.name, n.Line)
		}
		return s, nil
	}
	if n.Kind == yaml.MappingNode && len(n.Content)/2 > MaxMappingKeys {
		return 0, errorf("%s:%d: a mapping of %d keys, more than the %d allowed", c.name, n.Line, len(n.Content)/2, MaxMappingKeys)
	}
	c.sizes[n] = -1
	total := 1
	for _, child := range n.Content {
		s, err := c.size(child, depth+1)
		if err != nil {
			return 0, err
		}
		if total += s; total > MaxYAMLNodes {
			what := "values"
			if child.Kind == yaml.AliasNode {
				what = "values once its aliases are expanded (an alias bomb?)"
			}
			return 0, errorf("%s:%d: the document holds more than %d %s", c.name, child.Line, MaxYAMLNodes, what)
		}
	}
	c.sizes[n] = total
	return total, nil
}
