// Package consul registers a Wazo daemon in its local consul agent the way
// xivo-lib-python's ServiceCatalogRegistration does,
// plus what generic Go kits learned the hard way: a TTL check that consul
// reaps if the process is killed (DeregisterCriticalServiceAfter), and
// registering again whenever a TTL update fails because the agent lost the
// registration (agent restarted).
//
// Lifecycle: NewRegistrar checks the config; Start, called once the HTTP
// listener serves, launches a background loop and returns at once; Stop,
// called before HTTP drains, ends the loop then deregisters the check and
// the service. Status reports "ok" while registered and passing.
//
// The package talks to the agent's HTTP API with net/http only.
package consul

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/wazo-platform/wazo-servicekit/config"
	"github.com/wazo-platform/wazo-servicekit/uuid"
)

// Events receives the service_registered and service_deregistered events.
// bus.Publisher satisfies it; the interface lives here, with plain types, so
// that this package does not depend on the bus (or on AMQP). Publish must
// not block.
type Events interface {
	Publish(name, routingKey string, data any)
}

// Options describes the service to register.
type Options struct {
	// Name is the consul service name, e.g. "wazo-doctord".
	Name string
	// UUID is XIVO_UUID, the first tag: Wazo finds services by it. When
	// empty, the tag is left out and a warning logged.
	UUID      string
	Consul    config.Consul
	Discovery config.ServiceDiscovery
	// Logger defaults to slog.Default(). The consul token is never logged.
	Logger *slog.Logger
	// Events may be nil (no bus).
	Events Events
}

// Wazo's defaults (xivo-lib-python), used when the config leaves them at 0.
const (
	defaultTTL     = 30 * time.Second
	defaultRefresh = 27 * time.Second
	defaultRetry   = 2 * time.Second
)

// Registrar keeps one service registered in the local consul agent. Its
// methods are safe for concurrent use.
type Registrar struct {
	enabled bool
	name    string
	tags    []string
	port    int
	addr    string // configured advertise_address
	iface   string // advertise_address_interface
	id      string // fresh per process start
	checkID string
	ttl     time.Duration
	refresh time.Duration
	retry   time.Duration
	reqTO   time.Duration // bound of one request to the agent
	agent   *Client
	log     *slog.Logger
	events  Events

	mu             sync.Mutex
	started        bool
	stopped        bool
	stopping       chan struct{} // closed by Stop: the loop ends after its current request
	done           chan struct{}
	registeredOnce bool // a registration succeeded at least once: Stop deregisters
	maybe          bool // a registration timed out: the agent may have applied it
	passing        bool // registered and the last TTL update succeeded
}

// NewRegistrar validates the configuration and prepares a registration with
// a fresh random service id. Nothing is sent before Start. When
// service_discovery.enabled is false the registrar does nothing and its
// Status is "ok", as in Wazo; Enabled tells the caller whether to report it.
func NewRegistrar(o Options) (*Registrar, error) {
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	d := o.Discovery
	r := &Registrar{enabled: d.Enabled, name: o.Name, log: log.With("component", "service_discovery")}
	if !d.Enabled {
		return r, nil
	}
	if o.Name == "" {
		return nil, errors.New("service_discovery: the service name is empty")
	}
	if d.AdvertisePort <= 0 || d.AdvertisePort > 65535 {
		return nil, fmt.Errorf("service_discovery.advertise_port: %d is not a TCP port; set it to the port the service listens on", d.AdvertisePort)
	}
	ttl, err := seconds("ttl_interval", d.TTLInterval, defaultTTL)
	if err != nil {
		return nil, err
	}
	refresh, err := seconds("refresh_interval", d.RefreshInterval, defaultRefresh)
	if err != nil {
		return nil, err
	}
	retry, err := seconds("retry_interval", d.RetryInterval, defaultRetry)
	if err != nil {
		return nil, err
	}
	if refresh >= ttl {
		return nil, fmt.Errorf("service_discovery.refresh_interval (%v) must be shorter than ttl_interval (%v), or the check goes critical between updates", refresh, ttl)
	}
	a, err := NewClient(o.Consul)
	if err != nil {
		return nil, err
	}
	id, err := uuid.NewV4()
	if err != nil {
		return nil, fmt.Errorf("service id: %w", err)
	}
	if o.UUID == "" {
		// Wazo's lookups select by this tag, so the service will not be
		// found; the daemon still runs (on a host that is not yet a Wazo,
		// see debian/README.Debian).
		r.log.Warn("XIVO_UUID is empty: registering without the uuid tag, Wazo lookups (tag=<XIVO_UUID>) will not find this service; set XIVO_UUID in systemd's DefaultEnvironment")
		r.tags = append([]string{o.Name}, d.ExtraTags...)
	} else {
		r.tags = append([]string{o.UUID, o.Name}, d.ExtraTags...)
	}
	r.port = d.AdvertisePort
	r.addr = d.AdvertiseAddress
	r.iface = d.AdvertiseAddressInterface
	r.id = id
	r.checkID = "service:" + id
	r.ttl, r.refresh, r.retry = ttl, refresh, retry
	r.reqTO = min(max(refresh, time.Second), 5*time.Second)
	r.agent = a
	r.events = o.Events
	return r, nil
}

