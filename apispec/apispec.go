// Package apispec serves a daemon's Swagger 2.0 api.yml the way Wazo
// daemons do: unauthenticated at /<version>/api/api.yml, with x-xivo-port set
// to the port actually configured, and basePath prefixed by X-Script-Name when
// nginx forwards the request (so /api/<svc>/<version> behind the proxy).
//
// The document is checked and rendered once at start-up, and the bytes are
// served from memory.
package apispec

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/wazo-platform/wazo-servicekit/rest"
)

// ContentType is what Wazo daemons send for api.yml.
const ContentType = "application/x-yaml"

// Spec is a checked api.yml ready to serve.
type Spec struct {
	basePath string
	name     string
	plain    []byte
	// plainLength is the Content-Length header value of plain, made once
	// (a slice of capacity 1: an Add to it copies instead of writing in it).
	plainLength []string

	mu       sync.Mutex
	proxied  map[string][]byte // by X-Script-Name value
	maxCache int
}

// Load checks the document (Swagger 2.0, info.title, basePath, x-xivo-name)
// and sets x-xivo-port to port. source names the document in errors.
func Load(source string, data []byte, port int) (*Spec, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: an api.yml must be a mapping", source)
	}
	root := doc.Content[0]
	if v := value(root, "swagger"); v == nil || v.Value != "2.0" {
		return nil, fmt.Errorf("%s: want `swagger: '2.0'` (Wazo api.yml files are Swagger 2.0)", source)
	}
	info := value(root, "info")
	if info == nil || value(info, "title") == nil || value(info, "version") == nil {
		return nil, fmt.Errorf("%s: info.title and info.version are required", source)
	}
	base := value(root, "basePath")
	if base == nil || !strings.HasPrefix(base.Value, "/") {
		return nil, fmt.Errorf("%s: basePath must be set to /<version>, e.g. /1.0", source)
	}
	name := value(root, "x-xivo-name")
	if name == nil || name.Value == "" {
		return nil, fmt.Errorf("%s: x-xivo-name is required (the service name without wazo-)", source)
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i]
		if line, twice := seen[k.Value]; twice {
			return nil, fmt.Errorf("%s: line %d: %s is already given at line %d (a key appears once)", source, k.Line, k.Value, line)
		}
		seen[k.Value] = k.Line
	}
	if value(root, "paths") == nil {
		return nil, fmt.Errorf("%s: paths is required", source)
	}
	plain, edited := withPortValue(data, root, port)
	if !edited {
		plain, edited = withPortLine(data, root, port)
	}
	if !edited {
		set(root, "x-xivo-port", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(port)})
		var err error
		if plain, err = yaml.Marshal(root); err != nil {
			return nil, fmt.Errorf("%s: %w", source, err)
		}
	}
	// The tree is not kept: a proxied variant, rare and cached, parses the
	// plain document again (render), and the daemon does not carry the
	// tree's hundred-odd kilobytes for the whole of its life.
	return &Spec{basePath: base.Value, name: name.Value, plain: plain, plainLength: []string{strconv.Itoa(len(plain))},
		proxied: map[string][]byte{}, maxCache: 16}, nil
}

// BasePath is the document's basePath, e.g. /1.0.
func (s *Spec) BasePath() string { return s.basePath }

// Name is x-xivo-name.
func (s *Spec) Name() string { return s.name }

