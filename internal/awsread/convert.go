package awsread

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	asgtypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tandem-ecs/tandem/internal/snapshot"
)

// The converters below turn SDK values into the snapshot's, field by field:
// each snapshot field is set from the SDK field the AWS CLI prints under the
// same key, so a snapshot written from them reads like the CLI's output.

func convertCluster(c ecstypes.Cluster) snapshot.Cluster {
	return snapshot.Cluster{
		ClusterName:                     aws.ToString(c.ClusterName),
		ClusterARN:                      aws.ToString(c.ClusterArn),
		CapacityProviders:               c.CapacityProviders,
		DefaultCapacityProviderStrategy: convertStrategy(c.DefaultCapacityProviderStrategy),
	}
}

func convertCapacityProvider(cp ecstypes.CapacityProvider) snapshot.CapacityProvider {
	out := snapshot.CapacityProvider{Name: aws.ToString(cp.Name), Status: string(cp.Status)}
	if a := cp.AutoScalingGroupProvider; a != nil {
		p := &snapshot.AutoScalingGroupProvider{
			AutoScalingGroupARN:          aws.ToString(a.AutoScalingGroupArn),
			ManagedTerminationProtection: string(a.ManagedTerminationProtection),
			ManagedDraining:              string(a.ManagedDraining),
		}
		if ms := a.ManagedScaling; ms != nil {
			p.ManagedScaling = &snapshot.ManagedScaling{Status: string(ms.Status), TargetCapacity: int(aws.ToInt32(ms.TargetCapacity))}
		}
		out.AutoScalingGroupProvider = p
	}
	return out
}

func convertStrategy(items []ecstypes.CapacityProviderStrategyItem) []snapshot.CapacityProviderStrategyItem {
	var out []snapshot.CapacityProviderStrategyItem
	for _, it := range items {
		out = append(out, snapshot.CapacityProviderStrategyItem{
			CapacityProvider: aws.ToString(it.CapacityProvider),
			Weight:           int(it.Weight),
			Base:             int(it.Base),
		})
	}
	return out
}

func convertService(s ecstypes.Service) snapshot.Service {
	out := snapshot.Service{
		ServiceName:              aws.ToString(s.ServiceName),
		ServiceARN:               aws.ToString(s.ServiceArn),
		ClusterARN:               aws.ToString(s.ClusterArn),
		Status:                   aws.ToString(s.Status),
		DesiredCount:             int(s.DesiredCount),
		RunningCount:             int(s.RunningCount),
		PendingCount:             int(s.PendingCount),
		LaunchType:               string(s.LaunchType),
		CapacityProviderStrategy: convertStrategy(s.CapacityProviderStrategy),
		TaskDefinition:           aws.ToString(s.TaskDefinition),
		SchedulingStrategy:       string(s.SchedulingStrategy),
		CreatedAt:                timeOf(s.CreatedAt),
	}
	if dc := s.DeploymentConfiguration; dc != nil {
		out.DeploymentConfiguration = &snapshot.DeploymentConfiguration{
			MaximumPercent:        intPtr(dc.MaximumPercent),
			MinimumHealthyPercent: intPtr(dc.MinimumHealthyPercent),
		}
	}
	if c := s.DeploymentController; c != nil {
		out.DeploymentController = &snapshot.DeploymentController{Type: string(c.Type)}
	}
	for _, d := range s.Deployments {
		out.Deployments = append(out.Deployments, snapshot.Deployment{
			ID:             aws.ToString(d.Id),
			Status:         aws.ToString(d.Status),
			TaskDefinition: aws.ToString(d.TaskDefinition),
			DesiredCount:   int(d.DesiredCount),
			PendingCount:   int(d.PendingCount),
			RunningCount:   int(d.RunningCount),
			RolloutState:   string(d.RolloutState),
			CreatedAt:      timeOf(d.CreatedAt),
			UpdatedAt:      timeOf(d.UpdatedAt),
		})
	}
	for _, c := range s.PlacementConstraints {
		out.PlacementConstraints = append(out.PlacementConstraints, snapshot.PlacementConstraint{
			Type: string(c.Type), Expression: aws.ToString(c.Expression),
		})
	}
	for _, st := range s.PlacementStrategy {
		out.PlacementStrategy = append(out.PlacementStrategy, snapshot.PlacementStrategy{
			Type: string(st.Type), Field: aws.ToString(st.Field),
		})
	}
	return out
}

