package daemon

import (
	"net/http"
)

// App is a daemon built on the kit, typed by its config struct C (which
// embeds config.Common): Run loads C from the config layers and gives it
// to Handler, already typed, so a daemon's main is its name, version,
// config layers and handler, nothing else.
type App[C any] struct {
	// Name, Version, Defaults and Dev are as in Spec.
	Name     string
	Version  string
	Defaults []byte
	Dev      []byte
	// Handler builds the daemon's routes from its loaded config, once the
	// process runs as the service user with its log open.
	Handler func(rt *Runtime, cfg *C) (http.Handler, error)
	// Components, optional, are started after the service discovery ones
	// and stopped before them.
	Components func(rt *Runtime, cfg *C) ([]Component, error)
}

// Run runs app as Main runs a Spec, with service discovery on: consul
// registration and the bus publisher, each as its config section says
// (ServiceDiscovery). It returns the exit status.
func Run[C any, P interface {
	*C
	Configurable
}](app App[C], args []string) int {
	var cfg C
	p := P(&cfg)
	return Main(Spec{
		Name: app.Name, Version: app.Version, Defaults: app.Defaults, Dev: app.Dev, Config: p,
		Setup: func(rt *Runtime) (http.Handler, []Component, error) {
			h, err := app.Handler(rt, &cfg)
			if err != nil {
				return nil, nil, err
			}
			components, err := ServiceDiscovery(rt, p.CommonConfig())
			if err != nil {
				return nil, nil, err
			}
			if app.Components != nil {
				more, err := app.Components(rt, &cfg)
				if err != nil {
					return nil, nil, err
				}
				components = append(components, more...)
			}
			return h, components, nil
		},
	}, args)
}
