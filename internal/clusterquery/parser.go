package clusterquery

import (
	"fmt"
	"strings"
)

// maxDepth bounds how deeply parentheses and negations may nest, so that no
// input can exhaust the stack of Parse or Match.
const maxDepth = 100

// parser is a recursive-descent parser over the expression's bytes. It scans
// as it goes rather than tokenizing first, because where a bare literal ends
// depends on where it is (see bareEnd).
type parser struct {
	src     string
	pos     int
	depth   int
	dynamic bool // a condition mentions a dynamic subject
}

func (p *parser) errorf(offset int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Expr: p.src, Offset: offset, Msg: fmt.Sprintf(format, args...)}
}

// parseExpression parses the whole input.
func (p *parser) parseExpression() (node, error) {
	p.skipSpace()
	if p.atEnd() {
		return nil, p.errorf(p.pos, "empty expression")
	}
	n, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	switch {
	case p.atEnd():
		return n, nil
	case p.peek() == ')':
		return nil, p.errorf(p.pos, "unbalanced parentheses: ) has no matching (")
	default:
		return nil, p.errorf(p.pos, "unexpected %q; expected and, or, or the end", p.nextWord())
	}
}

// parseOr parses: And { ( "||" | "or" ) And }.
func (p *parser) parseOr() (node, error) {
	return p.parseChain(p.parseAnd, func(ns []node) node { return orNode(ns) }, "||", "or")
}

// parseAnd parses: Unary { ( "&&" | "and" ) Unary }.
func (p *parser) parseAnd() (node, error) {
	return p.parseChain(p.parseUnary, func(ns []node) node { return andNode(ns) }, "&&", "and")
}

// parseChain parses operands joined by one connective (in its symbol or
// word form); a single operand stands alone.
func (p *parser) parseChain(operand func() (node, error), join func([]node) node, symbol, word string) (node, error) {
	first, err := operand()
	if err != nil {
		return nil, err
	}
	operands := []node{first}
	for p.acceptConnective(symbol, word) {
		n, err := operand()
		if err != nil {
			return nil, err
		}
		operands = append(operands, n)
	}
	if len(operands) == 1 {
		return first, nil
	}
	return join(operands), nil
}

// parseUnary parses: ( "!" | "not" ) Unary | Primary.
func (p *parser) parseUnary() (node, error) {
	p.depth++
	defer func() { p.depth-- }()
	p.skipSpace()
	if p.depth > maxDepth {
		return nil, p.errorf(p.pos, "expression nests more than %d levels deep", maxDepth)
	}
	if p.accept("!") || p.acceptKeyword("not") {
		p.skipSpace()
		parseOperand := p.parseUnary
		if p.peek() == '(' {
			// not(...) nests one level, like not ..., so that the
			// canonical form, which writes not(...), nests no deeper
			// than the expression it came from.
			parseOperand = p.parsePrimary
		}
		operand, err := parseOperand()
		if err != nil {
			return nil, err
		}
		return notNode{operand}, nil
	}
	return p.parsePrimary()
}

// parsePrimary parses: "(" Or ")" | Condition.
func (p *parser) parsePrimary() (node, error) {
	if p.peek() != '(' {
		return p.parseCondition()
	}
	open := p.pos
	p.pos++
	n, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	switch {
	case p.atEnd():
		return nil, p.errorf(open, "unbalanced parentheses: ( has no matching )")
	case p.peek() != ')':
		return nil, p.errorf(p.pos, "unexpected %q; expected and, or, or )", p.nextWord())
	}
	p.pos++
	return n, nil
}

