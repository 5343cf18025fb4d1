package placement

import (
	"fmt"
	"sort"
	"strings"
)

// group is a task equivalence group: tasks of one service with one shape,
// one set of constraints and one placement strategy, that may go to the same
// pools. The estimator places groups, not tasks, which keeps it fast.
type group struct {
	svc      *serviceState
	name     string // the ECS task group: "service:<name>"
	shape    *Shape
	cons     *constraints
	strategy []Strategy
	// pools restricts the group to some pools (a capacity provider
	// strategy); nil means any pool and any instance.
	pools    []int
	provider string
	count    int
	headroom bool
	size     float64

	remaining                     int
	onExisting, onUpcoming, onNew int
	// eligible are the pools whose new instances can host the group, set
	// when the group reaches the pools.
	eligible []int
	perPool  map[int]int // tasks on each pool's upcoming and new instances
}

// serviceState is a service during an estimate.
type serviceState struct {
	svc    *Service
	plan   ServicePlan
	groups []*group
}

// allows reports whether the group may use pool p (-1: outside every pool).
func (g *group) allows(p int) bool {
	if g.pools == nil {
		return true
	}
	for _, q := range g.pools {
		if q == p {
			return true
		}
	}
	return false
}

// buildDemand computes each service's unplaced demand and turns it into
// task groups, sorted largest first.
func (e *estimator) buildDemand() error {
	svcs := make([]*Service, 0, len(e.c.Services))
	for i := range e.c.Services {
		svcs = append(svcs, &e.c.Services[i])
	}
	sort.Slice(svcs, func(i, j int) bool { return svcs[i].Name < svcs[j].Name })
	for _, s := range svcs {
		if s.Status != "" && s.Status != "ACTIVE" {
			continue
		}
		if c := s.DeploymentController; c != "" && c != "ECS" {
			e.warn("service %s uses the %s deployment controller: tandem skips it", s.Name, c)
			continue
		}
		if !runsOnEC2(s) {
			e.warn("service %s uses the %s launch type: tandem skips it", s.Name, s.LaunchType)
			continue
		}
		if err := e.serviceDemand(s); err != nil {
			return err
		}
	}
	var real, spare []*group
	for _, ss := range e.services {
		for _, g := range ss.groups {
			g.size = float64(g.shape.CPUUnits)/float64(e.refCPU) + float64(g.shape.MemoryMiB)/float64(e.refMem)
			if g.headroom {
				spare = append(spare, g)
			} else {
				real = append(real, g)
			}
		}
	}
	// Largest first by resource share, then by service name: the order of
	// first-fit decreasing, which keeps big tasks from being left without
	// room. Headroom comes after every real task.
	for _, gs := range [][]*group{real, spare} {
		sort.SliceStable(gs, func(i, j int) bool {
			if gs[i].size != gs[j].size {
				return gs[i].size > gs[j].size
			}
			return gs[i].name < gs[j].name
		})
	}
	e.groups = append(real, spare...)
	return nil
}

