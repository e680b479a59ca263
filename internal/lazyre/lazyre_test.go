package lazyre

import "testing"

func TestCompiledOnFirstUseOnly(t *testing.T) {
	l := New(`^a(b+)$`)
	if l.re != nil {
		t.Fatal("compiled before first use")
	}
	if m := l.FindStringSubmatch("abb"); len(m) != 2 || m[1] != "bb" {
		t.Fatalf("FindStringSubmatch = %q", m)
	}
	if first, again := l.Compiled(), l.Compiled(); first != again {
		t.Error("compiled twice")
	}
}

func TestCompileAllNamesABadExpression(t *testing.T) {
	saved := all
	defer func() { all = saved }()
	New(`(unclosed`)
	if err := CompileAll(); err == nil {
		t.Error("CompileAll accepted `(unclosed`")
	}
}
