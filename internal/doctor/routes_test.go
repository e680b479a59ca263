package doctor

import (
	"testing"

	"github.com/wazo-platform/wazo-servicekit/servicetest"
)

// The routes wazo-doctord really registers are exactly api.yml's operations.
func TestRoutesAreAPISpecOperations(t *testing.T) {
	h, _ := testHandler(t, &countingAuditor{})
	servicetest.RoutesMatchSpec(t, h, APISpec())
}
