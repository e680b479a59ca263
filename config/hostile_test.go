package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// aliasBomb is a small document whose aliases expand to 9^7 values.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("log_level: info\nextra:\n  inner:\n    l0: &l0 [x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i <= 7; i++ {
		fmt.Fprintf(&b, "    l%d: &l%d [", i, i)
		for j := 0; j < 9; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*l%d", i-1)
		}
		b.WriteString("]\n")
	}
	return b.String()
}

// mapBomb is the same with mappings, which the merge of layers copies.
func mapBomb() string {
	var b strings.Builder
	b.WriteString("extra:\n  inner:\n    m0: &m0 {a: 1, b: 1, c: 1, d: 1, e: 1, f: 1, g: 1, h: 1, i: 1}\n")
	for i := 1; i <= 7; i++ {
		fmt.Fprintf(&b, "    m%d: &m%d {", i, i)
		for j := 0; j < 9; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "k%d: *m%d", j, i-1)
		}
		b.WriteString("}\n")
	}
	return b.String()
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
