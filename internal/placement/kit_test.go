package placement

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// world builds clusters for tests: one pool, "pool-a", of m5.large
// instances (2 vCPUs, 8 GiB, 3 network interfaces) in two zones, unless a
// test changes it.
type world struct {
	c       Cluster
	nextCI  int
	nextTsk int
}

const (
	m5LargeCPU = 2048
	m5LargeMem = 7680 // what an m5.large registers in these tests
)

func newWorld() *world {
	w := &world{c: Cluster{
		Name:            "demo",
		TaskDefinitions: map[string]TaskDefinition{},
		InstanceTypes: map[string]InstanceType{
			"m5.large":    {Name: "m5.large", VCPUs: 2, MemoryMiB: 8192, MaximumNetworkInterfaces: 3, Architectures: []string{"x86_64"}},
			"m5.xlarge":   {Name: "m5.xlarge", VCPUs: 4, MemoryMiB: 16384, MaximumNetworkInterfaces: 4, Architectures: []string{"x86_64"}},
			"c5.xlarge":   {Name: "c5.xlarge", VCPUs: 4, MemoryMiB: 8192, MaximumNetworkInterfaces: 4, Architectures: []string{"x86_64"}},
			"t3.small":    {Name: "t3.small", VCPUs: 2, MemoryMiB: 2048, MaximumNetworkInterfaces: 3, Architectures: []string{"x86_64"}},
			"g4dn.xlarge": {Name: "g4dn.xlarge", VCPUs: 4, MemoryMiB: 16384, MaximumNetworkInterfaces: 3, GPUs: 1, Architectures: []string{"x86_64"}},
			"m6g.large":   {Name: "m6g.large", VCPUs: 2, MemoryMiB: 8192, MaximumNetworkInterfaces: 3, Architectures: []string{"arm64"}},
		},
	}}
	w.addPool("pool-a", "m5.large", 0, 10)
	return w
}

// addPool adds a pool launching typ from its own launch template.
func (w *world) addPool(name, typ string, min, max int) *Pool {
	lt := "lt-" + name
	w.c.LaunchTemplateVersions = append(w.c.LaunchTemplateVersions,
		LaunchTemplateVersion{TemplateID: lt, TemplateName: name + "-lt", VersionNumber: 1, DefaultVersion: true, InstanceType: typ, ImageID: "ami-0123"})
	w.c.Pools = append(w.c.Pools, Pool{
		Name:           name,
		ARN:            "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:uuid:autoScalingGroupName/" + name,
		MinSize:        min,
		MaxSize:        max,
		Zones:          []string{"us-east-1a", "us-east-1b"},
		LaunchTemplate: &LaunchTemplateRef{ID: lt, Version: "$Latest"},
	})
	return w.pool(name)
}

func (w *world) pool(name string) *Pool {
	for i := range w.c.Pools {
		if w.c.Pools[i].Name == name {
			return &w.c.Pools[i]
		}
	}
	panic("no pool " + name)
}

// td registers a task definition "name:1" with one container and returns
// its ARN.
func (w *world) td(name string, opts ...func(*TaskDefinition)) string {
	td := TaskDefinition{
		ARN:         "arn:aws:ecs:us-east-1:123456789012:task-definition/" + name + ":1",
		Family:      name,
		Revision:    1,
		NetworkMode: Bridge,
		Containers:  []ContainerDefinition{{Name: name, CPUUnits: 256, MemoryMiB: 512}},
	}
	for _, o := range opts {
		o(&td)
	}
	w.c.TaskDefinitions[td.ARN] = td
	return td.ARN
}

func cpu(n int64) func(*TaskDefinition) {
	return func(td *TaskDefinition) { td.Containers[0].CPUUnits = n }
}
func mem(n int64) func(*TaskDefinition) {
	return func(td *TaskDefinition) { td.Containers[0].MemoryMiB = n }
}
func hostPort(p int) func(*TaskDefinition) {
	return func(td *TaskDefinition) {
		td.Containers[0].PortMappings = append(td.Containers[0].PortMappings, PortMapping{ContainerPort: p, HostPort: p, Protocol: TCP})
	}
}
func network(m NetworkMode) func(*TaskDefinition) {
	return func(td *TaskDefinition) { td.NetworkMode = m }
}
func gpus(n int64) func(*TaskDefinition) {
	return func(td *TaskDefinition) { td.Containers[0].GPUs = n }
}
func tdConstraint(c Constraint) func(*TaskDefinition) {
	return func(td *TaskDefinition) { td.PlacementConstraints = append(td.PlacementConstraints, c) }
}
func requires(name string) func(*TaskDefinition) {
	return func(td *TaskDefinition) { td.RequiresAttributes = append(td.RequiresAttributes, Attribute{Name: name}) }
}