func seconds(key string, v config.Seconds, def time.Duration) (time.Duration, error) {
	switch {
	case v == 0:
		return def, nil
	case v < 0:
		return 0, fmt.Errorf("service_discovery.%s: %v is negative; give a number of seconds", key, v)
	}
	return v.Duration(), nil
}

// Enabled tells whether service discovery is on, i.e. whether /status should
// show a service_discovery entry.
func (r *Registrar) Enabled() bool { return r.enabled }

// ServiceID is the consul service id of this process ("" when disabled).
func (r *Registrar) ServiceID() string { return r.id }

// Start launches the registration loop and returns at once: an unreachable
// agent never delays start-up. Call it once the service is ready to serve.
func (r *Registrar) Start(ctx context.Context) error {
	if !r.enabled {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started {
		return errors.New("service_discovery: registrar already started")
	}
	r.started = true
	r.stopping = make(chan struct{})
	r.done = make(chan struct{})
	go r.run()
	return nil
}

// Stop ends the loop, then deregisters the TTL check and the service (in
// that order, as Wazo does) and publishes service_deregistered. ctx bounds
// the whole; call Stop before draining HTTP so that clients stop being sent
// here first.
func (r *Registrar) Stop(ctx context.Context) error {
	if !r.enabled {
		return nil
	}
	r.mu.Lock()
	if !r.started || r.stopped {
		r.stopped = true
		r.mu.Unlock()
		return nil
	}
	r.stopped = true
	close(r.stopping)
	r.mu.Unlock()

	select {
	case <-r.done:
	case <-ctx.Done():
		return fmt.Errorf("service_discovery: stopping the registration loop: %w", ctx.Err())
	}
	r.mu.Lock()
	registeredOnce, maybe, wasPassing := r.registeredOnce, r.maybe, r.passing
	r.passing = false
	r.mu.Unlock()
	if !registeredOnce && !maybe {
		return nil
	}

	rctx, cancel := context.WithTimeout(ctx, r.reqTO)
	defer cancel()
	if err := r.agent.deregisterCheck(rctx, r.checkID); err != nil && !isNotFound(err) {
		r.log.Warn("deregistering the TTL check failed", "check_id", r.checkID, "error", err)
	}
	if err := r.agent.deregisterService(rctx, r.id); err != nil && !isNotFound(err) {
		if !registeredOnce {
			// Only a timed-out registration to undo, on an agent that
			// still does not answer: consul reaps it if it exists.
			r.log.Debug("deregistering a registration that may not exist failed", "service_id", r.id, "error", err)
			return nil
		}
		return fmt.Errorf("service_discovery: deregistering %s (id %s): %w", r.name, r.id, err)
	}
	r.log.Info("deregistered from consul", "service", r.name, "service_id", r.id, "was_passing", wasPassing)
	if r.events != nil {
		r.events.Publish("service_deregistered", "service.deregistered."+r.name, map[string]any{
			"service_name": r.name,
			"service_id":   r.id,
			"tags":         r.tags,
		})
	}
	return nil
}

// Status is "ok" when the service is registered and its check passing (or
// discovery is disabled), "fail" otherwise. It feeds /status.
func (r *Registrar) Status() string {
	if !r.enabled {
		return "ok"
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.passing && !r.stopped {
		return "ok"
	}
	return "fail"
}

// run is the loop of xivo's ServiceDiscoveryThread with kratos's lesson:
// while not registered, register every retry_interval; once registered, mark
// the check passing every refresh_interval; when an update fails, register
// again — at once if the agent answered (it lost the registration), after
// retry_interval if it is unreachable. The service id never changes, so a
// re-registration replaces the entry instead of adding a second one.
func (r *Registrar) run() {
	defer close(r.done)
	registered := false
	healthy := true // last state logged, to log transitions only
	for {
		wait := r.retry
		if !registered {
			err := r.register()
			if err == nil {
				registered = true
				wait = r.refresh
				healthy = true
			} else {
				r.logFailure(&healthy, "registering in consul failed; retrying", err)
			}
		} else {
			ctx, cancel := context.WithTimeout(context.Background(), r.reqTO)
			err := r.agent.passTTL(ctx, r.checkID)
			cancel()
			if err == nil {
				r.setPassing(true)
				wait = r.refresh
				healthy = true
			} else {
				registered = false
				r.setPassing(false)
				if isAgentAnswer(err) {
					r.log.Warn("consul refused the TTL update; registering again", "check_id", r.checkID, "error", err)
					healthy = false
					wait = 0
				} else {
					r.logFailure(&healthy, "consul agent unreachable; registering again once it answers", err)
				}
			}
		}
		// Requests are never cut short by Stop, so that Stop knows whether
		// the agent has the registration; Stop waits for this point.
		t := time.NewTimer(wait)
		select {
		case <-r.stopping:
			t.Stop()
			return
		case <-t.C:
		}
	}
}

func (r *Registrar) logFailure(healthy *bool, msg string, err error) {
	if *healthy {
		r.log.Warn(msg, "service", r.name, "retry_interval", r.retry, "error", err)
	} else {
		r.log.Debug(msg, "service", r.name, "error", err)
	}
	*healthy = false
}

// register sends the service definition with its inline TTL check, already
// passing: Start is only called once the service serves.
func (r *Registrar) register() error {
	address, err := advertiseAddress(r.addr, r.iface)
	if err != nil {
		return err
	}
	def := serviceDefinition{
		ID:      r.id,
		Name:    r.name,
		Tags:    r.tags,
		Address: address,
		Port:    r.port,
		Check: checkDefinition{
			CheckID:                        r.checkID,
			Name:                           "Service '" + r.name + "' check",
			TTL:                            r.ttl.String(),
			Status:                         "passing",
			DeregisterCriticalServiceAfter: r.deregisterAfter().String(),
		},
	}
	ctx, cancel := context.WithTimeout(context.Background(), r.reqTO)
	defer cancel()
	if err := r.agent.register(ctx, def); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			r.mu.Lock()
			r.maybe = true // sent, no answer: the agent may still apply it
			r.mu.Unlock()
		}
		return fmt.Errorf("registering %s (id %s): %w", r.name, r.id, err)
	}
	r.mu.Lock()
	r.registeredOnce, r.passing = true, true
	r.mu.Unlock()
	r.log.Info("registered in consul", "service", r.name, "service_id", r.id, "address", address, "port", r.port, "tags", r.tags)
	if r.events != nil {
		r.events.Publish("service_registered", "service.registered."+r.name, map[string]any{
			"service_name": r.name,
			"service_id":   r.id,
			"address":      address,
			"port":         r.port,
			"tags":         r.tags,
		})
	}
	return nil
}

// deregisterAfter is how long consul keeps the entry once its check is
// critical (the process was killed without deregistering): twice the TTL,
// but at least consul's own minimum of one minute.
func (r *Registrar) deregisterAfter() time.Duration {
	return max(2*r.ttl, time.Minute)
}

func (r *Registrar) setPassing(ok bool) {
	r.mu.Lock()
	r.passing = ok
	r.mu.Unlock()
}
