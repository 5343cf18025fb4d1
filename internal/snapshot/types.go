package snapshot

// The types below mirror what AWS CLI v2 prints with --output json for the
// calls of a snapshot, reduced to the fields tandem reads. ECS objects use
// the CLI's camelCase keys; Auto Scaling and EC2 objects its PascalCase keys.
// Unknown fields are ignored when loading; optional fields are omitted when
// writing.

// Snapshot is the content of a snapshot folder.
type Snapshot struct {
	Services               []Service
	TaskDefinitions        []TaskDefinition
	ContainerInstances     []ContainerInstance
	Tasks                  []Task
	AutoScalingGroups      []AutoScalingGroup
	InstanceTypes          []InstanceTypeInfo
	LaunchTemplateVersions []LaunchTemplateVersion
	Clusters               []Cluster          // optional
	CapacityProviders      []CapacityProvider // optional
	// Reservations hold the EC2 instances of the pools, for their tags
	// (the scale-in opt-out tag); optional.
	Reservations []Reservation

	// taskDefFiles names the file each task definition came from, for
	// error messages.
	taskDefFiles map[string]string
}

// ECS ---------------------------------------------------------------------

// Service is an element of describe-services' "services".
type Service struct {
	ServiceName              string                         `json:"serviceName"`
	ServiceARN               string                         `json:"serviceArn,omitempty"`
	ClusterARN               string                         `json:"clusterArn,omitempty"`
	Status                   string                         `json:"status,omitempty"`
	DesiredCount             int                            `json:"desiredCount"`
	RunningCount             int                            `json:"runningCount"`
	PendingCount             int                            `json:"pendingCount"`
	LaunchType               string                         `json:"launchType,omitempty"`
	CapacityProviderStrategy []CapacityProviderStrategyItem `json:"capacityProviderStrategy,omitempty"`
	TaskDefinition           string                         `json:"taskDefinition"`
	DeploymentConfiguration  *DeploymentConfiguration       `json:"deploymentConfiguration,omitempty"`
	DeploymentController     *DeploymentController          `json:"deploymentController,omitempty"`
	Deployments              []Deployment                   `json:"deployments,omitempty"`
	PlacementConstraints     []PlacementConstraint          `json:"placementConstraints,omitempty"`
	PlacementStrategy        []PlacementStrategy            `json:"placementStrategy,omitempty"`
	SchedulingStrategy       string                         `json:"schedulingStrategy,omitempty"`
	CreatedAt                *Time                          `json:"createdAt,omitempty"`
}

// DeploymentConfiguration bounds a service's tasks during deployments.
type DeploymentConfiguration struct {
	MaximumPercent        *int `json:"maximumPercent,omitempty"`
	MinimumHealthyPercent *int `json:"minimumHealthyPercent,omitempty"`
}

// DeploymentController names who deploys a service.
type DeploymentController struct {
	Type string `json:"type"`
}

// Deployment is an element of a service's "deployments".
type Deployment struct {
	ID             string `json:"id"`
	Status         string `json:"status"`
	TaskDefinition string `json:"taskDefinition"`
	DesiredCount   int    `json:"desiredCount"`
	PendingCount   int    `json:"pendingCount"`
	RunningCount   int    `json:"runningCount"`
	RolloutState   string `json:"rolloutState,omitempty"`
	CreatedAt      *Time  `json:"createdAt,omitempty"`
	UpdatedAt      *Time  `json:"updatedAt,omitempty"`
}

// PlacementConstraint is a placement constraint of a service or task definition.
type PlacementConstraint struct {
	Type       string `json:"type"`
	Expression string `json:"expression,omitempty"`
}

// PlacementStrategy is one rule of a service's placement strategy.
type PlacementStrategy struct {
	Type  string `json:"type"`
	Field string `json:"field,omitempty"`
}

// CapacityProviderStrategyItem is one entry of a capacity provider strategy.
type CapacityProviderStrategyItem struct {
	CapacityProvider string `json:"capacityProvider"`
	Weight           int    `json:"weight"`
	Base             int    `json:"base"`
}