// service adds a REPLICA service with one PRIMARY deployment.
func (w *world) service(name string, desired int, td string, opts ...func(*Service)) *Service {
	s := Service{
		Name:                  name,
		Status:                "ACTIVE",
		DesiredCount:          desired,
		SchedulingStrategy:    Replica,
		LaunchType:            "EC2",
		DeploymentController:  "ECS",
		TaskDefinitionARN:     td,
		MaximumPercent:        200,
		MinimumHealthyPercent: 100,
		Deployments: []Deployment{{
			ID: "ecs-svc/" + name + "-1", Status: "PRIMARY", TaskDefinitionARN: td,
			DesiredCount: desired, RolloutState: "COMPLETED",
		}},
	}
	for _, o := range opts {
		o(&s)
	}
	w.c.Services = append(w.c.Services, s)
	return &w.c.Services[len(w.c.Services)-1]
}

func daemonService(s *Service) {
	s.SchedulingStrategy = Daemon
	s.MaximumPercent, s.MinimumHealthyPercent = 100, 0
}
func strategy(st ...Strategy) func(*Service) {
	return func(s *Service) { s.PlacementStrategy = st }
}
func constraint(c Constraint) func(*Service) {
	return func(s *Service) { s.PlacementConstraints = append(s.PlacementConstraints, c) }
}

// deploy starts a rolling deployment of a new task definition: the old
// deployment becomes ACTIVE.
func (w *world) deploy(svc, td string) {
	for i := range w.c.Services {
		s := &w.c.Services[i]
		if s.Name != svc {
			continue
		}
		for j := range s.Deployments {
			s.Deployments[j].Status = "ACTIVE"
		}
		s.Deployments = append([]Deployment{{
			ID: "ecs-svc/" + svc + "-2", Status: "PRIMARY", TaskDefinitionARN: td,
			DesiredCount: s.DesiredCount, RolloutState: "IN_PROGRESS",
		}}, s.Deployments...)
		s.TaskDefinitionARN = td
		return
	}
	panic("no service " + svc)
}

// instance registers an m5.large in pool-a (unless options say otherwise),
// empty, and returns its container instance ARN.
func (w *world) instance(zone string, opts ...func(*ContainerInstance, *PoolInstance)) string {
	w.nextCI++
	id := fmt.Sprintf("i-%04d", w.nextCI)
	ci := ContainerInstance{
		ARN:                 "arn:aws:ecs:us-east-1:123456789012:container-instance/demo/" + id,
		EC2InstanceID:       id,
		Status:              "ACTIVE",
		AgentConnected:      true,
		AgentVersion:        "1.89.0",
		RegisteredAt:        time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		RegisteredCPUUnits:  m5LargeCPU,
		RegisteredMemoryMiB: m5LargeMem,
		RemainingCPUUnits:   m5LargeCPU,
		RemainingMemoryMiB:  m5LargeMem,
		ReservedPortsTCP:    []int{22, 2375, 2376, 51678, 51679},
		PortsTCP:            []int{22, 2375, 2376, 51678, 51679},
		Attributes: []Attribute{
			{Name: "ecs.instance-type", Value: "m5.large"},
			{Name: "ecs.availability-zone", Value: zone},
			{Name: "ecs.os-type", Value: "linux"},
			{Name: "ecs.cpu-architecture", Value: "x86_64"},
		},
	}
	pi := PoolInstance{ID: id, InstanceType: "m5.large", Zone: zone, LifecycleState: "InService", HealthStatus: "Healthy"}
	pool := "pool-a"
	for _, o := range opts {
		o(&ci, &pi)
	}
	if pi.ID != "" {
		if v, ok := attr(ci.Attributes, "tandem.test-pool"); ok {
			pool = v
		}
		p := w.pool(pool)
		p.Instances = append(p.Instances, pi)
		p.DesiredCapacity++
	}
	w.c.ContainerInstances = append(w.c.ContainerInstances, ci)
	return ci.ARN
}

func attr(attrs []Attribute, name string) (string, bool) {
	for _, a := range attrs {
		if a.Name == name {
			return a.Value, true
		}
	}
	return "", false
}

