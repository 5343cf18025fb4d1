package placement

import (
	"fmt"
	"strings"

	"github.com/tandem-ecs/tandem/internal/clusterquery"
)

// constraints are the placement constraints of a task group, compiled once:
// the service's, the task definition's, and the task definition's required
// attributes, which behave like "exists" constraints.
type constraints struct {
	distinct bool
	static   []*clusterquery.Expr // results depend only on the node's attributes
	dynamic  []*clusterquery.Expr // results change as tasks are placed
	required []Attribute
	// err is set when an expression does not parse; the group is then
	// reported as CONSTRAINT with err in the detail.
	err error
	// text is a readable summary for reasons and for the cache key.
	text string

	// cache holds the static result per node signature: 0 unknown, 1 yes,
	// 2 no.
	cache []uint8
}

func compileConstraints(svc []Constraint, td TaskDefinition) *constraints {
	c := &constraints{}
	var parts []string
	for _, con := range append(append([]Constraint(nil), svc...), td.PlacementConstraints...) {
		switch con.Type {
		case DistinctInstance:
			c.distinct = true
			parts = append(parts, "distinctInstance")
		case MemberOf:
			parts = append(parts, "memberOf("+con.Expression+")")
			expr, err := clusterquery.Parse(con.Expression)
			if err != nil {
				if c.err == nil {
					c.err = fmt.Errorf("placement constraint memberOf(%s): %w", con.Expression, err)
				}
				continue
			}
			if expr.Dynamic() {
				c.dynamic = append(c.dynamic, expr)
			} else {
				c.static = append(c.static, expr)
			}
		default:
			if c.err == nil {
				c.err = fmt.Errorf("placement constraint type %q is not one ECS knows", con.Type)
			}
		}
	}
	for _, a := range td.RequiresAttributes {
		c.required = append(c.required, a)
		parts = append(parts, "requiresAttribute("+a.Name+")")
	}
	c.text = strings.Join(parts, " and ")
	return c
}

// isDynamic reports whether the constraints must be evaluated again after
// each task placed on a node.
func (c *constraints) isDynamic() bool { return len(c.dynamic) > 0 }

// admits reports whether node n satisfies the constraints now. distinctInstance
// is not checked here: node.fit counts it.
func (c *constraints) admits(n *node) bool {
	if c.err != nil {
		return false
	}
	return c.admitsStatic(n) && c.admitsDynamic(n)
}

func (c *constraints) admitsStatic(n *node) bool {
	if n.sig < len(c.cache) {
		switch c.cache[n.sig] {
		case 1:
			return true
		case 2:
			return false
		}
	} else {
		c.cache = append(c.cache, make([]uint8, n.sig+1-len(c.cache))...)
	}
	ok := c.evalStatic(n)
	if ok {
		c.cache[n.sig] = 1
	} else {
		c.cache[n.sig] = 2
	}
	return ok
}

func (c *constraints) evalStatic(n *node) bool {
	for _, a := range c.required {
		v, ok := n.attrs[a.Name]
		switch {
		case ok && a.Value != "" && v != a.Value:
			return false
		case !ok && (n.capabilitiesKnown || !isAgentCapability(a.Name)):
			return false
		}
	}
	for _, e := range c.static {
		if !e.Match(n) {
			return false
		}
	}
	return true
}

func (c *constraints) admitsDynamic(n *node) bool {
	for _, e := range c.dynamic {
		if !e.Match(n) {
			return false
		}
	}
	return true
}

// isAgentCapability reports whether a required attribute is one the ECS
// agent announces at registration (com.amazonaws.ecs.capability.* and
// ecs.capability.*). A new instance of a pool with registered instances
// shows the capabilities they all share; one of a pool with none registered
// cannot show any, and tandem assumes it will have them, as the agent of the
// ECS-optimized AMI does.
func isAgentCapability(name string) bool {
	return strings.HasPrefix(name, "com.amazonaws.ecs.capability.") || strings.HasPrefix(name, "ecs.capability.")
}
