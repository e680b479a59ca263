package lazyre

import (
	"reflect"
	"regexp"
	"testing"
)

// The literals found are the ones every match must hold, and only those.
func TestRequiredLiterals(t *testing.T) {
	for _, c := range []struct {
		expr string
		want []literal
	}{
		{`(?m)^\[Service\]\s*$`, []literal{{"[Service]", false}}},
		{`(?:^|[^\w.])setup_logging\(|xivo_logging\.setup_logging\(`, []literal{{"setup_logging(", false}, {"xivo_logging.setup_logging(", false}}},
		{`(?m)^\s*(rotate\s+\d+|copytruncate|daily|weekly|monthly)\s*$`, []literal{{"rotate", false}, {"copytruncate", false}, {"daily", false}, {"weekly", false}, {"monthly", false}}},
		// k and s also fold to non-ASCII runes: the search keeps to what is around them.
		{`(?i)^\s*check\s+process`, []literal{{"proce", true}}},
		{`(?i)café`, []literal{{"caf", true}}},
		{`x+y?`, []literal{{"x", false}}},
		{`a|b*`, nil},     // a branch matches the empty text
		{`\d+\w\d+`, nil}, // no literal holds
		{`\d+[.,]\d+`, []literal{{",", false}, {".", false}}},
		// Runs of known strings are joined, across the parser's factoring (set(?:uid|resuid)).
		{`\b(change_user|setuid|setresuid)\(`, []literal{{"change_user(", false}, {"setresuid(", false}, {"setuid(", false}}},
		{`(?:ab)?c`, []literal{{"c", false}}},
		{"\uFFFDab", []literal{{"ab", false}}}, // U+FFFD also matches an invalid byte
	} {
		if got := required(c.expr); !reflect.DeepEqual(got, c.want) {
			t.Errorf("required(%q) = %v, want %v", c.expr, got, c.want)
		}
	}
}

// Every method answers as the plain expression does, on texts that hold the
// literals and on texts that do not.
func TestSameAnswersAsTheExpression(t *testing.T) {
	exprs := []string{
		`(?m)^\[Service\]\s*$`,
		`(?:^|[^\w.])setup_logging\(|xivo_logging\.setup_logging\(`,
		`(?mi)^\s*check\s+(process|program|host)\s+\S+`,
		`(?i)kelvin`,
		`a(b+)c|d(e)`,
		"\uFFFD",
	}
	texts := []string{"", "[Service]\n", "x\n[Service]  \ny", "foo.setup_logging(", " setup_logging(x)", "xivo_logging.setup_logging()",
		"CHECK PROCESS x", "  check  Program y\n", "\u212Aelvin", "KELVIN", "abbc dxe de", "\xff", "ab\xffc"}
	for _, e := range exprs {
		l, re := New(e), regexp.MustCompile(e)
		for _, s := range texts {
			b := []byte(s)
			same(t, e, s, "Match", l.Match(b), re.Match(b))
			same(t, e, s, "MatchString", l.MatchString(s), re.MatchString(s))
			same(t, e, s, "FindString", l.FindString(s), re.FindString(s))
			same(t, e, s, "FindIndex", l.FindIndex(b), re.FindIndex(b))
			same(t, e, s, "FindStringIndex", l.FindStringIndex(s), re.FindStringIndex(s))
			same(t, e, s, "FindStringSubmatch", l.FindStringSubmatch(s), re.FindStringSubmatch(s))
			same(t, e, s, "FindSubmatch", l.FindSubmatch(b), re.FindSubmatch(b))
			same(t, e, s, "FindStringSubmatchIndex", l.FindStringSubmatchIndex(s), re.FindStringSubmatchIndex(s))
			same(t, e, s, "FindAllString", l.FindAllString(s, -1), re.FindAllString(s, -1))
			same(t, e, s, "FindAllStringIndex", l.FindAllStringIndex(s, -1), re.FindAllStringIndex(s, -1))
			same(t, e, s, "FindAllStringSubmatch", l.FindAllStringSubmatch(s, -1), re.FindAllStringSubmatch(s, -1))
			same(t, e, s, "FindAllStringSubmatchIndex", l.FindAllStringSubmatchIndex(s, -1), re.FindAllStringSubmatchIndex(s, -1))
			same(t, e, s, "FindAllSubmatchIndex", l.FindAllSubmatchIndex(b, -1), re.FindAllSubmatchIndex(b, -1))
			same(t, e, s, "FindAllSubmatch", l.FindAllSubmatch(b, -1), re.FindAllSubmatch(b, -1))
		}
	}
}

func same(t *testing.T, expr, text, method string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s(%q) on %q = %v, the expression's answer is %v", method, expr, text, got, want)
	}
}

// FuzzSameMatch: on any expression and text, the literal search never says
// "no match" where the expression matches, nor hides one of its matches.
func FuzzSameMatch(f *testing.F) {
	f.Add(`(?m)^\s*location\s+[^{;]*\{`, "  location /x {")
	f.Add(`(?i)\bSsK\b`, "\u017F\u017F\u212A")
	f.Add(`ab|cd+|(?i:EF)`, "xxdddef")
	f.Fuzz(func(t *testing.T, expr, text string) {
		re, err := regexp.Compile(expr)
		if err != nil {
			return
		}
		l := &Regexp{expr: expr}
		if got, want := l.MatchString(text), re.MatchString(text); got != want {
			t.Fatalf("MatchString(%q) on %q = %v, the expression's answer is %v", expr, text, got, want)
		}
		if got, want := l.FindAllSubmatchIndex([]byte(text), -1), re.FindAllSubmatchIndex([]byte(text), -1); !reflect.DeepEqual(got, want) {
			t.Fatalf("FindAllSubmatchIndex(%q) on %q = %v, the expression's answer is %v", expr, text, got, want)
		}
	})
}

// Verify finds no disagreement on a text the expressions of this package
// meet, and names one when an expression's literals are wrong.
func TestVerifyNamesADisagreement(t *testing.T) {
	saved := all
	defer func() { all = saved }()
	New(`(?m)^\[Service\]\s*$`)
	if err := Verify([]byte("[Service]\nExecStart=/x\n")); err != nil {
		t.Fatal(err)
	}
	wrong := New(`b`)
	wrong.Compiled()
	wrong.need = []literal{{"zz", false}}
	if err := Verify([]byte("abc")); err == nil {
		t.Error("Verify missed an expression whose literal search hides its match")
	}
}
