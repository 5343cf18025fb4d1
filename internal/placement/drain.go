package placement

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// ScaleIn are the options of scale-in: which instances a plan may drain.
type ScaleIn struct {
	// Disabled turns scale-in off: the plan drains nothing.
	Disabled bool
	// BusyBudget is how many busy instances each pool may start draining
	// now: its disruption budget less the drains in flight. A pool not
	// listed drains no busy instance. Empty instances need no budget.
	BusyBudget map[string]int
	// Keep are instances never drained, with why (the opt-out tag).
	Keep map[string]string
}

// drains chooses the instances the reconciler would drain now, if each
// pool's scale-in delay had passed. A pool that needs capacity (new
// instances, tasks waiting for room it could give, instances still
// launching) drains nothing: a scale-out need cancels scale-in.
//
//   - Empty instances (no task but daemons, and none placed by this plan)
//     go first, all at once, down to MinSize.
//   - Then busy instances whose tasks the simulation re-places on the
//     remaining instances, respecting resources, ports, constraints,
//     distinctInstance and daemons, least used first (reserved share of
//     CPU plus memory), within the pool's budget. Every service on the
//     instance must be able to move its tasks (movable): ECS starts the
//     replacement first when maximumPercent, rounded down, lets the
//     service run one task more than desired, or stops first when
//     minimumHealthyPercent, rounded up, lets it run one fewer; otherwise
//     it can do neither. Services mid-deployment, and tasks outside
//     services, keep their instance.
//   - After each drain the pool's zones differ by at most one instance, or
//     by no more than before, so that the group's own rebalancing never
//     terminates busy instances.
func (e *estimator) drains() []Drain {
	if e.opts.ScaleIn.Disabled || e.partial {
		return nil
	}
	var out []Drain
	drained := map[*node]bool{}
	for _, ps := range e.pools {
		if e.needsCapacity(ps) {
			continue
		}
		zones := map[string]int{}
		var members []*node
		for _, n := range e.nodes {
			if n.pool == ps.idx {
				members = append(members, n)
			}
		}
		for _, inst := range ps.pool.Instances {
			if isLive(inst.LifecycleState) {
				zones[inst.Zone]++
			}
		}
		remaining := ps.live - ps.leaving
		take := func(n *node, reason string) bool {
			if remaining-1 < ps.pool.MinSize || !balancedAfter(zones, n.zone) {
				return false
			}
			remaining--
			zones[n.zone]--
			drained[n] = true
			out = append(out, Drain{EC2InstanceID: n.ec2ID, AutoScalingGroup: ps.pool.Name, ContainerInstanceARN: n.id, Reason: reason})
			return true
		}

		// Empty instances, from the fullest zone.
		var empty []*node
		for i, n := range ps.preOpened {
			if n.kind != emptyNode || len(ps.assign[i]) > 0 || e.opts.ScaleIn.Keep[n.ec2ID] != "" {
				continue
			}
			if b := e.binOf[n]; b != nil && b.received > 0 {
				continue // tasks of a drained instance go there
			}
			empty = append(empty, n)
		}
		sort.SliceStable(empty, func(i, j int) bool {
			if zones[empty[i].zone] != zones[empty[j].zone] {
				return zones[empty[i].zone] > zones[empty[j].zone]
			}
			return empty[i].ec2ID < empty[j].ec2ID
		})
		for _, n := range empty {
			take(n, "empty: no task but daemons")
		}

		// Busy instances, least used first, within the budget.
		budget := e.opts.ScaleIn.BusyBudget[ps.pool.Name]
		var busy []*node
		for _, n := range members {
			if n.kind == busyNode && n.placed == 0 && n.received == 0 && e.opts.ScaleIn.Keep[n.ec2ID] == "" {
				busy = append(busy, n)
			}
		}
		sort.SliceStable(busy, func(i, j int) bool {
			if a, b := usedShare(busy[i]), usedShare(busy[j]); a != b {
				return a < b
			}
			return busy[i].ec2ID < busy[j].ec2ID
		})
		for _, n := range busy {
			if budget <= 0 {
				break
			}
			if n.received > 0 || remaining-1 < ps.pool.MinSize || !balancedAfter(zones, n.zone) {
				continue // tasks of an instance drained before go there
			}
			moved, ok := e.canEmpty(n, drained)
			if !ok {
				continue
			}
			if take(n, fmt.Sprintf("consolidate: its %d tasks fit on the other instances", moved)) {
				budget--
			}
		}
	}
	return out
}

