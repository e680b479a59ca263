package scaffold

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// BenchmarkNew is `wazo-servicekit new` without the package build: plan
// (derive, render, sibling patches) and write the repository. Goal: 200 ms.
func BenchmarkNew(b *testing.B) {
	dir := b.TempDir()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		parent := filepath.Join(dir, strconv.Itoa(i)) // new writes into an existing directory
		if err := os.Mkdir(parent, 0o755); err != nil {
			b.Fatal(err)
		}
		err := Generate(Options{Name: "wazo-exampled", Dir: parent, Description: "Example service"})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlan is the in-memory part alone.
func BenchmarkPlan(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Plan(Options{Name: "wazo-exampled"}); err != nil {
			b.Fatal(err)
		}
	}
}
