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

// secretNames make a key a credential when they are one of its words
// (pass, smtp_pwd, session_cookie): as a part of another word they are not
// (passenger, compass).
var secretNames = map[string]bool{"pass": true, "pwd": true, "cookie": true, "cookies": true}

// secretKeys are credentials only as the whole key (auth: 'Basic …',
// session: …): as a word of a longer key they name other settings
// (auth_host, session_timeout).
var secretKeys = map[string]bool{"auth": true, "session": true}

// sectionNames are secret names that also name sections of a Wazo
// configuration (auth: {host, port, key_file}): a mapping under them is
// masked key by key, not hidden whole.
var sectionNames = map[string]bool{"auth": true, "session": true, "keys": true}

// notSecret are keys holding one of those words that are not credentials:
// names of things.
var notSecret = map[string]bool{"routing_key": true, "key_id": true, "public_key": true}

// isSecretKey says whether a config key holds a credential: any key with a
// word of secretWords in it, one of secretNames as a word, or one of
// secretKeys as the whole key, except the
// names of notSecret and paths (key_file, ca_key_path, ...) whose value is
// a path (see looksLikePath).
func isSecretKey(key string, v any) bool {
	k := strings.ToLower(key)
	if notSecret[k] {
		return false
	}
	if secretKeys[k] {
		return true
	}
	if strings.HasSuffix(k, "_file") || strings.HasSuffix(k, "_path") || strings.HasSuffix(k, "_dir") {
		if s, ok := v.(string); !ok || looksLikePath(s) {
			return false
		}
	}
	for _, s := range secretWords {
		if strings.Contains(k, s) {
			return true
		}
	}
	for _, w := range strings.FieldsFunc(k, func(r rune) bool { return !('a' <= r && r <= 'z' || '0' <= r && r <= '9') }) {
		if secretNames[w] {
			return true
		}
	}
	return false
}

// looksLikePath accepts what a *_file, *_path or *_dir setting holds: an
// absolute or relative file name, not a secret put under such a name.
func looksLikePath(s string) bool {
	return s == "" || strings.HasPrefix(s, "/") || strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../") || strings.HasPrefix(s, "~/")
}

// MaskSecrets returns a copy of m with every credential hidden, including
// the password inside URIs such as db_uri and key/value connection strings
// (host=db password=...).
func MaskSecrets(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = maskValue(k, v)
	}
	return out
}

func maskValue(key string, v any) any {
	if isSecretKey(key, v) {
		switch t := v.(type) {
		case nil:
			return nil
		case string:
			if t == "" {
				return t
			}
		case map[string]any:
			if sectionNames[strings.ToLower(key)] {
				return MaskSecrets(t)
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
		return maskDSNPassword(maskURIPassword(t))
	default:
		return v
	}
}

// maskDSNPassword hides the values of password= and sslpassword= in a
// key/value connection string (libpq's "host=db user=u password=s"), quoted
// ('a b') or not.
func maskDSNPassword(s string) string {
	lower := strings.ToLower(s)
	if !strings.Contains(lower, "password") || !strings.Contains(s, "=") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		j := strings.Index(lower[i:], "password")
		if j < 0 {
			b.WriteString(s[i:])
			break
		}
		j += i
		k := j + len("password")
		for k < len(s) && s[k] == ' ' {
			k++
		}
		wordStart := j == 0 || lower[j-1] == ' ' || strings.HasSuffix(lower[:j], " ssl") || lower[:j] == "ssl"
		if k >= len(s) || s[k] != '=' || !wordStart {
			b.WriteString(s[i:k])
			i = k
			continue
		}
		k++
		for k < len(s) && s[k] == ' ' {
			k++
		}
		b.WriteString(s[i:k])
		b.WriteString(Hidden)
		i = dsnValueEnd(s, k)
	}
	return b.String()
}

// dsnValueEnd is where the value starting at i ends: after its closing
// quote ('…' with \' escapes), or at the next space.
func dsnValueEnd(s string, i int) int {
	if i < len(s) && s[i] == '\'' {
		for k := i + 1; k < len(s); k++ {
			switch s[k] {
			case '\\':
				k++
			case '\'':
				return k + 1
			}
		}
		return len(s)
	}
	for i < len(s) && s[i] != ' ' {
		i++
	}
	return i
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
			if isSecretKey(k, nil) {
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