// TaskDefinition is a task definition revision.
type TaskDefinition struct {
	TaskDefinitionARN    string                `json:"taskDefinitionArn"`
	Family               string                `json:"family,omitempty"`
	Revision             int                   `json:"revision,omitempty"`
	NetworkMode          string                `json:"networkMode,omitempty"`
	CPU                  string                `json:"cpu,omitempty"`
	Memory               string                `json:"memory,omitempty"`
	ContainerDefinitions []ContainerDefinition `json:"containerDefinitions"`
	PlacementConstraints []PlacementConstraint `json:"placementConstraints,omitempty"`
	RequiresAttributes   []Attribute           `json:"requiresAttributes,omitempty"`
	Status               string                `json:"status,omitempty"`
}

// ContainerDefinition is one container of a task definition.
type ContainerDefinition struct {
	Name                 string                `json:"name"`
	CPU                  int64                 `json:"cpu,omitempty"`
	Memory               int64                 `json:"memory,omitempty"`
	MemoryReservation    int64                 `json:"memoryReservation,omitempty"`
	PortMappings         []PortMapping         `json:"portMappings,omitempty"`
	ResourceRequirements []ResourceRequirement `json:"resourceRequirements,omitempty"`
}

// PortMapping maps a container port to a host port.
type PortMapping struct {
	ContainerPort int    `json:"containerPort,omitempty"`
	HostPort      int    `json:"hostPort,omitempty"`
	Protocol      string `json:"protocol,omitempty"`
}

// ResourceRequirement is a GPU or inference accelerator requirement.
type ResourceRequirement struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// Attribute is a container instance attribute or a required attribute.
type Attribute struct {
	Name  string  `json:"name"`
	Value *string `json:"value,omitempty"`
}

// ContainerInstance is an element of describe-container-instances'
// "containerInstances".
type ContainerInstance struct {
	ContainerInstanceARN string      `json:"containerInstanceArn"`
	EC2InstanceID        string      `json:"ec2InstanceId"`
	Status               string      `json:"status"`
	AgentConnected       *bool       `json:"agentConnected,omitempty"`
	VersionInfo          VersionInfo `json:"versionInfo"`
	RemainingResources   []Resource  `json:"remainingResources"`
	RegisteredResources  []Resource  `json:"registeredResources"`
	RunningTasksCount    int         `json:"runningTasksCount"`
	PendingTasksCount    int         `json:"pendingTasksCount"`
	Attributes           []Attribute `json:"attributes,omitempty"`
	RegisteredAt         *Time       `json:"registeredAt,omitempty"`
	Tags                 []Tag       `json:"tags,omitempty"`
}

// VersionInfo is the agent's version.
type VersionInfo struct {
	AgentVersion string `json:"agentVersion,omitempty"`
}

// Resource is a registered or remaining resource of a container instance.
type Resource struct {
	Name           string   `json:"name"`
	Type           string   `json:"type"`
	IntegerValue   int64    `json:"integerValue"`
	StringSetValue []string `json:"stringSetValue,omitempty"`
}

// Tag is an ECS tag.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Task is an element of describe-tasks' "tasks".
type Task struct {
	TaskARN              string `json:"taskArn"`
	TaskDefinitionARN    string `json:"taskDefinitionArn"`
	ContainerInstanceARN string `json:"containerInstanceArn,omitempty"`
	Group                string `json:"group,omitempty"`
	StartedBy            string `json:"startedBy,omitempty"`
	LastStatus           string `json:"lastStatus"`
	DesiredStatus        string `json:"desiredStatus"`
	LaunchType           string `json:"launchType,omitempty"`
	CapacityProviderName string `json:"capacityProviderName,omitempty"`
	CreatedAt            *Time  `json:"createdAt,omitempty"`
}

// Cluster is an element of describe-clusters' "clusters".
type Cluster struct {
	ClusterName                     string                         `json:"clusterName"`
	ClusterARN                      string                         `json:"clusterArn,omitempty"`
	CapacityProviders               []string                       `json:"capacityProviders,omitempty"`
	DefaultCapacityProviderStrategy []CapacityProviderStrategyItem `json:"defaultCapacityProviderStrategy,omitempty"`
}

