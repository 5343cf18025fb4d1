package tandemcdk

import (
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsautoscaling"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"

	"github.com/tandem-ecs/tandem/internal/config"
)

// The configuration's types, under names this package exports: code outside
// this module cannot import internal/config.
type (
	// Document is the whole configuration document the Lambda reads.
	Document = config.Document
	// ServicePolicy is the scaling policy of one service.
	ServicePolicy = config.Service
	// AlarmPolicy is a step scaling policy driven by one CloudWatch alarm.
	AlarmPolicy = config.AlarmPolicy
	// AlarmMetric makes the construct create the policy's alarm.
	AlarmMetric = config.AlarmMetric
	// Step is one step adjustment of an AlarmPolicy.
	Step = config.Step
	// Cooldowns are per-direction cooldowns of service scaling.
	Cooldowns = config.Cooldowns
	// Placement holds the placement estimator's options.
	Placement = config.Placement
	// MemoryOverhead is the memory a new instance keeps from tasks.
	MemoryOverhead = config.MemoryOverhead
	// Limits cap scale-out.
	Limits = config.Limits
	// ScaleIn configures how capacity follows demand down.
	ScaleIn = config.ScaleIn
	// Notifications say where tandem's notifications go.
	Notifications = config.Notifications
	// Duration is a time.Duration that reads and writes "90s", "10m".
	Duration = config.Duration
)

// The adjustment types of an AlarmPolicy.
const (
	ChangeInCapacity        = config.ChangeInCapacity
	PercentChangeInCapacity = config.PercentChangeInCapacity
	ExactCapacity           = config.ExactCapacity
)

// NoEventBus as Notifications.EventBus turns notifications off.
const NoEventBus = "none"

// Defaults of the Lambda's settings.
const (
	DefaultCodeDir       = "dist/scaler"
	DefaultMemorySizeMiB = 512
	DefaultTimeout       = 60 * time.Second
	DefaultLogRetention  = awslogs.RetentionDays_ONE_MONTH
)

// AutoscalerProps configure tandem for one ECS cluster. Apart from the
// Lambda's settings at the end, every field is a key of the cluster's entry
// in tandem's configuration document; config's documentation (README,
// "Configuration") gives their defaults.
type AutoscalerProps struct {
	// Cluster is the ECS cluster's name or ARN. Required. The cluster must be
	// in the stack's account and Region: EventBridge delivers its events
	// there, and the Lambda calls ECS there.
	Cluster string
	// Pools and PoolNames together name at least one pool: the role allows
	// the scaler to scale the named pools only, and only they get the
	// termination hook.
	//
	// Pools are Auto Scaling groups of the cluster that this app defines, or
	// imported with AutoScalingGroup_FromAutoScalingGroupName. A group this
	// app defines must set AutoScalingGroupName: the configuration file names
	// its pools, and the file is written at synth time.
	Pools []awsautoscaling.IAutoScalingGroup
	// PoolNames are Auto Scaling groups of the cluster by name, for groups
	// this app does not define.
	PoolNames []string
	// Services holds the scaling policies of services, by service name.
	Services map[string]ServicePolicy

	Placement           Placement
	Limits              Limits
	ScaleIn             ScaleIn
	Cooldowns           Cooldowns
	RegistrationTimeout Duration
	// OnConflict is "skip" (default) or "proceed".
	OnConflict string
	// DryRun makes tandem decide and log, but write nothing.
	DryRun bool
	// Disabled is the kill switch: the document says "enabled": false.
	Disabled bool
	// Notifications: EventBus defaults to the account's default bus, and
	// NoEventBus turns notifications (and the SNS topic) off. SNSTopicARN
	// makes the Lambda publish there too.
	Notifications Notifications

	// CodeDir holds the scaler's bootstrap binary, as "make build" writes it.
	// Default DefaultCodeDir, relative to the working directory.
	CodeDir string
	// LogRetention is how long the Lambda's logs are kept. Default one month.
	LogRetention awslogs.RetentionDays
	// MemorySizeMiB is the Lambda's memory. Default 512.
	MemorySizeMiB int
	// Timeout is the Lambda's timeout. Default 60s.
	Timeout time.Duration
	// ReservedConcurrency reserves that many concurrent executions for the
	// Lambda, which also caps its concurrency. Default 0: none reserved.
	// Decisions on a cluster never interleave either way (the scaler takes
	// a lease in the state table); a reservation of 1 also keeps a burst of
	// events from starting invocations that only wait for the lease. Lambda
	// keeps 100 of the account's concurrent executions unreserved, so an
	// account whose limit is 100 or less (new accounts may have 10) cannot
	// reserve any: the deployment would fail.
	ReservedConcurrency int
}

func (p *AutoscalerProps) codeDir() string {
	if p.CodeDir == "" {
		return DefaultCodeDir
	}
	return p.CodeDir
}

func (p *AutoscalerProps) memorySizeMiB() int {
	if p.MemorySizeMiB == 0 {
		return DefaultMemorySizeMiB
	}
	return p.MemorySizeMiB
}

func (p *AutoscalerProps) timeout() time.Duration {
	if p.Timeout == 0 {
		return DefaultTimeout
	}
	return p.Timeout
}

func (p *AutoscalerProps) logRetention() awslogs.RetentionDays {
	if p.LogRetention == "" {
		return DefaultLogRetention
	}
	return p.LogRetention
}

func (p *AutoscalerProps) eventBus() string {
	if p.Notifications.EventBus == "" {
		return config.DefaultEventBus
	}
	return p.Notifications.EventBus
}
