// Package bus publishes Wazo events on RabbitMQ the way wazo-bus does: on the headers exchange (default wazo-headers),
// with the event's Wazo headers both as AMQP headers and, plus "data", as
// the JSON payload.
//
// Publishing never blocks the caller: events are queued (bounded), sent by
// one background goroutine with publisher confirms, retried a bounded
// number of times while the broker is unreachable, then dropped with a
// warning. A broker that is down therefore never delays start-up or
// shutdown; Status reports it as "fail".
package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/wazo-platform/wazo-servicekit/config"
)

// Options tunes a Publisher. Zero values take the defaults shown.
type Options struct {
	Config config.Bus
	// OriginUUID is XIVO_UUID, sent as the origin_uuid header.
	OriginUUID string
	// Logger defaults to slog.Default(). The bus password is never logged.
	Logger *slog.Logger
	// MaxAttempts is how many times one event is tried before it is dropped
	// (default 5).
	MaxAttempts int
	// RetryInterval separates two attempts, and two connection attempts
	// while the broker is down (default 1 s).
	RetryInterval time.Duration
	// QueueSize bounds the events waiting to be sent; when full, new events
	// are dropped with a warning (default 1000).
	QueueSize int
	// Timeout bounds one connection attempt and one publisher confirm
	// (default 5 s).
	Timeout time.Duration
}

// Publisher sends events to the bus. Its methods are safe for concurrent
// use. Start it before the components that publish, stop it after them.
type Publisher struct {
	enabled     bool
	url         string // holds the password: never log it
	endpoint    string // host:port, safe to log
	exchange    string
	kind        string
	origin      string
	log         *slog.Logger
	maxAttempts int
	retry       time.Duration
	timeout     time.Duration
	queue       chan *message

	connected atomic.Bool

	mu       sync.Mutex
	started  bool
	stopped  bool
	stopping chan struct{} // closed by Stop: drain and exit
	stopCtx  context.Context
	cancel   context.CancelFunc // aborts network I/O when Stop's ctx expires
	done     chan struct{}

	// owned by the worker goroutine; the channels are nil (never ready)
	// while disconnected
	conn    *amqp.Connection
	sock    net.Conn // conn's socket, to bound its close
	ch      *amqp.Channel
	closed  chan *amqp.Error
	chClose chan *amqp.Error
}

type message struct {
	name       string
	routingKey string
	headers    amqp.Table
	body       []byte
}

// NewPublisher is New with the default tuning: what a daemon uses.
func NewPublisher(cfg config.Bus, originUUID string, logger *slog.Logger) *Publisher {
	return New(Options{Config: cfg, OriginUUID: originUUID, Logger: logger})
}

// New builds a Publisher; nothing is sent before Start. When bus.enabled is
// false, Publish discards events and Status is "ok"; Enabled tells the
// caller whether to show bus_publisher in /status.
func New(o Options) *Publisher {
	c := o.Config
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	p := &Publisher{
		enabled:     c.Enabled,
		exchange:    orDefault(c.ExchangeName, "wazo-headers"),
		kind:        orDefault(c.ExchangeType, "headers"),
		origin:      o.OriginUUID,
		maxAttempts: o.MaxAttempts,
		retry:       o.RetryInterval,
		timeout:     o.Timeout,
		stopping:    make(chan struct{}),
		done:        make(chan struct{}),
	}
	if p.maxAttempts <= 0 {
		p.maxAttempts = 5
	}
	if p.retry <= 0 {
		p.retry = time.Second
	}
	if p.timeout <= 0 {
		p.timeout = 5 * time.Second
	}
	size := o.QueueSize
	if size <= 0 {
		size = 1000
	}
	p.queue = make(chan *message, size)
	port := c.Port
	if port == 0 {
		port = 5672
	}
	p.endpoint = net.JoinHostPort(orDefault(c.Host, "localhost"), strconv.Itoa(port))
	u := url.URL{
		Scheme: "amqp",
		User:   url.UserPassword(orDefault(c.Username, "guest"), orDefault(c.Password, "guest")),
		Host:   p.endpoint,
		Path:   "/",
	}
	p.url = u.String()
	p.log = log.With("component", "bus_publisher", "broker", p.endpoint, "exchange", p.exchange)
	return p
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Enabled tells whether a bus is configured.
func (p *Publisher) Enabled() bool { return p.enabled }

// Publish queues one Wazo event and returns at once. name is the event name
// (e.g. "service_registered"), routingKey its routing key, data its content
// (encoded as JSON under "data"). The AMQP headers and the payload carry
// name, origin_uuid, timestamp and required_acl "events.<routingKey>", as
// wazo-bus does. Events published before Start wait in the queue.
func (p *Publisher) Publish(name, routingKey string, data any) {
	if !p.enabled {
		return
	}
	headers := map[string]any{
		"name":         name,
		"origin_uuid":  p.origin,
		"timestamp":    Timestamp(time.Now()),
		"required_acl": "events." + routingKey,
	}
	payload := make(map[string]any, len(headers)+1)
	for k, v := range headers {
		payload[k] = v
	}
	payload["data"] = data
	body, err := json.Marshal(payload)
	if err != nil {
		p.log.Error("event not published: its data cannot be encoded as JSON", "event", name, "error", err)
		return
	}
	p.mu.Lock()
	stopped := p.stopped
	p.mu.Unlock()
	if stopped {
		p.log.Warn("event dropped: the publisher is stopped", "event", name, "routing_key", routingKey)
		return
	}
	m := &message{name: name, routingKey: routingKey, headers: amqp.Table(headers), body: body}
	select {
	case p.queue <- m:
	default:
		p.log.Warn("event dropped: the publish queue is full (broker down?)", "event", name, "routing_key", routingKey, "queue_size", cap(p.queue))
	}
}

// Timestamp formats t as wazo-bus's timestamp header: ISO 8601 with
// microseconds and the UTC offset, like Python's
// datetime.now(timezone.utc).isoformat().
func Timestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000-07:00")
}