// verifyDrains checks the chosen drains the way the next reconcile will
// see them: with those instances DRAINING, the plan must need no new
// instance and leave no more tasks without room than now. The placement of
// moved tasks is greedy, and the replan places all demand in one go, so a
// drain the simulation allowed can, rarely, not survive it; the last busy
// drains are then given up, then the empty ones, until the rest does.
func verifyDrains(ctx context.Context, c Cluster, opts Options, p Plan, drains []Drain) []Drain {
	newBefore := map[string]int{}
	for _, pp := range p.Pools {
		newBefore[pp.Name] = pp.NewInstances
	}
	unplaceable := func(p Plan) int {
		n := 0
		for _, u := range p.Unplaceable {
			n += u.Count
		}
		return n
	}
	opts.ScaleIn = ScaleIn{Disabled: true}
	for len(drains) > 0 && ctx.Err() == nil {
		leaving := map[string]bool{}
		for _, d := range drains {
			leaving[d.ContainerInstanceARN] = true
		}
		after := c
		after.ContainerInstances = slices.Clone(c.ContainerInstances)
		for i := range after.ContainerInstances {
			if leaving[after.ContainerInstances[i].ARN] {
				after.ContainerInstances[i].Status = "DRAINING"
			}
		}
		replan, err := Estimate(ctx, after, opts)
		ok := err == nil && !replan.Partial && unplaceable(replan) <= unplaceable(p)
		for _, pp := range replan.Pools {
			ok = ok && pp.NewInstances <= newBefore[pp.Name]
		}
		if ok {
			return drains
		}
		// Give up the last busy drain, or else the last one.
		drop := len(drains) - 1
		for i := len(drains) - 1; i >= 0; i-- {
			if strings.HasPrefix(drains[i].Reason, "consolidate") {
				drop = i
				break
			}
		}
		drains = slices.Delete(drains, drop, drop+1)
	}
	return nil
}

// needsCapacity reports whether a pool needs capacity: new instances, tasks
// it could host still without room, or instances still launching.
func (e *estimator) needsCapacity(ps *poolState) bool {
	if ps.slotsUsed > 0 || ps.launched > 0 || ps.ordered > 0 {
		return true
	}
	for _, g := range e.groups {
		if g.remaining > 0 && containsInt(g.eligible, ps.idx) {
			return true
		}
	}
	return false
}

// balancedAfter reports whether removing an instance from zone keeps the
// zones within one instance of each other, or no less balanced than now.
func balancedAfter(zones map[string]int, zone string) bool {
	before := zoneSpread(zones)
	zones[zone]--
	after := zoneSpread(zones)
	zones[zone]++
	return after <= 1 || after <= before
}

// zoneSpread is how many more instances the fullest zone has than the
// emptiest.
func zoneSpread(zones map[string]int) int {
	lo, hi, first := 0, 0, true
	for _, n := range zones {
		if first || n < lo {
			lo = n
		}
		if first || n > hi {
			hi = n
		}
		first = false
	}
	return hi - lo
}

// usedShare is the share of CPU plus the share of memory reserved on n.
func usedShare(n *node) float64 {
	var s float64
	if n.capCPU > 0 {
		s += float64(n.capCPU-n.cpu) / float64(n.capCPU)
	}
	if n.capMem > 0 {
		s += float64(n.capMem-n.mem) / float64(n.capMem)
	}
	return s
}

