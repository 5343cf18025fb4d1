package placement

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// UnsupportedError reports a pool or service setting that tandem does not
// model. tandem refuses to plan rather than give a silently wrong answer.
type UnsupportedError struct {
	Pool    string
	Feature string
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("pool %s: %s: not supported: tandem cannot size this pool correctly", e.Pool, e.Feature)
}

// Estimate simulates ECS task placement on the cluster and sizes every pool.
//
// The pipeline (see README.md in this package for the picture):
//  1. demand: each REPLICA service's tasks not placed now, rolling-deployment
//     surge included, as task groups of one shape and one set of constraints;
//  2. existing: groups placed largest first onto the registered instances
//     that run tasks, choosing instances as the service's placement strategy
//     would;
//  3. pools: what is left goes to the pools: onto their empty and upcoming
//     instances first, then onto new ones, the pool for each group being the
//     one that needs the fewest new instances; each pool's share is then
//     packed again by a second heuristic, and the tighter packing wins;
//  4. reasons: what still has no room is reported as CONSTRAINT,
//     RESOURCE:<dimension> or MAX_CAPACITY.
//
// Per-task problems are data in the plan; an error means the cluster could
// not be modeled at all (a missing task definition, a pool setting tandem does
// not support). When ctx expires, Estimate returns what it has with Partial
// set, never later than the caller's deadline allows.
func Estimate(ctx context.Context, c Cluster, opts Options) (Plan, error) {
	e, err := newEstimator(&c, opts)
	if err != nil {
		return Plan{}, err
	}
	if err := e.buildDemand(); err != nil {
		return Plan{}, err
	}
	e.placeOnExisting(ctx)
	e.placeOnPools(ctx)
	p := e.plan()
	p.Drain = append(p.Drain, verifyDrains(ctx, c, opts, p, e.drains())...)
	return p, nil
}

// estimator holds the state of one estimate.
type estimator struct {
	c    *Cluster
	opts Options

	shapes    map[string]*Shape // by task definition ARN
	nodes     []*node           // registered ACTIVE connected instances
	instances map[string]*ContainerInstance
	pools     []*poolState
	poolByEC2 map[string]int
	daemons   []daemon
	groups    []*group
	services  []*serviceState
	// tasksOn lists the tasks on each container instance, by ARN.
	tasksOn map[string][]*Task
	// onExisting records what the estimate put on each busy instance.
	onExisting map[*node]map[*group]int
	// binOf is the pools' working copy of each empty instance, with what
	// the estimate put on it.
	binOf    map[*node]*node
	sigs     int
	refCPU   int64
	refMem   int64
	warnings []string
	partial  bool
	awsvpc   bool // some task or service uses awsvpc
}

// daemon is a DAEMON service whose task every new instance runs.
type daemon struct {
	name  string
	shape *Shape
	cons  *constraints
}

func newEstimator(c *Cluster, opts Options) (*estimator, error) {
	if opts.Surge == "" {
		opts.Surge = SurgeBatch
	}
	if opts.Now.IsZero() {
		opts.Now = time.Unix(0, 0).UTC()
	}
	e := &estimator{
		c:          c,
		opts:       opts,
		shapes:     map[string]*Shape{},
		instances:  map[string]*ContainerInstance{},
		poolByEC2:  map[string]int{},
		onExisting: map[*node]map[*group]int{},
		binOf:      map[*node]*node{},
	}
	for _, td := range c.TaskDefinitions {
		if td.NetworkMode == AWSVPC {
			e.awsvpc = true
		}
	}
	pools := slices.Clone(c.Pools)
	sort.Slice(pools, func(i, j int) bool { return pools[i].Name < pools[j].Name })
	for i := range pools {
		for _, inst := range pools[i].Instances {
			e.poolByEC2[inst.ID] = i
		}
	}
	for i := range c.ContainerInstances {
		ci := &c.ContainerInstances[i]
		e.instances[ci.ARN] = ci
	}
	if err := e.buildDaemons(); err != nil {
		return nil, err
	}
	e.buildNodes()
	for i := range pools {
		ps, err := e.newPoolState(i, &pools[i])
		if err != nil {
			return nil, err
		}
		e.pools = append(e.pools, ps)
	}
	e.setReference()
	return e, nil
}

