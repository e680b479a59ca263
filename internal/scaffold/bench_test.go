package scaffold

import (
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
		err := Generate(Options{Name: "wazo-exampled", Dir: filepath.Join(dir, strconv.Itoa(i)), Description: "Example service"})
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
