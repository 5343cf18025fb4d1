package awsread

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	asgtypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/google/go-cmp/cmp"

	"github.com/tandem-ecs/tandem/internal/snapshot"
)

// The tests in this file cover what moto 5.2.1 cannot produce: scaling
// activities, container instance tags, service creation times, mixed
// instances policies, warm pools, GPUs and instance requirements.

var (
	t0 = time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)
	// A time in another zone: snapshots hold UTC.
	t0Tokyo = t0.In(time.FixedZone("JST", 9*3600))
)

func TestFailedActivities(t *testing.T) {
	in := []asgtypes.Activity{
		{ActivityId: aws.String("a1"), AutoScalingGroupName: aws.String("web"), StatusCode: asgtypes.ScalingActivityStatusCodeSuccessful, StartTime: &t0},
		{
			ActivityId: aws.String("a2"), AutoScalingGroupName: aws.String("web"), StatusCode: asgtypes.ScalingActivityStatusCodeFailed, StartTime: &t0Tokyo,
			Description:   aws.String("Launching a new EC2 instance.  Status Reason: We currently do not have sufficient c5.xlarge capacity"),
			StatusMessage: aws.String("We currently do not have sufficient c5.xlarge capacity in the Availability Zone you requested"),
		},
		{ActivityId: aws.String("a3"), StatusCode: asgtypes.ScalingActivityStatusCodeCancelled, Description: aws.String("Terminating"), StartTime: &t0},
		{ActivityId: aws.String("a4"), StatusCode: asgtypes.ScalingActivityStatusCodeInProgress},
	}
	want := []Activity{
		{
			Pool: "web", ID: "a2", Status: "Failed", Start: t0Tokyo,
			Description: "Launching a new EC2 instance.  Status Reason: We currently do not have sufficient c5.xlarge capacity",
			Message:     "We currently do not have sufficient c5.xlarge capacity in the Availability Zone you requested",
		},
		{Pool: "web", ID: "a3", Status: "Cancelled", Description: "Terminating", Start: t0},
	}
	got := failedActivities("web", in)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("failedActivities (-want +got):\n%s", diff)
	}
	// cmp compares times with Equal: the zone needs its own check.
	for _, a := range got {
		if a.Start.Location() != time.UTC {
			t.Errorf("activity %s starts at %v, want UTC as the rest of the read", a.ID, a.Start)
		}
	}
}

func TestPolicyAndTargetConflicts(t *testing.T) {
	policies := []struct {
		name string
		in   asgtypes.ScalingPolicy
		want bool
	}{
		{"enabled", asgtypes.ScalingPolicy{PolicyName: aws.String("p"), PolicyType: aws.String("StepScaling"), Enabled: aws.Bool(true)}, true},
		{"enabled by default", asgtypes.ScalingPolicy{PolicyName: aws.String("p")}, true},
		{"disabled", asgtypes.ScalingPolicy{PolicyName: aws.String("p"), Enabled: aws.Bool(false)}, false},
	}
	for _, tt := range policies {
		if _, got := policyConflict("web", tt.in); got != tt.want {
			t.Errorf("policyConflict(%s) reported %v, want %v", tt.name, got, tt.want)
		}
	}
	if c, _ := policyConflict("web", policies[1].in); c.Detail != "auto scaling group web has SimpleScaling policy p" {
		t.Errorf("policy without a type: %q", c.Detail)
	}

	target := func(dim aastypes.ScalableDimension, in, out, sched bool) aastypes.ScalableTarget {
		return aastypes.ScalableTarget{
			ResourceId: aws.String("service/demo/api"), ScalableDimension: dim, MinCapacity: aws.Int32(2), MaxCapacity: aws.Int32(9),
			SuspendedState: &aastypes.SuspendedState{DynamicScalingInSuspended: aws.Bool(in), DynamicScalingOutSuspended: aws.Bool(out), ScheduledScalingSuspended: aws.Bool(sched)},
		}
	}
	targets := []struct {
		name string
		in   aastypes.ScalableTarget
		want bool
	}{
		{"active", target(aastypes.ScalableDimensionECSServiceDesiredCount, false, false, false), true},
		{"scale-in suspended only", target(aastypes.ScalableDimensionECSServiceDesiredCount, true, false, false), true},
		{"all suspended", target(aastypes.ScalableDimensionECSServiceDesiredCount, true, true, true), false},
		{"another dimension", target(aastypes.ScalableDimension("custom-resource:ResourceType:Property"), false, false, false), false},
	}
	for _, tt := range targets {
		if _, got := targetConflict(tt.in); got != tt.want {
			t.Errorf("targetConflict(%s) reported %v, want %v", tt.name, got, tt.want)
		}
	}
	c, _ := targetConflict(targets[0].in)
	want := Conflict{Kind: ConflictScalableTarget, Resource: "api", Detail: "Application Auto Scaling target service/demo/api scales the desired count of service api between 2 and 9"}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("targetConflict (-want +got):\n%s", diff)
	}
}

