package consul

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"reflect"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/wazo-platform/wazo-servicekit/bus"
	"github.com/wazo-platform/wazo-servicekit/config"
	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.StopSharedRabbitMQ()
	os.Exit(code)
}

// The registrar and a real bus.Publisher, as the daemon wires them (the
// publisher starts first and stops last): a Wazo consumer bound to the
// headers exchange receives service_registered then service_deregistered
// with the right fields.
func TestEventsOnRealBus(t *testing.T) {
	rmq := testenv.SharedRabbitMQ(t)
	c := testenv.StartConsul(t, testenv.ConsulOptions{})

	deliveries := rmq.Consume(t, "wazo-headers",
		amqp.Table{"x-match": "all", "name": "service_registered", "origin_uuid": xivoUUID},
		amqp.Table{"x-match": "all", "name": "service_deregistered", "origin_uuid": xivoUUID})

	pub := bus.NewPublisher(rmq.Config(), xivoUUID, nil)
	r := newRegistrar(t, Options{Consul: c.Config(), Discovery: discovery(), Events: pub})
	ctx := context.Background()
	if err := pub.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	id := r.ServiceID()
	waitPassing(t, c, id, budget+slack)
	stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := r.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}
	if err := pub.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}

	tags := []any{xivoUUID, name, "extra-1", "extra-2"}
	want := []struct {
		name, key string
		data      map[string]any
	}{
		{"service_registered", "service.registered." + name,
			map[string]any{"service_name": name, "service_id": id, "address": "127.0.0.1", "port": float64(9504), "tags": tags}},
		{"service_deregistered", "service.deregistered." + name,
			map[string]any{"service_name": name, "service_id": id, "tags": tags}},
	}
	for _, w := range want {
		var m amqp.Delivery
		select {
		case m = <-deliveries:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s not received", w.name)
		}
		var body map[string]any
		if err := json.Unmarshal(m.Body, &body); err != nil {
			t.Fatal(err)
		}
		if m.RoutingKey != w.key || m.Headers["name"] != w.name || body["name"] != w.name ||
			body["origin_uuid"] != xivoUUID || body["required_acl"] != "events."+w.key {
			t.Errorf("event %s: routing key %q, headers %v, payload %s", w.name, m.RoutingKey, m.Headers, m.Body)
		}
		if !reflect.DeepEqual(body["data"], any(w.data)) {
			t.Errorf("event %s data = %v, want %v", w.name, body["data"], w.data)
		}
	}
}

// The broker is down: registration, the passing check and deregistration
// are unaffected, and neither Start nor Stop waits for the bus.
func TestBrokerDownRegistrationUnaffected(t *testing.T) {
	c := testenv.StartConsul(t, testenv.ConsulOptions{})
	dead := config.Bus{Enabled: true, Host: "127.0.0.1", Port: testenv.FreePort(t), Username: "guest", Password: "guest"}
	pub := bus.New(bus.Options{Config: dead, OriginUUID: xivoUUID, RetryInterval: time.Hour})
	r := newRegistrar(t, Options{Consul: c.Config(), Discovery: discovery(), Events: pub})
	ctx := context.Background()
	if err := pub.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitPassing(t, c, r.ServiceID(), budget+slack)
	if pub.Status() != "fail" || r.Status() != "ok" {
		t.Errorf("bus_publisher %q, service_discovery %q; want fail, ok", pub.Status(), r.Status())
	}
	stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := r.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}
	if n := catalogCount(t, c); n != 0 {
		t.Errorf("%d entries left after Stop", n)
	}
	if err := pub.Stop(stopCtx); err != nil {
		t.Errorf("publisher Stop with the broker down: %v (must give up, not wait)", err)
	}
}

func TestAdvertiseAddressAuto(t *testing.T) {
	ifaces := []net.Interface{{Name: "lo"}, {Name: "docker0"}, {Name: "ens3"}, {Name: "eth1"}, {Name: "wg0"}}
	addr := map[string]string{"lo": "127.0.0.1", "docker0": "172.17.0.1", "ens3": "10.0.0.3", "eth1": "10.0.1.1", "wg0": ""}
	lookup := func(i net.Interface) string { return addr[i.Name] }
	tests := []struct {
		want, expect string
		ifaces       []net.Interface
	}{
		{"docker0", "172.17.0.1", ifaces},  // the configured interface first
		{"eth0", "10.0.0.3", ifaces},       // absent: then eth*/en*, in order
		{"wg0", "10.0.0.3", ifaces},        // present without IPv4: same
		{"eth0", "127.0.0.1", ifaces[:2]},  // no eth*/en*: lo
		{"eth0", "127.0.0.1", ifaces[1:2]}, // nothing: 127.0.0.1
		{"", "10.0.0.3", ifaces},           // no interface configured
	}
	for _, tt := range tests {
		if got := pickAddress(tt.want, tt.ifaces, lookup); got != tt.expect {
			t.Errorf("interface %q among %d: got %s, want %s", tt.want, len(tt.ifaces), got, tt.expect)
		}
	}
	// The real system: lo always has 127.0.0.1.
	if got, err := advertiseAddress("auto", "lo"); err != nil || got != "127.0.0.1" {
		t.Errorf(`advertiseAddress("auto", "lo") = %q, %v`, got, err)
	}
	if got, _ := advertiseAddress("192.0.2.7", "lo"); got != "192.0.2.7" {
		t.Errorf("a configured address is used as is; got %q", got)
	}
}