// CapacityProvider is an element of describe-capacity-providers'
// "capacityProviders".
type CapacityProvider struct {
	Name                     string                    `json:"name"`
	Status                   string                    `json:"status,omitempty"`
	AutoScalingGroupProvider *AutoScalingGroupProvider `json:"autoScalingGroupProvider,omitempty"`
}

// AutoScalingGroupProvider links a capacity provider to its group.
type AutoScalingGroupProvider struct {
	AutoScalingGroupARN          string          `json:"autoScalingGroupArn"`
	ManagedScaling               *ManagedScaling `json:"managedScaling,omitempty"`
	ManagedTerminationProtection string          `json:"managedTerminationProtection,omitempty"`
	ManagedDraining              string          `json:"managedDraining,omitempty"`
}

// ManagedScaling is a capacity provider's managed scaling.
type ManagedScaling struct {
	Status         string `json:"status,omitempty"`
	TargetCapacity int    `json:"targetCapacity,omitempty"`
}

// Auto Scaling --------------------------------------------------------------

// AutoScalingGroup is an element of describe-auto-scaling-groups'
// "AutoScalingGroups".
type AutoScalingGroup struct {
	AutoScalingGroupName    string                 `json:"AutoScalingGroupName"`
	AutoScalingGroupARN     string                 `json:"AutoScalingGroupARN,omitempty"`
	LaunchConfigurationName string                 `json:"LaunchConfigurationName,omitempty"`
	LaunchTemplate          *LaunchTemplateSpec    `json:"LaunchTemplate,omitempty"`
	MixedInstancesPolicy    *MixedInstancesPolicy  `json:"MixedInstancesPolicy,omitempty"`
	MinSize                 int                    `json:"MinSize"`
	MaxSize                 int                    `json:"MaxSize"`
	DesiredCapacity         int                    `json:"DesiredCapacity"`
	AvailabilityZones       []string               `json:"AvailabilityZones,omitempty"`
	Instances               []ASGInstance          `json:"Instances"`
	SuspendedProcesses      []SuspendedProcess     `json:"SuspendedProcesses,omitempty"`
	Tags                    []ASGTag               `json:"Tags,omitempty"`
	WarmPoolConfiguration   *WarmPoolConfiguration `json:"WarmPoolConfiguration,omitempty"`
	NewInstancesProtected   *bool                  `json:"NewInstancesProtectedFromScaleIn,omitempty"`
	CapacityRebalance       *bool                  `json:"CapacityRebalance,omitempty"`
	CreatedTime             *Time                  `json:"CreatedTime,omitempty"`
	Status                  string                 `json:"Status,omitempty"`
	TerminationPolicies     []string               `json:"TerminationPolicies,omitempty"`
}

// LaunchTemplateSpec names a launch template and a version.
type LaunchTemplateSpec struct {
	LaunchTemplateID   string `json:"LaunchTemplateId,omitempty"`
	LaunchTemplateName string `json:"LaunchTemplateName,omitempty"`
	Version            string `json:"Version,omitempty"`
}

// MixedInstancesPolicy is a group's mixed instances policy.
type MixedInstancesPolicy struct {
	LaunchTemplate *MixedLaunchTemplate `json:"LaunchTemplate,omitempty"`
}

// MixedLaunchTemplate is the launch template part of a mixed instances policy.
type MixedLaunchTemplate struct {
	LaunchTemplateSpecification *LaunchTemplateSpec `json:"LaunchTemplateSpecification,omitempty"`
	Overrides                   []Override          `json:"Overrides,omitempty"`
}

// Override is one instance type override.
type Override struct {
	InstanceType                string              `json:"InstanceType,omitempty"`
	WeightedCapacity            string              `json:"WeightedCapacity,omitempty"`
	InstanceRequirements        *struct{}           `json:"InstanceRequirements,omitempty"`
	LaunchTemplateSpecification *LaunchTemplateSpec `json:"LaunchTemplateSpecification,omitempty"`
}

