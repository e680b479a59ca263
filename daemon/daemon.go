// Package daemon runs a Wazo daemon in xivo's start-up order, so that a new
// service gets the runtime half of the checklist by construction:
//
//	load config (as root) → drop to the service user, all threads verified →
//	open the log file and the PID file → serve HTTP → start components
//	(consul registration, bus) → sd_notify READY=1
//
// and on SIGTERM/SIGINT: sd_notify STOPPING=1 → stop components in reverse
// order (deregister first) → drain in-flight requests within a bound →
// remove the PID file → exit 0.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/wazo-platform/wazo-servicekit/config"
	"github.com/wazo-platform/wazo-servicekit/logging"
	"github.com/wazo-platform/wazo-servicekit/pidfile"
	"github.com/wazo-platform/wazo-servicekit/privilege"
	"github.com/wazo-platform/wazo-servicekit/rest"
	"github.com/wazo-platform/wazo-servicekit/sdnotify"
	"github.com/wazo-platform/wazo-servicekit/status"
)

// Component is a part of the daemon that runs beside the HTTP server, such as
// the consul registrar or the bus publisher. Start is called once the HTTP
// listener serves and must not block; Stop is called, in reverse order,
// before HTTP drains, and must return when ctx ends.
type Component interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
}

// Configurable is a daemon's config struct: anything embedding config.Common.
type Configurable interface {
	CommonConfig() *config.Common
}

// Spec describes a daemon to Main.
type Spec struct {
	// Name is the daemon's name, e.g. wazo-doctord: the logger name and the
	// prefix of messages on stderr.
	Name string
	// Version is what --version prints after the name (the package's
	// version, e.g. debian/changelog's).
	Version string
	// Defaults and Dev are the embedded YAML layers (see config.Options).
	Defaults []byte
	Dev      []byte
	// Config is a pointer to the daemon's config struct; Main fills it.
	Config Configurable
	// Setup builds the HTTP handler and the components once the process runs
	// as the service user with its log open. Routes are under the daemon's
	// API version; the daemon wraps them with the standard middleware.
	Setup func(rt *Runtime) (http.Handler, []Component, error)
}

// Runtime is what Setup gets: the loaded config, the logger, the level
// (which PATCH /config may change), and the /status aggregator with
// rest_api already registered.
type Runtime struct {
	Name   string
	Loaded *config.Loaded
	Logger *slog.Logger
	Level  *slog.LevelVar
	Status *status.Aggregator
}

// Exit statuses of Main.
const (
	ExitOK     = 0
	ExitFailed = 1 // configuration, permission or start-up error
	ExitUsage  = 2 // bad command line
)

