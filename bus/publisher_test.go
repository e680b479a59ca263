package bus

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/wazo-platform/wazo-servicekit/config"
	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// One real broker for the whole test binary (it takes seconds to start);
// tests that need an outage start their own.
func TestMain(m *testing.M) {
	code := m.Run()
	testenv.StopSharedRabbitMQ()
	os.Exit(code)
}

func receive(t *testing.T, d <-chan amqp.Delivery, within time.Duration) amqp.Delivery {
	t.Helper()
	select {
	case m := <-d:
		return m
	case <-time.After(within):
		t.Fatalf("no event received within %v", within)
		return amqp.Delivery{}
	}
}

func start(t *testing.T, p *Publisher) {
	t.Helper()
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := p.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
}

func waitStatus(t *testing.T, p *Publisher, want string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for p.Status() != want {
		if time.Now().After(deadline) {
			t.Fatalf("Status() = %q, want %q within %v", p.Status(), want, within)
		}
		time.Sleep(20 * time.Millisecond) // polling interval
	}
}

const origin = "a9fde0f0-8f2f-4b7b-9d1e-0f9b6c1c2b3a"

// The event as a Wazo consumer sees it: on the headers exchange, matched by
// its name header, with wazo-bus's headers in AMQP and in the JSON payload.
func TestPublishedEventHasWazoShape(t *testing.T) {
	r := testenv.SharedRabbitMQ(t)
	tests := []struct {
		exchange   string // "" = the default, wazo-headers
		name, key  string
		data       map[string]any
		wantAmqpEx string
	}{
		{"", "service_registered", "service.registered.wazo-doctord",
			map[string]any{"service_name": "wazo-doctord", "service_id": "x", "address": "127.0.0.1", "port": float64(9999), "tags": []any{origin, "wazo-doctord"}},
			"wazo-headers"},
		{"custom-headers", "service_deregistered", "service.deregistered.wazo-doctord",
			map[string]any{"service_name": "wazo-doctord", "service_id": "x", "tags": []any{origin}},
			"custom-headers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := r.Config()
			cfg.ExchangeName = tt.exchange
			deliveries := r.Consume(t, tt.wantAmqpEx, amqp.Table{"x-match": "all", "name": tt.name})
			p := NewPublisher(cfg, origin, nil)
			start(t, p)
			before := time.Now()
			p.Publish(tt.name, tt.key, tt.data)
			m := receive(t, deliveries, 15*time.Second)

			if m.Exchange != tt.wantAmqpEx || m.RoutingKey != tt.key {
				t.Errorf("exchange/routing key = %q/%q, want %q/%q", m.Exchange, m.RoutingKey, tt.wantAmqpEx, tt.key)
			}
			if m.ContentType != "application/json" {
				t.Errorf("content type = %q", m.ContentType)
			}
			wantHeaders := map[string]string{"name": tt.name, "origin_uuid": origin, "required_acl": "events." + tt.key}
			for k, v := range wantHeaders {
				if m.Headers[k] != v {
					t.Errorf("AMQP header %s = %v, want %q", k, m.Headers[k], v)
				}
			}
			ts, ok := m.Headers["timestamp"].(string)
			if !ok {
				t.Fatalf("AMQP header timestamp = %#v, want a string", m.Headers["timestamp"])
			}
			parsed, err := time.Parse("2006-01-02T15:04:05.999999-07:00", ts)
			if err != nil || parsed.Before(before.Add(-time.Second)) || parsed.After(time.Now().Add(time.Second)) {
				t.Errorf("timestamp %q: not an ISO 8601 time of the publication (%v)", ts, err)
			}
			var body map[string]any
			if err := json.Unmarshal(m.Body, &body); err != nil {
				t.Fatalf("payload is not JSON: %v: %s", err, m.Body)
			}
			for k, v := range wantHeaders {
				if body[k] != v {
					t.Errorf("payload %s = %v, want %q", k, body[k], v)
				}
			}
			if body["timestamp"] != ts {
				t.Errorf("payload timestamp %v != header %q", body["timestamp"], ts)
			}
			if got, _ := json.Marshal(body["data"]); string(got) != mustJSON(t, tt.data) {
				t.Errorf("payload data = %s, want %s", got, mustJSON(t, tt.data))
			}
			if p.Status() != "ok" {
				t.Errorf("Status() = %q after a delivered event, want ok", p.Status())
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Events published before Start (e.g. during start-up) wait in the queue.
func TestEventPublishedBeforeStartIsSent(t *testing.T) {
	r := testenv.SharedRabbitMQ(t)
	cfg := r.Config()
	cfg.ExchangeName = "early-" + fmt.Sprint(time.Now().UnixNano())
	deliveries := r.Consume(t, cfg.ExchangeName, amqp.Table{"x-match": "all"})
	p := NewPublisher(cfg, origin, nil)
	p.Publish("early_event", "early.event", map[string]any{"n": 1})
	start(t, p)
	m := receive(t, deliveries, 15*time.Second)
	if m.Headers["name"] != "early_event" {
		t.Errorf("received %v, want early_event", m.Headers["name"])
	}
}

// A broker that is down never blocks the caller: Publish returns at once
// even with a full queue, Stop returns well before its deadline, Status is
// fail, and events are dropped with a warning after MaxAttempts — without
// the password ever appearing in the logs.
func TestBrokerDownNeverBlocks(t *testing.T) {
	log, logs := testenv.NewLogger()
	cfg := config.Bus{Enabled: true, Host: "127.0.0.1", Port: testenv.FreePort(t), Username: "svc", Password: "s3cret-bus-pw"}
	p := New(Options{Config: cfg, OriginUUID: origin, Logger: log, MaxAttempts: 3, RetryInterval: 20 * time.Millisecond, QueueSize: 4})
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	published := make(chan struct{})
	go func() {
		for i := 0; i < 200; i++ {
			p.Publish("service_registered", "service.registered.x", map[string]any{"i": i})
		}
		close(published)
	}()
	select {
	case <-published:
	case <-time.After(10 * time.Second):
		t.Fatal("Publish blocked while the broker is down")
	}
	if p.Status() != "fail" {
		t.Errorf("Status() = %q with no broker, want fail", p.Status())
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), "event dropped after failed attempts") {
		if time.Now().After(deadline) {
			t.Fatalf("no drop warning after MaxAttempts; logs:\n%s", logs)
		}
		time.Sleep(20 * time.Millisecond) // polling interval
	}
	if !strings.Contains(logs.String(), "queue is full") {
		t.Errorf("a full queue did not warn; logs:\n%s", logs)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Stop(ctx); err != nil {
		t.Errorf("Stop with the broker down: %v (it must give up, not wait for the deadline)", err)
	}
	if strings.Contains(logs.String(), cfg.Password) {
		t.Errorf("the bus password appears in the logs:\n%s", logs)
	}
}

// Wrong credentials against a real broker: Status fail, password not logged.
func TestWrongPasswordIsAFailedStatusAndNotLogged(t *testing.T) {
	r := testenv.SharedRabbitMQ(t)
	log, logs := testenv.NewLogger()
	cfg := r.Config()
	cfg.Password = "not-the-guest-password"
	p := New(Options{Config: cfg, OriginUUID: origin, Logger: log, MaxAttempts: 1, RetryInterval: 50 * time.Millisecond})
	start(t, p)
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(logs.String(), "cannot connect to the bus") {
		if time.Now().After(deadline) {
			t.Fatalf("no connection failure logged; logs:\n%s", logs)
		}
		time.Sleep(20 * time.Millisecond) // polling interval
	}
	if p.Status() != "fail" {
		t.Errorf("Status() = %q with a wrong password, want fail", p.Status())
	}
	if strings.Contains(logs.String(), cfg.Password) {
		t.Errorf("the bus password appears in the logs:\n%s", logs)
	}
}

// An exchange that exists with another type is reported with the fix.
func TestExchangeTypeMismatchIsExplained(t *testing.T) {
	r := testenv.SharedRabbitMQ(t)
	conn, err := r.Dial()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	name := "topic-" + fmt.Sprint(time.Now().UnixNano())
	if err := ch.ExchangeDeclare(name, "topic", true, true, false, false, nil); err != nil {
		t.Fatal(err)
	}
	log, logs := testenv.NewLogger()
	cfg := r.Config()
	cfg.ExchangeName = name
	p := New(Options{Config: cfg, OriginUUID: origin, Logger: log, RetryInterval: 50 * time.Millisecond})
	start(t, p)
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(logs.String(), "bus.exchange_type") {
		if time.Now().After(deadline) {
			t.Fatalf("the type mismatch was not explained; logs:\n%s", logs)
		}
		time.Sleep(20 * time.Millisecond) // polling interval
	}
	if p.Status() != "fail" {
		t.Errorf("Status() = %q, want fail", p.Status())
	}
}

// A broker outage: Status goes fail, then ok once the broker is back, and
// an event published during the outage is delivered after it (it was
// retried, within MaxAttempts).
func TestReconnectsAfterBrokerOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and restarts a broker of its own (~1 min)")
	}
	r := testenv.NewRabbitMQ(t)
	// A durable queue, bound before the outage, survives the restart: only
	// an event sent after the broker is back can land in it.
	conn, err := r.Dial()
	if err != nil {
		t.Fatal(err)
	}
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.ExchangeDeclare("wazo-headers", "headers", true, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ch.QueueDeclare("outage-test", true, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	if err := ch.QueueBind("outage-test", "", "wazo-headers", false, amqp.Table{"x-match": "all", "name": "during_outage"}); err != nil {
		t.Fatal(err)
	}
	conn.Close()

	log, _ := testenv.NewLogger()
	p := New(Options{Config: r.Config(), OriginUUID: origin, Logger: log, MaxAttempts: 1000, RetryInterval: 100 * time.Millisecond})
	start(t, p)
	waitStatus(t, p, "ok", 15*time.Second)
	if err := r.StopServer(); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, p, "fail", 15*time.Second)
	p.Publish("during_outage", "during.outage", map[string]any{"n": 1})
	if err := r.StartServer(); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, p, "ok", 30*time.Second)

	conn, err = r.Dial()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ch, err = conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	deliveries, err := ch.Consume("outage-test", "", true, true, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := receive(t, deliveries, 30*time.Second)
	if m.RoutingKey != "during.outage" || m.Headers["name"] != "during_outage" {
		t.Errorf("received %q %v, want the event published during the outage", m.RoutingKey, m.Headers["name"])
	}
}

// Without a bus (bus.enabled false) the publisher is inert.
func TestDisabledPublisherIsInert(t *testing.T) {
	p := NewPublisher(config.Bus{Enabled: false, Host: "127.0.0.1", Port: 1}, origin, nil)
	if p.Enabled() {
		t.Error("Enabled() = true")
	}
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	p.Publish("x", "x", nil)
	if p.Status() != "ok" {
		t.Errorf("Status() = %q", p.Status())
	}
	if err := p.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
}
