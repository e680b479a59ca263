package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// bomb is a small document of 8 anchored values, each holding 9 aliases
// of the one before: 9^8 values once expanded. level 0 is given; item(j,
// prev) is the j-th element of the next levels.
func bomb(level0, open, close string, item func(j int, prev string) string) string {
	var b strings.Builder
	b.WriteString("extra:\n  inner:\n    v0: &v0 " + level0 + "\n")
	for i := 1; i <= 7; i++ {
		fmt.Fprintf(&b, "    v%d: &v%d %s", i, i, open)
		for j := 0; j < 9; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(item(j, fmt.Sprintf("*v%d", i-1)))
		}
		b.WriteString(close + "\n")
	}
	return b.String()
}

func aliasBomb() string {
	return bomb("[x, x, x, x, x, x, x, x, x]", "[", "]", func(_ int, prev string) string { return prev })
}

// mapBomb is the same with mappings, which the merge of layers copies.
func mapBomb() string {
	return bomb("{a: 1, b: 1, c: 1, d: 1, e: 1, f: 1, g: 1, h: 1, i: 1}", "{", "}", func(j int, prev string) string { return fmt.Sprintf("k%d: %s", j, prev) })
}

// TestAliasBombIsAStartUpError: a 905-byte conf.d file took 2 GB and 26 s.
func TestAliasBombIsAStartUpError(t *testing.T) {
	for name, bomb := range map[string]string{"list": aliasBomb(), "mapping": mapBomb()} {
		if len(bomb) > 1200 {
			t.Fatalf("the %s bomb is %d bytes, want about 1 KB", name, len(bomb))
		}
		for _, file := range []string{"config.yml", "conf.d/50-bomb.yml"} {
			dir := t.TempDir()
			write(t, dir, map[string]string{file: bomb})
			_, _, err := load(t, dir)
			want := filepath.Join(dir, file) + ":"
			if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "alias") {
				t.Errorf("%s bomb in %s: %v, want an error naming %sLINE and the aliases", name, file, err, want)
			}
		}
	}
}

// manyKeys is a document of n top-level keys.
func manyKeys(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "key%d: value\n", i)
	}
	return b.String()
}

// TestManyKeysAreRefusedBeforeTheQuadraticDecode: decoding checks each key
// of a mapping against the others; a 50 000-key conf.d file delayed start
// by 41 s and a 520 KB file made `check` take 8 s.
func TestManyKeysAreRefusedBeforeTheQuadraticDecode(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{"conf.d/50-keys.yml": manyKeys(50000)})
	if _, _, err := load(t, dir); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "conf.d/50-keys.yml")+":1: a mapping of 50000 keys") {
		t.Errorf("50 000 keys: %v", err)
	}
	// A normal file is far from the bounds.
	dir = t.TempDir()
	write(t, dir, map[string]string{"conf.d/50-ok.yml": "extra: {inner: {" + strings.TrimSuffix(strings.ReplaceAll(manyKeys(MaxMappingKeys), "\n", ", "), ", ") + "}}\n"})
	if _, _, err := load(t, dir); err != nil {
		t.Errorf("%d keys: %v", MaxMappingKeys, err)
	}
}

// TestConfigFilesMustBeRegularAndBounded: a FIFO in conf.d hung start-up
// forever; /dev/zero as config.yml took 2 GB.
func TestConfigFilesMustBeRegularAndBounded(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "conf.d"), 0o755)
	fifo := filepath.Join(dir, "conf.d", "50-fifo.yml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := load(t, dir); err == nil || !strings.Contains(err.Error(), fifo) || !strings.Contains(err.Error(), "FIFO") {
		t.Errorf("a FIFO in conf.d: %v", err)
	}
	dir = t.TempDir()
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "config.yml")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := load(t, dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("config.yml -> /dev/zero: %v", err)
	}
	dir = t.TempDir()
	write(t, dir, map[string]string{"config.yml": "# " + strings.Repeat("x", MaxFileBytes) + "\n"})
	if _, _, err := load(t, dir); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("a config.yml over %d bytes: %v", MaxFileBytes, err)
	}
}
