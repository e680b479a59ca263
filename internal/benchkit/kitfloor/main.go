// Command kitfloor is the second reference of `make bench`: a daemon on the
// kit with nothing of its own, serving wazo-doctord's api.yml, /status and
// /config through the kit's base API (what every service built on the kit
// has: configuration layers, logging, the standard middleware, token
// checks, consul and bus clients). Next to the bare server it shows what the
// kit costs; next to wazo-doctord, what the doctor adds on top of it. It
// takes wazo-doctord's command line (--dev -c FILE).
package main

import (
	"net/http"
	"os"

	"github.com/wazo-platform/wazo-servicekit/apispec"
	"github.com/wazo-platform/wazo-servicekit/auth"
	"github.com/wazo-platform/wazo-servicekit/baseapi"
	"github.com/wazo-platform/wazo-servicekit/config"
	"github.com/wazo-platform/wazo-servicekit/daemon"
	"github.com/wazo-platform/wazo-servicekit/internal/doctor"
	"github.com/wazo-platform/wazo-servicekit/rest"
)

// defaults are what benchkit's configuration file completes: wazo-doctord's
// values for the keys it does not set.
const defaults = `auth: {host: localhost, port: 9497, timeout: 10}
rest_api: {listen: 127.0.0.1, port: 9504, max_body_bytes: 1048576, drain_timeout: 10}
`

// dev is the --dev layer: run as the current user, no PID file, no
// consul, no bus, as wazo-doctord --dev.
const dev = `config_file: ''
user: ''
pid_file: ''
bus: {enabled: false}
service_discovery: {enabled: false}
`

func main() {
	os.Exit(daemon.Run(daemon.App[config.Common]{
		Name:     "wazo-kitfloor",
		Version:  "0",
		Defaults: []byte(defaults),
		Dev:      []byte(dev),
		Handler: func(rt *daemon.Runtime, cfg *config.Common) (http.Handler, error) {
			spec, err := apispec.Load("doctor/api.yml", doctor.APISpec(), cfg.RestAPI.Port)
			if err != nil {
				return nil, err
			}
			r := rest.NewRouter()
			baseapi.Register(r, rt, spec, auth.New(cfg.Auth), cfg.Level())
			return r, nil
		},
	}, os.Args[1:]))
}