// canEmpty simulates draining n: ECS re-places its service tasks on the
// other registered instances (not those drained already), as the service's
// placement strategy chooses. It reports how many tasks moved, and leaves
// the other instances charged with them when they all fit.
func (e *estimator) canEmpty(n *node, drained map[*node]bool) (int, bool) {
	type move struct {
		g     *group
		count int
	}
	var moves []*move
	byKey := map[string]*move{}
	for _, t := range e.tasksOn[n.id] {
		if t.DesiredStatus != "RUNNING" {
			continue
		}
		name, ok := strings.CutPrefix(t.Group, "service:")
		if !ok {
			return 0, false // ECS does not move tasks outside services
		}
		if e.isDaemonGroup(t.Group) {
			continue
		}
		svc := e.service(name)
		if svc == nil || !movable(svc) {
			return 0, false
		}
		key := t.Group + "|" + t.TaskDefinitionARN
		if m := byKey[key]; m != nil {
			m.count++
			continue
		}
		shape, err := e.shape(t.TaskDefinitionARN)
		if err != nil {
			return 0, false
		}
		strategy := svc.PlacementStrategy
		if len(strategy) == 0 {
			strategy = []Strategy{{Type: Spread, Field: "attribute:ecs.availability-zone"}}
		}
		m := &move{g: &group{name: t.Group, shape: shape, strategy: strategy,
			cons: compileConstraints(svc.PlacementConstraints, e.c.TaskDefinitions[t.TaskDefinitionARN])}, count: 1}
		byKey[key] = m
		moves = append(moves, m)
	}
	type placed struct {
		n *node
		g *group
	}
	var log []placed
	undo := func() {
		for i := len(log) - 1; i >= 0; i-- {
			log[i].n.untake(log[i].g.shape, log[i].g.name)
			log[i].n.placed++ // the task was never demand this plan placed
			log[i].n.received--
		}
	}
	total := 0
	for _, m := range moves {
		if m.g.cons.err != nil {
			undo()
			return 0, false
		}
		var cands []*node
		for _, c := range e.nodes {
			if c == n || drained[c] || c.kind != busyNode && c.kind != emptyNode {
				continue
			}
			if b := e.binOf[c]; b != nil {
				c = b // with what the plan put on it
			}
			if m.g.cons.admits(c) && c.fit(m.g.shape, m.g.name, m.g.cons.distinct, 1) > 0 {
				cands = append(cands, c)
			}
		}
		sel := e.newSelector(m.g, m.g.strategy, cands)
		for range m.count {
			c := sel.pick()
			if c == nil {
				undo()
				return 0, false
			}
			c.take(m.g.shape, m.g.name)
			c.placed-- // a moved task is not demand the plan placed
			c.received++
			log = append(log, placed{c, m.g})
			sel.placed(c, c.fit(m.g.shape, m.g.name, m.g.cons.distinct, 1) > 0 && m.g.cons.admitsDynamic(c))
			total++
		}
	}
	return total, true
}

// movable reports whether ECS can move a service's tasks off a draining
// instance, with no deployment under way. ECS rounds the bounds of
// deployment-type-ecs.md: it may start a replacement first when
// ⌊desired × maximumPercent / 100⌋ > desired, or stop a task first when
// ⌈desired × minimumHealthyPercent / 100⌉ < desired. With desired 1,
// maximumPercent 125 and minimumHealthyPercent 75 it can do neither.
func movable(s *Service) bool {
	desired := s.DesiredCount
	startFirst := desired*maximumPercent(s)/100 > desired
	stopFirst := (desired*s.MinimumHealthyPercent+99)/100 < desired
	if !startFirst && !stopFirst {
		return false
	}
	active := 0
	for _, d := range s.Deployments {
		if d.Status == "PRIMARY" && d.RolloutState == "IN_PROGRESS" {
			return false
		}
		if d.Status == "PRIMARY" || d.Status == "ACTIVE" {
			active++
		}
	}
	return active <= 1
}

// service returns the named service of the cluster.
func (e *estimator) service(name string) *Service {
	i := slices.IndexFunc(e.c.Services, func(s Service) bool { return s.Name == name })
	if i < 0 {
		return nil
	}
	return &e.c.Services[i]
}

// untake gives back what take charged.
func (n *node) untake(s *Shape, grp string) {
	n.cpu += s.CPUUnits
	n.mem += s.MemoryMiB
	n.gpu += s.GPUs
	n.eni += s.ENIs
	n.portsTCP = removePorts(n.portsTCP, s.PortsTCP)
	n.portsUDP = removePorts(n.portsUDP, s.PortsUDP)
	n.groups[grp]--
	n.running--
	n.placed--
}

func removePorts(taken, ports []int) []int {
	for _, p := range ports {
		if i, found := slices.BinarySearch(taken, p); found {
			taken = slices.Delete(taken, i, i+1)
		}
	}
	return taken
}