func TestConvertUnreachable(t *testing.T) {
	t.Run("container instance", func(t *testing.T) {
		got := convertContainerInstance(ecstypes.ContainerInstance{
			ContainerInstanceArn: aws.String("arn:ci"), Ec2InstanceId: aws.String("i-1"), Status: aws.String("ACTIVE"),
			AgentConnected: false, VersionInfo: &ecstypes.VersionInfo{AgentVersion: aws.String("1.80.0")},
			RegisteredResources: []ecstypes.Resource{{Name: aws.String("GPU"), Type: aws.String("STRINGSET"), StringSetValue: []string{"gpu-0", "gpu-1"}}},
			RunningTasksCount:   3, PendingTasksCount: 1, RegisteredAt: &t0Tokyo,
			Tags: []ecstypes.Tag{{Key: aws.String("rack"), Value: aws.String("r1")}},
		})
		want := snapshot.ContainerInstance{
			ContainerInstanceARN: "arn:ci", EC2InstanceID: "i-1", Status: "ACTIVE", AgentConnected: aws.Bool(false),
			VersionInfo:         snapshot.VersionInfo{AgentVersion: "1.80.0"},
			RegisteredResources: []snapshot.Resource{{Name: "GPU", Type: "STRINGSET", StringSetValue: []string{"gpu-0", "gpu-1"}}},
			RemainingResources:  []snapshot.Resource{},
			RunningTasksCount:   3, PendingTasksCount: 1, RegisteredAt: &snapshot.Time{Time: t0},
			Tags: []snapshot.Tag{{Key: "rack", Value: "r1"}},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("service", func(t *testing.T) {
		got := convertService(ecstypes.Service{
			ServiceName: aws.String("api"), Status: aws.String("ACTIVE"), CreatedAt: &t0Tokyo, TaskDefinition: aws.String("arn:td"),
			CapacityProviderStrategy: []ecstypes.CapacityProviderStrategyItem{{CapacityProvider: aws.String("cp"), Base: 1, Weight: 2}},
			DeploymentController:     &ecstypes.DeploymentController{Type: ecstypes.DeploymentControllerTypeCodeDeploy},
			DeploymentConfiguration:  &ecstypes.DeploymentConfiguration{MaximumPercent: aws.Int32(200)},
			Deployments: []ecstypes.Deployment{{
				Id: aws.String("ecs-svc/1"), Status: aws.String("ACTIVE"), TaskDefinition: aws.String("arn:old"), DesiredCount: 3, PendingCount: 1, RunningCount: 2,
				RolloutState: ecstypes.DeploymentRolloutStateInProgress, CreatedAt: &t0, UpdatedAt: &t0Tokyo,
			}},
		})
		want := snapshot.Service{
			ServiceName: "api", Status: "ACTIVE", CreatedAt: &snapshot.Time{Time: t0}, TaskDefinition: "arn:td",
			CapacityProviderStrategy: []snapshot.CapacityProviderStrategyItem{{CapacityProvider: "cp", Base: 1, Weight: 2}},
			DeploymentController:     &snapshot.DeploymentController{Type: "CODE_DEPLOY"},
			DeploymentConfiguration:  &snapshot.DeploymentConfiguration{MaximumPercent: aws.Int(200)},
			Deployments: []snapshot.Deployment{{
				ID: "ecs-svc/1", Status: "ACTIVE", TaskDefinition: "arn:old", DesiredCount: 3, PendingCount: 1, RunningCount: 2,
				RolloutState: "IN_PROGRESS", CreatedAt: &snapshot.Time{Time: t0}, UpdatedAt: &snapshot.Time{Time: t0},
			}},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("task and task definition", func(t *testing.T) {
		task := convertTask(ecstypes.Task{
			TaskArn: aws.String("arn:t"), TaskDefinitionArn: aws.String("arn:td"), CapacityProviderName: aws.String("cp"),
			LaunchType: ecstypes.LaunchTypeEc2, CreatedAt: &t0,
		})
		if diff := cmp.Diff(snapshot.Task{TaskARN: "arn:t", TaskDefinitionARN: "arn:td", CapacityProviderName: "cp", LaunchType: "EC2", CreatedAt: &snapshot.Time{Time: t0}}, task); diff != "" {
			t.Errorf("task (-want +got):\n%s", diff)
		}
		td := convertTaskDefinition(ecstypes.TaskDefinition{
			TaskDefinitionArn: aws.String("arn:td"), NetworkMode: ecstypes.NetworkModeAwsvpc,
			ContainerDefinitions: []ecstypes.ContainerDefinition{{
				Name:                 aws.String("ml"),
				ResourceRequirements: []ecstypes.ResourceRequirement{{Type: ecstypes.ResourceTypeGpu, Value: aws.String("1")}},
				PortMappings:         []ecstypes.PortMapping{{ContainerPort: aws.Int32(53), Protocol: ecstypes.TransportProtocolUdp}},
			}},
			RequiresAttributes: []ecstypes.Attribute{{Name: aws.String("com.amazonaws.ecs.capability.docker-remote-api.1.19")}},
		})
		want := snapshot.TaskDefinition{
			TaskDefinitionARN: "arn:td", NetworkMode: "awsvpc",
			ContainerDefinitions: []snapshot.ContainerDefinition{{
				Name:                 "ml",
				ResourceRequirements: []snapshot.ResourceRequirement{{Type: "GPU", Value: "1"}},
				PortMappings:         []snapshot.PortMapping{{ContainerPort: 53, Protocol: "udp"}},
			}},
			RequiresAttributes: []snapshot.Attribute{{Name: "com.amazonaws.ecs.capability.docker-remote-api.1.19"}},
		}
		if diff := cmp.Diff(want, td); diff != "" {
			t.Errorf("task definition (-want +got):\n%s", diff)
		}
	})
	t.Run("group with mixed instances and a warm pool", func(t *testing.T) {
		spec := &asgtypes.LaunchTemplateSpecification{LaunchTemplateId: aws.String("lt-1"), Version: aws.String("$Default")}
		got := convertGroup(asgtypes.AutoScalingGroup{
			AutoScalingGroupName: aws.String("gpu"), MinSize: aws.Int32(0), MaxSize: aws.Int32(8), DesiredCapacity: aws.Int32(2),
			MixedInstancesPolicy: &asgtypes.MixedInstancesPolicy{LaunchTemplate: &asgtypes.LaunchTemplate{
				LaunchTemplateSpecification: spec,
				Overrides: []asgtypes.LaunchTemplateOverrides{
					{InstanceType: aws.String("g5.xlarge"), WeightedCapacity: aws.String("1")},
					{InstanceRequirements: &asgtypes.InstanceRequirements{}, LaunchTemplateSpecification: &asgtypes.LaunchTemplateSpecification{LaunchTemplateName: aws.String("other"), Version: aws.String("3")}},
				},
			}},
			WarmPoolConfiguration: &asgtypes.WarmPoolConfiguration{PoolState: asgtypes.WarmPoolStateStopped},
			SuspendedProcesses:    []asgtypes.SuspendedProcess{{ProcessName: aws.String("AZRebalance")}},
			Instances: []asgtypes.Instance{{
				InstanceId: aws.String("i-1"), LifecycleState: asgtypes.LifecycleStatePending, ProtectedFromScaleIn: aws.Bool(true),
			}},
		})
		want := snapshot.AutoScalingGroup{
			AutoScalingGroupName: "gpu", MinSize: 0, MaxSize: 8, DesiredCapacity: 2,
			MixedInstancesPolicy: &snapshot.MixedInstancesPolicy{LaunchTemplate: &snapshot.MixedLaunchTemplate{
				LaunchTemplateSpecification: &snapshot.LaunchTemplateSpec{LaunchTemplateID: "lt-1", Version: "$Default"},
				Overrides: []snapshot.Override{
					{InstanceType: "g5.xlarge", WeightedCapacity: "1"},
					{InstanceRequirements: &struct{}{}, LaunchTemplateSpecification: &snapshot.LaunchTemplateSpec{LaunchTemplateName: "other", Version: "3"}},
				},
			}},
			WarmPoolConfiguration: &snapshot.WarmPoolConfiguration{PoolState: "Stopped"},
			SuspendedProcesses:    []snapshot.SuspendedProcess{{ProcessName: "AZRebalance"}},
			Instances:             []snapshot.ASGInstance{{InstanceID: "i-1", LifecycleState: "Pending", ProtectedFromScaleIn: true}},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		// The templates behind it: the policy's and the second override's.
		specs := templateSpecs([]snapshot.AutoScalingGroup{got})
		if len(specs) != 2 || keyOf(specs[0]) != (templateKey{id: "lt-1"}) || keyOf(specs[1]) != (templateKey{name: "other"}) {
			t.Errorf("templateSpecs = %+v", specs)
		}
		types := instanceTypeNames([]snapshot.AutoScalingGroup{got}, nil, nil)
		if diff := cmp.Diff([]string{"g5.xlarge"}, types); diff != "" {
			t.Errorf("instanceTypeNames (-want +got):\n%s", diff)
		}
	})
	t.Run("instance type and launch template version", func(t *testing.T) {
		it := convertInstanceType(ec2types.InstanceTypeInfo{
			InstanceType: ec2types.InstanceTypeG5Xlarge, VCpuInfo: &ec2types.VCpuInfo{DefaultVCpus: aws.Int32(4)},
			MemoryInfo:    &ec2types.MemoryInfo{SizeInMiB: aws.Int64(16384)},
			NetworkInfo:   &ec2types.NetworkInfo{MaximumNetworkInterfaces: aws.Int32(4)},
			GpuInfo:       &ec2types.GpuInfo{Gpus: []ec2types.GpuDeviceInfo{{Name: aws.String("A10G"), Count: aws.Int32(1)}}},
			ProcessorInfo: &ec2types.ProcessorInfo{SupportedArchitectures: []ec2types.ArchitectureType{ec2types.ArchitectureTypeX8664}},
		})
		want := snapshot.InstanceTypeInfo{
			InstanceType: "g5.xlarge", VCPUInfo: snapshot.VCPUInfo{DefaultVCPUs: 4}, MemoryInfo: snapshot.MemoryInfo{SizeInMiB: 16384},
			NetworkInfo:   snapshot.NetworkInfo{MaximumNetworkInterfaces: 4},
			GPUInfo:       &snapshot.GPUInfo{GPUs: []snapshot.GPUDevice{{Name: "A10G", Count: 1}}},
			ProcessorInfo: &snapshot.ProcessorInfo{SupportedArchitectures: []string{"x86_64"}},
		}
		if diff := cmp.Diff(want, it); diff != "" {
			t.Errorf("instance type (-want +got):\n%s", diff)
		}
		v := convertLaunchTemplateVersion(ec2types.LaunchTemplateVersion{
			LaunchTemplateId: aws.String("lt-1"), VersionNumber: aws.Int64(3),
			LaunchTemplateData: &ec2types.ResponseLaunchTemplateData{InstanceRequirements: &ec2types.InstanceRequirements{}},
		})
		wantV := snapshot.LaunchTemplateVersion{LaunchTemplateID: "lt-1", VersionNumber: 3, LaunchTemplateData: snapshot.LaunchTemplateData{InstanceRequirements: &struct{}{}}}
		if diff := cmp.Diff(wantV, v); diff != "" {
			t.Errorf("launch template version (-want +got):\n%s", diff)
		}
	})
	t.Run("composite-free metric alarm without data", func(t *testing.T) {
		got := convertMetricAlarm(cwtypes.MetricAlarm{AlarmName: aws.String("a"), StateValue: cwtypes.StateValueOk, Threshold: aws.Float64(7), StateUpdatedTimestamp: &t0Tokyo})
		if diff := cmp.Diff(Alarm{Name: "a", State: "OK", Threshold: 7, StateTime: t0}, got); diff != "" {
			t.Errorf("alarm (-want +got):\n%s", diff)
		}
	})
}

func TestGroupNameOf(t *testing.T) {
	for in, want := range map[string]string{
		"arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:6470c6eb-28c2-45d6-a378-5006020be923:autoScalingGroupName/web": "web",
		"arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:id:autoScalingGroupName/a/b":                                   "a/b",
		"web": "web",
	} {
		if got := groupNameOf(in); got != want {
			t.Errorf("groupNameOf(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBatches(t *testing.T) {
	got := batches([]int{1, 2, 3, 4, 5}, 2)
	if diff := cmp.Diff([][]int{{1, 2}, {3, 4}, {5}}, got); diff != "" {
		t.Errorf("batches (-want +got):\n%s", diff)
	}
	if got := batches([]int(nil), 10); len(got) != 0 {
		t.Errorf("batches(nil) = %v, want none", got)
	}
}
