package clusterquery

import "strings"

// literalContext is where a literal appears. It decides where a bare
// literal ends and whether it may start with "[".
type literalContext uint8

const (
	contextScalar  literalContext = iota + 1 // the argument of == != > >= < <=
	contextPattern                           // the argument of =~ and !~
	contextList                              // an element of an in or !in list
)

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

func isQuote(c byte) bool { return c == '\'' || c == '"' }

// bareEnd returns the index in s at which a bare literal starting at start
// ends: the first whitespace, or the first ")" that closes no "(" opened
// inside the literal, or, in a list, the first "," or "]". A backslash
// keeps the next byte, unless it is whitespace, from ending the literal.
func bareEnd(s string, start int, ctx literalContext) int {
	depth := 0
	for i := start; i < len(s); i++ {
		switch c := s[i]; {
		case isSpace(c):
			return i
		case c == '\\':
			if i+1 < len(s) && !isSpace(s[i+1]) {
				i++
			}
		case c == '(':
			depth++
		case c == ')':
			if depth == 0 {
				return i
			}
			depth--
		case ctx == contextList && (c == ',' || c == ']'):
			return i
		}
	}
	return len(s)
}

// canBeBare reports whether v, written without quotes in ctx, reads back as
// exactly v.
func canBeBare(v string, ctx literalContext) bool {
	if v == "" || isQuote(v[0]) || (ctx != contextPattern && v[0] == '[') {
		return false
	}
	return bareEnd(v, 0, ctx) == len(v)
}

// quoteLiteral writes v as a literal that reads back as v in ctx: bare when
// it can be, else quoted. Quoted literals have no escapes, so v is quoted
// with a character it does not contain. Parse never produces a value that
// needs quoting and contains both quote characters: such a value can only
// come from a bare literal, which can be written bare again.
func quoteLiteral(v string, ctx literalContext) string {
	switch {
	case canBeBare(v, ctx):
		return v
	case !strings.Contains(v, "'"):
		return "'" + v + "'"
	default:
		return `"` + v + `"`
	}
}
