// Package clusterquery parses and evaluates expressions of the Amazon ECS
// cluster query language: the expressions of memberOf placement constraints
// (reference/ecs-docs/cluster-query-language.md, and the examples in
// reference/ecs-docs/task-placement-constraints.md).
//
// Parse turns an expression into an *Expr once; Expr.Match then tells whether
// one container instance, seen through the Target interface, satisfies it.
// Match does no I/O and keeps no state, so one Expr may be shared freely.
//
// # Grammar
//
// Whitespace (space, tab, newline, carriage return) separates tokens and is
// otherwise ignored.
//
//	Expression = Or .
//	Or         = And { ( "||" | "or" ) And } .
//	And        = Unary { ( "&&" | "and" ) Unary } .
//	Unary      = ( "!" | "not" ) Unary | Primary .
//	Primary    = "(" Or ")" | Condition .
//	Condition  = Subject Operator [ Argument ] .
//	Subject    = "agentConnected" | "agentVersion" | "ec2InstanceId"
//	           | "registeredAt" | "runningTasksCount" | "task:group"
//	           | "attribute:" AttrName .
//	AttrName   = AttrChar { AttrChar } .  // letters, digits, - _ . / \
//	Operator   = "==" | "equals"  | "!=" | "not_equals"
//	           | ">"  | "greater_than" | ">=" | "greater_than_equal"
//	           | "<"  | "less_than"    | "<=" | "less_than_equal"
//	           | "exists" | "!exists" | "not_exists"
//	           | "in"     | "!in"     | "not_in"
//	           | "=~" | "matches" | "!~" | "not_matches" .
//	Argument   = Literal | List .
//	List       = "[" Literal { "," Literal } "]" .
//	Literal    = Quoted | Bare .
//	Quoted     = "'" { byte other than "'" } "'"
//	           | `"` { byte other than `"` } `"` .
//
// Precedence is not, then and, then or; parentheses override it, so
// "not(expr)", "!(expr)" and "not expr" all work. The words and, or and not
// are keywords only as whole words: "order" is not "or" followed by "der".
// Operator words are lowercase, as documented.
//
// Quoted literals have no escapes; use the other quote character to include
// one. A Bare literal runs to the first whitespace or to the first ")" that
// closes no "(" opened inside the literal, so a regular expression keeps its
// own parentheses and alternations: both
//
//	attribute:ecs.instance-type =~ (t2|m4).*
//	(attribute:ecs.instance-type =~ (t2|m4).* and attribute:x exists)
//
// parse as intended. Inside a List a bare literal also ends at "," and "]".
// A backslash keeps the byte after it (other than whitespace) in the literal,
// so \) and \, do not end one. Only a regular expression may start with "["
// unquoted. Because only whitespace ends a bare literal, write
// "a == b && c exists", not "a == b&&c exists". Arguments that contain
// whitespace or an unbalanced ")" must be quoted.
//
// Parentheses and negations may nest at most 100 levels deep.
//
// exists and !exists take no argument; in and !in take a List; every other
// operator takes one Literal.
//
// # Subjects and their operators
//
// Each subject accepts the operators that the ECS documentation lists for it;
// any other operator is a *SyntaxError.
//
//   - agentConnected: == != in !in =~ !~, against the values true and false.
//   - agentVersion: == != > >= < <=, comparing dotted version numbers
//     numerically, component by component (1.9.0 < 1.14.5; 1.14 == 1.14.0).
//     A target whose version is not of that form matches no ==, >, >=, <
//     or <=, and so matches !=.
//   - attribute:<name>: every operator. ==, != and in compare strings.
//     > >= < <= compare numerically when both the argument and the
//     attribute's value are decimal numbers (-1.5, 10, 2e3), and otherwise
//     compare the two strings byte by byte; so "attribute:cpu > 8" orders
//     10 above 8, but "attribute:size > m" orders "large" below "m", and a
//     cpu of "n/a" is > 10 because "n/a" sorts after "10".
//   - ec2InstanceId: == != in !in =~ !~.
//   - registeredAt: == != > >= < <=, comparing instants. The argument is
//     one of 2018-06-18T22:28:28+00:00, 2018-06-18T22:28:28Z,
//     2018-06-18T22:28:28 or 2018-06-18; without a zone it is UTC, and a
//     date alone is midnight UTC at its start. == is equality of instants.
//     A target's RegisteredAt is used as given: the zero time.Time is
//     earlier than every argument.
//   - runningTasksCount: == != > >= < <=, against a non-negative integer.
//   - task:group: == != in !in =~ !~ (see below).
//
// exists and !exists apply only to attribute:<name>. The ECS documentation
// lists them in its general table but not among the operators of any
// built-in subject; those fields are present on every container instance,
// and what "task:group exists" would mean is not documented, so they are
// rejected rather than guessed at.
//
// Arguments are checked by Parse: a date, a version, an integer or an
// agentConnected value that does not parse is a *SyntaxError, not a
// condition that silently never matches.
//
// # Negation and absent attributes
//
// Every negative operator is the negation of its positive form:
// "x != v" is "not(x == v)", "x !in L" is "not(x in L)", "x !~ re" is
// "not(x =~ re)" and "x !exists" is "not(x exists)". For an attribute the
// instance does not have, ==, in, =~ and the orderings > >= < <= are
// false, so !=, !in and !~ are true: "attribute:stack != prod" matches an
// instance without a stack attribute. An attribute without a value is
// present, with the value "".
//
// # Task groups
//
// task:group is set-valued: an instance runs many tasks, each in one task
// group ("service:web", "family:nginx", or a custom group). ==, in and =~
// are true when ANY of the instance's task groups satisfies them. !=, !in
// and !~ are their negations, true when NO task group does, that is when the
// instance runs no task of that group. So "task:group != database" and
// "not(task:group == database)" both express the anti-affinity the ECS
// documentation describes, and match an instance that runs no tasks at all.
//
// An expression that mentions task:group or runningTasksCount can change its
// answer as tasks are placed; Expr.Dynamic reports this so a placement
// simulation knows to re-evaluate it after each placement.
//
// # Regular expressions
//
// =~ and !~ take a Java regular expression (java.util.regex.Pattern) and, as
// in Java's Matcher.matches, match the whole value: "t2.*" does not match
// "xt2.micro". Patterns are compiled once, by Parse, with Go's RE2 engine.
// Java constructs that RE2 lacks or reads differently are a *SyntaxError
// naming the construct: lookahead (?= (?!, lookbehind (?<= (?<!, atomic
// groups (?>, backreferences \1 and \k<name>, possessive quantifiers *+ ++
// ?+ }+, character-class intersection [a-z&&[^e]] and nesting [a[b]], and
// the (?U) flag. Any other pattern RE2 cannot compile is a *SyntaxError too.
//
// # Canonical form
//
// Expr.String prints a canonical form that Parse reads back to an equal
// expression: symbol operators (== != > >= < <= =~ !~ !in !exists, and the
// words in and exists), the keywords and and or, not(...) around every
// negated expression, parentheses around an and/or group only where
// precedence needs them or where the source nested it in a group of the
// same kind, and literals bare unless they need quotes. Arguments keep
// their spelling: "registeredAt > 2018-06-18" stays so.
package clusterquery
