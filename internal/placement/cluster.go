package placement

import "time"

// Cluster is everything the estimator reads about one ECS cluster and the
// Auto Scaling groups (pools) that provide its instances. It mirrors the ECS,
// Auto Scaling and EC2 API objects, reduced to the fields placement depends on,
// with units in the field names. Readers (the snapshot loader and the live
// reader) build it; nothing in this package changes it.
type Cluster struct {
	Name string

	Services           []Service
	TaskDefinitions    map[string]TaskDefinition // by task definition ARN
	ContainerInstances []ContainerInstance
	Tasks              []Task // every task that is not STOPPED

	Pools                  []Pool
	InstanceTypes          map[string]InstanceType // by instance type name
	LaunchTemplateVersions []LaunchTemplateVersion

	// CapacityProviders and the cluster's default strategy are optional: when
	// present, services that use a capacity provider strategy are routed to the
	// pools behind those providers.
	CapacityProviders               []CapacityProvider
	DefaultCapacityProviderStrategy []CapacityProviderStrategyItem
}

// SchedulingStrategy is how the ECS service scheduler runs a service's tasks.
type SchedulingStrategy string

// The scheduling strategies of ECS services.
const (
	Replica SchedulingStrategy = "REPLICA"
	Daemon  SchedulingStrategy = "DAEMON"
)

// Service is an ECS service.
type Service struct {
	Name   string
	ARN    string
	Status string // ACTIVE, DRAINING or INACTIVE

	DesiredCount int
	// RunningCount is the service's running tasks as ECS counts them: the
	// starting point of step scaling.
	RunningCount       int
	SchedulingStrategy SchedulingStrategy
	// LaunchType is EC2, FARGATE or EXTERNAL, or empty when the service uses
	// a capacity provider strategy.
	LaunchType               string
	CapacityProviderStrategy []CapacityProviderStrategyItem
	// DeploymentController is ECS (rolling update), CODE_DEPLOY or EXTERNAL.
	DeploymentController string
	TaskDefinitionARN    string

	// MaximumPercent and MinimumHealthyPercent bound the running tasks during
	// a deployment or while an instance drains (deployment-type-ecs.md),
	// rounded down and up. A zero MaximumPercent means ECS's default, 200; a
	// zero MinimumHealthyPercent means zero, so readers must fill in ECS's
	// default of 100 when the service does not set it.
	MaximumPercent        int
	MinimumHealthyPercent int

	Deployments          []Deployment
	PlacementConstraints []Constraint
	PlacementStrategy    []Strategy
}

// Deployment is one deployment of a service: PRIMARY is the newest, ACTIVE
// ones are being replaced.
type Deployment struct {
	ID                string
	Status            string // PRIMARY, ACTIVE or INACTIVE
	TaskDefinitionARN string
	DesiredCount      int
	RunningCount      int
	PendingCount      int
	RolloutState      string // IN_PROGRESS, COMPLETED or FAILED
	CreatedAt         time.Time
}

// NetworkMode is a task definition's Docker network mode.
type NetworkMode string

// The network modes of Linux container instances. An unset network mode
// means bridge (task_definition_parameters.md).
const (
	Bridge NetworkMode = "bridge"
	Host   NetworkMode = "host"
	AWSVPC NetworkMode = "awsvpc"
	None   NetworkMode = "none"
)

// TaskDefinition is one revision of an ECS task definition.
type TaskDefinition struct {
	ARN         string
	Family      string
	Revision    int
	NetworkMode NetworkMode

	// CPUUnits and MemoryMiB are the task-level values; zero means unset, in
	// which case the containers' values add up.
	CPUUnits  int64
	MemoryMiB int64

	Containers           []ContainerDefinition
	PlacementConstraints []Constraint
	RequiresAttributes   []Attribute
}

// ContainerDefinition is one container of a task definition.
type ContainerDefinition struct {
	Name                 string
	CPUUnits             int64
	MemoryMiB            int64 // hard limit; zero when unset
	MemoryReservationMiB int64 // soft limit; zero when unset
	GPUs                 int64
	PortMappings         []PortMapping
}

// Protocol is a transport protocol of a port mapping.
type Protocol string

// The port mapping protocols.
const (
	TCP Protocol = "tcp"
	UDP Protocol = "udp"
)

// PortMapping maps a container port to a host port. HostPort zero means a
// dynamic host port in bridge mode.
type PortMapping struct {
	ContainerPort int
	HostPort      int
	Protocol      Protocol
}

// ConstraintType is the kind of a placement constraint.
type ConstraintType string

// The placement constraint types.
const (
	DistinctInstance ConstraintType = "distinctInstance"
	MemberOf         ConstraintType = "memberOf"
)

// Constraint is a placement constraint of a service or a task definition.
type Constraint struct {
	Type       ConstraintType
	Expression string // cluster query language, for memberOf
}

// StrategyType is the kind of a placement strategy.
type StrategyType string

