// Command wazo-doctord audits the Wazo services of its host against the
// "New service guidelines" checklist and serves the results over a Wazo REST
// API on 127.0.0.1:9504 (behind nginx at https://<host>/api/doctor/).
//
// The go:debug line keeps Go 1.24 semantics (ServeMux method patterns,
// TLS/x509 defaults) when dh-golang builds without go.mod, in GOPATH mode,
// where Go would otherwise fall back to Go 1.20 behaviour.
//
//go:debug default=go1.24
package main

import (
	_ "embed"
	"net/http"
	"os"

	"github.com/wazo-platform/wazo-servicekit/bus"
	"github.com/wazo-platform/wazo-servicekit/consul"
	"github.com/wazo-platform/wazo-servicekit/daemon"
	"github.com/wazo-platform/wazo-servicekit/internal/doctor"
	"github.com/wazo-platform/wazo-servicekit/logging"
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
			if err != nil {
				return nil, nil, err
			}
			// Service discovery and its bus events (issue 3). The publisher
			// starts first and stops last, so service_deregistered, published
			// by the registrar's Stop, still goes out.
			pub := bus.NewPublisher(cfg.Bus, cfg.UUID, logging.Named(rt.Logger, "wazo-doctord.bus"))
			reg, err := consul.NewRegistrar(consul.Options{
				Name:      "wazo-doctord",
				UUID:      cfg.UUID,
				Consul:    cfg.Consul,
				Discovery: cfg.ServiceDiscovery,
				Logger:    logging.Named(rt.Logger, "wazo-doctord.consul"),
				Events:    pub,
			})
			if err != nil {
				return nil, nil, err
			}
			if pub.Enabled() {
				rt.Status.Add("bus_publisher", pub.Status)
			}
			if reg.Enabled() {
				rt.Status.Add("service_discovery", reg.Status)
			}
			return h, []daemon.Component{pub, reg}, nil
		},
	}, os.Args[1:]))
}
