package apispec

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

const minimal = `swagger: '2.0'
info: {title: wazo-test, version: 1.0.0}
basePath: /1.0
x-xivo-name: test
x-xivo-port: 1
paths:
  /status:
    get:
      responses:
        '200': {description: ok}
`

func fields(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal(body, &m); err != nil {
		t.Fatalf("served document is not YAML: %v", err)
	}
	return m
}

func TestServedWithConfiguredPortAndProxyPrefix(t *testing.T) {
	spec, err := Load("test.yml", []byte(minimal), 9777)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	spec.ServeHTTP(rec, httptest.NewRequest("GET", "/1.0/api/api.yml", nil))
	if rec.Code != 200 || rec.Header().Get("Content-Type") != ContentType {
		t.Fatalf("%d %v", rec.Code, rec.Header())
	}
	m := fields(t, rec.Body.Bytes())
	if m["x-xivo-port"] != 9777 || m["basePath"] != "/1.0" {
		t.Errorf("direct: x-xivo-port %v basePath %v", m["x-xivo-port"], m["basePath"])
	}

	req := httptest.NewRequest("GET", "/1.0/api/api.yml", nil)
	req.Header.Set("X-Script-Name", "/api/test")
	rec = httptest.NewRecorder()
	spec.ServeHTTP(rec, req)
	m = fields(t, rec.Body.Bytes())
	if m["basePath"] != "/api/test/1.0" {
		t.Errorf("behind nginx: basePath %v, want /api/test/1.0", m["basePath"])
	}
	if s, _ := m["schemes"].([]any); len(s) != 1 || s[0] != "https" {
		t.Errorf("behind nginx: schemes %v, want [https]", m["schemes"])
	}
	if again := fields(t, spec.Bytes("")); again["basePath"] != "/1.0" {
		t.Errorf("the proxied variant changed the plain document: %v", again["basePath"])
	}
}

func TestServedFromMemory(t *testing.T) {
	spec, err := Load("test.yml", []byte(minimal), 9777)
	if err != nil {
		t.Fatal(err)
	}
	a, b := spec.Bytes(""), spec.Bytes("")
	if &a[0] != &b[0] {
		t.Error("the plain document is rebuilt per request")
	}
	c, d := spec.Bytes("/api/test"), spec.Bytes("/api/test")
	if &c[0] != &d[0] {
		t.Error("the proxied document is rebuilt per request")
	}
	rec := httptest.NewRecorder()
	spec.ServeHTTP(rec, httptest.NewRequest(http.MethodHead, "/1.0/api/api.yml", nil))
	if rec.Body.Len() != 0 || rec.Header().Get("Content-Length") != strconv.Itoa(len(a)) {
		t.Errorf("HEAD: body %d bytes, Content-Length %q", rec.Body.Len(), rec.Header().Get("Content-Length"))
	}
}

func TestLoadRefusesNonWazoDocuments(t *testing.T) {
	for name, doc := range map[string]string{
		"openapi 3":       strings.Replace(minimal, "swagger: '2.0'", "openapi: 3.0.2", 1),
		"no basePath":     strings.Replace(minimal, "basePath: /1.0\n", "", 1),
		"no x-xivo-name":  strings.Replace(minimal, "x-xivo-name: test\n", "", 1),
		"no paths":        minimal[:strings.Index(minimal, "paths:")],
		"not yaml":        "swagger: [",
		"no info.version": strings.Replace(minimal, ", version: 1.0.0", "", 1),
		"a key twice":     minimal + "x-xivo-port: 2\n",
	} {
		if _, err := Load("test.yml", []byte(doc), 1); err == nil || !strings.Contains(err.Error(), "test.yml") {
			t.Errorf("%s: want an error naming the file, got %v", name, err)
		}
	}
}

// TestIndependentValidatorAcceptsBothVariants runs the npm swagger-parser
// (not our code) on what is actually served.
func TestIndependentValidatorAcceptsBothVariants(t *testing.T) {
	spec, err := Load("test.yml", []byte(minimal), 9777)
	if err != nil {
		t.Fatal(err)
	}
	for _, script := range []string{"", "/api/test"} {
		if err := testenv.ValidateSwagger(t, spec.Bytes(script)); err != nil {
			t.Errorf("X-Script-Name %q: %v", script, err)
		}
	}
	broken := strings.Replace(minimal, "'200': {description: ok}", "'200': {schema: {$ref: '#/definitions/Missing'}}", 1)
	if err := testenv.ValidateSwagger(t, []byte(broken)); err == nil {
		t.Error("the validator accepted a document with a dangling $ref and no description: it is not validating")
	}
}

// The document is served as written, with the value of its x-xivo-port
// line replaced or the key appended, when that changes just this key;
// otherwise it is rendered. Either way the served document holds the
// configured port once and everything else unchanged.
func TestPortAddedAsWrittenOrRendered(t *testing.T) {
	withoutPort := strings.Replace(minimal, "x-xivo-port: 1\n", "", 1)
	withPort := func(doc, line string) string { return strings.Replace(doc, "x-xivo-port: 1\n", line, 1) }
	const rendered = ""
	for _, c := range []struct {
		name, doc, want string
	}{
		{"no port yet", "# a comment kept\n" + withoutPort, "# a comment kept\n" + withoutPort + "x-xivo-port: 9504\n"},
		{"no final newline", strings.TrimSuffix(withoutPort, "\n"), withoutPort + "x-xivo-port: 9504\n"},
		{"a port already", minimal, withPort(minimal, "x-xivo-port: 9504\n")},
		{"a port and a comment", withPort(minimal, "x-xivo-port:   1  # set at start\n"), withPort(minimal, "x-xivo-port:   9504  # set at start\n")},
		{"a port on the last line", withoutPort + "x-xivo-port: 12", withoutPort + "x-xivo-port: 9504"},
		{"a quoted port", withPort(minimal, "x-xivo-port: '1'\n"), rendered},
		{"a port on the next line", withPort(minimal, "x-xivo-port:\n  1\n"), rendered},
		{"an anchored port", withPort(minimal, "x-xivo-port: &p 1\n"), rendered},
		{"a port in CRLF lines", strings.ReplaceAll(minimal, "\n", "\r\n"), rendered},
		{"a second document", withoutPort + "---\nother: 1\n", rendered},
		{"a kept block scalar", withoutPort + "x-note: |+\n  kept\n\n", rendered},
	} {
		s, err := Load("api.yml", []byte(c.doc), 9504)
		if err != nil {
			if c.want == rendered {
				continue // a document yaml refuses is not this test's subject
			}
			t.Fatalf("%s: %v", c.name, err)
		}
		body := s.Bytes("")
		if c.want != rendered && string(body) != c.want {
			t.Errorf("%s: served\n%s\nwant as written with the port:\n%s", c.name, body, c.want)
		}
		m := fields(t, body)
		if m["x-xivo-port"] != 9504 || m["basePath"] != "/1.0" || m["x-xivo-name"] != "test" || strings.Count(string(body), "x-xivo-port") != 1 {
			t.Errorf("%s: served %s", c.name, body)
		}
	}
}
