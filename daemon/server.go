package daemon

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/wazo-platform/wazo-servicekit/config"
)

// fdReserve is how many file descriptors the connection limit leaves for
// the log, the PID file, consul, the bus and wazo-auth checks.
const fdReserve = 32

// newServer builds the HTTP server with rest_api's timeouts, and the
// listener that enforces its connection limit and lets the drain end
// idle and stuck connections at once.
func newServer(h http.Handler, cfg config.RestAPI, ln net.Listener) (*http.Server, *connLimiter) {
	read, write, idle, maxConns := cfg.ServerLimits()
	if cfg.MaxConnections == 0 {
		maxConns = boundByFDLimit(maxConns)
	}
	lim := newConnLimiter(ln, maxConns)
	s := &http.Server{
		Handler:           lim.watchBody(h),
		ConnContext:       func(ctx context.Context, c net.Conn) context.Context { return context.WithValue(ctx, connKey{}, c) },
		ReadHeaderTimeout: min(10*time.Second, read),
		ReadTimeout:       read,
		WriteTimeout:      write,
		IdleTimeout:       idle,
		ConnState:         lim.track,
	}
	return s, lim
}

// boundByFDLimit keeps the default connection limit under the process's
// file descriptor limit, so that held connections cannot starve the rest.
func boundByFDLimit(n int) int {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil || rl.Cur > uint64(n+fdReserve) {
		return n
	}
	return max(1, int(rl.Cur)-fdReserve)
}

// quietGrace is how long a connection may do nothing before a full
// server may close it to make room: a connection that has not sent a
// complete request header since it connected, or has been idle between
// requests for that long. A client sends its request as soon as it
// connects, and a busy keep-alive client sends the next one at once, so
// only silent, trickling or held connections, which would otherwise keep
// their slot for the whole header or idle timeout, are closed.
const quietGrace = time.Second

// connLimiter is a listener that keeps at most cap(slots) connections
// open. When full, it makes room by closing the connection quiet the
// longest (no complete request header yet, or idle), once it has been
// quiet for quietGrace: held connections must not lock out a real client.
// Otherwise it waits, and looks again whenever a connection ends, turns
// idle, or reaches quietGrace.
type connLimiter struct {
	net.Listener
	slots chan struct{}
	// wake is signalled when a connection turns idle, so that a full
	// Accept looks again for one to close.
	wake  chan struct{}
	mu    sync.Mutex
	conns map[*limitedConn]http.ConnState
	now   func() time.Time
}

func newConnLimiter(ln net.Listener, maxConns int) *connLimiter {
	return &connLimiter{Listener: ln, slots: make(chan struct{}, maxConns), wake: make(chan struct{}, 1),
		conns: map[*limitedConn]http.ConnState{}, now: time.Now}
}

func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		select {
		case l.slots <- struct{}{}:
			return l.acceptWithSlot()
		default:
		}
		evicted, retry := l.evictOne()
		if evicted {
			continue
		}
		timer := time.NewTimer(retry)
		select {
		case l.slots <- struct{}{}: // a connection ended
			timer.Stop()
			return l.acceptWithSlot()
		case <-l.wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// acceptWithSlot accepts a connection into the slot the caller holds.
func (l *connLimiter) acceptWithSlot() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	lc := &limitedConn{Conn: c, lim: l, since: l.now()}
	l.mu.Lock()
	l.conns[lc] = http.StateNew
	l.mu.Unlock()
	return lc, nil
}

// track follows each connection's state (the server's ConnState hook).
func (l *connLimiter) track(c net.Conn, state http.ConnState) {
	lc, ok := c.(*limitedConn)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if state == http.StateClosed || state == http.StateHijacked {
		delete(l.conns, lc)
		return
	}
	if _, open := l.conns[lc]; open {
		l.conns[lc] = state
		if state == http.StateIdle {
			lc.since = l.now()
			select {
			case l.wake <- struct{}{}:
			default:
			}
		}
	}
}

// evictOne closes the connection quiet the longest (no complete request
// header since it connected, or idle), if quiet for quietGrace. When there
// is none, retry says when the quietest reaches quietGrace (quietGrace
// when no connection is quiet).
func (l *connLimiter) evictOne() (evicted bool, retry time.Duration) {
	now := l.now()
	l.mu.Lock()
	var quietest *limitedConn
	for c, state := range l.conns {
		if (state == http.StateNew || state == http.StateIdle) && (quietest == nil || c.since.Before(quietest.since)) {
			quietest = c
		}
	}
	if quietest == nil {
		l.mu.Unlock()
		return false, quietGrace
	}
	if quiet := now.Sub(quietest.since); quiet < quietGrace {
		l.mu.Unlock()
		return false, quietGrace - quiet
	}
	delete(l.conns, quietest)
	l.mu.Unlock()
	quietest.Close()
	return true, 0
}

// interruptReads ends the reads of clients in the middle of sending a
// request (its headers, or a body not read to its end): during the drain,
// a client stalling there does not hold the daemon's exit. Connections
// whose request is complete are left alone (their request keeps its
// context), and idle ones are closed by Shutdown.
func (l *connLimiter) interruptReads() {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	for c, state := range l.conns {
		if state == http.StateNew || state == http.StateActive && c.bodyPending.Load() {
			c.SetReadDeadline(now)
		}
	}
}

type connKey struct{}

// watchBody marks a connection as having a request body still to read
// until that body reaches its end.
func (l *connLimiter) watchBody(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, ok := r.Context().Value(connKey{}).(*limitedConn); ok {
			hasBody := r.Body != nil && r.Body != http.NoBody
			c.bodyPending.Store(hasBody)
			if hasBody {
				r.Body = &watchedBody{ReadCloser: r.Body, c: c}
			}
		}
		h.ServeHTTP(w, r)
	})
}

type watchedBody struct {
	io.ReadCloser
	c *limitedConn
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		b.c.bodyPending.Store(false)
	}
	return n, err
}

// limitedConn gives its slot back once, when closed.
type limitedConn struct {
	net.Conn
	lim   *connLimiter
	since time.Time // when it was accepted, then when it last became idle
	once  sync.Once
	// bodyPending is set while a request body has not been read to its end.
	bodyPending atomic.Bool
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.lim.mu.Lock()
		delete(c.lim.conns, c)
		c.lim.mu.Unlock()
		<-c.lim.slots
	})
	return err
}
