package clusterquery_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tandem-ecs/tandem/internal/clusterquery"
)

// runMatchCases parses each case's expression and checks which of the
// fleet's instances it matches.
func runMatchCases(t *testing.T, cases []matchCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, err := clusterquery.Parse(tc.expr)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.expr, err)
			}
			if diff := cmp.Diff(tc.want, matching(e)); diff != "" {
				t.Errorf("Parse(%q) matches wrong instances (-want +got):\n%s", tc.expr, diff)
			}
		})
	}
}

// TestDocExamples covers every example expression of the ECS documentation
// (reference/ecs-docs/cluster-query-language.md and
// reference/ecs-docs/task-placement-constraints.md).
func TestDocExamples(t *testing.T) { runMatchCases(t, docExampleCases) }

// TestOperators covers every operator, in symbol and word form, for every
// subject that accepts it.
func TestOperators(t *testing.T) { runMatchCases(t, operatorCases) }

// TestSyntax covers precedence, parentheses, keywords, whitespace, quoting
// and argument lists.
func TestSyntax(t *testing.T) { runMatchCases(t, syntaxCases) }

// TestRegex covers =~ and !~: Java-style whole-value matching, and bare
// patterns that carry their own parentheses.
func TestRegex(t *testing.T) { runMatchCases(t, regexCases) }

// TestAbsentAttributes covers attributes an instance does not have: the
// positive operators are false and their negations true.
func TestAbsentAttributes(t *testing.T) { runMatchCases(t, absentCases) }

// TestTaskGroups covers task:group as a set, and the anti-affinity that the
// ECS documentation writes as not(task:group == database).
func TestTaskGroups(t *testing.T) { runMatchCases(t, taskGroupCases) }

func TestDynamic(t *testing.T) {
	tests := []struct {
		name string
		expr string
		want bool
	}{
		{"attribute", "attribute:stack == prod", false},
		{"agent and instance fields", "agentConnected == true and agentVersion > 1.0 and ec2InstanceId != i-1 and registeredAt < 2020-01-01", false},
		{"task:group", "task:group == database", true},
		{"runningTasksCount", "runningTasksCount == 0", true},
		{"task:group under not", "not(task:group == database)", true},
		{"runningTasksCount deep in a compound", "attribute:a exists and (attribute:b exists or !(runningTasksCount > 3))", true},
		{"task:group as a literal is not the subject", "attribute:a == task:group", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := clusterquery.MustParse(tc.expr).Dynamic(); got != tc.want {
				t.Errorf("Parse(%q).Dynamic() = %v, want %v", tc.expr, got, tc.want)
			}
		})
	}
}

// TestNoExpression covers the nil and zero Expr, which stand for "no
// expression" and match everything.
func TestNoExpression(t *testing.T) {
	for name, e := range map[string]*clusterquery.Expr{"nil": nil, "zero": {}} {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(allBut(), matching(e)); diff != "" {
				t.Errorf("matches wrong instances (-want +got):\n%s", diff)
			}
			if e.Dynamic() {
				t.Errorf("Dynamic() = true, want false")
			}
			if got := e.String(); got != "" {
				t.Errorf("String() = %q, want \"\"", got)
			}
		})
	}
}

// BenchmarkMatch measures Match for static attribute expressions, the kind
// a placement simulation evaluates once per instance and task.
func BenchmarkMatch(b *testing.B) {
	var target clusterquery.Target = fleet()[0] // boxed once, outside the loop
	for _, bc := range []struct{ name, expr string }{
		{"equality", "attribute:ecs.instance-type == t2.small"},
		{"compound", "attribute:ecs.instance-type in [t2.small, t2.medium] and attribute:ecs.availability-zone != us-east-1d"},
		{"regex", "attribute:ecs.instance-type =~ (t2|m4).* and attribute:stack exists"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			e := clusterquery.MustParse(bc.expr)
			if !e.Match(target) {
				b.Fatalf("Parse(%q) does not match the benchmark target", bc.expr)
			}
			b.ReportAllocs()
			for b.Loop() {
				e.Match(target)
			}
		})
	}
}
