package baseapi

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/wazo-platform/wazo-servicekit/rest"
)

// ConfigResource is the /config resource: the effective configuration, and
// the one setting that may change at run time (debug), as in Wazo daemons.
type ConfigResource struct {
	level      *slog.LevelVar
	configured slog.Level // the level without debug forcing
	logger     *slog.Logger

	mu   sync.Mutex
	tree map[string]any
}

// NewConfigResource serves tree (the merged configuration) and changes
// level when debug is patched.
func NewConfigResource(tree *yaml.Node, level *slog.LevelVar, configured slog.Level, logger *slog.Logger) *ConfigResource {
	return &ConfigResource{level: level, configured: configured, logger: logger, tree: treeToMap(tree)}
}

// Get answers GET /config with secrets hidden.
func (c *ConfigResource) Get(w http.ResponseWriter, _ *http.Request) {
	c.mu.Lock()
	body := MaskSecrets(c.tree)
	c.mu.Unlock()
	rest.WriteJSON(w, http.StatusOK, body)
}

// patchOp is one JSON-Patch operation (RFC 6902).
type patchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value"`
}

// Patch answers PATCH /config: a JSON-Patch list of replace operations on
// /debug only, not persistent.
func (c *ConfigResource) Patch(w http.ResponseWriter, r *http.Request) {
	var ops []patchOp
	if e := rest.DecodeJSON(r, &ops); e != nil {
		rest.WriteError(w, e)
		return
	}
	if len(ops) == 0 {
		rest.WriteError(w, rest.NewError(http.StatusBadRequest, "invalid-data", "Empty patch: send a list of operations", nil))
		return
	}
	var debug bool
	for i, op := range ops {
		v, isBool := op.Value.(bool)
		if op.Op != "replace" || op.Path != "/debug" || !isBool {
			rest.WriteError(w, rest.NewError(http.StatusBadRequest, "invalid-data",
				"Only {\"op\": \"replace\", \"path\": \"/debug\", \"value\": true|false} is supported",
				map[string]any{"index": i, "op": op.Op, "path": op.Path}))
			return
		}
		debug = v
	}
	c.mu.Lock()
	c.tree["debug"] = debug
	body := MaskSecrets(c.tree)
	c.mu.Unlock()
	if debug {
		c.level.Set(slog.LevelDebug)
	} else {
		c.level.Set(c.configured)
	}
	c.logger.Info("debug changed at run time (not persistent)", "debug", debug)
	rest.WriteJSON(w, http.StatusOK, body)
}

// treeToMap decodes the merged config tree for JSON output.
func treeToMap(tree *yaml.Node) map[string]any {
	out := map[string]any{}
	if tree != nil {
		_ = tree.Decode(&out) // the tree decoded into the typed config already
	}
	return out
}

// Hidden replaces secrets in /config output.
const Hidden = "<hidden>"

// isSecretKey says whether a config key holds a credential: passwords,
// tokens, secrets and service keys (not key_file, a path).
func isSecretKey(key string) bool {
	k := strings.ToLower(key)
	for _, s := range []string{"password", "token", "secret"} {
		if k == s || strings.HasSuffix(k, "_"+s) {
			return true
		}
	}
	return k == "key" || k == "service_key" || k == "private_key_content"
}

// MaskSecrets returns a copy of m with every credential hidden, including
// the password inside URIs such as db_uri.
func MaskSecrets(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = maskValue(k, v)
	}
	return out
}

func maskValue(key string, v any) any {
	switch t := v.(type) {
	case map[string]any:
		return MaskSecrets(t)
	case []any:
		c := make([]any, len(t))
		for i, e := range t {
			c[i] = maskValue("", e)
		}
		return c
	case nil:
		return nil
	case string:
		if isSecretKey(key) {
			if t == "" {
				return t
			}
			return Hidden
		}
		return maskURIPassword(t)
	default:
		if isSecretKey(key) {
			return Hidden
		}
		return v
	}
}

func maskURIPassword(s string) string {
	if !strings.Contains(s, "://") || !strings.Contains(s, "@") {
		return s
	}
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, has := u.User.Password(); !has {
		return s
	}
	u.User = url.UserPassword(u.User.Username(), "xxxxx")
	return strings.Replace(u.String(), "xxxxx", Hidden, 1)
}
