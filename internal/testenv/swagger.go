package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// validateScript loads a document with @apidevtools/swagger-parser, which
// validates it against the Swagger 2.0 / OpenAPI 3 JSON schema and checks
// references: an implementation independent of ours.
const validateScript = `
const SwaggerParser = require("@apidevtools/swagger-parser");
SwaggerParser.validate(process.argv[1])
  .then(api => { console.log("valid " + (api.swagger || api.openapi)); })
  .catch(err => { console.error(err.message); process.exit(1); });
`

// ValidateSwagger runs the independent validator on an API document and
// returns its verdict (nil when valid).
func ValidateSwagger(t testing.TB, doc []byte) error {
	t.Helper()
	if _, err := os.Stat(filepath.Join(NodeModules(), "@apidevtools", "swagger-parser", "package.json")); err != nil {
		missing(t, "needs the npm package @apidevtools/swagger-parser: run `make deps` (installs it under .cache/npm)")
	}
	RequireCommand(t, "node")
	path := filepath.Join(t.TempDir(), "api.yml")
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", "-e", validateScript, path)
	cmd.Env = append(os.Environ(), "NODE_PATH="+NodeModules())
	out, err := cmd.CombinedOutput()
	if err != nil {
		return &ValidationError{Output: string(out)}
	}
	return nil
}

// ValidationError carries the validator's message.
type ValidationError struct{ Output string }

func (e *ValidationError) Error() string { return "invalid API document: " + e.Output }
