// Package doctor is wazo-doctord's application: its REST resources over the
// kit. It holds no process logic; daemon.Run runs it.
package doctor

import (
	_ "embed"
	"net/http"
	"time"

	"github.com/wazo-platform/wazo-servicekit/apispec"
	"github.com/wazo-platform/wazo-servicekit/auth"
	"github.com/wazo-platform/wazo-servicekit/baseapi"
	"github.com/wazo-platform/wazo-servicekit/daemon"
	"github.com/wazo-platform/wazo-servicekit/rest"
)

//go:embed api.yml
var apiSpec []byte

// APISpec returns the embedded api.yml as written in the repository.
func APISpec() []byte { return apiSpec }

// Handler builds wazo-doctord's routes, auditing the host it runs on with
// the engine process audit.command names.
func Handler(rt *daemon.Runtime, cfg *Config) (http.Handler, error) {
	engine, err := NewProcess(cfg.Audit)
	if err != nil {
		return nil, err
	}
	return NewHandler(rt, cfg, engine)
}

// NewHandler builds the routes over any engine.
func NewHandler(rt *daemon.Runtime, cfg *Config, engine Engine) (http.Handler, error) {
	spec, err := apispec.Load("doctor/api.yml", apiSpec, cfg.RestAPI.Port)
	if err != nil {
		return nil, err
	}
	authClient := auth.New(cfg.Auth)
	r := rest.NewRouter()
	baseapi.Register(r, rt, spec, authClient, cfg.Level())

	// api.yml's basePath (/1.0) prefixes every route, as Flask-RESTful's
	// Api(prefix=...) does.
	base := spec.BasePath()
	audits := &auditResources{engine: engine, cache: &auditCache{
		run:     engine.Audit,
		ttl:     cfg.Audit.CacheSeconds.Duration(),
		timeout: cfg.Audit.TimeoutSeconds.Duration(),
		now:     time.Now,
	}}
	r.Handle("GET "+base+"/rules", authClient.Require("doctor.rules.read", http.HandlerFunc(audits.listRules)))
	r.Handle("GET "+base+"/services", authClient.Require("doctor.services.read", http.HandlerFunc(audits.listServices)))
	r.Handle("GET "+base+"/services/{name}", authClient.Require("doctor.services.read", http.HandlerFunc(audits.getService)))
	return r, nil
}
