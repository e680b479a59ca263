package lazyre

import (
	"bytes"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// literal is a string a match must contain, compared byte for byte or,
// with fold, ASCII letters in either case.
type literal struct {
	s    string
	fold bool
}

// maxAlternatives bounds the literals an expression's matches may hold one
// of; past it the search would cost more than it saves.
const maxAlternatives = 8

// required returns literals of which every match of expr holds at least
// one, or nil when none can be told (the expression is then always run).
// It reads the expression as regexp.Compile does (Perl syntax, simplified).
func required(expr string) []literal {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	return need(re.Simplify())
}

// need is required for one node of the syntax tree.
func need(re *syntax.Regexp) []literal {
	if set, ok := exact(re); ok {
		return plain(set)
	}
	switch re.Op {
	case syntax.OpLiteral:
		if s := longestPlain(re.Rune, re.Flags&syntax.FoldCase != 0); s != "" {
			return []literal{{s, re.Flags&syntax.FoldCase != 0}}
		}
	case syntax.OpCapture, syntax.OpPlus:
		return need(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return need(re.Sub[0])
		}
	case syntax.OpConcat:
		// Every part matches: of the parts, and of the runs of parts
		// whose strings are known (`set` then `uid|resuid`: setuid or
		// setresuid), the one with the most telling literals.
		var best []literal
		better := func(n []literal) {
			if n != nil && (best == nil || shortest(n) > shortest(best)) {
				best = n
			}
		}
		run := []string{""}
		for _, sub := range re.Sub {
			set, ok := exact(sub)
			if ok {
				if next := product(run, set); next != nil {
					run = next
					continue
				}
			}
			better(plain(run))
			run = []string{""}
			if ok {
				run = set
			} else {
				better(need(sub))
			}
		}
		better(plain(run))
		return best
	case syntax.OpAlternate:
		// One branch matches: one of every branch's literals.
		var either []literal
		for _, sub := range re.Sub {
			n := need(sub)
			if n == nil {
				return nil
			}
			either = append(either, n...)
		}
		if len(either) <= maxAlternatives {
			return either
		}
	}
	return nil
}

// maxExact bounds the strings exact lists for one node.
const maxExact = 4 * maxAlternatives

// exact returns every string re matches, when they are few and each is
// found exactly by a byte search: literals (not case-folded, no U+FFFD),
// small character classes, and concatenations, alternations and options
// of those. An empty-width assertion (^, $, \b) matches "": what it asks
// of the text around does not change the strings a match holds.
func exact(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return []string{""}, true
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 || slices.Contains(re.Rune, utf8.RuneError) {
			return nil, false
		}
		return []string{string(re.Rune)}, true
	case syntax.OpCharClass:
		var set []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if r == utf8.RuneError || len(set) == maxAlternatives {
					return nil, false
				}
				set = append(set, string(r))
			}
		}
		return set, len(set) > 0
	case syntax.OpCapture:
		return exact(re.Sub[0])
	case syntax.OpQuest:
		if set, ok := exact(re.Sub[0]); ok && len(set) < maxExact {
			return append(set, ""), true
		}
	case syntax.OpConcat:
		run := []string{""}
		for _, sub := range re.Sub {
			set, ok := exact(sub)
			if !ok {
				return nil, false
			}
			if run = product(run, set); run == nil {
				return nil, false
			}
		}
		return run, true
	case syntax.OpAlternate:
		var set []string
		for _, sub := range re.Sub {
			s, ok := exact(sub)
			if !ok || len(set)+len(s) > maxExact {
				return nil, false
			}
			set = append(set, s...)
		}
		return set, true
	}
	return nil, false
}

// product is every string of a followed by one of b, or nil past maxExact.
func product(a, b []string) []string {
	if len(a)*len(b) > maxExact {
		return nil
	}
	out := make([]string, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, x+y)
		}
	}
	return out
}

// plain is a set of exact strings as the literals to search for, leaving
// out a string that holds another of the set (abc when c is there); nil
// when one is empty (every text holds it) or there are too many.
func plain(set []string) []literal {
	if slices.Contains(set, "") {
		return nil
	}
	var out []literal
	for i, s := range set {
		redundant := false
		for j, t := range set {
			if j != i && strings.Contains(s, t) && (s != t || j < i) {
				redundant = true
				break
			}
		}
		if !redundant {
			out = append(out, literal{s: s})
		}
	}
	if len(out) > maxAlternatives {
		return nil
	}
	slices.SortFunc(out, func(a, b literal) int { return strings.Compare(a.s, b.s) })
	return out
}

// shortest is the length of the shortest literal of a set.
func shortest(set []literal) int {
	m := len(set[0].s)
	for _, l := range set[1:] {
		m = min(m, len(l.s))
	}
	return m
}

// longestPlain is the longest run of runes of a literal that a byte search
// finds exactly: no U+FFFD (the engine reads an invalid byte as one), and
// when case is folded only ASCII whose every case form is ASCII (not k or
// s, which also match the Kelvin sign and the long s).
func longestPlain(runes []rune, fold bool) string {
	var best, cur strings.Builder
	flush := func() {
		if cur.Len() > best.Len() {
			best.Reset()
			best.WriteString(cur.String())
		}
		cur.Reset()
	}
	for _, r := range runes {
		if r == utf8.RuneError || (fold && !asciiFold(r)) {
			flush()
			continue
		}
		if fold {
			r = unicode.ToLower(r)
		}
		cur.WriteRune(r)
	}
	flush()
	return best.String()
}

// asciiFold reports whether r and every rune it folds to are ASCII.
func asciiFold(r rune) bool {
	if r >= utf8.RuneSelf {
		return false
	}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// in reports whether text holds the literal.
func (l literal) in(text any) bool {
	switch t := text.(type) {
	case string:
		if !l.fold {
			return strings.Contains(t, l.s)
		}
		return indexFold(t, l.s)
	case []byte:
		if !l.fold {
			return bytes.Contains(t, []byte(l.s))
		}
		return indexFold(t, l.s)
	}
	return true
}

// indexFold reports whether text holds lit with ASCII letters in either case.
func indexFold[T string | []byte](text T, lit string) bool {
	if len(lit) == 0 {
		return true
	}
	lo, up := lower(lit[0]), upper(lit[0])
	for i := 0; i+len(lit) <= len(text); i++ {
		if c := text[i]; c != lo && c != up {
			continue
		}
		j := 1
		for j < len(lit) && lower(text[i+j]) == lower(lit[j]) {
			j++
		}
		if j == len(lit) {
			return true
		}
	}
	return false
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}
