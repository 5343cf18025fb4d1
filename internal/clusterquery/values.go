package clusterquery

import (
	"strconv"
	"strings"
	"time"
)

// validVersion reports whether v is a dotted version number such as 1.14.5:
// one or more runs of decimal digits separated by single dots.
func validVersion(v string) bool {
	afterDot := true // at the start, or just after a dot
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '.' && !afterDot:
			afterDot = true
		case c >= '0' && c <= '9':
			afterDot = false
		default:
			return false
		}
	}
	return !afterDot
}

// compareVersions compares two dotted version numbers component by
// component, numerically; a missing component counts as 0, so 1.14 equals
// 1.14.0. ok is false when either is not a version number. It does not
// allocate, and components of any length compare correctly.
func compareVersions(a, b string) (order int, ok bool) {
	if !validVersion(a) || !validVersion(b) {
		return 0, false
	}
	for a != "" || b != "" {
		var pa, pb string
		pa, a, _ = strings.Cut(a, ".")
		pb, b, _ = strings.Cut(b, ".")
		if c := compareDigits(pa, pb); c != 0 {
			return c, true
		}
	}
	return 0, true
}

// compareDigits compares two runs of decimal digits as numbers; an empty run
// is 0.
func compareDigits(a, b string) int {
	a = strings.TrimLeft(a, "0")
	b = strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseCount parses the argument of runningTasksCount: a non-negative
// decimal integer.
func parseCount(s string) (int, bool) {
	if s == "" || !allDigits(s) {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// parseRegisteredAt parses the argument of registeredAt in one of the
// formats the ECS documentation lists. Without a zone the time is UTC.
func parseRegisteredAt(s string) (time.Time, bool) {
	for _, layout := range [...]string{time.RFC3339, "2006-01-02T15:04:05", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseDecimal parses s as a decimal number: an optional sign, digits with
// an optional fraction, and an optional exponent ("-1.5", "10", "2e3").
// Unlike strconv.ParseFloat it rejects hexadecimal, underscores, "Inf",
// "NaN", and values out of float64's range.
func parseDecimal(s string) (float64, bool) {
	if !isDecimal(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false
	}
	return f, true
}

func isDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	intDigits := skipDigits(s, i) - i
	i += intDigits
	fracDigits := 0
	if i < len(s) && s[i] == '.' {
		i++
		fracDigits = skipDigits(s, i) - i
		i += fracDigits
	}
	if intDigits+fracDigits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		expDigits := skipDigits(s, i) - i
		if expDigits == 0 {
			return false
		}
		i += expDigits
	}
	return i == len(s)
}

// skipDigits returns the index of the first byte at or after i that is not
// a decimal digit.
func skipDigits(s string, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}
