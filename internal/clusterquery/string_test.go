package clusterquery_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tandem-ecs/tandem/internal/clusterquery"
)

func TestStringCanonical(t *testing.T) {
	tests := []struct {
		name string
		expr string
		want string
	}{
		{"word operator", "attribute:ecs.instance-type equals t2.small", "attribute:ecs.instance-type == t2.small"},
		{"every negative word operator", "attribute:a not_equals x and attribute:b not_in [x] and attribute:c not_matches x and attribute:d not_exists",
			"attribute:a != x and attribute:b !in [x] and attribute:c !~ x and attribute:d !exists"},
		{"ordering word operators", "runningTasksCount greater_than 1 or runningTasksCount greater_than_equal 2 or runningTasksCount less_than 3 or runningTasksCount less_than_equal 4",
			"runningTasksCount > 1 or runningTasksCount >= 2 or runningTasksCount < 3 or runningTasksCount <= 4"},
		{"symbols become words", "!attribute:a exists || attribute:b exists && attribute:c exists",
			"not(attribute:a exists) or attribute:b exists and attribute:c exists"},
		{"needed parentheses kept", "(attribute:a exists or attribute:b exists) and attribute:c exists",
			"(attribute:a exists or attribute:b exists) and attribute:c exists"},
		{"redundant parentheses dropped", "((attribute:a exists)) or (attribute:b exists and attribute:c exists)",
			"attribute:a exists or attribute:b exists and attribute:c exists"},
		{"explicit grouping of and kept", "attribute:a exists and (attribute:b exists and attribute:c exists)",
			"attribute:a exists and (attribute:b exists and attribute:c exists)"},
		{"not of a compound", "not (attribute:a exists or attribute:b exists)", "not(attribute:a exists or attribute:b exists)"},
		{"needless quotes dropped", `ec2InstanceId in ['i-abcd1234', "i-wxyx7890"]`, "ec2InstanceId in [i-abcd1234, i-wxyx7890]"},
		{"quotes kept for spaces", "attribute:x == 'a b'", "attribute:x == 'a b'"},
		{"double quotes for a single quote", `attribute:x == "it's here"`, `attribute:x == "it's here"`},
		{"no quotes for an inner quote", `attribute:x == "it's"`, "attribute:x == it's"},
		{"quotes kept for the empty value", `attribute:x == ""`, "attribute:x == ''"},
		{"quotes kept for an unbalanced )", "attribute:x == 'a)'", "attribute:x == 'a)'"},
		{"quotes kept for a leading [", "attribute:x == '[a]'", "attribute:x == '[a]'"},
		{"quotes kept for , and ] in a list", `attribute:x in ['a,b', "c]"]`, "attribute:x in ['a,b', 'c]']"},
		{"quotes for a trailing backslash", `attribute:x in [a\ ] or not(attribute:y == b\ )`, `attribute:x in ['a\'] or not(attribute:y == 'b\')`},
		{"space after a trailing backslash when quotes cannot be used", `attribute:x in [a'"\ , b]`, `attribute:x in [a'"\ , b]`},
		{"quotes for an open ( before )", "not(attribute:x != ( )", "not(attribute:x != '(')"},
		{"space after an open ( when quotes cannot be used", `not(attribute:x == ('" )`, `not(attribute:x == ('" )`},
		{"an open ( in a list stays bare", "attribute:x in [(, a(b]", "attribute:x in [(, a(b]"},
		{"paired backslashes stay bare", `attribute:x in [a\\]`, `attribute:x in [a\\]`},
		{"quotes dropped from a regex", "attribute:x =~ '(t2|m4).*'", "attribute:x =~ (t2|m4).*"},
		{"quotes dropped from a regex class", "attribute:x =~ '[ab]c'", "attribute:x =~ [ab]c"},
		{"quotes kept for a regex with a space", "attribute:x =~ 'a b'", "attribute:x =~ 'a b'"},
		{"arguments keep their spelling", "registeredAt > 2018-06-18T22:28:28+00:00 and agentVersion < 01.2",
			"registeredAt > 2018-06-18T22:28:28+00:00 and agentVersion < 01.2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := clusterquery.MustParse(tc.expr).String(); got != tc.want {
				t.Errorf("Parse(%q).String() = %q, want %q", tc.expr, got, tc.want)
			}
		})
	}
}

// TestStringRoundTrip checks that, for every valid case, the canonical
// form parses back to an expression that prints the same and matches the
// same instances.
func TestStringRoundTrip(t *testing.T) {
	for _, tc := range validCases() {
		t.Run(tc.name, func(t *testing.T) {
			e := clusterquery.MustParse(tc.expr)
			canonical := e.String()
			again, err := clusterquery.Parse(canonical)
			if err != nil {
				t.Fatalf("Parse(%q) (the canonical form of %q): %v", canonical, tc.expr, err)
			}
			if got := again.String(); got != canonical {
				t.Errorf("Parse(%q).String() = %q, want it unchanged", canonical, got)
			}
			if diff := cmp.Diff(matching(e), matching(again)); diff != "" {
				t.Errorf("Parse(%q) and its canonical form %q match different instances (-original +canonical):\n%s", tc.expr, canonical, diff)
			}
			if got, want := again.Dynamic(), e.Dynamic(); got != want {
				t.Errorf("Parse(%q).Dynamic() = %v, want %v as for %q", canonical, got, want, tc.expr)
			}
		})
	}
}

// FuzzParse checks that Parse never panics, that its errors are
// *SyntaxError with an offset inside the expression, and that a parsed
// expression's canonical form parses back to an equal expression.
func FuzzParse(f *testing.F) {
	for _, tc := range validCases() {
		f.Add(tc.expr)
	}
	for _, tc := range errorCases {
		f.Add(tc.expr)
	}
	targets := fleet()
	f.Fuzz(func(t *testing.T, expr string) {
		e, err := clusterquery.Parse(expr)
		if err != nil {
			var se *clusterquery.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error is %T, want *SyntaxError: %v", expr, err, err)
			}
			if se.Offset < 0 || se.Offset > len(expr) {
				t.Fatalf("Parse(%q) error Offset = %d, outside [0, %d]", expr, se.Offset, len(expr))
			}
			return
		}
		canonical := e.String()
		again, err := clusterquery.Parse(canonical)
		if err != nil {
			t.Fatalf("Parse(%q) (the canonical form of %q): %v", canonical, expr, err)
		}
		if got := again.String(); got != canonical {
			t.Fatalf("Parse(%q).String() = %q, want it unchanged (from %q)", canonical, got, expr)
		}
		if again.Dynamic() != e.Dynamic() {
			t.Fatalf("Parse(%q).Dynamic() = %v, but Parse(%q).Dynamic() = %v", canonical, again.Dynamic(), expr, e.Dynamic())
		}
		for _, target := range targets {
			if got, want := again.Match(target), e.Match(target); got != want {
				t.Fatalf("on %s, Parse(%q).Match = %v, but Parse(%q).Match = %v", target.name, canonical, got, expr, want)
			}
		}
	})
}
