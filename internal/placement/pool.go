package placement

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// poolState is one pool during an estimate.
//
// Its capacity is a sequence of bins: first its empty registered instances
// and its launched instances that have not registered (pre-opened bins),
// then slots, one per instance the pool may still have: slot i exists once
// the desired capacity covers it. Slots are numbered from the pool's live
// instance count; those below the current desired capacity are ordered
// already (upcoming), the others would be new. Each slot's zone is fixed in
// advance (the zone with the fewest instances, as the Auto Scaling group
// balances them), so the same demand always lands on the same slots and a
// plan, once applied, asks for nothing more.
type poolState struct {
	idx  int
	pool *Pool
	// typ names the pool's new instances: its launch template's type, or its
	// mixed instances policy's first override. sizing are the types a new
	// instance may be (every override); a new instance is sized as the least
	// of them in each dimension.
	typ    string
	sizing []string
	ami    string

	registered []*ContainerInstance
	// inService counts registered, usable instances; leaving counts
	// DRAINING ones; launched counts those that have not registered.
	inService, leaving, launched, ignored int
	live                                  int // instances the group counts now
	ordered                               int // desired capacity without instances yet
	slotLimit                             int // slots the pool may still open: MaxSize − live
	slotZones                             []string
	zones                                 []string
	zoneCount                             map[string]int // instances per zone, slots included

	templates map[string]*node // by type and zone
	slotTmpl  map[string]*node // the pool's type, by zone
	trunk     bool
	preOpened []*node

	// Routing state: working copies of the bins, what each holds, and how
	// many slots are open. bins[i] is preOpened[i] for every pre-opened
	// instance (empty when nothing goes there), then the open slots.
	bins   []*node
	assign []map[*group]int
	slots  int
	routed []groupCount

	// Result of the final packing.
	slotsUsed int
}

type groupCount struct {
	g     *group
	count int
}

// liveStates are the lifecycle states of instances that count toward a
// group's capacity. Standby, warmed and terminating instances do not.
func isLive(state string) bool {
	switch state {
	case "Pending", "Pending:Wait", "Pending:Proceed", "InService":
		return true
	}
	return false
}

func (e *estimator) newPoolState(idx int, p *Pool) (*poolState, error) {
	if err := checkSupported(p, e.c.LaunchTemplateVersions); err != nil {
		return nil, err
	}
	ps := &poolState{idx: idx, pool: p, templates: map[string]*node{}}
	var err error
	ps.sizing, ps.ami, err = e.poolInstanceTypes(p)
	if err != nil {
		return nil, err
	}
	ps.typ = ps.sizing[0]
	ec2ToCI := map[string]*ContainerInstance{}
	for i := range e.c.ContainerInstances {
		ci := &e.c.ContainerInstances[i]
		ec2ToCI[ci.EC2InstanceID] = ci
		if pi, ok := e.poolByEC2[ci.EC2InstanceID]; ok && pi == idx {
			ps.registered = append(ps.registered, ci)
			if _, ok := attributeMap(ci.Attributes)["ecs.awsvpc-trunk-id"]; ok {
				ps.trunk = true
			}
		}
	}
	sort.Slice(ps.registered, func(i, j int) bool { return ps.registered[i].EC2InstanceID < ps.registered[j].EC2InstanceID })
	nodeByEC2 := map[string]*node{}
	for _, n := range e.nodes {
		nodeByEC2[n.ec2ID] = n
	}

	zoneCount := map[string]int{}
	for _, z := range p.Zones {
		zoneCount[z] = 0
	}
	instances := append([]PoolInstance(nil), p.Instances...)
	sort.Slice(instances, func(i, j int) bool { return instances[i].ID < instances[j].ID })
	var launched []*node
	for _, inst := range instances {
		if !isLive(inst.LifecycleState) {
			continue
		}
		ps.live++
		zoneCount[inst.Zone]++
		ci, registered := ec2ToCI[inst.ID]
		switch {
		case registered && ci.Status == "DRAINING":
			ps.leaving++
		case registered:
			ps.inService++
			if n := nodeByEC2[inst.ID]; n != nil && n.kind == emptyNode {
				ps.preOpened = append(ps.preOpened, n)
			}
		case e.opts.IgnoreInstances[inst.ID] != "":
			ps.ignored++
			e.warn("pool %s: instance %s does not count as capacity: %s", p.Name, inst.ID, e.opts.IgnoreInstances[inst.ID])
		default:
			ps.launched++
			types := ps.sizing
			if inst.InstanceType != "" {
				types = []string{inst.InstanceType}
			}
			t, err := e.template(ps, types, inst.Zone)
			if err != nil {
				return nil, err
			}
			n := t.clone()
			n.kind, n.id, n.ec2ID = launchedNode, inst.ID, inst.ID
			launched = append(launched, n)
		}
	}
	ps.preOpened = append(ps.preOpened, launched...)
	ps.ordered = max(p.DesiredCapacity-ps.live, 0)
	ps.slotLimit = max(p.MaxSize-ps.live, 0)

	ps.zones = slices.Sorted(maps.Keys(zoneCount))
	if len(ps.zones) == 0 {
		ps.zones = []string{""}
	}
	ps.zoneCount = zoneCount
	ps.slotTmpl = map[string]*node{}
	for _, z := range ps.zones {
		t, err := e.template(ps, ps.sizing, z)
		if err != nil {
			return nil, err
		}
		ps.slotTmpl[z] = t
	}
	return ps, nil
}