// ASGInstance is an instance as its group lists it.
type ASGInstance struct {
	InstanceID           string              `json:"InstanceId"`
	InstanceType         string              `json:"InstanceType,omitempty"`
	AvailabilityZone     string              `json:"AvailabilityZone"`
	LifecycleState       string              `json:"LifecycleState"`
	HealthStatus         string              `json:"HealthStatus,omitempty"`
	LaunchTemplate       *LaunchTemplateSpec `json:"LaunchTemplate,omitempty"`
	ProtectedFromScaleIn bool                `json:"ProtectedFromScaleIn"`
}

// SuspendedProcess is a suspended Auto Scaling process.
type SuspendedProcess struct {
	ProcessName string `json:"ProcessName"`
}

// ASGTag is a tag of an Auto Scaling group.
type ASGTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// WarmPoolConfiguration is present when a group has a warm pool.
type WarmPoolConfiguration struct {
	PoolState string `json:"PoolState,omitempty"`
}

// EC2 ---------------------------------------------------------------------

// InstanceTypeInfo is an element of describe-instance-types' "InstanceTypes".
type InstanceTypeInfo struct {
	InstanceType  string         `json:"InstanceType"`
	VCPUInfo      VCPUInfo       `json:"VCpuInfo"`
	MemoryInfo    MemoryInfo     `json:"MemoryInfo"`
	NetworkInfo   NetworkInfo    `json:"NetworkInfo"`
	GPUInfo       *GPUInfo       `json:"GpuInfo,omitempty"`
	ProcessorInfo *ProcessorInfo `json:"ProcessorInfo,omitempty"`
}

// VCPUInfo is an instance type's vCPU count.
type VCPUInfo struct {
	DefaultVCPUs int64 `json:"DefaultVCpus"`
}

// MemoryInfo is an instance type's memory.
type MemoryInfo struct {
	SizeInMiB int64 `json:"SizeInMiB"`
}

// NetworkInfo is an instance type's network limits.
type NetworkInfo struct {
	MaximumNetworkInterfaces int `json:"MaximumNetworkInterfaces"`
}

// GPUInfo lists an instance type's GPUs.
type GPUInfo struct {
	GPUs []GPUDevice `json:"Gpus,omitempty"`
}

// GPUDevice is a kind of GPU and how many the type has.
type GPUDevice struct {
	Name  string `json:"Name,omitempty"`
	Count int64  `json:"Count"`
}

// ProcessorInfo lists an instance type's architectures.
type ProcessorInfo struct {
	SupportedArchitectures []string `json:"SupportedArchitectures,omitempty"`
}

// Reservation is an element of describe-instances' "Reservations".
type Reservation struct {
	ReservationID string        `json:"ReservationId,omitempty"`
	Instances     []EC2Instance `json:"Instances"`
}

// EC2Instance is an instance of a reservation, reduced to what tandem reads.
type EC2Instance struct {
	InstanceID   string   `json:"InstanceId"`
	InstanceType string   `json:"InstanceType,omitempty"`
	LaunchTime   *Time    `json:"LaunchTime,omitempty"`
	Tags         []EC2Tag `json:"Tags,omitempty"`
}

// EC2Tag is a tag of an EC2 instance.
type EC2Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// LaunchTemplateVersion is an element of describe-launch-template-versions'
// "LaunchTemplateVersions".
type LaunchTemplateVersion struct {
	LaunchTemplateID   string             `json:"LaunchTemplateId"`
	LaunchTemplateName string             `json:"LaunchTemplateName,omitempty"`
	VersionNumber      int                `json:"VersionNumber"`
	DefaultVersion     bool               `json:"DefaultVersion"`
	LaunchTemplateData LaunchTemplateData `json:"LaunchTemplateData"`
}

// LaunchTemplateData is the part of a launch template version tandem reads.
type LaunchTemplateData struct {
	InstanceType         string    `json:"InstanceType,omitempty"`
	ImageID              string    `json:"ImageId,omitempty"`
	InstanceRequirements *struct{} `json:"InstanceRequirements,omitempty"`
}
