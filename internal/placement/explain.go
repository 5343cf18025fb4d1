package placement

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/tandem-ecs/tandem/internal/clusterquery"
)

// reasonOrder is the order in which ECS checks an instance's resources.
var reasonOrder = []Reason{ReasonCPU, ReasonGPU, ReasonMemory, ReasonPorts, ReasonENI}

// reason says why the tasks of g left over have no room:
//  1. CONSTRAINT when no existing, upcoming or new instance of any pool the
//     group may use satisfies its constraints (or they do not parse);
//  2. RESOURCE:<dimension> when the task does not fit an empty new instance,
//     after daemons, of any such pool that satisfies them, the dimension
//     being the first that fails in ECS's order, on the pool where the task
//     comes closest to fitting;
//  3. MAX_CAPACITY otherwise: it would fit, but the pools are at their
//     maximum size (distinctInstance beyond the pools' size included).
//
// tandem never scales out for the first two.
func (e *estimator) reason(g *group) (Reason, string) {
	if g.cons.err != nil {
		return ReasonConstraint, g.cons.err.Error()
	}
	var satisfied []*node // new-instance templates that satisfy the constraints
	admitted := false     // some instance the group may use satisfies the constraints
	for _, n := range e.nodes {
		if n.pool >= 0 && g.allows(n.pool) && g.cons.admits(n) {
			admitted = true
			break
		}
	}
	for _, ps := range e.pools {
		if !g.allows(ps.idx) {
			continue
		}
		for _, b := range ps.preOpened {
			admitted = admitted || g.cons.admits(b)
		}
		for _, z := range slices.Sorted(maps.Keys(ps.slotTmpl)) {
			if t := ps.slotTmpl[z]; g.cons.admits(t) {
				satisfied = append(satisfied, t)
				admitted = true
			}
		}
	}
	if !admitted {
		return ReasonConstraint, e.constraintDetail(g)
	}
	if len(g.eligible) == 0 && len(satisfied) == 0 {
		return ReasonConstraint, fmt.Sprintf("only instances that are already full satisfy %s; no pool's new instances do", g.cons.text)
	}
	// A pool may be eligible through an instance it holds already (a larger
	// type registered earlier) while its new instances cannot take a task:
	// raising its maximum would not help, so the reason is the resource.
	fitsNew := slices.ContainsFunc(satisfied, func(t *node) bool { return t.failingDimension(g.shape) == "" })
	if len(g.eligible) == 0 || !fitsNew {
		best, bestIdx := Reason(""), -1
		var notes []string
		for _, t := range satisfied {
			dim := t.failingDimension(g.shape)
			if dim == "" {
				// Fits an empty instance but not with the tasks it would
				// share it with; the pool still has room for that.
				continue
			}
			idx := indexReason(dim)
			if idx > bestIdx {
				best, bestIdx = dim, idx
			}
			what := "a new " + t.typ
			if ps := e.pools[t.pool]; len(ps.sizing) > 1 {
				what = "a new instance (the least of " + strings.Join(ps.sizing, ", ") + ")"
			}
			notes = append(notes, fmt.Sprintf("%s of pool %s in %s offers %s", what, e.pools[t.pool].pool.Name, t.zone, offer(t)))
		}
		if best != "" {
			return best, fmt.Sprintf("each task needs %s; %s", need(g.shape), strings.Join(dedupe(notes), "; "))
		}
	}
	var at []string
	for _, p := range g.eligible {
		ps := e.pools[p]
		at = append(at, fmt.Sprintf("%s (%d of %d instances)", ps.pool.Name, ps.live+ps.slotsUsed, ps.pool.MaxSize))
	}
	if len(at) == 0 {
		return ReasonMaxCapacity, "no pool can take these tasks"
	}
	detail := "the pools that can host these tasks are at their maximum size: " + strings.Join(at, ", ")
	if g.cons.distinct {
		detail += "; distinctInstance needs one instance per task"
	}
	return ReasonMaxCapacity, detail
}

