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
	end, _ := scanBare(s, start, ctx)
	return end
}

// scanBare is bareEnd, also returning how many "(" inside the literal are
// left open at its end.
func scanBare(s string, start int, ctx literalContext) (end, open int) {
	for i := start; i < len(s); i++ {
		switch c := s[i]; {
		case isSpace(c):
			return i, open
		case c == '\\':
			if i+1 < len(s) && !isSpace(s[i+1]) {
				i++
			}
		case c == '(':
			open++
		case c == ')':
			if open == 0 {
				return i, open
			}
			open--
		case ctx == contextList && (c == ',' || c == ']'):
			return i, open
		}
	}
	return len(s), open
}

// canBeBare reports whether v, written without quotes in ctx and followed
// by whatever may follow a literal there, reads back as exactly v. In a
// list that is "," or "]", which end a literal whatever it holds; elsewhere
// it may be ")", which an open "(" in v would take in.
func canBeBare(v string, ctx literalContext) bool {
	if v == "" || isQuote(v[0]) || (ctx != contextPattern && v[0] == '[') || danglingBackslash(v) {
		return false
	}
	end, open := scanBare(v, 0, ctx)
	return end == len(v) && (open == 0 || ctx == contextList)
}

// danglingBackslash reports whether v ends with a backslash that escapes
// nothing (an odd run of backslashes), which in a bare literal would
// escape the byte that follows it.
func danglingBackslash(v string) bool {
	n := len(v) - len(strings.TrimRight(v, `\`))
	return n%2 == 1
}

// quoteLiteral writes v as a literal that reads back as v in ctx: bare when
// it can be, else quoted. Quoted literals have no escapes, so v is quoted
// with a character it does not contain.
//
// Parse produces values with both quote characters only from bare literals.
// Such a value can be written bare again, but when it ends in a dangling
// backslash, or leaves a "(" open, it must have been followed by whitespace
// or the end; so it is written with a space after it, which ends it before
// whatever follows.
func quoteLiteral(v string, ctx literalContext) string {
	switch {
	case canBeBare(v, ctx):
		return v
	case !strings.Contains(v, "'"):
		return "'" + v + "'"
	case !strings.Contains(v, `"`):
		return `"` + v + `"`
	default:
		return v + " "
	}
}
