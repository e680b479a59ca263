package rules

import (
	"testing"

	"github.com/wazo-platform/wazo-servicekit/internal/lazyre"
)

// Every expression of the catalogue and its parsers compiles (they are
// compiled on first use, so a typo would otherwise panic only then).
func TestEveryExpressionCompiles(t *testing.T) {
	if err := lazyre.CompileAll(); err != nil {
		t.Fatal(err)
	}
}
