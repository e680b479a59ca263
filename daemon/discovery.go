package daemon

import (
	"github.com/wazo-platform/wazo-servicekit/bus"
	"github.com/wazo-platform/wazo-servicekit/config"
	"github.com/wazo-platform/wazo-servicekit/consul"
	"github.com/wazo-platform/wazo-servicekit/logging"
)

// ServiceDiscovery is the standard wiring every Wazo daemon runs beside its
// REST API: the bus publisher and the consul registrar (which announces
// service_registered and service_deregistered on the bus), each on /status
// when enabled. Return its components from Setup: the publisher starts
// first and stops last, so the deregistration event of the registrar's Stop
// still goes out.
func ServiceDiscovery(rt *Runtime, c *config.Common) ([]Component, error) {
	pub := bus.NewPublisher(c.Bus, c.UUID, logging.Named(rt.Logger, rt.Name+".bus"))
	reg, err := consul.NewRegistrar(consul.Options{
		Name:      rt.Name,
		UUID:      c.UUID,
		Consul:    c.Consul,
		Discovery: c.ServiceDiscovery,
		Logger:    logging.Named(rt.Logger, rt.Name+".consul"),
		Events:    pub,
	})
	if err != nil {
		return nil, err
	}
	if pub.Enabled() {
		rt.Status.Add("bus_publisher", pub.Status)
	}
	if reg.Enabled() {
		rt.Status.Add("service_discovery", reg.Status)
	}
	return []Component{pub, reg}, nil
}