// shape returns the shape of a task definition, or an error naming it when
// the snapshot lacks it.
func (e *estimator) shape(arn string) (*Shape, error) {
	if s, ok := e.shapes[arn]; ok {
		return s, nil
	}
	td, ok := e.c.TaskDefinitions[arn]
	if !ok {
		return nil, fmt.Errorf("task definition %s is not in the snapshot", arn)
	}
	s := td.Shape()
	e.shapes[arn] = &s
	return &s, nil
}

// primaryTaskDefinition is the task definition new tasks of s start from.
func primaryTaskDefinition(s *Service) string {
	for _, d := range s.Deployments {
		if d.Status == "PRIMARY" && d.TaskDefinitionARN != "" {
			return d.TaskDefinitionARN
		}
	}
	return s.TaskDefinitionARN
}

func (e *estimator) isDaemonGroup(group string) bool {
	name, ok := strings.CutPrefix(group, "service:")
	if !ok {
		return false
	}
	for _, d := range e.daemons {
		if d.name == name {
			return true
		}
	}
	return false
}

func (e *estimator) buildDaemons() error {
	for i := range e.c.Services {
		s := &e.c.Services[i]
		if s.SchedulingStrategy != Daemon || s.Status != "ACTIVE" || !runsOnEC2(s) {
			continue
		}
		arn := primaryTaskDefinition(s)
		shape, err := e.shape(arn)
		if err != nil {
			return fmt.Errorf("daemon service %s: %w", s.Name, err)
		}
		e.daemons = append(e.daemons, daemon{
			name:  s.Name,
			shape: shape,
			cons:  compileConstraints(s.PlacementConstraints, e.c.TaskDefinitions[arn]),
		})
	}
	sort.Slice(e.daemons, func(i, j int) bool { return e.daemons[i].name < e.daemons[j].name })
	return nil
}

// runsOnEC2 reports whether a service can run on EC2 instances: its launch
// type is EC2, or it has no launch type (capacity providers decide).
func runsOnEC2(s *Service) bool {
	return s.LaunchType == "" || s.LaunchType == "EC2"
}

// buildNodes turns the registered, ACTIVE, connected container instances
// into nodes. Instances that are DRAINING or whose agent is disconnected
// offer nothing.
func (e *estimator) buildNodes() {
	onInstance := map[string][]*Task{}
	e.tasksOn = onInstance
	for i := range e.c.Tasks {
		t := &e.c.Tasks[i]
		if t.ContainerInstanceARN != "" && t.LastStatus != "STOPPED" {
			onInstance[t.ContainerInstanceARN] = append(onInstance[t.ContainerInstanceARN], t)
		}
	}
	cis := slices.Clone(e.c.ContainerInstances)
	sort.Slice(cis, func(i, j int) bool { return cis[i].EC2InstanceID < cis[j].EC2InstanceID })
	for i := range cis {
		ci := &cis[i]
		if ci.Status != "ACTIVE" || !ci.AgentConnected {
			continue
		}
		n := &node{
			kind:              busyNode,
			pool:              -1,
			id:                ci.ARN,
			ec2ID:             ci.EC2InstanceID,
			attrs:             attributeMap(ci.Attributes),
			agentConnected:    true,
			agentVersion:      ci.AgentVersion,
			registeredAt:      ci.RegisteredAt,
			capabilitiesKnown: true,
			cpu:               ci.RemainingCPUUnits,
			mem:               ci.RemainingMemoryMiB,
			capCPU:            ci.RegisteredCPUUnits,
			capMem:            ci.RegisteredMemoryMiB,
			capGPU:            ci.RegisteredGPUs,
			gpu:               ci.RegisteredGPUs,
			portsTCP:          sortedPorts(ci.PortsTCP),
			portsUDP:          sortedPorts(ci.PortsUDP),
			groups:            map[string]int{},
			running:           ci.RunningTasksCount + ci.PendingTasksCount,
			sig:               e.newSig(),
		}
		n.typ = n.attrs["ecs.instance-type"]
		n.zone = n.attrs["ecs.availability-zone"]
		if p, ok := e.poolByEC2[ci.EC2InstanceID]; ok {
			n.pool = p
		}
		busy := n.pool < 0
		var awsvpcTasks int64
		for _, t := range onInstance[ci.ARN] {
			if t.DesiredStatus != "STOPPED" {
				n.groups[t.Group]++
				if !e.isDaemonGroup(t.Group) {
					busy = true
				}
			}
			if td, ok := e.c.TaskDefinitions[t.TaskDefinitionARN]; ok {
				s := td.Shape()
				n.gpu -= s.GPUs
				awsvpcTasks += s.ENIs
			}
		}
		if !busy {
			n.kind = emptyNode
		}
		n.eni = int64(e.eniLimit(n.typ, n.attrs)) - awsvpcTasks
		n.order = len(e.nodes)
		e.nodes = append(e.nodes, n)
	}
}

