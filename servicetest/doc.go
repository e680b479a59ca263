// Package servicetest helps a Wazo daemon built on the kit test its REST
// handlers: Runtime is the daemon.Runtime a handler gets, without a config
// file, a PID file or a log file, and Do sends one request with a token.
// With authtest.FakeAuth in place of wazo-auth, a service's tests need no
// helper of their own; the services `wazo-servicekit new` generates use
// both.
package servicetest