func (e *estimator) constraintDetail(g *group) string {
	if g.pools != nil && len(g.pools) == 0 {
		return fmt.Sprintf("capacity provider %s has no Auto Scaling group in the snapshot", g.provider)
	}
	if g.pools != nil && g.provider != "" {
		return fmt.Sprintf("no instance of capacity provider %s satisfies %s", g.provider, g.cons.text)
	}
	if len(e.pools) == 0 {
		return fmt.Sprintf("the snapshot has no Auto Scaling group to add instances to, and no instance satisfies %s", g.cons.text)
	}
	return fmt.Sprintf("no existing, upcoming or new instance of any pool satisfies %s", e.failingConstraints(g))
}

// failingConstraints names the constraints of g that no instance of the
// pools it may use satisfies, each on its own; the whole set when only
// their combination fails.
func (e *estimator) failingConstraints(g *group) string {
	var cands []*node
	for _, n := range e.nodes {
		if n.pool >= 0 && g.allows(n.pool) {
			cands = append(cands, n)
		}
	}
	for _, ps := range e.pools {
		if g.allows(ps.idx) {
			cands = append(cands, ps.preOpened...)
			for _, z := range slices.Sorted(maps.Keys(ps.slotTmpl)) {
				cands = append(cands, ps.slotTmpl[z])
			}
		}
	}
	var failing []string
	for _, expr := range append(append([]*clusterquery.Expr(nil), g.cons.static...), g.cons.dynamic...) {
		one := &constraints{static: []*clusterquery.Expr{expr}}
		if !slices.ContainsFunc(cands, func(n *node) bool { return one.evalStatic(n) }) {
			failing = append(failing, "memberOf("+expr.String()+")")
		}
	}
	for _, a := range g.cons.required {
		one := &constraints{required: []Attribute{a}}
		if !slices.ContainsFunc(cands, func(n *node) bool { return one.evalStatic(n) }) {
			failing = append(failing, "requiresAttribute("+a.Name+")")
		}
	}
	if len(failing) == 0 {
		return g.cons.text
	}
	return strings.Join(failing, " and ")
}

func indexReason(r Reason) int {
	for i, x := range reasonOrder {
		if x == r {
			return i
		}
	}
	return -1
}

func need(s *Shape) string {
	parts := []string{fmt.Sprintf("%d CPU units", s.CPUUnits), fmt.Sprintf("%d MiB", s.MemoryMiB)}
	if s.GPUs > 0 {
		parts = append(parts, fmt.Sprintf("%d GPUs", s.GPUs))
	}
	if s.HasPorts() {
		parts = append(parts, "host ports "+ports(s))
	}
	if s.ENIs > 0 {
		parts = append(parts, "an ENI")
	}
	return strings.Join(parts, ", ")
}

func offer(t *node) string {
	parts := []string{fmt.Sprintf("%d CPU units", t.cpu), fmt.Sprintf("%d MiB", t.mem)}
	if t.capGPU > 0 || t.gpu > 0 {
		parts = append(parts, fmt.Sprintf("%d GPUs", t.gpu))
	}
	parts = append(parts, fmt.Sprintf("%d ENIs", max(t.eni, 0)))
	return strings.Join(parts, ", ") + " after daemons"
}

