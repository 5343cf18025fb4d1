package placement

import "time"

// SurgeMode says how much room a rolling deployment gets.
type SurgeMode string

// The surge modes.
const (
	// SurgeBatch plans room for the whole batch that maximumPercent allows
	// the deployment to start at once (the default).
	SurgeBatch SurgeMode = "batch"
	// SurgeOne plans room for one surge task at a time: cheaper, slower.
	SurgeOne SurgeMode = "one"
)

// MemoryOverhead is the memory of a new instance that ECS does not offer to
// tasks: the kernel, the agent, ECS_RESERVED_MEMORY. It applies only to
// instance types that no registered container instance reveals.
type MemoryOverhead struct {
	MiB     int64 // fixed part
	Percent int64 // share of the instance type's memory, rounded up
}

// DefaultMemoryOverhead is used when the options name no overhead and no
// registered instance shows the real one. ECS documents a single example (an
// m4.large with 8 GiB registers 7985 MiB, 2.5% less: memory-management.md);
// moto's fixture of an 8 GiB instance registers 7482 MiB, 8.7% less. tandem
// assumes 6%, unless registered instances of types described in
// instance-types.json show their own share: then it takes the largest of
// those, whatever their type.
func DefaultMemoryOverhead() MemoryOverhead { return MemoryOverhead{Percent: 6} }

// Options are the knobs of one estimate.
type Options struct {
	// Surge is SurgeBatch when empty.
	Surge SurgeMode
	// HeadroomPercent keeps spare room for this share of each REPLICA
	// service's desired count (rounded up) on top of its demand.
	HeadroomPercent int
	// MemoryOverhead, when set, is the overhead of new instances of types
	// that no registered instance shows. Unset, tandem uses the largest
	// share any registered instance of a described type keeps, else
	// DefaultMemoryOverhead. Types with registered instances are sized as
	// those register, whatever this says.
	MemoryOverhead *MemoryOverhead
	// IgnoreInstances are Auto Scaling instances that no longer count as
	// upcoming capacity (for example, launched long ago and never
	// registered), with the reason.
	IgnoreInstances map[string]string
	// Now is the time of the decision; new instances register at Now.
	Now time.Time
	// ScaleIn says which instances the plan may drain.
	ScaleIn ScaleIn
}

// Reason says why tasks cannot be placed.
type Reason string

// The reasons of unplaceable tasks, in the order ECS checks resources.
const (
	ReasonCPU         Reason = "RESOURCE:CPU"
	ReasonGPU         Reason = "RESOURCE:GPU"
	ReasonMemory      Reason = "RESOURCE:MEMORY"
	ReasonPorts       Reason = "RESOURCE:PORTS"
	ReasonENI         Reason = "RESOURCE:ENI"
	ReasonConstraint  Reason = "CONSTRAINT"
	ReasonMaxCapacity Reason = "MAX_CAPACITY"
)

// Plan is the estimator's answer: per pool the capacity to set, per service
// its demand, and the tasks that cannot be placed, with reasons.
type Plan struct {
	Cluster     string        `json:"cluster"`
	Pools       []PoolPlan    `json:"autoScalingGroups"`
	Services    []ServicePlan `json:"services"`
	Unplaceable []Unplaceable `json:"unplaceable"`
	Drain       []Drain       `json:"drain"`
	Warnings    []string      `json:"warnings"`
	// Partial is true when the context deadline cut the estimate short; the
	// plan then covers the groups placed before it.
	Partial bool `json:"partial,omitempty"`
}

// PoolPlan is the capacity decision for one Auto Scaling group.
type PoolPlan struct {
	Name string `json:"name"`
	// InstanceType names the pool's new instances: its launch template's
	// type, or the first override of its mixed instances policy. With
	// several overrides, new instances are sized as the least of them in
	// each dimension (CPU, memory, GPUs, ENIs), since the group may launch
	// any of them.
	InstanceType           string `json:"instanceType"`
	MinSize                int    `json:"minSize"`
	MaxSize                int    `json:"maxSize"`
	CurrentDesiredCapacity int    `json:"currentDesiredCapacity"`
	// DesiredCapacity is what the reconciler would set now, in
	// [MinSize, MaxSize]; it never lowers the current value (scale-in
	// terminates drained instances one by one with a decrement instead).
	DesiredCapacity int `json:"desiredCapacity"`
	NewInstances    int `json:"newInstances"`
	// InService counts registered, usable instances; Upcoming counts
	// instances launched or ordered that have not registered yet; Leaving
	// counts instances that are draining.
	InService int    `json:"inService"`
	Upcoming  int    `json:"upcoming"`
	Leaving   int    `json:"leaving"`
	Reason    string `json:"reason"`
	// Demand lists the tasks this pool's upcoming and new instances take,
	// by service.
	Demand []PoolDemand `json:"demand,omitempty"`
}

// PoolDemand is how many tasks of a service a pool's upcoming and new
// instances take.
type PoolDemand struct {
	Service string `json:"service"`
	Tasks   int    `json:"tasks"`
}

// ServicePlan is a service's demand and where the estimate put it.
type ServicePlan struct {
	Name         string `json:"name"`
	DesiredCount int    `json:"desiredCount"`
	// Placed counts the tasks the snapshot shows placed now: desired status
	// RUNNING on an ACTIVE instance, every deployment included.
	Placed int `json:"placed"`
	// Unplaced is the demand not placed now, rolling-deployment surge
	// included.
	Unplaced int `json:"unplaced"`
	// OnExisting, OnUpcoming and OnNew say where the estimate puts the
	// unplaced tasks; Unplaceable is what is left. They add up to Unplaced.
	OnExisting  int `json:"onExisting"`
	OnUpcoming  int `json:"onUpcoming"`
	OnNew       int `json:"onNew"`
	Unplaceable int `json:"unplaceable"`
	// Headroom is the spare room kept for this service, in tasks.
	Headroom int `json:"headroom,omitempty"`
	// Deploying is true while a rolling deployment is in progress.
	Deploying bool `json:"deploying,omitempty"`
}

// Unplaceable is a group of a service's tasks that cannot be placed, and why.
type Unplaceable struct {
	Service string `json:"service"`
	Count   int    `json:"count"`
	Reason  Reason `json:"reason"`
	Detail  string `json:"detail"`
}

// Drain is an instance the reconciler would drain now.
type Drain struct {
	EC2InstanceID        string `json:"ec2InstanceId"`
	AutoScalingGroup     string `json:"autoScalingGroup"`
	ContainerInstanceARN string `json:"containerInstanceArn"`
	Reason               string `json:"reason"`
}