// checkSupported returns an UnsupportedError for pool settings tandem cannot
// model yet.
func checkSupported(p *Pool, versions []LaunchTemplateVersion) error {
	if p.HasWarmPool {
		return &UnsupportedError{Pool: p.Name, Feature: "warm pool"}
	}
	if mi := p.MixedInstances; mi != nil {
		for _, o := range mi.Overrides {
			if o.HasInstanceRequirements {
				return &UnsupportedError{Pool: p.Name, Feature: "mixed instances policy with attribute-based instance type selection (InstanceRequirements)"}
			}
			if o.WeightedCapacity != "" && o.WeightedCapacity != "1" {
				return &UnsupportedError{Pool: p.Name, Feature: fmt.Sprintf("mixed instances policy with weighted capacity (override %s has weight %s)", o.InstanceType, o.WeightedCapacity)}
			}
		}
	}
	return nil
}

// poolInstanceTypes returns the instance types the pool's next instance may
// be, the one that names it first, and its AMI: every override of a mixed
// instances policy (an allocation strategy by price or Spot capacity may
// pick any of them), else the type of the launch template version the group
// names.
func (e *estimator) poolInstanceTypes(p *Pool) (types []string, ami string, err error) {
	var ref *LaunchTemplateRef
	switch {
	case p.MixedInstances != nil:
		ref = &p.MixedInstances.LaunchTemplate
		for _, o := range p.MixedInstances.Overrides {
			if o.InstanceType != "" && !slices.Contains(types, o.InstanceType) {
				types = append(types, o.InstanceType)
			}
		}
		if len(types) > 0 {
			if o := p.MixedInstances.Overrides[0]; o.LaunchTemplate != nil {
				ref = o.LaunchTemplate
			}
			v, err := e.launchTemplateVersion(p.Name, *ref)
			if err != nil {
				return types, "", nil // the AMI is only a nicety
			}
			return types, v.ImageID, nil
		}
	case p.LaunchTemplate != nil:
		ref = p.LaunchTemplate
	default:
		// A launch configuration: learn the type from the instances.
		counts := map[string]int{}
		for _, inst := range p.Instances {
			if inst.InstanceType != "" {
				counts[inst.InstanceType]++
			}
		}
		best := ""
		for _, t := range slices.Sorted(maps.Keys(counts)) {
			if best == "" || counts[t] > counts[best] {
				best = t
			}
		}
		if best == "" {
			return nil, "", fmt.Errorf("pool %s uses launch configuration %q and has no instance to learn its instance type from; tandem reads launch templates only", p.Name, p.LaunchConfigurationName)
		}
		return []string{best}, "", nil
	}
	v, err := e.launchTemplateVersion(p.Name, *ref)
	if err != nil {
		return nil, "", err
	}
	if v.HasInstanceRequirements {
		return nil, "", &UnsupportedError{Pool: p.Name, Feature: "launch template with attribute-based instance type selection (InstanceRequirements)"}
	}
	if v.InstanceType == "" {
		return nil, "", fmt.Errorf("pool %s: launch template %s version %d sets no instance type", p.Name, templateName(*ref), v.VersionNumber)
	}
	return []string{v.InstanceType}, v.ImageID, nil
}

