package clusterquery_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/tandem-ecs/tandem/internal/clusterquery"
)

// errorCase is an expression that must not parse.
type errorCase struct {
	name string
	expr string
	at   string // the error's offset is where at first occurs in expr; "$" is the end
	msg  string // the error message contains this
}

func (c errorCase) offset() int {
	if c.at == "$" {
		return len(c.expr)
	}
	return strings.Index(c.expr, c.at)
}

var deeplyNested = strings.Repeat("(", 101) + "attribute:a exists" + strings.Repeat(")", 101)

var errorCases = []errorCase{
	{"empty", "", "$", "empty expression"},
	{"only whitespace", " \t\n", "$", "empty expression"},

	{"unknown subject", "instanceType == t2.small", "instanceType", `unknown subject "instanceType"`},
	{"subject in the wrong case", "AgentConnected == true", "AgentConnected", "unknown subject"},
	{"connective where a subject belongs", "and attribute:a exists", "and", `unknown subject "and"`},
	{"attribute without a name", "attribute: == x", "attribute:", "needs a name"},
	{"attribute name with a colon", "attribute:a:b == x", ":b", "contains ':'"},
	{"no subject", "== x", "==", "expected a condition"},
	{"no subject after and", "attribute:a exists and", "$", "expected a condition, (, or not at the end"},
	{"no subject after not", "not", "$", "expected a condition"},
	{"empty parentheses", "()", ")", "expected a condition"},

	{"missing operator", "attribute:stack", "$", "missing operator after attribute:stack"},
	{"single =", "attribute:stack = prod", "= prod", `unknown operator "="`},
	{"unknown word operator", "attribute:stack like prod", "like", `unknown operator "like"`},
	{"uppercase word operator", "attribute:stack EQUALS prod", "EQUALS", "unknown operator"},
	{"unknown ! operator", "attribute:stack !like prod", "!like", "unknown operator"},
	{"operator word run into text", "attribute:stack exists2", "exists2", "unknown operator"},

	{"missing argument", "attribute:stack ==", "$", "missing argument after =="},
	{"missing argument before )", "(attribute:stack ==)", ")", "missing argument after =="},
	{"missing argument list", "attribute:stack in", "$", "missing argument list"},
	{"in without a list", "attribute:stack in prod", "prod", "needs an argument list"},
	{"list after ==", "attribute:stack == [prod]", "[", "argument list is only valid after in or !in"},
	{"argument after exists", "attribute:stack exists prod", "prod", `unexpected "prod"`},

	{"unbalanced (", "(attribute:stack == prod", "(", "unbalanced parentheses: ( has no matching )"},
	{"unbalanced ( nested", "((attribute:stack exists)", "(", "( has no matching )"},
	{"unbalanced )", "attribute:stack == prod)", ")", "unbalanced parentheses: ) has no matching ("},
	{"unbalanced ) after exists", "attribute:stack exists))", ")", ") has no matching ("},
	{"unbalanced ( before junk", "(attribute:stack exists prod)", "prod", `expected and, or, or )`},
	{"too deeply nested", deeplyNested, "(attribute", "nests more than 100 levels"},                                      // the 101st (
	{"too many nots", strings.Repeat("not ", 101) + "attribute:a exists", "not attribute", "nests more than 100 levels"}, // the 101st not

	{"bad list: no closing ]", "attribute:stack in [prod, dev", "[", "bad argument list: [ has no matching ]"},
	{"bad list: no closing ] after ,", "attribute:stack in [prod,", "[", "bad argument list"},
	{"bad list: missing comma", "attribute:stack in [prod dev]", "dev", `bad argument list: unexpected "dev]"`},
	{"bad list: empty", "attribute:stack in []", "]", "bad argument list: the list is empty"},
	{"bad list: trailing comma", "attribute:stack in [prod,]", "]", "bad argument list: expected a value after ,"},
	{"bad list: leading comma", "attribute:stack in [,prod]", ",", "bad argument list: expected a value"},
	{"bad list: double comma", "attribute:stack in [prod,,dev]", ",dev", "bad argument list: expected a value"},
	{"bad list: nested", "attribute:stack in [[prod]]", "[prod", "lists do not nest"},
	{"bad list: closed by )", "attribute:stack in [prod)", ")", "bad argument list"},

	{"unterminated single quote", "attribute:stack == 'prod", "'", "unterminated quoted literal"},
	{"unterminated double quote in a list", `attribute:stack in [prod, "dev]`, `"`, "unterminated quoted literal"},

	{"bad date: month 13", "registeredAt < 2018-13-01", "2018", `bad date "2018-13-01"`},
	{"bad date: words", "registeredAt < yesterday", "yesterday", "bad date"},
	{"bad date: hour 25", "registeredAt > 2018-02-13T25:00:00Z", "2018", "bad date"},
	{"bad date: other format", "registeredAt > 18/06/2018", "18/", "bad date"},
	{"bad date: year only", "registeredAt > 2018", "2018", "bad date"},
	{"bad date: in an or", "agentConnected == true or registeredAt >= 2018-02-30", "2018", "bad date"},

	{"bad integer: word", "runningTasksCount == one", "one", `bad integer "one"`},
	{"bad integer: negative", "runningTasksCount > -1", "-1", "bad integer"},
	{"bad integer: fraction", "runningTasksCount > 1.5", "1.5", "bad integer"},
	{"bad integer: overflow", "runningTasksCount == 99999999999999999999999", "9", "bad integer"},
	{"bad integer: empty quoted", "runningTasksCount == ''", "''", "bad integer"},

	{"bad version: double dot", "agentVersion < 1..2", "1..2", `bad version "1..2"`},
	{"bad version: v prefix", "agentVersion < v1.2", "v1.2", "bad version"},
	{"bad version: trailing dot", "agentVersion >= 1.2.", "1.2.", "bad version"},

	{"bad agentConnected value", "agentConnected == yes", "yes", `agentConnected is true or false, not "yes"`},
	{"bad agentConnected value in a list", "agentConnected in [true, TRUE]", "TRUE", "agentConnected is true or false"},

	{"agentConnected >", "agentConnected > true", ">", "operator > is not valid for agentConnected, which accepts == != in !in =~ !~"},
	{"agentConnected exists", "agentConnected exists", "exists", "not valid for agentConnected"},
	{"agentVersion in", "agentVersion in [1.0]", "in", "operator in is not valid for agentVersion, which accepts == != > >= < <="},
	{"agentVersion matches", "agentVersion matches 1.*", "matches", "operator matches is not valid for agentVersion"},
	{"ec2InstanceId <", "ec2InstanceId < i-1", "<", "not valid for ec2InstanceId"},
	{"ec2InstanceId exists", "ec2InstanceId exists", "exists", "not valid for ec2InstanceId"},
	{"registeredAt =~", "registeredAt =~ 2018.*", "=~", "not valid for registeredAt"},
	{"registeredAt not_in", "registeredAt not_in [2018-01-01]", "not_in", "operator not_in is not valid for registeredAt"},
	{"runningTasksCount in", "runningTasksCount in [1]", "in [", "not valid for runningTasksCount"},
	{"runningTasksCount !exists", "runningTasksCount !exists", "!exists", "not valid for runningTasksCount"},
	{"task:group >", "task:group > a", ">", "not valid for task:group"},
	{"task:group exists", "task:group exists", "exists", "operator exists is not valid for task:group"},

	{"trailing literal", "attribute:stack == prod dev", "dev", `unexpected "dev"; expected and, or, or the end`},
	{"uppercase connective", "attribute:a exists AND attribute:b exists", "AND", `unexpected "AND"`},
	{"single &", "attribute:a exists & attribute:b exists", "&", "unexpected"},

	{"lookahead", "attribute:a =~ x(?=y)", "(?=", "lookahead (?= is not supported (Java regex feature missing from Go's RE2)"},
	{"negative lookahead", "attribute:a =~ x(?!y).*", "(?!", "lookahead (?! is not supported"},
	{"lookbehind", "attribute:a =~ .*(?<=x)y", "(?<=", "lookbehind (?<= is not supported"},
	{"negative lookbehind", "attribute:a =~ .*(?<!x)y", "(?<!", "lookbehind (?<! is not supported"},
	{"atomic group", "attribute:a =~ (?>ab|a)c", "(?>", "atomic group (?> is not supported"},
	{"backreference", `attribute:a =~ (t2)\1`, `\1`, `backreference \1 is not supported`},
	{"backreference in quotes", `attribute:a =~ '(a)(b)\2'`, `\2`, "backreference"},
	{"named backreference", `attribute:a =~ (?<x>a)\k<x>`, `\k`, `named backreference \k<name> is not supported`},
	{"possessive *+", "attribute:a =~ a*+", "*+", "possessive quantifier *+ is not supported"},
	{"possessive ++", "attribute:a =~ a++b", "++", "possessive quantifier ++"},
	{"possessive ?+", "attribute:a =~ a?+", "?+", "possessive quantifier ?+"},
	{"possessive }+", "attribute:a =~ a{2,3}+", "}+", "possessive quantifier }+"},
	{"character class intersection", "attribute:a =~ [a-z&&[^e]]", "&&", "character class intersection && is not supported"},
	{"nested character class", "attribute:a =~ [a[bc]]", "[bc", "nested character class"},
	{"U flag", "attribute:a =~ (?U)a+", "U", "flag U is not supported"},
	{"lookahead inside a compound", "attribute:b exists and (attribute:a =~ x(?=y) or attribute:c exists)", "(?=", "lookahead"},

	{"invalid regex: missing )", "attribute:a =~ a(b", "a(b", "invalid regular expression: "},
	{"invalid regex: unbalanced ) in quotes", "attribute:a =~ 'a)|(b'", "a)", "invalid regular expression"},
	{"invalid regex: nothing to repeat", "attribute:a =~ *a", "*a", "invalid regular expression"},
	{"invalid regex: bad range", "attribute:a =~ [z-a]", "[z-a]", "invalid regular expression"},
	{"invalid regex: trailing backslash", `attribute:a =~ 'a\'`, `a\`, "invalid regular expression"},
	{"invalid regex: Java-only escape", `attribute:a =~ \h`, `\h`, "invalid regular expression"},
}

func TestParseErrors(t *testing.T) {
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			e, err := clusterquery.Parse(tc.expr)
			if err == nil {
				t.Fatalf("Parse(%q) = %q, want an error", tc.expr, e)
			}
			var se *clusterquery.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error is %T, want *SyntaxError: %v", tc.expr, err, err)
			}
			if se.Expr != tc.expr {
				t.Errorf("Parse(%q) error Expr = %q, want the whole expression", tc.expr, se.Expr)
			}
			if want := tc.offset(); se.Offset != want {
				t.Errorf("Parse(%q) error Offset = %d, want %d (at %q); message: %s", tc.expr, se.Offset, want, tc.at, se.Msg)
			}
			if !strings.Contains(se.Msg, tc.msg) {
				t.Errorf("Parse(%q) error Msg = %q, want it to contain %q", tc.expr, se.Msg, tc.msg)
			}
		})
	}
}

func TestSyntaxErrorError(t *testing.T) {
	_, err := clusterquery.Parse("attribute:a =~ x(?=y)")
	got := err.Error()
	want := `cluster query "attribute:a =~ x(?=y)": offset 16: lookahead (?= is not supported (Java regex feature missing from Go's RE2)`
	if got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestMustParsePanics(t *testing.T) {
	defer func() {
		r := recover()
		if _, ok := r.(*clusterquery.SyntaxError); !ok {
			t.Errorf("MustParse of a bad expression panicked with %v (%T), want a *SyntaxError", r, r)
		}
	}()
	clusterquery.MustParse("attribute:a ==")
}
