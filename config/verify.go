package config

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// UnmarshalYAML accepts `verify: true|false` or `verify: /path/to/ca.crt`.
func (v *Verify) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: verify must be true, false or a CA file path", node.Line)
	}
	var b bool
	if node.Tag == "!!bool" && node.Decode(&b) == nil {
		*v = Verify{Enabled: b}
		return nil
	}
	if node.Value == "" {
		return fmt.Errorf("line %d: verify must be true, false or a CA file path", node.Line)
	}
	*v = Verify{Enabled: true, CAFile: node.Value}
	return nil
}

// MarshalYAML writes the value back in the form it was read.
func (v Verify) MarshalYAML() (any, error) {
	if v.CAFile != "" {
		return v.CAFile, nil
	}
	return v.Enabled, nil
}
