package testenv

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/wazo-platform/wazo-servicekit/config"
)

// RabbitMQServer is Debian's broker start script, run directly (the
// /usr/sbin wrapper would switch to the rabbitmq user and its shared
// directories).
const RabbitMQServer = "/usr/lib/rabbitmq/bin/rabbitmq-server"

// RabbitMQ is a broker of its own: its node name, ports, Erlang port mapper
// (epmd), cookie, database and logs are private to it, so it runs beside any
// system broker and beside other tests' brokers. It listens on 127.0.0.1
// only (AMQP, Erlang distribution and epmd alike) with the guest/guest user.
type RabbitMQ struct {
	Port int // AMQP
	Dir  string

	epmd    *exec.Cmd
	epmdErr chan error
	server  *exec.Cmd
	srvErr  chan error
	logPath string
	console string
	ownDir  bool
	notify  *net.UnixConn

	epmdPort, distPort int
}

// RabbitMQMissing says why no broker can be started here, or "".
func RabbitMQMissing() string {
	if _, err := os.Stat(RabbitMQServer); err != nil {
		return "rabbitmq-server is not installed (" + RabbitMQServer + "); run `make deps` or apt-get install rabbitmq-server"
	}
	for _, tool := range []string{"erl", "epmd"} {
		if _, err := exec.LookPath(tool); err != nil {
			return tool + " not found in PATH; install rabbitmq-server (it brings erlang)"
		}
	}
	return ""
}

// NewRabbitMQ starts a broker for one test and stops it (by PID) in
// t.Cleanup. Starting takes a few seconds: when several tests only need a
// broker that stays up, share one with SharedRabbitMQ.
func NewRabbitMQ(t testing.TB) *RabbitMQ {
	t.Helper()
	if why := RabbitMQMissing(); why != "" {
		missing(t, "%s", why)
	}
	r, err := StartRabbitMQ(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("rabbitmq log (%s), last lines:\n%s", r.logPath, tail(r.logPath, 30))
		}
		if err := r.Stop(); err != nil {
			t.Errorf("stopping rabbitmq: %v", err)
		}
	})
	return r
}

var shared struct {
	once sync.Once
	r    *RabbitMQ
	err  error
}

// SharedRabbitMQ starts one broker for the whole test binary on first use
// and returns it to every later caller. The test binary must stop it:
//
//	func TestMain(m *testing.M) {
//		code := m.Run()
//		testenv.StopSharedRabbitMQ()
//		os.Exit(code)
//	}
func SharedRabbitMQ(t testing.TB) *RabbitMQ {
	t.Helper()
	if why := RabbitMQMissing(); why != "" {
		missing(t, "%s", why)
	}
	shared.once.Do(func() { shared.r, shared.err = StartRabbitMQ("") })
	if shared.err != nil {
		t.Fatalf("starting the shared rabbitmq: %v", shared.err)
	}
	return shared.r
}

// StopSharedRabbitMQ stops the broker SharedRabbitMQ started, if any.
func StopSharedRabbitMQ() {
	if shared.r != nil {
		if err := shared.r.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "testenv: stopping the shared rabbitmq:", err)
		}
		shared.r = nil
	}
}

// StartRabbitMQ starts a broker with its state in dir (a fresh temporary
// directory, removed by Stop, when dir is "") and waits until it accepts
// AMQP connections, up to 90 s. Stop it with Stop.
func StartRabbitMQ(dir string) (*RabbitMQ, error) {
	r := &RabbitMQ{Dir: dir}
	if err := r.start(); err != nil {
		if stopErr := r.Stop(); stopErr != nil {
			err = errors.Join(err, stopErr)
		}
		return nil, err
	}
	return r, nil
}

