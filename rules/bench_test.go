package rules

import (
	"path/filepath"
	"testing"

	"github.com/wazo-platform/wazo-servicekit/debiandata"
	"github.com/wazo-platform/wazo-servicekit/ports"
	"github.com/wazo-platform/wazo-servicekit/probe/repo"
)

// BenchmarkCheckThisRepo is `check` on this repository end to end (read the
// tree, parse, load the Debian index, run every static rule). Goal: <= 100 ms.
func BenchmarkCheckThisRepo(b *testing.B) {
	root, _ := filepath.Abs("..")
	for i := 0; i < b.N; i++ {
		if _, err := Check(root, CheckOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckPerRule is the cost of each static rule alone, on facts
// already read (the repository walk and index load are shared by all rules).
func BenchmarkCheckPerRule(b *testing.B) {
	root, _ := filepath.Abs("..")
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
	root, _ := filepath.Abs("..")
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
