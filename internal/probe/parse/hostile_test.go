package parse

import (
	"fmt"
	"strings"
	"testing"
)

// TestYAMLMapRefusesQuadraticInput: a 520 KB file of keys made `check`
// take 8 s (decoding compares every key of a mapping with the others); an
// alias bomb of 1 KB passed 4 GB.
func TestYAMLMapRefusesQuadraticInput(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < 520<<10; i++ {
		fmt.Fprintf(&b, "key%d: value\n", i)
	}
	if _, err := YAMLMap("api.yml", []byte(b.String())); err == nil || !strings.Contains(err.Error(), "api.yml:1: a mapping of") {
		t.Errorf("520 KB of keys: %v", err)
	}
	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	for i, prev := 0, "a"; i < 8; i++ {
		name := fmt.Sprintf("b%d", i)
		bomb += name + ": &" + name + " [" + strings.TrimSuffix(strings.Repeat("*"+prev+", ", 10), ", ") + "]\n"
		prev = name
	}
	if _, err := YAMLMap("config.yml", []byte(bomb)); err == nil || !strings.Contains(err.Error(), "alias") {
		t.Errorf("alias bomb of %d bytes: %v", len(bomb), err)
	}
}
