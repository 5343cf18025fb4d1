package clusterquery

import (
	"fmt"
	"regexp"
	"strings"
)

// regexError is a pattern that cannot be used: the byte index in the pattern
// where the problem is, and what it is.
type regexError struct {
	index int
	msg   string
}

// compilePattern compiles a Java regular expression to a Go one that, like
// Java's Matcher.matches, matches whole values only.
func compilePattern(pattern string) (*regexp.Regexp, *regexError) {
	closeQuote, problem := checkJavaOnly(pattern)
	if problem != nil {
		return nil, problem
	}
	if closeQuote {
		// Java and RE2 both let \Q run to the end of the pattern; close it
		// so that it does not swallow the ")$" added below.
		pattern += `\E`
	}
	// Compile the pattern alone first, so that one like "a)|(b" is rejected
	// rather than turned into something else by the wrapping.
	if _, err := regexp.Compile(pattern); err != nil {
		return nil, &regexError{msg: "invalid regular expression: " + err.Error()}
	}
	re, err := regexp.Compile(`^(?:` + pattern + `)$`)
	if err != nil {
		return nil, &regexError{msg: "invalid regular expression: " + err.Error()}
	}
	return re, nil
}

// unsupported describes a Java construct that RE2 lacks.
func unsupported(index int, construct string) *regexError {
	return &regexError{
		index: index,
		msg:   fmt.Sprintf("%s is not supported (Java regex feature missing from Go's RE2)", construct),
	}
}

// checkJavaOnly finds the first construct of Java's regular expression
// syntax that Go's RE2 does not support, or would read differently. It
// does not validate the rest: regexp.Compile does that. openQuote reports
// a \Q that no \E closes.
func checkJavaOnly(re string) (openQuote bool, problem *regexError) {
	inClass := false
	classBody := 0 // index of the first byte inside the current class
	for i := 0; i < len(re); i++ {
		c := re[i]
		if c == '\\' {
			if i+1 == len(re) {
				return false, nil // a trailing backslash; Compile reports it
			}
			switch next := re[i+1]; {
			case next == 'Q':
				end := strings.Index(re[i+2:], `\E`)
				if end < 0 {
					return true, nil
				}
				i += 2 + end + 1 // on the E
				continue
			case inClass:
			case next >= '1' && next <= '9':
				return false, unsupported(i, "backreference "+re[i:i+2])
			case next == 'k' && i+2 < len(re) && re[i+2] == '<':
				return false, unsupported(i, `named backreference \k<name>`)
			}
			i++
			continue
		}
		if inClass {
			switch {
			case c == '[':
				return false, unsupported(i, "nested character class (union) [a[b]]")
			case c == '&' && i+1 < len(re) && re[i+1] == '&':
				return false, unsupported(i, "character class intersection &&")
			case c == ']' && i > classBody:
				inClass = false
			}
			continue
		}
		switch c {
		case '[':
			inClass = true
			classBody = i + 1
			if classBody < len(re) && re[classBody] == '^' {
				classBody++
			}
		case '(':
			if problem := checkGroup(re, i); problem != nil {
				return false, problem
			}
			if i+1 < len(re) && re[i+1] == '?' {
				i++ // "(?" opens a group; the ? is not a quantifier
			}
		case '*', '+', '?':
			end, problem := checkQuantifierSuffix(re, i)
			if problem != nil {
				return false, problem
			}
			i = end
		case '{':
			if end, ok := repetitionEnd(re, i); ok {
				end, problem := checkQuantifierSuffix(re, end)
				if problem != nil {
					return false, problem
				}
				i = end
			}
		}
	}
	return false, nil
}

// checkGroup checks the group that opens at re[i], a "(".
func checkGroup(re string, i int) *regexError {
	s := re[i:]
	switch {
	case strings.HasPrefix(s, "(?="), strings.HasPrefix(s, "(?!"):
		return unsupported(i, "lookahead "+s[:3])
	case strings.HasPrefix(s, "(?<="), strings.HasPrefix(s, "(?<!"):
		return unsupported(i, "lookbehind "+s[:4])
	case strings.HasPrefix(s, "(?>"):
		return unsupported(i, "atomic group (?>")
	case strings.HasPrefix(s, "(?"):
		// Flags, as in (?i) or (?i-s:...). Java's U is
		// UNICODE_CHARACTER_CLASS; RE2's U is ungreedy matching.
		for j := 2; j < len(s) && (isLetter(s[j]) || s[j] == '-'); j++ {
			if s[j] == 'U' {
				return &regexError{
					index: i + j,
					msg:   "flag U is not supported (Java's UNICODE_CHARACTER_CLASS, but ungreedy matching in Go's RE2)",
				}
			}
		}
	}
	return nil
}

// checkQuantifierSuffix looks at what follows the quantifier that ends at
// re[i]: a "+" makes it possessive, which RE2 lacks; a "?" makes it lazy.
// It returns the index of the quantifier's last byte.
func checkQuantifierSuffix(re string, i int) (int, *regexError) {
	if i+1 < len(re) {
		switch re[i+1] {
		case '+':
			return i, unsupported(i, "possessive quantifier "+re[i:i+2])
		case '?':
			return i + 1, nil
		}
	}
	return i, nil
}

// repetitionEnd reports whether re[i], a "{", opens a repetition {n},
// {n,} or {n,m}, and returns the index of its "}". Otherwise the brace is a
// literal.
func repetitionEnd(re string, i int) (int, bool) {
	j := skipDigits(re, i+1)
	if j == i+1 {
		return 0, false
	}
	if j < len(re) && re[j] == ',' {
		j = skipDigits(re, j+1)
	}
	if j < len(re) && re[j] == '}' {
		return j, true
	}
	return 0, false
}

func isLetter(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}
