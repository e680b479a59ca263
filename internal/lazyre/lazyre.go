// Package lazyre is a regular expression compiled the first time it is
// used instead of at package initialisation: wazo-doctord links the rule
// catalogue and its parsers, and a daemon that only serves its API should
// not pay for compiling every rule's expressions when it starts.
//
// Each expression also knows literals that every match contains (`[Service]`
// in `(?m)^\[Service\]\s*$`), and answers "no match" without running the
// expression on a text that holds none of them. check runs dozens of
// expressions over every file of a checkout, most of them starting with
// `^\s*` or an alternation, which Go's engine cannot skip ahead on: the
// literal search is what keeps a large checkout's check fast.
package lazyre

import (
	"fmt"
	"regexp"
	"sync"
)

// Regexp is a regular expression compiled on first use. Its methods are
// those of regexp.Regexp that the catalogue and the parsers call.
type Regexp struct {
	expr string
	once sync.Once
	re   *regexp.Regexp
	need []literal // a match holds one of these; nil: no such literal known
}

// all is every expression made with New, for CompileAll.
var all []*Regexp

// New returns expr, compiled on first use; a bad expression panics then,
// as regexp.MustCompile would at start, so a test calls CompileAll.
func New(expr string) *Regexp {
	l := &Regexp{expr: expr}
	all = append(all, l)
	return l
}

// CompileAll compiles every expression of the packages linked in, and
// returns the first that does not compile.
func CompileAll() error {
	for _, l := range all {
		if _, err := regexp.Compile(l.expr); err != nil {
			return err
		}
	}
	return nil
}

// Compiled is the compiled expression.
func (l *Regexp) Compiled() *regexp.Regexp {
	l.once.Do(func() {
		l.re = regexp.MustCompile(l.expr)
		l.need = required(l.expr)
	})
	return l.re
}

// String is the source text of the expression.
func (l *Regexp) String() string { return l.expr }

// mayMatch is false when text holds none of the literals every match
// contains, so the expression cannot match it.
func mayMatch[T string | []byte](l *Regexp, text T) bool {
	l.Compiled()
	if l.need == nil {
		return true
	}
	for _, n := range l.need {
		if n.in(text) {
			return true
		}
	}
	return false
}

// guarded answers f(text), or f's "no match" (the zero value) without
// running the expression when text holds none of its literals.
func guarded[T string | []byte, R any](l *Regexp, text T, f func(T) R) R {
	if !mayMatch(l, text) {
		var none R
		return none
	}
	return f(text)
}

func (l *Regexp) Match(b []byte) bool        { return guarded(l, b, l.Compiled().Match) }
func (l *Regexp) MatchString(s string) bool  { return guarded(l, s, l.Compiled().MatchString) }
func (l *Regexp) FindString(s string) string { return guarded(l, s, l.Compiled().FindString) }
func (l *Regexp) FindIndex(b []byte) []int   { return guarded(l, b, l.Compiled().FindIndex) }
func (l *Regexp) FindSubmatch(b []byte) [][]byte {
	return guarded(l, b, l.Compiled().FindSubmatch)
}
func (l *Regexp) FindStringIndex(s string) []int {
	return guarded(l, s, l.Compiled().FindStringIndex)
}
func (l *Regexp) FindStringSubmatch(s string) []string {
	return guarded(l, s, l.Compiled().FindStringSubmatch)
}
func (l *Regexp) FindStringSubmatchIndex(s string) []int {
	return guarded(l, s, l.Compiled().FindStringSubmatchIndex)
}
func (l *Regexp) FindAllString(s string, n int) []string {
	return guarded(l, s, func(s string) []string { return l.re.FindAllString(s, n) })
}
func (l *Regexp) FindAllStringIndex(s string, n int) [][]int {
	return guarded(l, s, func(s string) [][]int { return l.re.FindAllStringIndex(s, n) })
}
func (l *Regexp) FindAllStringSubmatch(s string, n int) [][]string {
	return guarded(l, s, func(s string) [][]string { return l.re.FindAllStringSubmatch(s, n) })
}
func (l *Regexp) FindAllStringSubmatchIndex(s string, n int) [][]int {
	return guarded(l, s, func(s string) [][]int { return l.re.FindAllStringSubmatchIndex(s, n) })
}
func (l *Regexp) FindAllSubmatchIndex(b []byte, n int) [][]int {
	return guarded(l, b, func(b []byte) [][]int { return l.re.FindAllSubmatchIndex(b, n) })
}
func (l *Regexp) FindAllSubmatch(b []byte, n int) [][][]byte {
	return guarded(l, b, func(b []byte) [][][]byte { return l.re.FindAllSubmatch(b, n) })
}

func (l *Regexp) ReplaceAll(src, repl []byte) []byte { return l.Compiled().ReplaceAll(src, repl) }
func (l *Regexp) ReplaceAllString(src, repl string) string {
	return l.Compiled().ReplaceAllString(src, repl)
}
func (l *Regexp) ReplaceAllStringFunc(src string, repl func(string) string) string {
	return l.Compiled().ReplaceAllStringFunc(src, repl)
}
func (l *Regexp) SubexpIndex(name string) int { return l.Compiled().SubexpIndex(name) }

// Verify runs every expression of the packages linked in on text, with and
// without the literal search, and returns an error naming the first whose
// answers differ: a test runs it over real files so a wrong literal cannot
// hide a match.
func Verify(text []byte) error {
	for _, l := range all {
		re := l.Compiled()
		if got, want := l.FindAllSubmatchIndex(text, -1), re.FindAllSubmatchIndex(text, -1); len(got) != len(want) {
			return fmt.Errorf("%q: %d matches with the literal search, %d without", l.expr, len(got), len(want))
		}
	}
	return nil
}