func templateName(ref LaunchTemplateRef) string {
	if ref.ID != "" {
		return ref.ID
	}
	return ref.Name
}

// launchTemplateVersion resolves a launch template reference: a version
// number, "$Latest" (the highest number) or "$Default" (also when unset).
func (e *estimator) launchTemplateVersion(pool string, ref LaunchTemplateRef) (LaunchTemplateVersion, error) {
	var versions []LaunchTemplateVersion
	for _, v := range e.c.LaunchTemplateVersions {
		if (ref.ID != "" && v.TemplateID == ref.ID) || (ref.ID == "" && v.TemplateName == ref.Name) {
			versions = append(versions, v)
		}
	}
	notFound := fmt.Errorf("pool %s: launch template %s version %q is not in launch-template-versions.json", pool, templateName(ref), ref.Version)
	if len(versions) == 0 {
		return LaunchTemplateVersion{}, notFound
	}
	switch ref.Version {
	case "$Latest":
		best := versions[0]
		for _, v := range versions[1:] {
			if v.VersionNumber > best.VersionNumber {
				best = v
			}
		}
		return best, nil
	case "$Default", "":
		for _, v := range versions {
			if v.DefaultVersion {
				return v, nil
			}
		}
	default:
		n, err := strconv.Atoi(ref.Version)
		if err == nil {
			for _, v := range versions {
				if v.VersionNumber == n {
					return v, nil
				}
			}
		}
	}
	return LaunchTemplateVersion{}, notFound
}

// template returns an empty instance of the pool in the given zone, as it
// would register: of the first of the given types, with its attributes and
// those all the pool's instances share, offering the least that any of the
// types offers in each dimension (typeRegistration; one type for a launch
// template or an instance whose type is known, every override of a mixed
// instances policy otherwise), and every daemon whose constraints it
// satisfies already charged.
func (e *estimator) template(ps *poolState, types []string, zone string) (*node, error) {
	key := strings.Join(types, ",") + "|" + zone
	if t, ok := ps.templates[key]; ok {
		return t, nil
	}
	typ := types[0]
	t := &node{
		kind:              newNode,
		pool:              ps.idx,
		id:                fmt.Sprintf("%s/new-%s-%s", ps.pool.Name, typ, zone),
		typ:               typ,
		zone:              zone,
		agentConnected:    true,
		registeredAt:      e.opts.Now,
		capabilitiesKnown: len(ps.registered) > 0,
		groups:            map[string]int{},
		sig:               e.newSig(),
	}
	var registered []*ContainerInstance
	for _, ci := range ps.registered {
		registered = append(registered, ci)
		if compareVersions(ci.AgentVersion, t.agentVersion) > 0 {
			t.agentVersion = ci.AgentVersion
		}
	}
	attrs := sharedAttributes(registered)
	if attrs == nil {
		attrs = map[string]string{}
	}
	var arch string
	for i, other := range types {
		r, err := e.typeRegistration(ps, other)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			t.capCPU, t.capMem, t.capGPU = r.cpu, r.mem, r.gpu
			arch = r.arch
		}
		t.capCPU, t.capMem, t.capGPU = min(t.capCPU, r.cpu), min(t.capMem, r.mem), min(t.capGPU, r.gpu)
		t.portsTCP = insertPorts(t.portsTCP, r.portsTCP)
		t.portsUDP = insertPorts(t.portsUDP, r.portsUDP)
	}
	if arch == "" {
		if it, ok := e.c.InstanceTypes[typ]; ok && len(it.Architectures) > 0 {
			arch = it.Architectures[0]
		}
	}
	attrs["ecs.instance-type"] = typ
	attrs["ecs.availability-zone"] = zone
	if _, ok := attrs["ecs.os-type"]; !ok {
		attrs["ecs.os-type"] = "linux"
	}
	if arch != "" {
		attrs["ecs.cpu-architecture"] = arch
	}
	if ps.ami != "" {
		attrs["ecs.ami-id"] = ps.ami
	}
	t.attrs = attrs
	eniAttrs := attrs
	if ps.trunk {
		eniAttrs = map[string]string{"ecs.awsvpc-trunk-id": "yes"}
	}
	for i, other := range types {
		if n := int64(e.eniLimit(other, eniAttrs)); i == 0 || n < t.eni {
			t.eni = n
		}
	}
	t.cpu, t.mem, t.gpu = t.capCPU, t.capMem, t.capGPU

	for _, d := range e.daemons {
		if d.cons.err != nil || !d.cons.admits(t) {
			continue
		}
		if t.fit(d.shape, "service:"+d.name, false, 1) == 0 {
			e.warn("daemon service %s does not fit a new %s instance of pool %s", d.name, typ, ps.pool.Name)
			continue
		}
		t.take(d.shape, "service:"+d.name)
	}
	t.placed = 0
	ps.templates[key] = t
	return t, nil
}