func (r *RabbitMQ) start() error {
	dir := r.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "testenv-rabbitmq-")
		if err != nil {
			return err
		}
		r.Dir, r.ownDir = d, true
	}
	ports, err := freePorts(3)
	if err != nil {
		return err
	}
	r.Port, r.epmdPort, r.distPort = ports[0], ports[1], ports[2]
	epmdPort := r.epmdPort
	r.logPath = filepath.Join(r.Dir, "rabbit.log")
	for _, d := range []string{"mnesia", "home"} {
		if err := os.MkdirAll(filepath.Join(r.Dir, d), 0o700); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(r.Dir, "enabled_plugins"), []byte("[].\n"), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(r.Dir, "rabbitmq-env.conf"), nil, 0o600); err != nil {
		return err
	}
	logf, err := os.OpenFile(filepath.Join(r.Dir, "console.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close()
	r.console = logf.Name()

	// Our own port mapper, a child we can stop by PID (rabbitmq would
	// otherwise start a detached epmd on the shared default port 4369).
	epmdPortS := strconv.Itoa(epmdPort)
	r.epmd = exec.Command("epmd", "-port", epmdPortS, "-address", "127.0.0.1")
	r.epmd.Stdout, r.epmd.Stderr = logf, logf
	r.epmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL} // dies with the test binary
	if err := r.epmd.Start(); err != nil {
		return fmt.Errorf("starting epmd: %w", err)
	}
	r.epmdErr = make(chan error, 1)
	go func() { r.epmdErr <- r.epmd.Wait() }()
	if err := waitTCP("127.0.0.1:"+epmdPortS, 10*time.Second, r.epmdErr); err != nil {
		return fmt.Errorf("epmd on port %d: %w", epmdPort, err)
	}
	return r.StartServer()
}

// StartServer starts the broker again after StopServer, on the same port
// with the same database, and waits until it accepts AMQP connections.
func (r *RabbitMQ) StartServer() error {
	if r.server != nil {
		return errors.New("testenv: rabbitmq already running")
	}
	logf, err := os.OpenFile(r.console, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close()
	if r.notify == nil {
		r.notify, err = net.ListenUnixgram("unixgram", &net.UnixAddr{Name: filepath.Join(r.Dir, "notify.sock"), Net: "unixgram"})
		if err != nil {
			return fmt.Errorf("creating the notify socket: %w", err)
		}
	}
	epmdPortS := strconv.Itoa(r.epmdPort)
	name := "testenv" + strconv.Itoa(r.Port) + "@localhost"
	r.server = exec.Command(RabbitMQServer)
	r.server.Env = append(os.Environ(),
		"HOME="+filepath.Join(r.Dir, "home"), // the Erlang cookie
		"ERL_EPMD_PORT="+epmdPortS,
		"ERL_EPMD_ADDRESS=127.0.0.1",
		"RABBITMQ_CONF_ENV_FILE="+filepath.Join(r.Dir, "rabbitmq-env.conf"),
		"RABBITMQ_CONFIG_FILE="+filepath.Join(r.Dir, "rabbitmq.conf"), // absent: defaults
		"RABBITMQ_ADVANCED_CONFIG_FILE="+filepath.Join(r.Dir, "advanced.config"),
		"RABBITMQ_ENABLED_PLUGINS_FILE="+filepath.Join(r.Dir, "enabled_plugins"),
		"RABBITMQ_NODENAME="+name,
		"RABBITMQ_NODE_IP_ADDRESS=127.0.0.1",
		"RABBITMQ_NODE_PORT="+strconv.Itoa(r.Port),
		"RABBITMQ_DIST_PORT="+strconv.Itoa(r.distPort),
		"RABBITMQ_MNESIA_BASE="+filepath.Join(r.Dir, "mnesia"),
		"RABBITMQ_LOG_BASE="+r.Dir,
		"RABBITMQ_LOGS="+r.logPath,
		"RABBITMQ_PID_FILE="+filepath.Join(r.Dir, "rabbit.pid"),
		"RABBITMQ_PLUGINS_EXPAND_DIR="+filepath.Join(r.Dir, "plugins-expand"),
		// Erlang distribution on loopback only.
		"RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}",
		// With NOTIFY_SOCKET the start script execs the Erlang VM instead
		// of running it as a child: the broker then has the script's PID,
		// so stopping it by PID and Pdeathsig (dying with the test
		// binary) reach the VM itself. The socket is ours and discards
		// the readiness messages.
		"NOTIFY_SOCKET="+r.notify.LocalAddr().String(),
	)
	r.server.Stdout, r.server.Stderr = logf, logf
	r.server.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL} // dies with the test binary
	if err := r.server.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", RabbitMQServer, err)
	}
	r.srvErr = make(chan error, 1)
	go func() { r.srvErr <- r.server.Wait() }()
	if err := r.waitAMQP(90 * time.Second); err != nil {
		return fmt.Errorf("rabbitmq (pid %d) not accepting AMQP on 127.0.0.1:%d: %w\nlog:\n%s\nconsole:\n%s",
			r.server.Process.Pid, r.Port, err, tail(r.logPath, 20), tail(filepath.Join(r.Dir, "console.log"), 20))
	}
	return nil
}