// Main runs the daemon until SIGTERM or SIGINT and returns the exit status.
// Start-up problems are printed on stderr (and logged once the log is open)
// and nothing is served.
func Main(spec Spec, args []string) int {
	sig := watchSignals(spec.Name)
	defer sig.stop()

	loaded, err := config.Load(config.Options{Defaults: spec.Defaults, Dev: spec.Dev, Args: args}, spec.Config)
	switch {
	case errors.Is(err, config.ErrHelp):
		fmt.Fprint(os.Stdout, config.Usage(spec.Name, spec.Dev != nil))
		return ExitOK
	case errors.Is(err, config.ErrVersion):
		fmt.Fprintf(os.Stdout, "%s %s\n", spec.Name, spec.Version)
		return ExitOK
	case errors.Is(err, config.ErrUsage):
		fmt.Fprintf(os.Stderr, "%s: %v\nRun '%s --help' for the options.\n", spec.Name, err, spec.Name)
		return ExitUsage
	case err != nil:
		fmt.Fprintf(os.Stderr, "%s: configuration error: %v\n", spec.Name, err)
		return ExitFailed
	}
	cfg := spec.Config.CommonConfig()

	if cfg.User != "" {
		if _, err := privilege.Drop(cfg.User); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", spec.Name, err)
			return ExitFailed
		}
	}

	level := new(slog.LevelVar)
	level.Set(cfg.Level())
	logger, logCloser, err := logging.Open(cfg.LogFile, level, spec.Name)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", spec.Name, err)
		return ExitFailed
	}
	defer logCloser.Close()
	for _, note := range loaded.Notes {
		if w, ok := strings.CutPrefix(note, config.WarningPrefix); ok {
			logger.Warn(w)
		} else {
			logger.Info(note)
		}
	}
	if s := sig.received(); s != nil {
		logger.Warn("Stopping " + spec.Name + " during start-up: " + signalName(s))
		return ExitOK
	}
	if os.Geteuid() == 0 {
		logger.Warn("running as root: set `user` (or -u) to the service's system user")
	}

	var pid *pidfile.File
	if cfg.PIDFile != "" {
		if pid, err = pidfile.Create(cfg.PIDFile); err != nil {
			return fail(logger, err)
		}
		defer func() {
			if err := pid.Remove(); err != nil {
				logger.Warn("cannot remove the PID file", "path", pid.Path(), "error", err)
			}
		}()
	}

	rt := &Runtime{Name: spec.Name, Loaded: loaded, Logger: logger, Level: level, Status: status.NewAggregator()}
	rt.Status.Add("rest_api", func() string { return status.OK })
	watchServiceKey(cfg.Auth, rt.Status, logger)
	handler, components, err := spec.Setup(rt)
	if err != nil {
		return fail(logger, err)
	}

	addr := net.JoinHostPort(cfg.RestAPI.Listen, strconv.Itoa(cfg.RestAPI.Port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fail(logger, fmt.Errorf("cannot listen on %s (rest_api.listen, rest_api.port): %w", addr, err))
	}
	server, limited := newServer(Wrap(handler, cfg.RestAPI, logging.Named(logger, spec.Name+".http")), cfg.RestAPI, ln)
	server.ErrorLog = slog.NewLogLogger(logging.Named(logger, spec.Name+".http").Handler(), slog.LevelWarn)
	served := make(chan error, 1)
	go func() { served <- server.Serve(limited) }()

	started := 0
	for _, c := range components {
		if sig.received() != nil {
			break
		}
		if err := startBounded(sig.ctx, c); err != nil {
			if sig.received() == nil {
				logger.Error("a component failed to start", "error", err)
			}
			break
		}
		started++
	}
	sig.startedUp()
	early := sig.received()
	if started == len(components) && early == nil {
		if ok, err := sdnotify.Notify(sdnotify.Ready); err != nil {
			logger.Warn("cannot tell systemd we are ready", "error", err)
		} else if ok {
			logger.Debug("told systemd READY=1")
		}
		logger.Info(spec.Name+" ready", "listen", addr, "pid", os.Getpid())
	}

	exit := ExitOK
	switch {
	case early != nil:
		logger.Warn("Stopping " + spec.Name + " during start-up: " + signalName(early))
	case started < len(components):
		exit = ExitFailed
	default:
		exit = serveUntilStopped(sig, served, logCloser, logger, spec.Name)
	}
	sdnotify.Notify(sdnotify.Stopping)

	drain := cfg.RestAPI.DrainTimeout.Duration()
	for i := started - 1; i >= 0; i-- {
		ctx, cancel := context.WithTimeout(context.Background(), drain)
		if err := components[i].Stop(ctx); err != nil {
			logger.Warn("a component did not stop cleanly", "error", err)
		}
		cancel()
	}
	ctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	// Shutdown closes idle connections at once; a client stalled in the
	// middle of a request is cut too, so only a handler still at work can
	// hold the exit up to the bound.
	limited.interruptReads()
	if err := server.Shutdown(ctx); err != nil {
		logger.Warn("in-flight requests did not finish within rest_api.drain_timeout", "timeout", drain, "error", err)
		exit = ExitFailed
	}
	logger.Info(spec.Name + " stopped")
	return exit
}

// Wrap applies the middleware every Wazo daemon has, outermost first:
// panic recovery, the request's trace, the access log, CORS, the body limit.
func Wrap(h http.Handler, cfg config.RestAPI, logger *slog.Logger) http.Handler {
	if cfg.MaxBodyBytes > 0 {
		h = rest.LimitBody(cfg.MaxBodyBytes, h)
	}
	h = rest.CORS(cfg.CORS, h)
	h = rest.TraceAndLog(logger, h)
	return rest.Recover(func(r *http.Request, v any) {
		logger.Error("panic while serving a request", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v))
	}, h)
}

// startBounded gives a component's Start 10 seconds: Start must not block,
// so going over means a bug worth failing loudly on. A stop signal ends
// it at once (ctx).
func startBounded(ctx context.Context, c Component) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return c.Start(ctx)
}

func fail(logger *slog.Logger, err error) int {
	logger.Error(err.Error())
	return ExitFailed
}

func signalName(sig os.Signal) string {
	switch sig {
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGINT:
		return "SIGINT"
	}
	return sig.String()
}