// compareVersions compares two dotted version numbers, such as the agent's
// "1.89.0", part by part, so that 1.10.0 comes after 1.9.0: it returns -1,
// 0 or 1. Within a part, the leading digits compare as a number (none count
// as 0), then what follows them as text; a missing part is an empty one.
func compareVersions(a, b string) int {
	for a != "" || b != "" {
		var x, y string
		x, a, _ = strings.Cut(a, ".")
		y, b, _ = strings.Cut(b, ".")
		xn, xrest := splitDigits(x)
		yn, yrest := splitDigits(y)
		if c := cmp.Compare(len(xn), len(yn)); c != 0 {
			return c
		}
		if c := strings.Compare(xn, yn); c != 0 {
			return c
		}
		if c := strings.Compare(xrest, yrest); c != 0 {
			return c
		}
	}
	return 0
}

// splitDigits splits s after its leading digits, dropping leading zeros:
// numbers then compare by length, then as text.
func splitDigits(s string) (digits, rest string) {
	end := 0
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	return strings.TrimLeft(s[:end], "0"), s[end:]
}

// typeRegistration returns what a new instance of the given type registers
// with in the pool: as registered instances of the type show it
// (registeredLike), else derived from EC2's description of the type (CPU
// units 1024 per vCPU, memory less the overhead, the agent's default
// reserved ports). Without either, the pool cannot be sized: an error names
// the type.
func (e *estimator) typeRegistration(ps *poolState, typ string) (registration, error) {
	if r, ok := e.registeredLike(typ, ps.idx); ok {
		if len(r.portsTCP) == 0 {
			r.portsTCP = slices.Clone(defaultReservedPorts)
		}
		return r, nil
	}
	it, ok := e.c.InstanceTypes[typ]
	if !ok {
		err := fmt.Errorf("pool %s: instance type %s is neither registered in the cluster nor described in instance-types.json", ps.pool.Name, typ)
		if len(ps.sizing) > 1 {
			err = fmt.Errorf("%w; it is one of the group's mixed instances overrides, and tandem sizes new instances as the smallest of them", err)
		}
		return registration{}, err
	}
	r := registration{
		cpu:      it.VCPUs * 1024,
		mem:      it.MemoryMiB - e.memoryOverhead(it.MemoryMiB),
		gpu:      it.GPUs,
		portsTCP: slices.Clone(defaultReservedPorts),
	}
	if len(it.Architectures) > 0 {
		r.arch = it.Architectures[0]
	}
	return r, nil
}

// slotZone returns the zone of slot i: the zone with the fewest instances
// once the slots before it are filled, ties broken by name, as the Auto
// Scaling group balances its zones. Slots past the pool's room exist too,
// for comparing pools as if they had no maximum.
func (ps *poolState) slotZone(i int) string {
	for len(ps.slotZones) <= i {
		best := ps.zones[0]
		for _, z := range ps.zones[1:] {
			if ps.zoneCount[z] < ps.zoneCount[best] {
				best = z
			}
		}
		ps.slotZones = append(ps.slotZones, best)
		ps.zoneCount[best]++
	}
	return ps.slotZones[i]
}

// slotBin returns a fresh bin for slot i of the pool.
func (ps *poolState) slotBin(i int) *node {
	n := ps.slotTmpl[ps.slotZone(i)].clone()
	n.id = fmt.Sprintf("%s/slot-%d", ps.pool.Name, ps.live+i+1)
	n.order = len(ps.preOpened) + i
	if i < ps.ordered {
		n.kind = orderedNode
	} else {
		n.kind = newNode
	}
	return n
}
