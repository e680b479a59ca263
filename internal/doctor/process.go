package doctor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/wazo-platform/wazo-servicekit/internal/boundedbuf"
)

// maxEngineOutput bounds what the engine process may write: a report of a
// host with a few hundred services is well under it.
const maxEngineOutput = 64 << 20

// maxEngineStderr is how much of the engine's stderr an error quotes.
const maxEngineStderr = 2048

// Process runs the checklist engine (wazo-doctord-audit) as a process of
// its own for each audit, so that wazo-doctord links none of it and what
// an audit allocates goes away with it. The audit's timeout ends the
// process (SIGTERM, then SIGKILL a second later).
type Process struct {
	// Command is the engine's executable, absolute.
	Command string
	// Config is the audit's configuration, passed on the command line.
	Config Audit
}

// NewProcess resolves cfg.Command: a relative path names a file in the
// directory of wazo-doctord's own executable (a checkout's bin/).
func NewProcess(cfg Audit) (*Process, error) {
	command := cfg.Command
	if command == "" {
		return nil, errors.New("audit.command is empty: set it to the path of wazo-doctord-audit")
	}
	if !filepath.IsAbs(command) {
		self, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("audit.command %q is relative and this executable's directory is unknown: %w", command, err)
		}
		command = filepath.Join(filepath.Dir(self), command)
	}
	return &Process{Command: command, Config: cfg}, nil
}

// Rules runs the engine with --rules.
func (p *Process) Rules(ctx context.Context) ([]json.RawMessage, error) {
	out, err := p.run(ctx, "--rules")
	if err != nil {
		return nil, err
	}
	var all []json.RawMessage
	if err := json.Unmarshal(out, &all); err != nil {
		return nil, fmt.Errorf("%s --rules wrote no rule list: %v", p.Command, err)
	}
	return all, nil
}

// Audit runs the engine on the configured root.
func (p *Process) Audit(ctx context.Context) (*Report, error) {
	out, err := p.run(ctx, "--root", p.Config.Root, "--nginx-url", p.Config.NginxURL, "--monit-url", p.Config.MonitURL,
		"--probe-timeout", p.Config.ProbeTimeoutSeconds.Duration().String())
	if err != nil {
		return nil, err
	}
	var rep Report
	if err := json.Unmarshal(out, &rep); err != nil {
		return nil, fmt.Errorf("%s wrote no report: %v", p.Command, err)
	}
	if err := rep.check(); err != nil {
		return nil, fmt.Errorf("%s wrote an incomplete report: %v", p.Command, err)
	}
	return &rep, nil
}

// run starts the engine with args and returns its stdout, bounded by
// maxEngineOutput; an exit status other than 0 is an error quoting the
// start of its stderr.
func (p *Process) run(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, p.Command, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = time.Second
	stdout := &boundedbuf.Buffer{Max: maxEngineOutput, Refuse: true}
	stderr := &boundedbuf.Buffer{Max: maxEngineStderr}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err := cmd.Run()
	switch {
	case stdout.Over:
		return nil, fmt.Errorf("%s wrote more than %d MB: not read", p.Command, maxEngineOutput>>20)
	case ctx.Err() != nil:
		return nil, fmt.Errorf("%s did not end in time (%v)", p.Command, ctx.Err())
	case err != nil:
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			return nil, fmt.Errorf("%s: %v", p.Command, err)
		}
		return nil, fmt.Errorf("%s: %v: %s", p.Command, err, strconv.Quote(msg))
	}
	return stdout.Bytes(), nil
}
