package rules

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wazo-platform/wazo-servicekit/internal/debiandata"
	"github.com/wazo-platform/wazo-servicekit/internal/ports"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/host"
	"github.com/wazo-platform/wazo-servicekit/internal/probe/repo"
	"github.com/wazo-platform/wazo-servicekit/internal/testenv"
)

// thisRepo is the root of this repository (found by its go.mod, so a move
// of this package cannot point the benchmarks elsewhere).
func thisRepo(b *testing.B) string {
	root, err := testenv.RepoRoot()
	if err != nil {
		b.Fatal(err)
	}
	return root
}

// BenchmarkCheckThisRepo is `check` on this repository end to end (read the
// tree, parse, load the Debian index, run every static rule). Goal: <= 100 ms.
func BenchmarkCheckThisRepo(b *testing.B) {
	root := thisRepo(b)
	for i := 0; i < b.N; i++ {
		if _, err := Check(root, CheckOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckPerRule is the cost of each static rule alone, on facts
// already read (the repository walk and index load are shared by all rules).
func BenchmarkCheckPerRule(b *testing.B) {
	root := thisRepo(b)
	rp, err := repo.Load(root)
	if err != nil {
		b.Fatal(err)
	}
	reg, _ := ports.Load()
	ix, _ := debiandata.Load()
	env := &StaticEnv{Repo: rp, Ports: reg, Debian: ix, Siblings: "testdata/siblings"}
	for _, r := range All() {
		b.Run(r.ID, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				r.static(rp.Services[0], env)
			}
		})
	}
}

// BenchmarkCheckPhases splits the fixed costs: walking and parsing the
// repository, and loading the embedded Debian index.
func BenchmarkCheckPhases(b *testing.B) {
	root := thisRepo(b)
	b.Run("repo.Load", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := repo.Load(root); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("debiandata.Load", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := debiandata.Load(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkAudit25Services audits an image root holding 25 installed Wazo
// services (the size of a Wazo host). Goal: <= 500 ms.
func BenchmarkAudit25Services(b *testing.B) {
	root := benchRoot(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := Audit(context.Background(), AuditOptions{Root: root})
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Services) != 25 {
			b.Fatalf("%d services", len(rep.Services))
		}
	}
}

// BenchmarkAuditPerRule is the cost of each live probe for one service of
// that root.
func BenchmarkAuditPerRule(b *testing.B) {
	h := host.Open(benchRoot(b))
	const name = "wazo-bench00d"
	config, _ := h.Config(name)
	unitPath, unit, unitErr := h.Unit(name)
	env := &LiveEnv{Ctx: context.Background(), HTTP: &http.Client{Timeout: time.Second}, Command: runTool}
	for _, r := range All() {
		if !r.HasLive() {
			continue
		}
		b.Run(r.ID, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				// A service of its own each time: its observations and
				// model are read once per service, and that is the cost.
				s := &LiveService{Name: name, Host: h, Config: config, UnitPath: unitPath, Unit: unit, UnitErr: unitErr}
				r.live(s, env)
			}
		})
	}
}

// benchRoot lays out an image root with 25 installed services.
func benchRoot(b *testing.B) string {
	root := b.TempDir()
	var pw, gr strings.Builder
	pw.WriteString("root:x:0:0:root:/root:/bin/bash\n")
	for i := 0; i < 25; i++ {
		name := fmt.Sprintf("wazo-bench%02dd", i)
		uid := 2000 + i
		fmt.Fprintf(&pw, "%s:x:%d:%d::/var/lib/%s:/usr/sbin/nologin\n", name, uid, uid, name)
		fmt.Fprintf(&gr, "%s:x:%d:\n", name, uid)
		files := map[string]string{
			"/etc/" + name + "/config.yml":                                     fmt.Sprintf("user: %s\nlog_file: /var/log/%s.log\nrest_api: {port: %d}\n", name, name, 9600+i),
			"/etc/" + name + "/conf.d/10-a.yml":                                "debug: true\n",
			"/usr/lib/systemd/system/" + name + ".service":                     "[Service]\nExecStart=/usr/bin/" + name + "\nRestart=on-failure\n[Install]\nWantedBy=multi-user.target\n",
			"/etc/monit/conf.d/" + name:                                        "check process " + name + " matching " + name + "\n",
			"/etc/nginx/locations/https-enabled/" + name:                       fmt.Sprintf("location ^~ /api/bench%02dd/ { proxy_pass http://127.0.0.1:%d/; }\n", i, 9600+i),
			"/etc/systemd/system/multi-user.target.wants/" + name + ".service": "",
			"/var/log/" + name + ".log":                                        "",
			// The daemon's binary: its privilege drop tells the model the
			// configured user is the service user.
			"/usr/bin/" + name: "\x7fELF github.com/wazo-platform/wazo-servicekit/privilege.Drop\n",
		}
		for p, c := range files {
			if err := os.MkdirAll(filepath.Dir(root+p), 0o755); err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(root+p, []byte(c), 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	for p, c := range map[string]string{"/etc/passwd": pw.String(), "/etc/group": gr.String(), "/var/lib/dpkg/status": "Package: x\nStatus: install ok installed\n"} {
		os.MkdirAll(filepath.Dir(root+p), 0o755)
		os.WriteFile(root+p, []byte(c), 0o644)
	}
	return root
}