func ports(s *Shape) string {
	var ps []string
	for _, p := range s.PortsTCP {
		ps = append(ps, fmt.Sprintf("%d/tcp", p))
	}
	for _, p := range s.PortsUDP {
		ps = append(ps, fmt.Sprintf("%d/udp", p))
	}
	return strings.Join(ps, " ")
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// plan assembles the answer.
func (e *estimator) plan() Plan {
	p := Plan{
		Cluster:     e.c.Name,
		Pools:       []PoolPlan{},
		Services:    []ServicePlan{},
		Unplaceable: []Unplaceable{},
		Drain:       []Drain{},
		Warnings:    append([]string{}, e.warnings...),
		Partial:     e.partial,
	}
	type key struct {
		service string
		reason  Reason
	}
	unplaceable := map[key]*Unplaceable{}
	for _, ss := range e.services {
		sp := ss.plan
		for _, g := range ss.groups {
			if g.headroom {
				if g.remaining > 0 {
					r, _ := e.reason(g)
					p.Warnings = append(p.Warnings, fmt.Sprintf("service %s: %d of %d headroom tasks have no room (%s)", ss.svc.Name, g.remaining, g.count, r))
				}
				continue
			}
			sp.OnExisting += g.onExisting
			sp.OnUpcoming += g.onUpcoming
			sp.OnNew += g.onNew
			if g.remaining == 0 || e.partial && g.eligible == nil && g.onExisting+g.onUpcoming+g.onNew == 0 {
				continue
			}
			sp.Unplaceable += g.remaining
			r, detail := e.reason(g)
			k := key{ss.svc.Name, r}
			if u := unplaceable[k]; u != nil {
				u.Count += g.remaining
				if !strings.Contains(u.Detail, detail) {
					u.Detail += "; " + detail
				}
			} else {
				unplaceable[k] = &Unplaceable{Service: ss.svc.Name, Count: g.remaining, Reason: r, Detail: detail}
			}
		}
		p.Services = append(p.Services, sp)
	}
	for _, u := range unplaceable {
		p.Unplaceable = append(p.Unplaceable, *u)
	}
	sort.Slice(p.Unplaceable, func(i, j int) bool {
		a, b := p.Unplaceable[i], p.Unplaceable[j]
		if a.Service != b.Service {
			return a.Service < b.Service
		}
		return a.Reason < b.Reason
	})
	for _, ps := range e.pools {
		p.Pools = append(p.Pools, e.poolPlan(ps))
	}
	return p
}

func (e *estimator) poolPlan(ps *poolState) PoolPlan {
	pool := ps.pool
	target := max(pool.DesiredCapacity, ps.live+ps.slotsUsed)
	desired := min(max(target, pool.MinSize), max(pool.MaxSize, pool.MinSize))
	pp := PoolPlan{
		Name:                   pool.Name,
		InstanceType:           ps.typ,
		MinSize:                pool.MinSize,
		MaxSize:                pool.MaxSize,
		CurrentDesiredCapacity: pool.DesiredCapacity,
		DesiredCapacity:        desired,
		NewInstances:           desired - pool.DesiredCapacity,
		InService:              ps.inService,
		Upcoming:               ps.launched + ps.ordered,
		Leaving:                ps.leaving,
	}
	perService := map[string]int{}
	for _, g := range e.groups {
		if k := g.perPool[ps.idx]; k > 0 {
			perService[g.svc.svc.Name] += k
		}
	}
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(perService)) {
		pp.Demand = append(pp.Demand, PoolDemand{Service: name, Tasks: perService[name]})
		parts = append(parts, fmt.Sprintf("%s (%d)", name, perService[name]))
	}
	waiting := 0
	for _, g := range e.groups {
		if g.remaining > 0 && !g.headroom && containsInt(g.eligible, ps.idx) {
			waiting += g.remaining
		}
	}
	atMax := ps.live+ps.slotsUsed >= pool.MaxSize && waiting > 0
	switch {
	case pp.NewInstances > 0 && atMax:
		pp.Reason = fmt.Sprintf("%d new %s for tasks of %s; then at its maximum size (%d), with %d tasks still without room",
			pp.NewInstances, ps.typ, strings.Join(parts, ", "), pool.MaxSize, waiting)
	case pp.NewInstances > 0:
		pp.Reason = fmt.Sprintf("%d new %s for tasks of %s", pp.NewInstances, ps.typ, strings.Join(parts, ", "))
	case atMax:
		pp.Reason = fmt.Sprintf("at its maximum size (%d): %d tasks have no room", pool.MaxSize, waiting)
	case len(parts) > 0:
		pp.Reason = "upcoming instances take tasks of " + strings.Join(parts, ", ")
	default:
		pp.Reason = "enough capacity"
	}
	return pp
}
