package lazyre

import (
	"bytes"
	"regexp/syntax"
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
		// Every part matches: the part with the most telling literals.
		var best []literal
		for _, sub := range re.Sub {
			if n := need(sub); n != nil && (best == nil || shortest(n) > shortest(best)) {
				best = n
			}
		}
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
