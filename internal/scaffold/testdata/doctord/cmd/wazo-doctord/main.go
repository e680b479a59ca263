// Command wazo-doctord audits the Wazo services of its host against the
// "New service guidelines" checklist and serves the results over a Wazo REST
// API on 127.0.0.1:9504 (behind nginx at https://<host>/api/doctor/).
//
// The go:debug line keeps the semantics of go.mod's language level, Go 1.23
// (ServeMux method patterns, TLS/x509 defaults), when dh-golang builds
// without go.mod, in GOPATH mode, where Go would otherwise fall back to Go
// 1.20 behaviour.
//
//go:debug default=go1.23
package main

import (
	_ "embed"
	"net/http"
	"os"

	"github.com/wazo-platform/wazo-servicekit/daemon"
	"github.com/wazo-platform/wazo-servicekit/internal/doctor"
)

//go:embed defaults.yml
var defaults []byte

//go:embed dev.yml
var dev []byte

// version is what --version prints: the package's, as debian/changelog
// says.
const version = "0.1.0"

func main() {
	var cfg doctor.Config
	os.Exit(daemon.Main(daemon.Spec{
		Name:     "wazo-doctord",
		Version:  version,
		Defaults: defaults,
		Dev:      dev,
		Config:   &cfg,
		Setup: func(rt *daemon.Runtime) (http.Handler, []daemon.Component, error) {
			h, err := doctor.Handler(rt, &cfg)
			if err != nil {
				return nil, nil, err
			}
			components, err := daemon.ServiceDiscovery(rt, cfg.CommonConfig())
			return h, components, err
		},
	}, os.Args[1:]))
}
