package placement

import (
	"slices"
	"time"
)

// nodeKind says where an instance stands in its life, which decides how the
// estimator treats it.
type nodeKind uint8

const (
	// busyNode is a registered, ACTIVE, connected instance that runs tasks
	// (or one outside every pool). ECS's placement strategy picks among these.
	busyNode nodeKind = iota
	// emptyNode is a registered, ACTIVE, connected pool instance without
	// non-daemon tasks.
	emptyNode
	// launchedNode is a pool instance that is launching, or running but not
	// registered with ECS yet.
	launchedNode
	// orderedNode is a slot of a pool's desired capacity that has no
	// instance yet.
	orderedNode
	// newNode is an instance beyond the pool's desired capacity.
	newNode
)

// node is one instance as the simulation sees it: what it offers, what runs
// on it, and what the estimate has put on it. Nodes of the three last kinds
// start empty, charged only the daemons' footprint.
type node struct {
	kind nodeKind
	pool int // index in estimator.pools, or -1

	id    string // container instance ARN, EC2 instance ID, or a made-up name
	ec2ID string
	typ   string
	zone  string
	// sig identifies the node's attributes: nodes with equal sig satisfy the
	// same static constraints.
	sig   int
	attrs map[string]string

	agentConnected bool
	agentVersion   string
	// capabilitiesKnown is false for nodes of pools without a registered
	// instance: their agent capabilities are assumed (isAgentCapability).
	capabilitiesKnown bool
	registeredAt      time.Time

	cpu, mem, gpu, eni     int64 // free
	capCPU, capMem, capGPU int64 // offered to tasks in total
	portsTCP, portsUDP     []int // taken, sorted
	groups                 map[string]int
	running                int
	placed                 int // tasks placed by this estimate
	received               int // tasks moved here from instances the plan drains
	order                  int // position among nodes, the final tie-break
}

// clone returns a copy that can change without changing n.
func (n *node) clone() *node {
	c := *n
	c.portsTCP = slices.Clone(n.portsTCP)
	c.portsUDP = slices.Clone(n.portsUDP)
	c.groups = make(map[string]int, len(n.groups)+1)
	for k, v := range n.groups {
		c.groups[k] = v
	}
	return &c
}

// fit returns how many more tasks of shape s (of task group grp) fit on n by
// resources, ports and distinctInstance, capped at limit.
func (n *node) fit(s *Shape, grp string, distinct bool, limit int) int {
	k := int64(limit)
	if s.CPUUnits > 0 {
		k = min(k, n.cpu/s.CPUUnits)
	} else if n.cpu < 0 {
		return 0
	}
	if s.GPUs > 0 {
		k = min(k, n.gpu/s.GPUs)
	}
	if s.MemoryMiB > 0 {
		k = min(k, n.mem/s.MemoryMiB)
	} else if n.mem < 0 {
		return 0
	}
	if s.HasPorts() {
		if n.portsTaken(s) {
			return 0
		}
		k = min(k, 1)
	}
	if s.ENIs > 0 {
		k = min(k, n.eni/s.ENIs)
	}
	if distinct {
		if n.groups[grp] > 0 {
			return 0
		}
		k = min(k, 1)
	}
	return int(max(k, 0))
}

// failingDimension returns the first resource, in the order ECS checks them,
// that an empty n lacks for one task of shape s, or "" when the task fits.
func (n *node) failingDimension(s *Shape) Reason {
	switch {
	case s.CPUUnits > n.cpu:
		return ReasonCPU
	case s.GPUs > n.gpu:
		return ReasonGPU
	case s.MemoryMiB > n.mem:
		return ReasonMemory
	case s.HasPorts() && n.portsTaken(s):
		return ReasonPorts
	case s.ENIs > n.eni:
		return ReasonENI
	}
	return ""
}

func (n *node) portsTaken(s *Shape) bool {
	for _, p := range s.PortsTCP {
		if _, found := slices.BinarySearch(n.portsTCP, p); found {
			return true
		}
	}
	for _, p := range s.PortsUDP {
		if _, found := slices.BinarySearch(n.portsUDP, p); found {
			return true
		}
	}
	return false
}

// take charges one task of shape s, group grp, to n.
func (n *node) take(s *Shape, grp string) {
	n.cpu -= s.CPUUnits
	n.mem -= s.MemoryMiB
	n.gpu -= s.GPUs
	n.eni -= s.ENIs
	n.portsTCP = insertPorts(n.portsTCP, s.PortsTCP)
	n.portsUDP = insertPorts(n.portsUDP, s.PortsUDP)
	if n.groups == nil {
		n.groups = map[string]int{}
	}
	n.groups[grp]++
	n.running++
	n.placed++
}

// insertPorts adds ports to the sorted set taken.
func insertPorts(taken, ports []int) []int {
	for _, p := range ports {
		if i, found := slices.BinarySearch(taken, p); !found {
			taken = slices.Insert(taken, i, p)
		}
	}
	return taken
}

// The methods below make a node a clusterquery.Target.

func (n *node) Attribute(name string) (string, bool) {
	v, ok := n.attrs[name]
	return v, ok
}
func (n *node) EC2InstanceID() string   { return n.ec2ID }
func (n *node) AgentConnected() bool    { return n.agentConnected }
func (n *node) AgentVersion() string    { return n.agentVersion }
func (n *node) RegisteredAt() time.Time { return n.registeredAt }
func (n *node) RunningTasksCount() int  { return n.running }
func (n *node) TaskGroups() []string {
	groups := make([]string, 0, len(n.groups))
	for g, count := range n.groups {
		if count > 0 {
			groups = append(groups, g)
		}
	}
	return groups
}
