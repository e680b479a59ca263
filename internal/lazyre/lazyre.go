// Package lazyre is a regular expression compiled the first time it is
// used instead of at package initialisation: wazo-doctord links the rule
// catalogue and its parsers, and a daemon that only serves its API should
// not pay for compiling every rule's expressions when it starts.
package lazyre

import (
	"regexp"
	"sync"
)

// Regexp is a regular expression compiled on first use. Its methods are
// those of regexp.Regexp that the catalogue and the parsers call.
type Regexp struct {
	expr string
	once sync.Once
	re   *regexp.Regexp
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
	l.once.Do(func() { l.re = regexp.MustCompile(l.expr) })
	return l.re
}

// String is the source text of the expression.
func (l *Regexp) String() string { return l.expr }

func (l *Regexp) Match(b []byte) bool                  { return l.Compiled().Match(b) }
func (l *Regexp) MatchString(s string) bool            { return l.Compiled().MatchString(s) }
func (l *Regexp) FindString(s string) string           { return l.Compiled().FindString(s) }
func (l *Regexp) FindStringIndex(s string) []int       { return l.Compiled().FindStringIndex(s) }
func (l *Regexp) FindStringSubmatch(s string) []string { return l.Compiled().FindStringSubmatch(s) }
func (l *Regexp) FindSubmatch(b []byte) [][]byte       { return l.Compiled().FindSubmatch(b) }
func (l *Regexp) FindStringSubmatchIndex(s string) []int {
	return l.Compiled().FindStringSubmatchIndex(s)
}
func (l *Regexp) FindAllString(s string, n int) []string {
	return l.Compiled().FindAllString(s, n)
}
func (l *Regexp) FindAllStringIndex(s string, n int) [][]int {
	return l.Compiled().FindAllStringIndex(s, n)
}
func (l *Regexp) FindAllStringSubmatch(s string, n int) [][]string {
	return l.Compiled().FindAllStringSubmatch(s, n)
}
func (l *Regexp) FindAllStringSubmatchIndex(s string, n int) [][]int {
	return l.Compiled().FindAllStringSubmatchIndex(s, n)
}
func (l *Regexp) FindAllSubmatchIndex(b []byte, n int) [][]int {
	return l.Compiled().FindAllSubmatchIndex(b, n)
}
func (l *Regexp) ReplaceAll(src, repl []byte) []byte { return l.Compiled().ReplaceAll(src, repl) }
func (l *Regexp) ReplaceAllString(src, repl string) string {
	return l.Compiled().ReplaceAllString(src, repl)
}
func (l *Regexp) ReplaceAllStringFunc(src string, repl func(string) string) string {
	return l.Compiled().ReplaceAllStringFunc(src, repl)
}
func (l *Regexp) SubexpIndex(name string) int { return l.Compiled().SubexpIndex(name) }
func (l *Regexp) FindAllSubmatch(b []byte, n int) [][][]byte {
	return l.Compiled().FindAllSubmatch(b, n)
}