// serviceDemand computes one service's demand: the tasks not placed now,
// min(desired − placed by the PRIMARY deployment, ⌊desired × maximumPercent
// / 100⌋ − placed by every deployment), as step 1 of this package's
// README.md draws it (deployment-type-ecs.md for the rolling update
// bounds), capped to one surge task at a time with SurgeOne; and its
// headroom.
func (e *estimator) serviceDemand(s *Service) error {
	ss := &serviceState{svc: s, plan: ServicePlan{Name: s.Name, DesiredCount: s.DesiredCount}}
	e.services = append(e.services, ss)

	// A task counts as placed when it should run and sits on an ACTIVE
	// instance, connected or not: ECS does not replace the tasks of a
	// disconnected agent. Tasks on DRAINING instances need replacements.
	primary := ""
	deployments := map[string]bool{}
	for _, d := range s.Deployments {
		if d.Status == "PRIMARY" {
			primary = d.ID
		}
		if d.Status == "PRIMARY" || d.Status == "ACTIVE" {
			deployments[d.ID] = true
		}
	}
	taskGroup := "service:" + s.Name
	placedAll, placedPrimary := 0, 0
	placedByProvider := map[string]int{}
	for i := range e.c.Tasks {
		t := &e.c.Tasks[i]
		if t.Group != taskGroup || t.DesiredStatus != "RUNNING" || t.ContainerInstanceARN == "" {
			continue
		}
		ci, ok := e.instances[t.ContainerInstanceARN]
		if !ok || ci.Status != "ACTIVE" {
			continue
		}
		placedAll++
		placedByProvider[t.CapacityProviderName]++
		// A task matching no deployment counts for the PRIMARY one.
		if t.StartedBy == primary || !deployments[t.StartedBy] {
			placedPrimary++
		}
	}
	ss.plan.Placed = placedAll
	if s.SchedulingStrategy == Daemon {
		return nil
	}

	maxPercent := maximumPercent(s)
	desired := s.DesiredCount
	// The PRIMARY deployment may start tasks until it has its desired count,
	// while maximumPercent (rounded down) caps RUNNING plus PENDING tasks of
	// every deployment of the service.
	unplaced := max(0, min(desired-placedPrimary, desired*maxPercent/100-placedAll))
	deploying := len(deployments) > 1
	for _, d := range s.Deployments {
		if d.Status == "PRIMARY" && d.RolloutState == "IN_PROGRESS" {
			deploying = true
		}
	}
	if deploying && e.opts.Surge == SurgeOne {
		unplaced = min(unplaced, max(0, desired-placedAll)+1)
	}
	ss.plan.Unplaced = unplaced
	ss.plan.Deploying = deploying
	headroom := 0
	if e.opts.HeadroomPercent > 0 {
		headroom = (desired*e.opts.HeadroomPercent + 99) / 100
	}
	ss.plan.Headroom = headroom

	arn := primaryTaskDefinition(s)
	shape, err := e.shape(arn)
	if err != nil {
		return fmt.Errorf("service %s: %w", s.Name, err)
	}
	cons := compileConstraints(s.PlacementConstraints, e.c.TaskDefinitions[arn])
	strategy := s.PlacementStrategy
	if len(strategy) == 0 {
		// The default strategy of service tasks (task-placement-strategies.md).
		strategy = []Strategy{{Type: Spread, Field: "attribute:ecs.availability-zone"}}
	}
	newGroup := func(count int, headroom bool, pools []int, provider string) {
		if count <= 0 {
			return
		}
		ss.groups = append(ss.groups, &group{
			svc: ss, name: taskGroup, shape: shape, cons: cons, strategy: strategy,
			pools: pools, provider: provider, count: count, remaining: count,
			headroom: headroom, perPool: map[int]int{},
		})
	}

	strat := s.CapacityProviderStrategy
	if len(strat) == 0 && s.LaunchType == "" {
		strat = e.c.DefaultCapacityProviderStrategy
	}
	if len(strat) == 0 {
		newGroup(unplaced, false, nil, "")
		newGroup(headroom, true, nil, "")
		return nil
	}
	// With a capacity provider strategy, ECS gives each provider its base,
	// then the rest by weight, counting the tasks each runs already.
	real := splitByStrategy(strat, placedByProvider, unplaced)
	for p, n := range real {
		placedByProvider[p] += n
	}
	spare := splitByStrategy(strat, placedByProvider, headroom)
	for _, item := range strat {
		pools := []int{}
		if pool, ok := e.providerPool(item.CapacityProvider); ok {
			pools = []int{pool}
		} else if real[item.CapacityProvider]+spare[item.CapacityProvider] > 0 {
			// The tasks can go nowhere: they are reported as CONSTRAINT.
			e.warn("service %s: capacity provider %s has no pool in the snapshot", s.Name, item.CapacityProvider)
		}
		newGroup(real[item.CapacityProvider], false, pools, item.CapacityProvider)
		newGroup(spare[item.CapacityProvider], true, pools, item.CapacityProvider)
	}
	return nil
}

// maximumPercent is the service's maximumPercent, ECS's default of 200 when
// unset (zero). minimumHealthyPercent has no such default here: zero is a
// valid setting, and readers fill in ECS's default of 100.
func maximumPercent(s *Service) int {
	if s.MaximumPercent == 0 {
		return 200
	}
	return s.MaximumPercent
}

// providerPool returns the pool behind a capacity provider.
func (e *estimator) providerPool(name string) (int, bool) {
	for _, cp := range e.c.CapacityProviders {
		if cp.Name != name {
			continue
		}
		for i, ps := range e.pools {
			if ps.pool.ARN != "" && ps.pool.ARN == cp.AutoScalingGroupARN ||
				strings.HasSuffix(cp.AutoScalingGroupARN, ":autoScalingGroupName/"+ps.pool.Name) ||
				cp.AutoScalingGroupARN == ps.pool.Name {
				return i, true
			}
		}
	}
	return 0, false
}

// splitByStrategy divides n new tasks among the providers of a capacity
// provider strategy: each provider first gets its base, counting the tasks it
// runs already; the tasks beyond the bases are then shared in proportion to
// the weights, each new task going to the provider that stays furthest below
// its share once it has the task. Ties go to the provider listed first.
func splitByStrategy(strat []CapacityProviderStrategyItem, running map[string]int, n int) map[string]int {
	out := map[string]int{}
	have := func(item CapacityProviderStrategyItem) int {
		return running[item.CapacityProvider] + out[item.CapacityProvider]
	}
	for _, item := range strat {
		if n == 0 {
			break
		}
		if need := item.Base - have(item); need > 0 {
			take := min(need, n)
			out[item.CapacityProvider] += take
			n -= take
		}
	}
	weighted := false
	for _, item := range strat {
		weighted = weighted || item.Weight > 0
	}
	// beyond is what a provider runs past its base: the weights share that.
	beyond := func(item CapacityProviderStrategyItem) int { return max(have(item)-item.Base, 0) }
	for ; n > 0; n-- {
		best := -1
		for i, item := range strat {
			if weighted && item.Weight <= 0 {
				continue
			}
			if best < 0 {
				best = i
				continue
			}
			// (beyond(i)+1)/weight(i) < (beyond(best)+1)/weight(best), in integers.
			w, bw := max(item.Weight, 1), max(strat[best].Weight, 1)
			if (beyond(item)+1)*bw < (beyond(strat[best])+1)*w {
				best = i
			}
		}
		out[strat[best].CapacityProvider]++
	}
	return out
}