// Start connects in the background and returns at once.
func (p *Publisher) Start(ctx context.Context) error {
	if !p.enabled {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.started {
		return errors.New("bus_publisher: already started")
	}
	if p.stopped {
		return errors.New("bus_publisher: already stopped")
	}
	p.started = true
	workCtx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	go p.run(workCtx)
	return nil
}

// Stop sends what is queued — one attempt per event, no retry waits — then
// closes the connection. ctx bounds it: when it expires, the events left
// are dropped and the connection is abandoned.
func (p *Publisher) Stop(ctx context.Context) error {
	if !p.enabled {
		return nil
	}
	p.mu.Lock()
	if p.stopped {
		p.mu.Unlock()
		return nil
	}
	p.stopped = true
	p.stopCtx = ctx
	started := p.started
	close(p.stopping)
	p.mu.Unlock()
	if !started {
		if n := len(p.queue); n > 0 {
			p.log.Warn("events dropped: the publisher was never started", "count", n)
		}
		return nil
	}
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
		p.cancel()
		<-p.done // network I/O is bounded by p.timeout and now cancelled
		return fmt.Errorf("bus_publisher: stopping: %w", ctx.Err())
	}
}

// Status is "ok" while connected to the broker (or when no bus is
// configured), "fail" otherwise. It feeds /status.
func (p *Publisher) Status() string {
	if !p.enabled || p.connected.Load() {
		return "ok"
	}
	return "fail"
}

// run is the only goroutine touching the connection.
func (p *Publisher) run(ctx context.Context) {
	defer close(p.done)
	defer p.disconnect()
	var reconnect <-chan time.Time
	if err := p.connect(ctx); err != nil {
		p.log.Warn("cannot connect to the bus; retrying", "retry_interval", p.retry, "error", err)
		reconnect = time.After(p.retry)
	}
	for {
		select {
		case <-p.stopping:
			p.drain(ctx)
			return
		case m := <-p.queue:
			p.deliver(ctx, m)
		case err := <-p.closed:
			p.log.Warn("bus connection lost; reconnecting", "error", err)
			p.disconnect()
			reconnect = time.After(p.retry)
		case err := <-p.chClose:
			p.log.Warn("bus channel closed; reconnecting", "error", err)
			p.disconnect()
			reconnect = time.After(p.retry)
		case <-reconnect:
			reconnect = nil
			if p.conn == nil {
				if err := p.connect(ctx); err != nil {
					p.log.Debug("cannot connect to the bus; retrying", "error", err)
					reconnect = time.After(p.retry)
				} else {
					p.log.Info("bus connection restored")
				}
			}
		}
		if p.conn == nil && reconnect == nil {
			reconnect = time.After(p.retry)
		}
	}
}