func (e *estimator) newSig() int {
	e.sigs++
	return e.sigs - 1
}

// eniLimit is how many awsvpc tasks an instance of this type runs: its
// network interfaces but the primary one, or the trunking limit of
// container-instance-eni.md when the instance has a trunk interface.
func (e *estimator) eniLimit(typ string, attrs map[string]string) int {
	if _, trunk := attrs["ecs.awsvpc-trunk-id"]; trunk {
		if n, ok := trunkTaskLimit(typ); ok {
			return n
		}
		if e.awsvpc {
			e.warn("instance type %s has ENI trunking but no known trunk limit: planning with its limit without trunking", typ)
		}
	}
	it, ok := e.c.InstanceTypes[typ]
	if !ok {
		if e.awsvpc {
			e.warn("instance type %s is not in instance-types.json: planning as if it took no awsvpc task", typ)
		}
		return 0
	}
	return max(it.MaximumNetworkInterfaces-1, 0)
}

func (e *estimator) warn(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if !slices.Contains(e.warnings, msg) {
		e.warnings = append(e.warnings, msg)
	}
}

func attributeMap(attrs []Attribute) map[string]string {
	m := make(map[string]string, len(attrs))
	for _, a := range attrs {
		m[a.Name] = a.Value
	}
	return m
}

func sortedPorts(ports []int) []int {
	s := slices.Clone(ports)
	slices.Sort(s)
	return slices.Compact(s)
}

// setReference sets the capacity that normalizes task sizes when ordering
// groups: the largest instance the cluster has or can get.
func (e *estimator) setReference() {
	for _, n := range e.nodes {
		e.refCPU = max(e.refCPU, n.capCPU)
		e.refMem = max(e.refMem, n.capMem)
	}
	for _, p := range e.pools {
		for _, t := range p.templates {
			e.refCPU = max(e.refCPU, t.capCPU)
			e.refMem = max(e.refMem, t.capMem)
		}
	}
	e.refCPU = max(e.refCPU, 1)
	e.refMem = max(e.refMem, 1)
}

// defaultReservedPorts are the ports the ECS agent reserves on Linux unless
// ECS_RESERVED_PORTS says otherwise (ecs-agent-config.md).
var defaultReservedPorts = []int{22, 2375, 2376, 51678, 51679}

// registration is what a new instance registers with: the capacity ECS
// offers to tasks, the ports the agent reserves, the CPU architecture.
type registration struct {
	cpu, mem, gpu      int64
	portsTCP, portsUDP []int
	arch               string
}

