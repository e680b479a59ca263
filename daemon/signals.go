package daemon

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// signals is how the daemon hears SIGTERM and SIGINT (stop cleanly, even
// during start-up) and SIGHUP (reopen the log file and keep running:
// what a logrotate postrotate sends, and what a Wazo operator expects;
// a stray SIGHUP must never kill the daemon without deregistering it).
// SIGPIPE is ignored: when the reader of stderr goes away, writes to it
// fail instead of killing the daemon.
type signals struct {
	stopCh chan os.Signal
	hup    chan os.Signal
	ctx    context.Context // ends when a stop signal arrives
	cancel context.CancelFunc

	mu    sync.Mutex
	first os.Signal
	done  chan struct{}
	// up is closed once start-up is over (or ended by a stop signal
	// Main saw): from then on Main handles a stop signal itself.
	up     chan struct{}
	upOnce sync.Once
}

// startupStopGrace is how long a stop signal during start-up waits for the
// step under way to end (Main looks between steps) before the process
// exits anyway: a step blocked for good (a file that never opens) must not
// make the daemon ignore SIGTERM and SIGINT.
const startupStopGrace = 3 * time.Second

func watchSignals(name string) *signals {
	signal.Ignore(syscall.SIGPIPE)
	s := &signals{stopCh: make(chan os.Signal, 1), hup: make(chan os.Signal, 1), done: make(chan struct{}), up: make(chan struct{})}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	signal.Notify(s.stopCh, syscall.SIGTERM, syscall.SIGINT)
	signal.Notify(s.hup, syscall.SIGHUP)
	go func() {
		select {
		case sig := <-s.stopCh:
			s.mu.Lock()
			s.first = sig
			s.mu.Unlock()
			s.cancel()
			timer := time.NewTimer(startupStopGrace)
			defer timer.Stop()
			select {
			case <-s.up:
			case <-s.done:
			case <-timer.C:
				fmt.Fprintf(os.Stderr, "%s: %s during start-up, and the start-up step under way has not returned in %s: exiting without cleaning up\n",
					name, signalName(sig), startupStopGrace)
				os.Exit(ExitFailed)
			}
		case <-s.done:
		}
	}()
	return s
}

// startedUp says start-up is over: Main handles stop signals from now on.
func (s *signals) startedUp() { s.upOnce.Do(func() { close(s.up) }) }

// received is the stop signal, once one arrived.
func (s *signals) received() os.Signal {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.first
}

func (s *signals) stop() {
	signal.Stop(s.stopCh)
	signal.Stop(s.hup)
	close(s.done)
	s.cancel()
}

// serveUntilStopped runs until a stop signal or the HTTP server's end,
// reopening the log file on each SIGHUP, and returns the exit status.
func serveUntilStopped(s *signals, served <-chan error, log io.Closer, logger *slog.Logger, name string) int {
	for {
		select {
		case <-s.ctx.Done():
			logger.Warn("Stopping " + name + ": " + signalName(s.received()))
			return ExitOK
		case err := <-served:
			logger.Error("the HTTP server stopped", "error", err)
			return ExitFailed
		case <-s.hup:
			r, ok := log.(interface{ Reopen() error })
			if !ok {
				logger.Info("SIGHUP: no log file to reopen (logging to stderr); still running")
				continue
			}
			if err := r.Reopen(); err != nil {
				logger.Error("SIGHUP: cannot reopen the log file; still logging to the old one", "error", err)
				continue
			}
			logger.Info("SIGHUP: log file reopened")
		}
	}
}