// deliver tries m up to maxAttempts times, retry_interval apart, then
// drops it. Once Stop is called, no more waiting: one last try at most.
func (p *Publisher) deliver(ctx context.Context, m *message) {
	var err error
	for attempt := 1; attempt <= p.maxAttempts; attempt++ {
		if err = p.publishOnce(ctx, m); err == nil {
			return
		}
		if attempt == p.maxAttempts || ctx.Err() != nil {
			break
		}
		select {
		case <-time.After(p.retry):
		case <-p.stopping:
			if err = p.publishOnce(ctx, m); err == nil {
				return
			}
			attempt = p.maxAttempts
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	p.log.Warn("event dropped after failed attempts", "event", m.name, "routing_key", m.routingKey, "max_attempts", p.maxAttempts, "error", err)
}

// drain sends the queued events during Stop, one attempt each; if the
// broker cannot be reached, the rest are dropped at once.
func (p *Publisher) drain(ctx context.Context) {
	for {
		select {
		case m := <-p.queue:
			if err := p.publishOnce(ctx, m); err != nil {
				n := len(p.queue) + 1
				for len(p.queue) > 0 {
					<-p.queue
				}
				p.log.Warn("events dropped at shutdown: the bus is unreachable", "count", n, "first_event", m.name, "error", err)
				return
			}
		default:
			return
		}
	}
}

// publishOnce sends m on the current connection (connecting first if
// needed) and waits for the broker's confirm.
func (p *Publisher) publishOnce(ctx context.Context, m *message) error {
	if p.conn == nil || p.conn.IsClosed() {
		p.disconnect()
		if err := p.connect(ctx); err != nil {
			return err
		}
	}
	pub := amqp.Publishing{
		Headers:      m.headers,
		ContentType:  "application/json",
		DeliveryMode: amqp.Persistent,
		Body:         m.body,
	}
	cctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	dc, err := p.ch.PublishWithDeferredConfirmWithContext(cctx, p.exchange, m.routingKey, false, false, pub)
	if err == nil {
		var acked bool
		acked, err = waitConfirm(cctx, dc)
		if err == nil && !acked {
			err = errors.New("the broker refused the event (nack)")
		}
	}
	if err != nil {
		p.disconnect() // start from a fresh connection and channel
		return fmt.Errorf("publishing %s: %w", m.name, err)
	}
	return nil
}

// connect dials the broker, opens a channel in confirm mode and declares
// the exchange (durable, as wazo-bus does).
func (p *Publisher) connect(ctx context.Context) error {
	var sock net.Conn
	dial := func(network, addr string) (net.Conn, error) {
		d := net.Dialer{Timeout: p.timeout}
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		sock = c
		// Bounds the AMQP handshake; amqp091 clears it once open.
		return c, c.SetDeadline(time.Now().Add(p.timeout))
	}
	conn, err := amqp.DialConfig(p.url, amqp.Config{Dial: dial, Properties: amqp.Table{"connection_name": "wazo-servicekit bus publisher"}})
	if err != nil {
		return fmt.Errorf("connecting to amqp://%s: %w", p.endpoint, err)
	}
	ch, err := conn.Channel()
	if err == nil {
		err = ch.Confirm(false)
	}
	if err == nil {
		err = ch.ExchangeDeclare(p.exchange, p.kind, true, false, false, false, nil)
		if err != nil {
			err = fmt.Errorf("declaring exchange %q of type %q (does it exist with another type? check bus.exchange_type): %w", p.exchange, p.kind, err)
		}
	}
	if err != nil {
		closeConn(conn, sock)
		return fmt.Errorf("amqp://%s: %w", p.endpoint, err)
	}
	p.conn, p.sock, p.ch = conn, sock, ch
	p.closed = conn.NotifyClose(make(chan *amqp.Error, 1))
	p.chClose = ch.NotifyClose(make(chan *amqp.Error, 1))
	p.connected.Store(true)
	return nil
}

func (p *Publisher) disconnect() {
	p.connected.Store(false)
	if p.conn != nil {
		closeConn(p.conn, p.sock)
	}
	p.conn, p.sock, p.ch, p.closed, p.chClose = nil, nil, nil, nil, nil
}

// waitConfirm waits for the broker's confirm of a publishing, or for ctx.
// amqp091-go 1.5.0 (bookworm's) has no DeferredConfirmation.WaitContext:
// Wait returns false once the channel is closed, which disconnect does
// after a timeout, so the goroutine ends too.
func waitConfirm(ctx context.Context, dc *amqp.DeferredConfirmation) (bool, error) {
	acked := make(chan bool, 1)
	go func() { acked <- dc.Wait() }()
	select {
	case ok := <-acked:
		return ok, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

// closeConn closes an AMQP connection, waiting at most a second for the
// broker's close-ok before closing the socket under it. amqp091-go 1.5.0
// (bookworm's) has no Connection.CloseDeadline.
func closeConn(conn *amqp.Connection, sock net.Conn) {
	done := make(chan struct{})
	go func() { _ = conn.Close(); close(done) }()
	select {
	case <-done:
		return
	case <-time.After(time.Second):
	}
	if sock != nil {
		_ = sock.Close() // the reader fails, amqp091 shuts the connection down
	}
	select {
	case <-done:
	case <-time.After(time.Second):
	}
}
