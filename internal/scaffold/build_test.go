package scaffold

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// goCmd runs Go in a generated repository offline: only the module cache
// (the kit's own dependencies) and the kit checkout of the go.work make wrote.
func goCmd(t *testing.T, dir string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "GOFLAGS=-buildvcs=false", "GOPROXY=off")
	return cmd
}

func run(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s in %s: %v\n%s", strings.Join(cmd.Args, " "), cmd.Dir, err, out)
	}
	return string(out)
}

// TestGeneratedRepoBuildsTestsAndServes: `new`, then in the new repository
// `make test KIT=<this checkout>` (go vet, gofmt, go test) and go build pass
// offline, no generated file naming the checkout, and the daemon built
// from it serves its api.yml on the port its config says, then stops on
// SIGTERM with status 0.
func TestGeneratedRepoBuildsTestsAndServes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and tests a generated repository (-short)")
	}
	for _, tool := range []string{"go", "make", "gofmt"} {
		testenv.RequireCommand(t, tool)
	}
	dir := t.TempDir()
	if err := Generate(Options{Name: "wazo-exampled", Dir: dir, KitDir: kitRoot(t), Description: "Example service"}); err != nil {
		t.Fatal(err)
	}
	repo := filepath.Join(dir, "wazo-exampled")
	assertNoPath(t, repo, kitRoot(t), dir)
	// The generated repository's own test command (go vet, gofmt, go test).
	mk := exec.Command("make", "test", "KIT="+kitRoot(t))
	mk.Dir = repo
	mk.Env = append(os.Environ(), "GOPROXY=off")
	out := run(t, mk)
	if !strings.Contains(out, "ok  \tgithub.com/wazo-platform/wazo-exampled/exampled") {
		t.Errorf("make test did not run the service package's tests:\n%s", out)
	}
	if work, err := os.ReadFile(filepath.Join(repo, "go.work")); err != nil || !strings.Contains(string(work), "replace github.com/wazo-platform/wazo-servicekit => "+kitRoot(t)+"\n") {
		t.Errorf("make test KIT=…: go.work %v:\n%s", err, work)
	}
	bin := filepath.Join(dir, "wazo-exampled-bin")
	run(t, goCmd(t, repo, "build", "-o", bin, "./cmd/wazo-exampled"))

	// The daemon itself, as the current user, on a free loopback port.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cfg := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("rest_api:\n  port: %d\n", port)), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--dev", "-c", cfg)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	logs := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			select {
			case logs <- sc.Text():
			default:
			}
		}
		close(logs)
	}()
	url := fmt.Sprintf("http://127.0.0.1:%d/1.0/api/api.yml", port)
	deadline := time.Now().Add(15 * time.Second)
	var body []byte
	for {
		resp, err := http.Get(url)
		if err == nil {
			b, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && rerr == nil {
				body = b
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never answered 200 (last error %v)", url, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	var spec map[string]any
	if err := yaml.Unmarshal(body, &spec); err != nil {
		t.Fatalf("api.yml: %v", err)
	}
	if spec["x-xivo-port"] != port || spec["x-xivo-name"] != "exampled" {
		t.Errorf("served api.yml: x-xivo-port=%v x-xivo-name=%v, want %d exampled", spec["x-xivo-port"], spec["x-xivo-name"], port)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			var lines []string
			for l := range logs {
				lines = append(lines, l)
			}
			t.Errorf("exit after SIGTERM: %v\n%s", err, strings.Join(lines, "\n"))
		}
	case <-time.After(15 * time.Second):
		t.Error("still running 15 s after SIGTERM")
	}
}

// assertNoPath fails when a file under repo holds one of paths (the
// machine's directories new was given): what a repository commits must
// build on another machine.
func assertNoPath(t *testing.T, repo string, paths ...string) {
	t.Helper()
	err := filepath.WalkDir(repo, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, path := range paths {
			if strings.Contains(string(data), path) {
				t.Errorf("%s holds %s, a path of this machine", p, path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