func freePorts(n int) ([]int, error) {
	var ports []int
	for len(ports) < n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func waitTCP(addr string, timeout time.Duration, exited <-chan error) error {
	deadline := time.Now().Add(timeout)
	for {
		select {
		case err := <-exited:
			return fmt.Errorf("exited: %v", err)
		default:
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond) // polling interval
	}
}

func (r *RabbitMQ) waitAMQP(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		select {
		case err := <-r.srvErr:
			r.srvErr <- err // keep it for Stop
			return fmt.Errorf("rabbitmq-server exited: %v", err)
		default:
		}
		conn, err := r.Dial()
		if err == nil {
			return conn.Close()
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond) // polling interval
	}
}

// URL is the AMQP URL of the guest user.
func (r *RabbitMQ) URL() string { return "amqp://guest:guest@127.0.0.1:" + strconv.Itoa(r.Port) + "/" }

// Dial opens an AMQP connection as guest, e.g. to consume in a test.
func (r *RabbitMQ) Dial() (*amqp.Connection, error) {
	return amqp.DialConfig(r.URL(), amqp.Config{Dial: amqp.DefaultDial(2 * time.Second)})
}

// Config is the kit's bus configuration for this broker (enabled, guest,
// default exchange).
func (r *RabbitMQ) Config() config.Bus {
	return config.Bus{Enabled: true, Username: "guest", Password: "guest", Host: "127.0.0.1", Port: r.Port}
}

// Stop stops the broker (SIGTERM, then SIGKILL after 20 s, to its process
// group by PID), then its epmd, and removes its directory if StartRabbitMQ
// created it.
func (r *RabbitMQ) Stop() error {
	errs := []error{stopGroup(r.server, r.srvErr), stopGroup(r.epmd, r.epmdErr)}
	r.server, r.epmd = nil, nil
	if r.notify != nil {
		r.notify.Close()
		r.notify = nil
	}
	if r.ownDir {
		errs = append(errs, os.RemoveAll(r.Dir))
	}
	return errors.Join(errs...)
}

// StopServer stops the broker (SIGTERM, by PID) but keeps its port mapper,
// port and database so StartServer can bring it back: a broker outage.
func (r *RabbitMQ) StopServer() error {
	err := stopGroup(r.server, r.srvErr)
	r.server = nil
	return err
}

// stopGroup sends SIGTERM to cmd's process group (by its leader's PID),
// SIGKILL after 20 s, and reaps it.
func stopGroup(cmd *exec.Cmd, exited chan error) error {
	if cmd == nil || cmd.Process == nil || exited == nil {
		return nil
	}
	var err error
	pgid := cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(20 * time.Second):
		err = fmt.Errorf("pid %d ignored SIGTERM for 20 s; killed", pgid)
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-exited
	}
	// Children left in its group (erl_child_setup, inet_gethost).
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	return err
}

// Consume binds a fresh exclusive queue to exchange (declared as a durable
// headers exchange, as Wazo's is) with each of bindings, the arguments Wazo
// consumers use, and returns its deliveries. The connection closes when the
// test ends.
func (r *RabbitMQ) Consume(t testing.TB, exchange string, bindings ...amqp.Table) <-chan amqp.Delivery {
	t.Helper()
	conn, err := r.Dial()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.ExchangeDeclare(exchange, "headers", true, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	q, err := ch.QueueDeclare("", false, true, true, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bindings {
		if err := ch.QueueBind(q.Name, "", exchange, false, b); err != nil {
			t.Fatal(err)
		}
	}
	d, err := ch.Consume(q.Name, "", true, true, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
