// Package baseapi registers the resources every Wazo daemon serves, so that
// a new daemon gets them by construction and with Wazo's ACL names:
//
//	GET   /<version>/api/api.yml   no authentication
//	GET   /<version>/status        <name>.status.read
//	GET   /<version>/config        <name>.config.read
//	PATCH /<version>/config        <name>.config.update
//
// <version> is the api.yml's basePath and <name> its x-xivo-name.
package baseapi

import (
	"log/slog"
	"net/http"

	"github.com/wazo-platform/wazo-servicekit/apispec"
	"github.com/wazo-platform/wazo-servicekit/auth"
	"github.com/wazo-platform/wazo-servicekit/daemon"
	"github.com/wazo-platform/wazo-servicekit/rest"
)

// Register adds the four resources to r. configured is the log level the
// configuration asks for (config.Common.Level()), which PATCH /config
// debug=false returns to.
func Register(r *rest.Router, rt *daemon.Runtime, spec *apispec.Spec, authClient *auth.Client, configured slog.Level) {
	prefix, name := spec.BasePath(), spec.Name()
	settings := NewConfigResource(rt.Loaded.Tree, rt.Level, configured, rt.Logger)
	r.Handle("GET "+prefix+"/api/api.yml", spec)
	r.Handle("GET "+prefix+"/status", authClient.Require(name+".status.read", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		rest.WriteJSON(w, http.StatusOK, rt.Status.Report())
	})))
	r.Handle("GET "+prefix+"/config", authClient.Require(name+".config.read", http.HandlerFunc(settings.Get)))
	r.Handle("PATCH "+prefix+"/config", authClient.Require(name+".config.update", http.HandlerFunc(settings.Patch)))
}