// registeredLike returns what a new instance of the given type registers
// with, as the registered container instances of that type show it: those
// of the given pool when it has some (they share its AMI and agent
// configuration), else those of every pool. When they differ (another AMI,
// another ECS_RESERVED_MEMORY), it takes the least CPU, memory and GPUs any
// of them offers and every port any of them reserves: the answer does not
// depend on the order of the snapshot, and never promises more room than
// the least of them has. It reports false when no instance of the type is
// registered.
func (e *estimator) registeredLike(typ string, pool int) (registration, bool) {
	like := func(ci *ContainerInstance) bool {
		return ci.RegisteredMemoryMiB != 0 && attributeValue(ci.Attributes, "ecs.instance-type") == typ
	}
	inPool := func(ci *ContainerInstance) bool {
		p, ok := e.poolByEC2[ci.EC2InstanceID]
		return ok && p == pool
	}
	poolHasSome := slices.ContainsFunc(e.c.ContainerInstances, func(ci ContainerInstance) bool { return like(&ci) && inPool(&ci) })
	var r registration
	first := "" // the EC2 ID the architecture comes from: the lowest
	for i := range e.c.ContainerInstances {
		ci := &e.c.ContainerInstances[i]
		if !like(ci) || poolHasSome && !inPool(ci) {
			continue
		}
		if first == "" {
			r.cpu, r.mem, r.gpu = ci.RegisteredCPUUnits, ci.RegisteredMemoryMiB, ci.RegisteredGPUs
		}
		if first == "" || ci.EC2InstanceID < first {
			first = ci.EC2InstanceID
			r.arch = attributeValue(ci.Attributes, "ecs.cpu-architecture")
		}
		r.cpu = min(r.cpu, ci.RegisteredCPUUnits)
		r.mem = min(r.mem, ci.RegisteredMemoryMiB)
		r.gpu = min(r.gpu, ci.RegisteredGPUs)
		r.portsTCP = insertPorts(r.portsTCP, ci.ReservedPortsTCP)
		r.portsUDP = insertPorts(r.portsUDP, ci.ReservedPortsUDP)
	}
	return r, first != ""
}

func attributeValue(attrs []Attribute, name string) string {
	for _, a := range attrs {
		if a.Name == name {
			return a.Value
		}
	}
	return ""
}

// memoryOverhead returns the MiB that a new instance of a type with memMiB
// of memory keeps from tasks. Only types that no registered instance shows
// come here (registeredLike answers for the others), so nothing is known of
// the type itself. It is the configured overhead (Options.MemoryOverhead);
// else the largest share of its type's memory that any registered instance
// of a type described in instance-types.json keeps (observedOverheadPermille,
// in per mille, rounded up); else DefaultMemoryOverhead.
func (e *estimator) memoryOverhead(memMiB int64) int64 {
	o := DefaultMemoryOverhead()
	if e.opts.MemoryOverhead != nil {
		o = *e.opts.MemoryOverhead
	} else if permille, ok := e.observedOverheadPermille(); ok {
		return (memMiB*permille + 999) / 1000
	}
	return o.MiB + (memMiB*o.Percent+99)/100
}

// observedOverheadPermille returns the largest share of its type's memory,
// in per mille rounded up, that a registered instance keeps from tasks,
// over the instances whose type instance-types.json describes; false when
// there is none. The largest, because the share differs between types and
// AMIs and a new instance must not be promised more than it will offer.
func (e *estimator) observedOverheadPermille() (int64, bool) {
	var best int64
	found := false
	for _, ci := range e.c.ContainerInstances {
		it, ok := e.c.InstanceTypes[attributeValue(ci.Attributes, "ecs.instance-type")]
		if !ok || it.MemoryMiB == 0 || ci.RegisteredMemoryMiB == 0 || ci.RegisteredMemoryMiB > it.MemoryMiB {
			continue
		}
		permille := ((it.MemoryMiB-ci.RegisteredMemoryMiB)*1000 + it.MemoryMiB - 1) / it.MemoryMiB
		if !found || permille > best {
			best, found = permille, true
		}
	}
	return best, found
}

// sharedAttributes returns the attributes that every registered instance of
// the pool has with the same value, leaving out those that belong to one
// instance (its zone, subnet, type).
func sharedAttributes(cis []*ContainerInstance) map[string]string {
	if len(cis) == 0 {
		return nil
	}
	shared := attributeMap(cis[0].Attributes)
	for _, ci := range cis[1:] {
		m := attributeMap(ci.Attributes)
		for k, v := range shared {
			if w, ok := m[k]; !ok || w != v {
				delete(shared, k)
			}
		}
	}
	for _, k := range []string{"ecs.availability-zone", "ecs.subnet-id", "ecs.instance-type", "ecs.cpu-architecture", "ecs.awsvpc-trunk-id"} {
		delete(shared, k)
	}
	return shared
}