func inPool(name string) func(*ContainerInstance, *PoolInstance) {
	return func(ci *ContainerInstance, _ *PoolInstance) {
		ci.Attributes = append(ci.Attributes, Attribute{Name: "tandem.test-pool", Value: name})
	}
}
func draining(ci *ContainerInstance, _ *PoolInstance)     { ci.Status = "DRAINING" }
func disconnected(ci *ContainerInstance, _ *PoolInstance) { ci.AgentConnected = false }
func withAttr(name, value string) func(*ContainerInstance, *PoolInstance) {
	return func(ci *ContainerInstance, _ *PoolInstance) {
		ci.Attributes = append(ci.Attributes, Attribute{Name: name, Value: value})
	}
}
func ofType(typ string, cpu, mem int64) func(*ContainerInstance, *PoolInstance) {
	return func(ci *ContainerInstance, pi *PoolInstance) {
		for i := range ci.Attributes {
			if ci.Attributes[i].Name == "ecs.instance-type" {
				ci.Attributes[i].Value = typ
			}
		}
		ci.RegisteredCPUUnits, ci.RemainingCPUUnits = cpu, cpu
		ci.RegisteredMemoryMiB, ci.RemainingMemoryMiB = mem, mem
		pi.InstanceType = typ
	}
}

// run places a task of svc on the container instance (or nowhere when ci
// is ""), charging its shape to the instance as ECS would.
func (w *world) run(svc, ci string, opts ...func(*Task)) {
	var s *Service
	for i := range w.c.Services {
		if w.c.Services[i].Name == svc {
			s = &w.c.Services[i]
		}
	}
	if s == nil {
		panic("no service " + svc)
	}
	w.nextTsk++
	t := Task{
		ARN:                  fmt.Sprintf("arn:aws:ecs:us-east-1:123456789012:task/demo/%032d", w.nextTsk),
		TaskDefinitionARN:    s.TaskDefinitionARN,
		ContainerInstanceARN: ci,
		Group:                "service:" + svc,
		StartedBy:            s.Deployments[0].ID,
		LastStatus:           "RUNNING",
		DesiredStatus:        "RUNNING",
	}
	for _, o := range opts {
		o(&t)
	}
	w.c.Tasks = append(w.c.Tasks, t)
	if ci == "" {
		t.LastStatus = "PROVISIONING"
		return
	}
	shape := w.c.TaskDefinitions[t.TaskDefinitionARN].Shape()
	for i := range w.c.ContainerInstances {
		c := &w.c.ContainerInstances[i]
		if c.ARN != ci {
			continue
		}
		c.RemainingCPUUnits -= shape.CPUUnits
		c.RemainingMemoryMiB -= shape.MemoryMiB
		c.PortsTCP = append(c.PortsTCP, shape.PortsTCP...)
		c.PortsUDP = append(c.PortsUDP, shape.PortsUDP...)
		c.RunningTasksCount++
		return
	}
	panic("no container instance " + ci)
}

func startedBy(id string) func(*Task) { return func(t *Task) { t.StartedBy = id } }

// upcoming adds an instance to pool-a that has not registered with ECS.
func (w *world) upcoming(zone, state string) {
	w.nextCI++
	p := w.pool("pool-a")
	p.Instances = append(p.Instances, PoolInstance{ID: fmt.Sprintf("i-%04d", w.nextCI), InstanceType: "m5.large", Zone: zone, LifecycleState: state})
	p.DesiredCapacity++
}

func (w *world) estimate(t *testing.T, opts Options) Plan {
	t.Helper()
	p, err := Estimate(context.Background(), w.c, opts)
	if err != nil {
		t.Fatalf("Estimate: %v", err)
	}
	return p
}

func poolPlan(t *testing.T, p Plan, name string) PoolPlan {
	t.Helper()
	for _, pp := range p.Pools {
		if pp.Name == name {
			return pp
		}
	}
	t.Fatalf("plan has no pool %s: %+v", name, p.Pools)
	return PoolPlan{}
}

func servicePlan(t *testing.T, p Plan, name string) ServicePlan {
	t.Helper()
	for _, sp := range p.Services {
		if sp.Name == name {
			return sp
		}
	}
	t.Fatalf("plan has no service %s: %+v", name, p.Services)
	return ServicePlan{}
}

func reasons(p Plan) []string {
	var out []string
	for _, u := range p.Unplaceable {
		out = append(out, fmt.Sprintf("%s:%d:%s", u.Service, u.Count, u.Reason))
	}
	slices.Sort(out)
	return out
}
