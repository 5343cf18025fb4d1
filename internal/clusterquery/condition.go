package clusterquery

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// subjectKind names what a condition looks at.
type subjectKind uint8

const (
	subjectAgentConnected subjectKind = iota + 1
	subjectAgentVersion
	subjectAttribute
	subjectEC2InstanceID
	subjectRegisteredAt
	subjectRunningTasksCount
	subjectTaskGroup
)

// subject is the left-hand side of a condition.
type subject struct {
	kind subjectKind
	attr string // the attribute name, for subjectAttribute
}

// builtinSubject returns the kind of a subject other than attribute:<name>,
// given its name.
func builtinSubject(name string) (subjectKind, bool) {
	switch name {
	case "agentConnected":
		return subjectAgentConnected, true
	case "agentVersion":
		return subjectAgentVersion, true
	case "ec2InstanceId":
		return subjectEC2InstanceID, true
	case "registeredAt":
		return subjectRegisteredAt, true
	case "runningTasksCount":
		return subjectRunningTasksCount, true
	case "task:group":
		return subjectTaskGroup, true
	}
	return 0, false
}

func (s subject) String() string {
	switch s.kind {
	case subjectAgentConnected:
		return "agentConnected"
	case subjectAgentVersion:
		return "agentVersion"
	case subjectAttribute:
		return "attribute:" + s.attr
	case subjectEC2InstanceID:
		return "ec2InstanceId"
	case subjectRegisteredAt:
		return "registeredAt"
	case subjectRunningTasksCount:
		return "runningTasksCount"
	case subjectTaskGroup:
		return "task:group"
	}
	return "?"
}

// operators returns the operators the subject accepts, following the ECS
// documentation's list for each subject. See the package comment for why
// exists and !exists belong to attribute:<name> alone.
func (s subject) operators() []operator {
	switch s.kind {
	case subjectAgentConnected, subjectEC2InstanceID, subjectTaskGroup:
		return []operator{opEqual, opNotEqual, opIn, opNotIn, opMatches, opNotMatches}
	case subjectAgentVersion, subjectRegisteredAt, subjectRunningTasksCount:
		return []operator{opEqual, opNotEqual, opGreater, opGreaterEqual, opLess, opLessEqual}
	case subjectAttribute:
		return []operator{
			opEqual, opNotEqual, opGreater, opGreaterEqual, opLess, opLessEqual,
			opExists, opNotExists, opIn, opNotIn, opMatches, opNotMatches,
		}
	}
	return nil
}

// dynamic reports whether the subject's value changes as tasks are placed.
func (s subject) dynamic() bool {
	return s.kind == subjectTaskGroup || s.kind == subjectRunningTasksCount
}

// operator is a comparison operator.
type operator uint8

const (
	opEqual operator = iota + 1
	opNotEqual
	opGreater
	opGreaterEqual
	opLess
	opLessEqual
	opExists
	opNotExists
	opIn
	opNotIn
	opMatches
	opNotMatches
)

// lookupOperator returns the operator with the given symbol or word form.
func lookupOperator(s string) (operator, bool) {
	switch s {
	case "==", "equals":
		return opEqual, true
	case "!=", "not_equals":
		return opNotEqual, true
	case ">", "greater_than":
		return opGreater, true
	case ">=", "greater_than_equal":
		return opGreaterEqual, true
	case "<", "less_than":
		return opLess, true
	case "<=", "less_than_equal":
		return opLessEqual, true
	case "exists":
		return opExists, true
	case "!exists", "not_exists":
		return opNotExists, true
	case "in":
		return opIn, true
	case "!in", "not_in":
		return opNotIn, true
	case "=~", "matches":
		return opMatches, true
	case "!~", "not_matches":
		return opNotMatches, true
	}
	return 0, false
}

// String returns the operator's canonical form.
func (o operator) String() string {
	switch o {
	case opEqual:
		return "=="
	case opNotEqual:
		return "!="
	case opGreater:
		return ">"
	case opGreaterEqual:
		return ">="
	case opLess:
		return "<"
	case opLessEqual:
		return "<="
	case opExists:
		return "exists"
	case opNotExists:
		return "!exists"
	case opIn:
		return "in"
	case opNotIn:
		return "!in"
	case opMatches:
		return "=~"
	case opNotMatches:
		return "!~"
	}
	return "?"
}

