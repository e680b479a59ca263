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

// secretWords make a key a credential wherever they appear in it
// (db_password, api_key, secret_key, private_key, passwd, Authorization).
var secretWords = []string{"password", "passwd", "secret", "token", "authorization", "credential", "key"}

// notSecret are keys holding one of those words that are not credentials:
// paths to a key and names of things.
var notSecret = map[string]bool{"routing_key": true, "key_id": true, "public_key": true, "keys": true}

// isSecretKey says whether a config key holds a credential: any key with a
// word of secretWords in it, except paths (key_file, ca_key_path, ...) and
// the names of notSecret.
func isSecretKey(key string) bool {
	k := strings.ToLower(key)
	if notSecret[k] || strings.HasSuffix(k, "_file") || strings.HasSuffix(k, "_path") || strings.HasSuffix(k, "_dir") {
		return false
	}
	for _, s := range secretWords {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
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
	if isSecretKey(key) {
		switch t := v.(type) {
		case nil:
			return nil
		case string:
			if t == "" {
				return t
			}
		}
		return Hidden // a string, a number, or a whole mapping or list under a secret key
	}
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
		return maskURIPassword(t)
	default:
		return v
	}
}

// maskURIPassword hides the credentials of a URI: the password of its
// user information, and the values of query parameters named like
// secrets (?token=..., ?api_key=...).
func maskURIPassword(s string) string {
	if !strings.Contains(s, "://") || !strings.ContainsAny(s, "@?") {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	changed := false
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			changed = true
		}
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			if isSecretKey(k) {
				q[k] = []string{"xxxxx"}
				changed = true
			}
		}
		if changed {
			u.RawQuery = q.Encode()
		}
	}
	if !changed {
		return s
	}
	return strings.ReplaceAll(u.String(), "xxxxx", Hidden)
}
