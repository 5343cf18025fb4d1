package clusterquery

import (
	"fmt"
	"strings"
	"time"
)

// Target is one container instance as an expression sees it.
type Target interface {
	// Attribute returns the value of the named attribute. ok is false when
	// the instance does not have the attribute; an attribute without a value
	// returns ("", true).
	Attribute(name string) (value string, ok bool)
	EC2InstanceID() string
	AgentConnected() bool
	// AgentVersion is the container agent's version, such as "1.89.0".
	AgentVersion() string
	RegisteredAt() time.Time
	RunningTasksCount() int
	// TaskGroups lists the task group of each task running on the instance
	// ("service:web", "family:x", or a custom group). Duplicates are allowed.
	TaskGroups() []string
}

// Expr is a parsed cluster query expression. Build one with Parse. An Expr is
// immutable and safe for concurrent use.
//
// The zero Expr, and a nil *Expr, stand for "no expression": they match every
// target, are not dynamic, and print as "".
type Expr struct {
	root    node
	dynamic bool
}

// node is one element of a parsed expression: a condition, or a boolean
// combination of nodes.
type node interface {
	match(t Target) bool
	format(b *strings.Builder)
}

// Parse parses a cluster query expression. Every error it returns is a
// *SyntaxError.
func Parse(expr string) (*Expr, error) {
	p := &parser{src: expr}
	root, err := p.parseExpression()
	if err != nil {
		return nil, err
	}
	return &Expr{root: root, dynamic: p.dynamic}, nil
}

// MustParse is like Parse but panics when the expression does not parse. It
// is meant for tests and examples, where the expression is a constant.
func MustParse(expr string) *Expr {
	e, err := Parse(expr)
	if err != nil {
		panic(err)
	}
	return e
}

// Match reports whether the target satisfies the expression.
func (e *Expr) Match(t Target) bool {
	if e == nil || e.root == nil {
		return true
	}
	return e.root.match(t)
}

// Dynamic reports whether the expression's answer can change as tasks are
// placed, because it mentions task:group or runningTasksCount. An expression
// that is not dynamic can be evaluated once per instance.
func (e *Expr) Dynamic() bool {
	return e != nil && e.dynamic
}

// String returns the expression in canonical form. Parse(e.String()) gives
// an expression equal to e.
func (e *Expr) String() string {
	if e == nil || e.root == nil {
		return ""
	}
	var b strings.Builder
	e.root.format(&b)
	return b.String()
}

// SyntaxError reports an expression that does not parse, or that uses an
// operator, argument or regular expression construct that is not supported.
type SyntaxError struct {
	Expr   string // the whole expression
	Offset int    // byte offset in Expr where the problem was found
	Msg    string // what was wrong
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("cluster query %q: offset %d: %s", e.Expr, e.Offset, e.Msg)
}

// notNode negates its operand.
type notNode struct{ operand node }

func (n notNode) match(t Target) bool { return !n.operand.match(t) }

func (n notNode) format(b *strings.Builder) {
	b.WriteString("not(")
	n.operand.format(b)
	b.WriteByte(')')
}

// andNode holds when all of its operands (two or more) hold.
type andNode []node

func (n andNode) match(t Target) bool {
	for _, operand := range n {
		if !operand.match(t) {
			return false
		}
	}
	return true
}

func (n andNode) format(b *strings.Builder) {
	for i, operand := range n {
		if i > 0 {
			b.WriteString(" and ")
		}
		switch operand.(type) {
		case andNode, orNode:
			formatParenthesized(b, operand)
		default:
			operand.format(b)
		}
	}
}

// orNode holds when any of its operands (two or more) holds.
type orNode []node

func (n orNode) match(t Target) bool {
	for _, operand := range n {
		if operand.match(t) {
			return true
		}
	}
	return false
}

func (n orNode) format(b *strings.Builder) {
	for i, operand := range n {
		if i > 0 {
			b.WriteString(" or ")
		}
		if _, ok := operand.(orNode); ok {
			formatParenthesized(b, operand)
		} else {
			operand.format(b)
		}
	}
}

func formatParenthesized(b *strings.Builder, n node) {
	b.WriteByte('(')
	n.format(b)
	b.WriteByte(')')
}