func convertTaskDefinition(td ecstypes.TaskDefinition) snapshot.TaskDefinition {
	out := snapshot.TaskDefinition{
		TaskDefinitionARN:    aws.ToString(td.TaskDefinitionArn),
		Family:               aws.ToString(td.Family),
		Revision:             int(td.Revision),
		NetworkMode:          string(td.NetworkMode),
		CPU:                  aws.ToString(td.Cpu),
		Memory:               aws.ToString(td.Memory),
		Status:               string(td.Status),
		ContainerDefinitions: []snapshot.ContainerDefinition{},
	}
	for _, c := range td.ContainerDefinitions {
		cd := snapshot.ContainerDefinition{
			Name:              aws.ToString(c.Name),
			CPU:               int64(c.Cpu),
			Memory:            int64(aws.ToInt32(c.Memory)),
			MemoryReservation: int64(aws.ToInt32(c.MemoryReservation)),
		}
		for _, pm := range c.PortMappings {
			cd.PortMappings = append(cd.PortMappings, snapshot.PortMapping{
				ContainerPort: int(aws.ToInt32(pm.ContainerPort)),
				HostPort:      int(aws.ToInt32(pm.HostPort)),
				Protocol:      string(pm.Protocol),
			})
		}
		for _, rr := range c.ResourceRequirements {
			cd.ResourceRequirements = append(cd.ResourceRequirements, snapshot.ResourceRequirement{
				Type: string(rr.Type), Value: aws.ToString(rr.Value),
			})
		}
		out.ContainerDefinitions = append(out.ContainerDefinitions, cd)
	}
	for _, c := range td.PlacementConstraints {
		out.PlacementConstraints = append(out.PlacementConstraints, snapshot.PlacementConstraint{
			Type: string(c.Type), Expression: aws.ToString(c.Expression),
		})
	}
	for _, a := range td.RequiresAttributes {
		out.RequiresAttributes = append(out.RequiresAttributes, snapshot.Attribute{Name: aws.ToString(a.Name), Value: a.Value})
	}
	return out
}

func convertContainerInstance(ci ecstypes.ContainerInstance) snapshot.ContainerInstance {
	out := snapshot.ContainerInstance{
		ContainerInstanceARN: aws.ToString(ci.ContainerInstanceArn),
		EC2InstanceID:        aws.ToString(ci.Ec2InstanceId),
		Status:               aws.ToString(ci.Status),
		AgentConnected:       aws.Bool(ci.AgentConnected),
		RemainingResources:   convertResources(ci.RemainingResources),
		RegisteredResources:  convertResources(ci.RegisteredResources),
		RunningTasksCount:    int(ci.RunningTasksCount),
		PendingTasksCount:    int(ci.PendingTasksCount),
		RegisteredAt:         timeOf(ci.RegisteredAt),
	}
	if v := ci.VersionInfo; v != nil {
		out.VersionInfo.AgentVersion = aws.ToString(v.AgentVersion)
	}
	for _, a := range ci.Attributes {
		out.Attributes = append(out.Attributes, snapshot.Attribute{Name: aws.ToString(a.Name), Value: a.Value})
	}
	for _, t := range ci.Tags {
		out.Tags = append(out.Tags, snapshot.Tag{Key: aws.ToString(t.Key), Value: aws.ToString(t.Value)})
	}
	return out
}

func convertResources(rs []ecstypes.Resource) []snapshot.Resource {
	out := []snapshot.Resource{}
	for _, r := range rs {
		out = append(out, snapshot.Resource{
			Name:           aws.ToString(r.Name),
			Type:           aws.ToString(r.Type),
			IntegerValue:   int64(r.IntegerValue),
			StringSetValue: r.StringSetValue,
		})
	}
	return out
}