// parseCondition parses: Subject Operator [ Argument ].
func (p *parser) parseCondition() (node, error) {
	s, err := p.parseSubject()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	opStart := p.pos
	op, err := p.parseOperator(s)
	if err != nil {
		return nil, err
	}
	if !accepts(s, op) {
		return nil, p.errorf(opStart, "operator %s is not valid for %s, which accepts %s",
			p.src[opStart:p.pos], s, operatorList(s.operators()))
	}
	if s.dynamic() {
		p.dynamic = true
	}
	c := newCondition(s, op)
	if !op.takesArgument() {
		return c, nil
	}
	p.skipSpace()
	if op.takesList() {
		err = p.parseListArgument(c)
	} else {
		err = p.parseScalarArgument(c)
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// parseSubject parses a subject name.
func (p *parser) parseSubject() (subject, error) {
	start := p.pos
	for !p.atEnd() && isWordChar(p.peek()) {
		p.pos++
	}
	name := p.src[start:p.pos]
	switch {
	case name == "" && p.atEnd():
		return subject{}, p.errorf(start, "expected a condition, (, or not at the end")
	case name == "":
		return subject{}, p.errorf(start, "unexpected %q; expected a condition, (, or not", p.nextWord())
	}
	if kind, ok := builtinSubject(name); ok {
		return subject{kind: kind}, nil
	}
	attr, ok := strings.CutPrefix(name, "attribute:")
	if !ok {
		return subject{}, p.errorf(start, "unknown subject %q; expected agentConnected, agentVersion, "+
			"attribute:<name>, ec2InstanceId, registeredAt, runningTasksCount or task:group", name)
	}
	if attr == "" {
		return subject{}, p.errorf(start, "attribute: needs a name, as in attribute:ecs.instance-type")
	}
	if i := strings.IndexByte(attr, ':'); i >= 0 {
		return subject{}, p.errorf(start+len("attribute:")+i,
			"attribute name %q contains ':'; names may contain letters, digits, - _ . / and \\", attr)
	}
	return subject{kind: subjectAttribute, attr: attr}, nil
}

// parseOperator parses an operator in symbol or word form.
func (p *parser) parseOperator(s subject) (operator, error) {
	start := p.pos
	if p.atEnd() {
		return 0, p.errorf(start, "missing operator after %s", s)
	}
	var text string
	switch c := p.peek(); {
	case isWordChar(c):
		text = p.src[start:p.wordEnd(start)]
	case c == '!' && p.pos+1 < len(p.src) && isWordChar(p.src[p.pos+1]):
		text = p.src[start:p.wordEnd(start+1)] // !exists, !in
	default:
		for _, sym := range [...]string{"==", "!=", "!~", ">=", "<=", "=~", ">", "<"} {
			if strings.HasPrefix(p.src[start:], sym) {
				text = sym
				break
			}
		}
	}
	op, ok := lookupOperator(text)
	if !ok {
		return 0, p.errorf(start, "unknown operator %q after %s", p.nextWord(), s)
	}
	p.pos += len(text)
	return op, nil
}

// parseScalarArgument parses the single literal argument of c's operator
// and checks it against c's subject.
func (p *parser) parseScalarArgument(c *condition) error {
	ctx := contextScalar
	if c.op.isRegex() {
		ctx = contextPattern
	}
	start := p.pos
	v, valueStart, err := p.parseLiteral(c.op, ctx)
	if err != nil {
		return err
	}
	c.arg = v
	if c.op.isRegex() {
		re, problem := compilePattern(v)
		if problem != nil {
			return p.errorf(valueStart+problem.index, "%s", problem.msg)
		}
		c.re = re
		return nil
	}
	return p.checkValue(c, v, start)
}

// parseListArgument parses the argument list of in or !in and checks each
// element against c's subject.
func (p *parser) parseListArgument(c *condition) error {
	open := p.pos
	if p.atEnd() {
		return p.errorf(open, "missing argument list after %s; expected [a, b, ...]", c.op)
	}
	if p.peek() != '[' {
		return p.errorf(open, "%s needs an argument list such as [a, b]; found %q", c.op, p.nextWord())
	}
	p.pos++
	for {
		p.skipSpace()
		switch {
		case p.atEnd():
			return p.errorf(open, "bad argument list: [ has no matching ]")
		case p.peek() == ']' && len(c.list) == 0:
			return p.errorf(p.pos, "bad argument list: the list is empty")
		case p.peek() == ']':
			return p.errorf(p.pos, "bad argument list: expected a value after ,")
		}
		start := p.pos
		v, _, err := p.parseLiteral(c.op, contextList)
		if err != nil {
			return err
		}
		if err := p.checkValue(c, v, start); err != nil {
			return err
		}
		c.list = append(c.list, v)
		p.skipSpace()
		switch {
		case p.atEnd():
			return p.errorf(open, "bad argument list: [ has no matching ]")
		case p.peek() == ',':
			p.pos++
		case p.peek() == ']':
			p.pos++
			return nil
		default:
			return p.errorf(p.pos, "bad argument list: unexpected %q; expected , or ]", p.nextWord())
		}
	}
}

// parseLiteral parses a quoted or bare literal. It returns the literal's
// value and the offset of the value's first byte in the expression.
func (p *parser) parseLiteral(op operator, ctx literalContext) (value string, valueStart int, err error) {
	start := p.pos
	if p.atEnd() {
		return "", 0, p.errorf(start, "missing argument after %s", op)
	}
	if q := p.peek(); isQuote(q) {
		end := strings.IndexByte(p.src[start+1:], q)
		if end < 0 {
			return "", 0, p.errorf(start, "unterminated quoted literal: %c has no matching %c", q, q)
		}
		p.pos = start + 1 + end + 1
		return p.src[start+1 : start+1+end], start + 1, nil
	}
	if p.peek() == '[' && ctx != contextPattern {
		if ctx == contextList {
			return "", 0, p.errorf(start, "bad argument list: lists do not nest; quote a value that starts with [")
		}
		return "", 0, p.errorf(start, "an argument list is only valid after in or !in, not %s; quote a value that starts with [", op)
	}
	end := bareEnd(p.src, start, ctx)
	switch {
	case end == start && ctx == contextList:
		return "", 0, p.errorf(start, "bad argument list: expected a value, found %q", p.nextWord())
	case end == start:
		return "", 0, p.errorf(start, "missing argument after %s", op)
	}
	p.pos = end
	return p.src[start:end], start, nil
}

// checkValue checks one argument value, found at offset, against the
// condition's subject, and records its parsed form in c.
func (p *parser) checkValue(c *condition, v string, offset int) error {
	switch c.subject.kind {
	case subjectAgentConnected:
		if v != "true" && v != "false" {
			return p.errorf(offset, "agentConnected is true or false, not %q", v)
		}
	case subjectAgentVersion:
		if !validVersion(v) {
			return p.errorf(offset, "bad version %q: agentVersion needs a dotted version such as 1.14.5", v)
		}
	case subjectRegisteredAt:
		when, ok := parseRegisteredAt(v)
		if !ok {
			return p.errorf(offset, "bad date %q: registeredAt needs 2018-06-18T22:28:28+00:00, "+
				"2018-06-18T22:28:28Z, 2018-06-18T22:28:28 or 2018-06-18", v)
		}
		c.when = when
	case subjectRunningTasksCount:
		count, ok := parseCount(v)
		if !ok {
			return p.errorf(offset, "bad integer %q: runningTasksCount needs a non-negative integer", v)
		}
		c.count = count
	case subjectAttribute:
		c.num, c.isNum = parseDecimal(v)
	}
	return nil
}

func accepts(s subject, op operator) bool {
	for _, o := range s.operators() {
		if o == op {
			return true
		}
	}
	return false
}

func operatorList(ops []operator) string {
	names := make([]string, len(ops))
	for i, op := range ops {
		names[i] = op.String()
	}
	return strings.Join(names, " ")
}

func (p *parser) atEnd() bool { return p.pos >= len(p.src) }

// peek returns the byte at the current position, or 0 at the end. No
// token starts with 0, so callers need not check atEnd first.
func (p *parser) peek() byte {
	if p.atEnd() {
		return 0
	}
	return p.src[p.pos]
}

func (p *parser) skipSpace() {
	for !p.atEnd() && isSpace(p.peek()) {
		p.pos++
	}
}

// accept consumes s if the input continues with it.
func (p *parser) accept(s string) bool {
	if strings.HasPrefix(p.src[p.pos:], s) {
		p.pos += len(s)
		return true
	}
	return false
}

// acceptKeyword consumes the keyword kw if the input continues with it as a
// whole word.
func (p *parser) acceptKeyword(kw string) bool {
	if strings.HasPrefix(p.src[p.pos:], kw) && p.wordEnd(p.pos) == p.pos+len(kw) {
		p.pos += len(kw)
		return true
	}
	return false
}

// acceptConnective skips whitespace and consumes a binary connective in its
// symbol or word form.
func (p *parser) acceptConnective(symbol, word string) bool {
	p.skipSpace()
	return p.accept(symbol) || p.acceptKeyword(word)
}

// wordEnd returns the end of the run of word characters starting at i.
func (p *parser) wordEnd(i int) int {
	for i < len(p.src) && isWordChar(p.src[i]) {
		i++
	}
	return i
}

// nextWord returns the input from the current position up to the next
// whitespace, shortened, for error messages.
func (p *parser) nextWord() string {
	rest := p.src[p.pos:]
	if i := strings.IndexFunc(rest, func(r rune) bool { return r < 0x80 && isSpace(byte(r)) }); i >= 0 {
		rest = rest[:i]
	}
	const maxLen = 24
	if len(rest) > maxLen {
		rest = rest[:maxLen] + "..."
	}
	if rest == "" {
		return p.src[p.pos:min(p.pos+1, len(p.src))]
	}
	return rest
}

// isWordChar reports whether c can be part of a subject, an operator word
// or a keyword: letters, digits, and - _ . / \ :.
func isWordChar(c byte) bool {
	return isLetter(c) || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '/' || c == '\\' || c == ':'
}
