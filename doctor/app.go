// Package doctor is wazo-doctord's application: its REST resources over the
// kit. It holds no process logic; daemon.Main runs it.
package doctor

import (
	_ "embed"
	"net/http"

	"github.com/wazo-platform/wazo-servicekit/apispec"
	"github.com/wazo-platform/wazo-servicekit/auth"
	"github.com/wazo-platform/wazo-servicekit/daemon"
	"github.com/wazo-platform/wazo-servicekit/rest"
)

// APIVersion prefixes every route, as Flask-RESTful's Api(prefix=...) does.
const APIVersion = "/1.0"

//go:embed api.yml
var apiSpec []byte

// APISpec returns the embedded api.yml as written in the repository.
func APISpec() []byte { return apiSpec }

// Handler builds wazo-doctord's routes.
func Handler(rt *daemon.Runtime, cfg *Config) (http.Handler, error) {
	spec, err := apispec.Load("doctor/api.yml", apiSpec, cfg.RestAPI.Port)
	if err != nil {
		return nil, err
	}
	authClient := auth.New(cfg.Auth)
	settings := &runtimeConfig{rt: rt, configured: cfg.Level(), tree: treeToMap(rt.Loaded.Tree)}

	r := rest.NewRouter()
	r.Handle("GET "+APIVersion+"/api/api.yml", spec)
	r.Handle("GET "+APIVersion+"/status", authClient.Require("doctor.status.read", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		rest.WriteJSON(w, http.StatusOK, rt.Status.Report())
	})))
	r.Handle("GET "+APIVersion+"/config", authClient.Require("doctor.config.read", http.HandlerFunc(settings.get)))
	r.Handle("PATCH "+APIVersion+"/config", authClient.Require("doctor.config.update", http.HandlerFunc(settings.patch)))
	return r, nil
}