func convertTask(t ecstypes.Task) snapshot.Task {
	return snapshot.Task{
		TaskARN:              aws.ToString(t.TaskArn),
		TaskDefinitionARN:    aws.ToString(t.TaskDefinitionArn),
		ContainerInstanceARN: aws.ToString(t.ContainerInstanceArn),
		Group:                aws.ToString(t.Group),
		StartedBy:            aws.ToString(t.StartedBy),
		LastStatus:           aws.ToString(t.LastStatus),
		DesiredStatus:        aws.ToString(t.DesiredStatus),
		LaunchType:           string(t.LaunchType),
		CapacityProviderName: aws.ToString(t.CapacityProviderName),
		CreatedAt:            timeOf(t.CreatedAt),
	}
}

func convertGroup(g asgtypes.AutoScalingGroup) snapshot.AutoScalingGroup {
	out := snapshot.AutoScalingGroup{
		AutoScalingGroupName:    aws.ToString(g.AutoScalingGroupName),
		AutoScalingGroupARN:     aws.ToString(g.AutoScalingGroupARN),
		LaunchConfigurationName: aws.ToString(g.LaunchConfigurationName),
		LaunchTemplate:          convertTemplateSpec(g.LaunchTemplate),
		MinSize:                 int(aws.ToInt32(g.MinSize)),
		MaxSize:                 int(aws.ToInt32(g.MaxSize)),
		DesiredCapacity:         int(aws.ToInt32(g.DesiredCapacity)),
		AvailabilityZones:       g.AvailabilityZones,
		Instances:               []snapshot.ASGInstance{},
		NewInstancesProtected:   g.NewInstancesProtectedFromScaleIn,
		CapacityRebalance:       g.CapacityRebalance,
		CreatedTime:             timeOf(g.CreatedTime),
		Status:                  aws.ToString(g.Status),
		TerminationPolicies:     g.TerminationPolicies,
	}
	if mip := g.MixedInstancesPolicy; mip != nil {
		out.MixedInstancesPolicy = &snapshot.MixedInstancesPolicy{}
		if lt := mip.LaunchTemplate; lt != nil {
			mlt := &snapshot.MixedLaunchTemplate{LaunchTemplateSpecification: convertTemplateSpec(lt.LaunchTemplateSpecification)}
			for _, o := range lt.Overrides {
				ov := snapshot.Override{
					InstanceType:                aws.ToString(o.InstanceType),
					WeightedCapacity:            aws.ToString(o.WeightedCapacity),
					LaunchTemplateSpecification: convertTemplateSpec(o.LaunchTemplateSpecification),
				}
				if o.InstanceRequirements != nil {
					ov.InstanceRequirements = &struct{}{}
				}
				mlt.Overrides = append(mlt.Overrides, ov)
			}
			out.MixedInstancesPolicy.LaunchTemplate = mlt
		}
	}
	for _, in := range g.Instances {
		out.Instances = append(out.Instances, snapshot.ASGInstance{
			InstanceID:           aws.ToString(in.InstanceId),
			InstanceType:         aws.ToString(in.InstanceType),
			AvailabilityZone:     aws.ToString(in.AvailabilityZone),
			LifecycleState:       string(in.LifecycleState),
			HealthStatus:         aws.ToString(in.HealthStatus),
			LaunchTemplate:       convertTemplateSpec(in.LaunchTemplate),
			ProtectedFromScaleIn: aws.ToBool(in.ProtectedFromScaleIn),
		})
	}
	for _, p := range g.SuspendedProcesses {
		out.SuspendedProcesses = append(out.SuspendedProcesses, snapshot.SuspendedProcess{ProcessName: aws.ToString(p.ProcessName)})
	}
	for _, t := range g.Tags {
		out.Tags = append(out.Tags, snapshot.ASGTag{Key: aws.ToString(t.Key), Value: aws.ToString(t.Value)})
	}
	if w := g.WarmPoolConfiguration; w != nil {
		out.WarmPoolConfiguration = &snapshot.WarmPoolConfiguration{PoolState: string(w.PoolState)}
	}
	return out
}