// The placement strategy types.
const (
	Binpack StrategyType = "binpack"
	Spread  StrategyType = "spread"
	Random  StrategyType = "random"
)

// Strategy is one placement strategy rule of a service. Field is "cpu" or
// "memory" for binpack, "instanceId", "host" or "attribute:<name>" for spread.
type Strategy struct {
	Type  StrategyType
	Field string
}

// Attribute is a container instance attribute, or a required attribute of a
// task definition. Attributes without a value have an empty Value.
type Attribute struct {
	Name  string
	Value string
}

// ContainerInstance is an EC2 instance registered with the cluster.
type ContainerInstance struct {
	ARN            string
	EC2InstanceID  string
	Status         string // ACTIVE, DRAINING, REGISTERING, ...
	AgentConnected bool
	AgentVersion   string
	RegisteredAt   time.Time
	Attributes     []Attribute

	RegisteredCPUUnits  int64
	RegisteredMemoryMiB int64
	RegisteredGPUs      int64
	// ReservedPortsTCP and ReservedPortsUDP are the ports taken at
	// registration (the agent's reserved ports).
	ReservedPortsTCP []int
	ReservedPortsUDP []int

	RemainingCPUUnits  int64
	RemainingMemoryMiB int64
	// PortsTCP and PortsUDP are the ports taken now: the reserved ones plus
	// those used by tasks. ECS lists them in remainingResources, which names
	// the used ports rather than the free ones.
	PortsTCP []int
	PortsUDP []int

	RunningTasksCount int
	PendingTasksCount int
}

// Task is an ECS task that is not STOPPED.
type Task struct {
	ARN                  string
	TaskDefinitionARN    string
	ContainerInstanceARN string // empty while PROVISIONING
	Group                string // "service:<name>" for service tasks
	StartedBy            string // the deployment ID for service tasks
	LastStatus           string
	DesiredStatus        string
	CapacityProviderName string
}

// Pool is an EC2 Auto Scaling group that provides instances to the cluster.
type Pool struct {
	Name            string
	ARN             string
	MinSize         int
	MaxSize         int
	DesiredCapacity int
	Zones           []string
	Instances       []PoolInstance

	// LaunchTemplate is set when the group launches from a launch template.
	LaunchTemplate *LaunchTemplateRef
	// MixedInstances is set when the group uses a mixed instances policy.
	MixedInstances *MixedInstances
	// LaunchConfigurationName is set for groups that still use a launch
	// configuration; their instance type comes from their instances.
	LaunchConfigurationName string

	HasWarmPool bool
	Tags        map[string]string
}

// PoolInstance is an instance as its Auto Scaling group lists it.
type PoolInstance struct {
	ID                   string
	InstanceType         string
	Zone                 string
	LifecycleState       string // Pending, InService, Terminating, ...
	HealthStatus         string
	ProtectedFromScaleIn bool
}

// LaunchTemplateRef names a launch template and a version: a number,
// "$Latest" or "$Default".
type LaunchTemplateRef struct {
	ID      string
	Name    string
	Version string
}

// MixedInstances is the part of a mixed instances policy that decides the
// type of a new instance.
type MixedInstances struct {
	LaunchTemplate LaunchTemplateRef
	Overrides      []InstanceOverride
}

// InstanceOverride is one entry of a mixed instances policy's overrides.
type InstanceOverride struct {
	InstanceType string
	// WeightedCapacity is the override's weight as the API returns it (a
	// string); empty when unset.
	WeightedCapacity string
	// HasInstanceRequirements is true for attribute-based instance type
	// selection.
	HasInstanceRequirements bool
	// LaunchTemplate overrides the policy's launch template when set.
	LaunchTemplate *LaunchTemplateRef
}

// LaunchTemplateVersion is one version of a launch template.
type LaunchTemplateVersion struct {
	TemplateID     string
	TemplateName   string
	VersionNumber  int
	DefaultVersion bool
	InstanceType   string // empty when the version does not set one
	ImageID        string
	// HasInstanceRequirements is true when the version selects instance types
	// by attributes instead of naming one.
	HasInstanceRequirements bool
}

// InstanceType is what EC2 says about an instance type.
type InstanceType struct {
	Name                     string
	VCPUs                    int64
	MemoryMiB                int64
	MaximumNetworkInterfaces int
	GPUs                     int64
	Architectures            []string // x86_64, arm64, ...
}

// CapacityProvider links an ECS capacity provider to the Auto Scaling group
// behind it.
type CapacityProvider struct {
	Name                 string
	AutoScalingGroupARN  string
	ManagedScaling       bool
	ManagedTermination   bool
	ManagedDrainingOn    bool
	ManagedScalingTarget int
}

// CapacityProviderStrategyItem is one entry of a capacity provider strategy.
type CapacityProviderStrategyItem struct {
	CapacityProvider string
	Base             int
	Weight           int
}