// positive returns the positive form of a negative operator (!= gives ==)
// and true, or the operator itself and false.
func (o operator) positive() (operator, bool) {
	switch o {
	case opNotEqual:
		return opEqual, true
	case opNotExists:
		return opExists, true
	case opNotIn:
		return opIn, true
	case opNotMatches:
		return opMatches, true
	}
	return o, false
}

func (o operator) takesArgument() bool { return o != opExists && o != opNotExists }
func (o operator) takesList() bool     { return o == opIn || o == opNotIn }
func (o operator) isRegex() bool       { return o == opMatches || o == opNotMatches }

// orders reports whether a comparison result (-1, 0, +1 for less, equal,
// greater) satisfies the operator, one of == > >= < <=.
func (o operator) orders(c int) bool {
	switch o {
	case opEqual:
		return c == 0
	case opGreater:
		return c > 0
	case opGreaterEqual:
		return c >= 0
	case opLess:
		return c < 0
	case opLessEqual:
		return c <= 0
	}
	return false
}

// condition is one "subject operator [argument]" expression.
type condition struct {
	subject subject
	op      operator // as written, for printing
	base    operator // the positive form of op
	negated bool     // op is the negation of base

	arg   string         // the scalar argument, unquoted; the pattern for =~ and !~
	list  []string       // the argument of in and !in
	re    *regexp.Regexp // arg compiled to match whole values
	count int            // the argument of runningTasksCount
	when  time.Time      // the argument of registeredAt
	num   float64        // the attribute argument as a number, if argIsNum
	isNum bool
}

func newCondition(s subject, op operator) *condition {
	base, negated := op.positive()
	return &condition{subject: s, op: op, base: base, negated: negated}
}

func (c *condition) match(t Target) bool {
	return c.holds(t) != c.negated
}

// holds evaluates the positive form of the condition.
func (c *condition) holds(t Target) bool {
	switch c.subject.kind {
	case subjectAttribute:
		v, ok := t.Attribute(c.subject.attr)
		if !ok {
			return false
		}
		return c.base == opExists || c.holdsFor(v)
	case subjectTaskGroup:
		for _, g := range t.TaskGroups() {
			if c.holdsFor(g) {
				return true
			}
		}
		return false
	case subjectEC2InstanceID:
		return c.holdsFor(t.EC2InstanceID())
	case subjectAgentConnected:
		return c.holdsFor(strconv.FormatBool(t.AgentConnected()))
	case subjectAgentVersion:
		order, ok := compareVersions(t.AgentVersion(), c.arg)
		return ok && c.base.orders(order)
	case subjectRegisteredAt:
		return c.base.orders(t.RegisteredAt().Compare(c.when))
	case subjectRunningTasksCount:
		return c.base.orders(cmp.Compare(t.RunningTasksCount(), c.count))
	}
	return false
}

// holdsFor tests one string value against the positive form of the
// condition.
func (c *condition) holdsFor(v string) bool {
	switch c.base {
	case opEqual:
		return v == c.arg
	case opIn:
		return slices.Contains(c.list, v)
	case opMatches:
		return c.re.MatchString(v)
	}
	// > >= < <=, which only attributes reach here.
	if c.isNum {
		if n, ok := parseDecimal(v); ok {
			return c.base.orders(cmp.Compare(n, c.num))
		}
	}
	return c.base.orders(strings.Compare(v, c.arg))
}

func (c *condition) format(b *strings.Builder) {
	b.WriteString(c.subject.String())
	b.WriteByte(' ')
	b.WriteString(c.op.String())
	switch {
	case c.op.takesList():
		b.WriteString(" [")
		for i, v := range c.list {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(quoteLiteral(v, contextList))
		}
		b.WriteByte(']')
	case c.op.isRegex():
		b.WriteByte(' ')
		b.WriteString(quoteLiteral(c.arg, contextPattern))
	case c.op.takesArgument():
		b.WriteByte(' ')
		b.WriteString(quoteLiteral(c.arg, contextScalar))
	}
}