// Bytes returns the document as served for scriptName ("" when the request
// did not come through nginx).
func (s *Spec) Bytes(scriptName string) []byte {
	if scriptName == "" {
		return s.plain
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.proxied[scriptName]; ok {
		return b
	}
	b := s.render(scriptName)
	if len(s.proxied) < s.maxCache {
		s.proxied[scriptName] = b
	}
	return b
}

// render applies xivo's reverse_proxy_fix_api_spec: https only, basePath
// under the proxy prefix.
func (s *Spec) render(scriptName string) []byte {
	var doc yaml.Node
	if err := yaml.Unmarshal(s.plain, &doc); err != nil || len(doc.Content) == 0 {
		return s.plain // cannot happen: Load parsed the same document
	}
	root := doc.Content[0]
	set(root, "basePath", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: strings.TrimSuffix(scriptName, "/") + s.basePath})
	set(root, "schemes", &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!str", Value: "https"}}})
	b, err := yaml.Marshal(root)
	if err != nil {
		return s.plain // cannot happen: the same tree marshalled at Load
	}
	return b
}

// contentTypeValue is the Content-Type header value every answer shares
// (capacity 1: an Add to it copies instead of writing in it).
var contentTypeValue = []string{ContentType}

// ServeHTTP answers GET and HEAD with the document.
func (s *Spec) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	script := r.Header.Get("X-Script-Name")
	if !ValidScriptName(script) {
		rest.WriteError(w, rest.NewError(http.StatusBadRequest, "invalid-data",
			"X-Script-Name must be the proxy's path prefix, e.g. /api/doctor (printable, at most 256 bytes)",
			map[string]any{"header": "X-Script-Name"}))
		return
	}
	body := s.Bytes(script)
	h := w.Header()
	h["Content-Type"] = contentTypeValue
	if script == "" {
		h["Content-Length"] = s.plainLength
	} else {
		h["Content-Length"] = []string{strconv.Itoa(len(body))}
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// ValidScriptName accepts an empty X-Script-Name or a path prefix: a '/'
// then printable ASCII other than quotes, '\\', '?' and '#', at most 256
// bytes. Anything else (invalid UTF-8, control characters) could not be
// put in basePath and is refused rather than silently dropped.
func ValidScriptName(s string) bool {
	if s == "" {
		return true
	}
	if s[0] != '/' || len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("\"'\\?#<>`{}|^", c) >= 0 {
			return false
		}
	}
	return true
}

func value(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// withPortValue is the document as written with the value of its
// "x-xivo-port: N" line replaced by port, when that line is certain to be
// the document's x-xivo-port (Load refuses a key given twice): a plain integer on the line of its key,
// which starts the line, in a document of one block mapping, with no
// line break but '\n' (yaml counts others too) and no other document.
// Otherwise (false) the caller appends the key or renders the tree.
func withPortValue(data []byte, root *yaml.Node, port int) ([]byte, bool) {
	var key, v *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "x-xivo-port" {
			key, v = root.Content[i], root.Content[i+1]
		}
	}
	if key == nil || root.Style&yaml.FlowStyle != 0 || key.Column != 1 || key.Style != 0 ||
		v.Kind != yaml.ScalarNode || v.Style != 0 || v.Tag != "!!int" || v.Anchor != "" || v.Line != key.Line || v.Value == "" ||
		bytes.ContainsAny(data, "\r\u0085\u2028\u2029") || bytes.Contains(data, []byte("\n---")) || bytes.Contains(data, []byte("\n...")) {
		return nil, false
	}
	for _, c := range []byte(v.Value) {
		if c < '0' || c > '9' {
			return nil, false
		}
	}
	start := 0 // of the key's line
	for line := 1; line < key.Line; line++ {
		i := bytes.IndexByte(data[start:], '\n')
		if i < 0 {
			return nil, false
		}
		start += i + 1
	}
	lineEnd := len(data)
	if i := bytes.IndexByte(data[start:], '\n'); i >= 0 {
		lineEnd = start + i
	}
	line := data[start:lineEnd]
	// Up to the value the line is "x-xivo-port", ':' and blanks, all ASCII,
	// so the value's column is its byte offset.
	at := v.Column - 1
	if !bytes.HasPrefix(line, []byte("x-xivo-port")) || at > len(line)-len(v.Value) ||
		strings.Trim(string(line[len("x-xivo-port"):at]), " \t") != ":" || string(line[at:at+len(v.Value)]) != v.Value {
		return nil, false
	}
	if after := line[at+len(v.Value):]; len(after) > 0 && after[0] != ' ' && after[0] != '\t' {
		return nil, false
	}
	out := make([]byte, 0, len(data)+8)
	out = append(out, data[:start+at]...)
	out = strconv.AppendInt(out, int64(port), 10)
	return append(out, data[start+at+len(v.Value):]...), true
}

// withPortLine is the document as written with an "x-xivo-port: PORT"
// line appended, when that is certain to add just this key: one block
// mapping at column 1 with no x-xivo-port yet, one document, no block
// scalar keeping its trailing lines. Otherwise (false) the caller renders
// the tree, which costs a hundred times the document's size in
// allocations at start.
func withPortLine(data []byte, root *yaml.Node, port int) ([]byte, bool) {
	if value(root, "x-xivo-port") != nil || root.Style&yaml.FlowStyle != 0 || len(root.Content) == 0 || root.Content[0].Column != 1 ||
		bytes.Contains(data, []byte("\n---")) || bytes.Contains(data, []byte("\n...")) || bytes.Contains(data, []byte("|+")) || bytes.Contains(data, []byte(">+")) {
		return nil, false
	}
	out := make([]byte, 0, len(data)+32)
	out = append(out, data...)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	out = append(out, "x-xivo-port: "...)
	out = strconv.AppendInt(out, int64(port), 10)
	return append(out, '\n'), true
}

// set replaces the value of key in m (which the caller owns), or appends it.
func set(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
}
