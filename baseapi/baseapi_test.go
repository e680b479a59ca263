package baseapi

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/wazo-platform/wazo-servicekit/apispec"
	"github.com/wazo-platform/wazo-servicekit/auth"
	"github.com/wazo-platform/wazo-servicekit/authtest"
	"github.com/wazo-platform/wazo-servicekit/config"
	"github.com/wazo-platform/wazo-servicekit/daemon"
	"github.com/wazo-platform/wazo-servicekit/rest"
	"github.com/wazo-platform/wazo-servicekit/status"
)

func TestMaskSecrets(t *testing.T) {
	in := map[string]any{
		"auth":   map[string]any{"username": "svc", "password": "p4ss", "key_file": "/var/lib/wazo-auth-keys/x.yml", "service_key": "k3y"},
		"consul": map[string]any{"token": "t0k", "host": "localhost"},
		"db_uri": "postgresql://asterisk:proformatique@localhost/asterisk",
		"list":   []any{map[string]any{"secret": "s3c"}},
		"empty":  map[string]any{"password": ""},
	}
	out, _ := json.Marshal(MaskSecrets(in))
	for _, leak := range []string{"p4ss", "k3y", "t0k", "proformatique", "s3c"} {
		if strings.Contains(string(out), leak) {
			t.Errorf("%q not hidden: %s", leak, out)
		}
	}
	for _, kept := range []string{`"key_file":"/var/lib/wazo-auth-keys/x.yml"`, `"username":"svc"`, "postgresql://asterisk:", `"password":""`} {
		if !strings.Contains(string(out), kept) {
			t.Errorf("%s should be kept: %s", kept, out)
		}
	}
	if in["auth"].(map[string]any)["password"] != "p4ss" {
		t.Error("MaskSecrets changed its input")
	}
}

// TestACLsFollowTheSpecName: the ACL prefix is x-xivo-name and the route
// prefix the basePath, so a daemon cannot get them out of step.
func TestACLsFollowTheSpecName(t *testing.T) {
	spec, err := apispec.Load("t", []byte("swagger: '2.0'\ninfo: {title: t, version: '1'}\nbasePath: /0.3\nx-xivo-name: sample\npaths: {}\n"), 9999)
	if err != nil {
		t.Fatal(err)
	}
	fake := authtest.StartFakeAuth(t)
	fake.AddToken("tok-0123456789", []string{"sample.#"})
	var tree yaml.Node
	tree.Encode(map[string]any{"debug": false})
	rt := &daemon.Runtime{Loaded: &config.Loaded{Tree: &tree}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Level: new(slog.LevelVar), Status: status.NewAggregator()}
	r := rest.NewRouter()
	Register(r, rt, spec, auth.New(config.Auth{Host: fake.Host, Port: fake.Port, Timeout: 5}), slog.LevelInfo)
	for _, path := range []string{"/0.3/api/api.yml", "/0.3/status", "/0.3/config"} {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("X-Auth-Token", "tok-0123456789")
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Errorf("GET %s: %d %s", path, rec.Code, rec.Body)
		}
	}
	var scopes []string
	for _, req := range fake.Requests() {
		scopes = append(scopes, req.Scope)
	}
	if strings.Join(scopes, ",") != "sample.status.read,sample.config.read" {
		t.Errorf("ACLs asked: %v", scopes)
	}
}

// TestMaskSecretsByKeyPattern: GET /config showed the values under
// api_key, secret_key, private_key, passwd, Authorization, a password:
// mapping, and tokens in URI queries.
func TestMaskSecretsByKeyPattern(t *testing.T) {
	in := map[string]any{
		"api_key": "LEAK1", "secret_key": "LEAK2", "private_key": "LEAK3", "passwd": "LEAK4",
		"headers":  map[string]any{"Authorization": "Bearer LEAK5"},
		"password": map[string]any{"value": "LEAK6"},
		"db":       map[string]any{"DB_Password": 1234567},
		"webhook":  "https://hooks.example/x?token=LEAK7&keep=me",
		"amqp":     "amqp://user:LEAK8@localhost:5672/",
		"tls":      map[string]any{"private_key_file": "/etc/ssl/private/x.key", "ca_key_path": "/x"},
		"bus":      map[string]any{"routing_key": "config.changed"},
	}
	out, _ := json.Marshal(MaskSecrets(in))
	for _, leak := range []string{"LEAK1", "LEAK2", "LEAK3", "LEAK4", "LEAK5", "LEAK6", "1234567", "LEAK7", "LEAK8"} {
		if strings.Contains(string(out), leak) {
			t.Errorf("%s not hidden: %s", leak, out)
		}
	}
	for _, kept := range []string{"/etc/ssl/private/x.key", `"ca_key_path":"/x"`, "config.changed", "keep=me"} {
		if !strings.Contains(string(out), kept) {
			t.Errorf("%s should be kept: %s", kept, out)
		}
	}
}

// TestMaskSecretsCommonNames: pass, pwd, auth, cookie, a libpq connection
// string's password, a keys list and a *_path holding no path were shown.
func TestMaskSecretsCommonNames(t *testing.T) {
	in := map[string]any{
		"extra": map[string]any{
			"smtp":         map[string]any{"login": "u", "pass": "LEAK-pass"},
			"pwd":          "LEAK-pwd",
			"auth":         "Basic LEAK-basic-auth",
			"dsn":          "host=db user=u password=LEAK-dsn-password",
			"quoted":       "host=db sslpassword = 'LEAK-quoted password' port=5432",
			"cookie":       "LEAK-cookie",
			"session":      "LEAK-session",
			"keys":         []any{"LEAK-keys-list"},
			"api_key_path": "LEAK-not-a-path",
		},
		"auth":       map[string]any{"host": "localhost", "port": 9497, "password": "LEAK-auth-password", "key_file": "/var/lib/wazo-auth-keys/x.yml"},
		"compass":    "north",
		"auth_host":  "auth.example",
		"passengers": 3,
	}
	out, _ := json.Marshal(MaskSecrets(in))
	if strings.Contains(string(out), "LEAK") {
		t.Errorf("a secret not hidden: %s", out)
	}
	for _, kept := range []string{`"host":"localhost"`, `"port":9497`, "/var/lib/wazo-auth-keys/x.yml", `"login":"u"`, `host=db user=u password=\u003chidden\u003e`,
		"port=5432", `"compass":"north"`, `"auth_host":"auth.example"`, `"passengers":3`} {
		if !strings.Contains(string(out), kept) {
			t.Errorf("%s should be kept: %s", kept, out)
		}
	}
}