func convertTemplateSpec(s *asgtypes.LaunchTemplateSpecification) *snapshot.LaunchTemplateSpec {
	if s == nil {
		return nil
	}
	return &snapshot.LaunchTemplateSpec{
		LaunchTemplateID:   aws.ToString(s.LaunchTemplateId),
		LaunchTemplateName: aws.ToString(s.LaunchTemplateName),
		Version:            aws.ToString(s.Version),
	}
}

func convertInstanceType(it ec2types.InstanceTypeInfo) snapshot.InstanceTypeInfo {
	out := snapshot.InstanceTypeInfo{InstanceType: string(it.InstanceType)}
	if v := it.VCpuInfo; v != nil {
		out.VCPUInfo.DefaultVCPUs = int64(aws.ToInt32(v.DefaultVCpus))
	}
	if m := it.MemoryInfo; m != nil {
		out.MemoryInfo.SizeInMiB = aws.ToInt64(m.SizeInMiB)
	}
	if n := it.NetworkInfo; n != nil {
		out.NetworkInfo.MaximumNetworkInterfaces = int(aws.ToInt32(n.MaximumNetworkInterfaces))
	}
	if g := it.GpuInfo; g != nil {
		out.GPUInfo = &snapshot.GPUInfo{}
		for _, d := range g.Gpus {
			out.GPUInfo.GPUs = append(out.GPUInfo.GPUs, snapshot.GPUDevice{Name: aws.ToString(d.Name), Count: int64(aws.ToInt32(d.Count))})
		}
	}
	if p := it.ProcessorInfo; p != nil {
		out.ProcessorInfo = &snapshot.ProcessorInfo{}
		for _, a := range p.SupportedArchitectures {
			out.ProcessorInfo.SupportedArchitectures = append(out.ProcessorInfo.SupportedArchitectures, string(a))
		}
	}
	return out
}

func convertLaunchTemplateVersion(v ec2types.LaunchTemplateVersion) snapshot.LaunchTemplateVersion {
	out := snapshot.LaunchTemplateVersion{
		LaunchTemplateID:   aws.ToString(v.LaunchTemplateId),
		LaunchTemplateName: aws.ToString(v.LaunchTemplateName),
		VersionNumber:      int(aws.ToInt64(v.VersionNumber)),
		DefaultVersion:     aws.ToBool(v.DefaultVersion),
	}
	if d := v.LaunchTemplateData; d != nil {
		out.LaunchTemplateData.InstanceType = string(d.InstanceType)
		out.LaunchTemplateData.ImageID = aws.ToString(d.ImageId)
		if d.InstanceRequirements != nil {
			out.LaunchTemplateData.InstanceRequirements = &struct{}{}
		}
	}
	return out
}

// convertReservation keeps of a reservation's instances what the snapshot
// reads: the id, type, launch time and tags.
func convertReservation(r ec2types.Reservation) snapshot.Reservation {
	out := snapshot.Reservation{ReservationID: aws.ToString(r.ReservationId), Instances: []snapshot.EC2Instance{}}
	for _, in := range r.Instances {
		inst := snapshot.EC2Instance{
			InstanceID:   aws.ToString(in.InstanceId),
			InstanceType: string(in.InstanceType),
			LaunchTime:   timeOf(in.LaunchTime),
		}
		for _, t := range in.Tags {
			inst.Tags = append(inst.Tags, snapshot.EC2Tag{Key: aws.ToString(t.Key), Value: aws.ToString(t.Value)})
		}
		out.Instances = append(out.Instances, inst)
	}
	return out
}

// timeOf is an SDK timestamp as the snapshot holds it, in UTC.
func timeOf(t *time.Time) *snapshot.Time {
	if t == nil {
		return nil
	}
	return &snapshot.Time{Time: t.UTC()}
}

func intPtr(v *int32) *int {
	if v == nil {
		return nil
	}
	n := int(*v)
	return &n
}
