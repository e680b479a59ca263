// Command wazo-doctord audits the Wazo services of its host against the
// "New service guidelines" checklist and serves the results over a Wazo REST
// API on 127.0.0.1:9504 (behind nginx at https://<host>/api/doctor/).
package main

import (
	_ "embed"
	"net/http"
	"os"

	"github.com/wazo-platform/wazo-servicekit/daemon"
	"github.com/wazo-platform/wazo-servicekit/doctor"
)

//go:embed defaults.yml
var defaults []byte

//go:embed dev.yml
var dev []byte

func main() {
	var cfg doctor.Config
	os.Exit(daemon.Main(daemon.Spec{
		Name:     "wazo-doctord",
		Defaults: defaults,
		Dev:      dev,
		Config:   &cfg,
		Setup: func(rt *daemon.Runtime) (http.Handler, []daemon.Component, error) {
			h, err := doctor.Handler(rt, &cfg)
			return h, nil, err
		},
	}, os.Args[1:]))
}
