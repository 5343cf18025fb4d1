package snapshot

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tandem-ecs/tandem/internal/placement"
)

// Cluster converts the snapshot into the estimator's model, filling in ECS's
// defaults for missing optional fields. Values that make no sense (a port
// that is not a number, a task CPU of "lots") are errors naming the file and
// the field.
func (s *Snapshot) Cluster() (placement.Cluster, error) {
	c := placement.Cluster{
		Name:            s.clusterName(),
		TaskDefinitions: map[string]placement.TaskDefinition{},
		InstanceTypes:   map[string]placement.InstanceType{},
	}
	for i, svc := range s.Services {
		ps, err := convertService(svc)
		if err != nil {
			return placement.Cluster{}, asError(ServicesFile, fmt.Sprintf("services[%d]", i), err)
		}
		c.Services = append(c.Services, ps)
	}
	for _, td := range s.TaskDefinitions {
		ptd, err := convertTaskDefinition(td)
		if err != nil {
			file := s.taskDefFiles[td.TaskDefinitionARN]
			if file == "" {
				file = "task definition " + td.TaskDefinitionARN
			}
			return placement.Cluster{}, asError(file, "taskDefinition", err)
		}
		c.TaskDefinitions[ptd.ARN] = ptd
	}
	for i, svc := range c.Services {
		if err := s.checkTaskDefinitions(i, svc, c.TaskDefinitions); err != nil {
			return placement.Cluster{}, err
		}
	}
	for i, ci := range s.ContainerInstances {
		pci, err := convertContainerInstance(ci)
		if err != nil {
			return placement.Cluster{}, asError(ContainerInstancesFile, fmt.Sprintf("containerInstances[%d]", i), err)
		}
		c.ContainerInstances = append(c.ContainerInstances, pci)
	}
	for i, t := range s.Tasks {
		if t.TaskARN == "" {
			return placement.Cluster{}, &Error{File: TasksFile, Field: fmt.Sprintf("tasks[%d].taskArn", i), Err: errors.New("missing")}
		}
		c.Tasks = append(c.Tasks, placement.Task{
			ARN:                  t.TaskARN,
			TaskDefinitionARN:    t.TaskDefinitionARN,
			ContainerInstanceARN: t.ContainerInstanceARN,
			Group:                t.Group,
			StartedBy:            t.StartedBy,
			LastStatus:           t.LastStatus,
			DesiredStatus:        t.DesiredStatus,
			CapacityProviderName: t.CapacityProviderName,
		})
	}
	for i, g := range s.AutoScalingGroups {
		if g.AutoScalingGroupName == "" {
			return placement.Cluster{}, &Error{File: AutoScalingGroupsFile, Field: fmt.Sprintf("AutoScalingGroups[%d].AutoScalingGroupName", i), Err: errors.New("missing")}
		}
		c.Pools = append(c.Pools, convertGroup(g))
	}
	for i, it := range s.InstanceTypes {
		if it.InstanceType == "" {
			return placement.Cluster{}, &Error{File: InstanceTypesFile, Field: fmt.Sprintf("InstanceTypes[%d].InstanceType", i), Err: errors.New("missing")}
		}
		var gpus int64
		if it.GPUInfo != nil {
			for _, g := range it.GPUInfo.GPUs {
				gpus += g.Count
			}
		}
		var arch []string
		if it.ProcessorInfo != nil {
			arch = it.ProcessorInfo.SupportedArchitectures
		}
		c.InstanceTypes[it.InstanceType] = placement.InstanceType{
			Name:                     it.InstanceType,
			VCPUs:                    it.VCPUInfo.DefaultVCPUs,
			MemoryMiB:                it.MemoryInfo.SizeInMiB,
			MaximumNetworkInterfaces: it.NetworkInfo.MaximumNetworkInterfaces,
			GPUs:                     gpus,
			Architectures:            arch,
		}
	}
	for _, v := range s.LaunchTemplateVersions {
		c.LaunchTemplateVersions = append(c.LaunchTemplateVersions, placement.LaunchTemplateVersion{
			TemplateID:              v.LaunchTemplateID,
			TemplateName:            v.LaunchTemplateName,
			VersionNumber:           v.VersionNumber,
			DefaultVersion:          v.DefaultVersion,
			InstanceType:            v.LaunchTemplateData.InstanceType,
			ImageID:                 v.LaunchTemplateData.ImageID,
			HasInstanceRequirements: v.LaunchTemplateData.InstanceRequirements != nil,
		})
	}
	for _, cp := range s.CapacityProviders {
		p := placement.CapacityProvider{Name: cp.Name}
		if a := cp.AutoScalingGroupProvider; a != nil {
			p.AutoScalingGroupARN = a.AutoScalingGroupARN
			p.ManagedTermination = a.ManagedTerminationProtection == "ENABLED"
			p.ManagedDrainingOn = a.ManagedDraining == "ENABLED"
			if a.ManagedScaling != nil {
				p.ManagedScaling = a.ManagedScaling.Status == "ENABLED"
				p.ManagedScalingTarget = a.ManagedScaling.TargetCapacity
			}
		}
		c.CapacityProviders = append(c.CapacityProviders, p)
	}
	for _, cl := range s.Clusters {
		if cl.ClusterName == c.Name || len(s.Clusters) == 1 {
			c.DefaultCapacityProviderStrategy = strategyItems(cl.DefaultCapacityProviderStrategy)
		}
	}
	return c, nil
}

// checkTaskDefinitions reports a task definition that a service the
// estimator models needs (its own, and its PRIMARY deployment's) and that no
// file of task-definitions/ holds.
func (s *Snapshot) checkTaskDefinitions(i int, svc placement.Service, tds map[string]placement.TaskDefinition) error {
	if svc.Status != "ACTIVE" || svc.DeploymentController != "ECS" || svc.LaunchType != "" && svc.LaunchType != "EC2" {
		return nil
	}
	missing := func(field, arn string) error {
		return &Error{File: ServicesFile, Field: fmt.Sprintf("services[%d].%s", i, field),
			Err: fmt.Errorf("task definition %s has no file in %s/; save it with %s --task-definition %s", arn, TaskDefinitionsDir, source(""), arn)}
	}
	if _, ok := tds[svc.TaskDefinitionARN]; !ok {
		return missing("taskDefinition", svc.TaskDefinitionARN)
	}
	for j, d := range svc.Deployments {
		if _, ok := tds[d.TaskDefinitionARN]; d.Status == "PRIMARY" && d.TaskDefinitionARN != "" && !ok {
			return missing(fmt.Sprintf("deployments[%d].taskDefinition", j), d.TaskDefinitionARN)
		}
	}
	return nil
}

// clusterName is the cluster's name: from clusters.json, else from the ARNs
// of services or container instances.
func (s *Snapshot) clusterName() string {
	if len(s.Clusters) == 1 {
		return s.Clusters[0].ClusterName
	}
	for _, svc := range s.Services {
		if name, ok := arnResource(svc.ClusterARN, "cluster/"); ok {
			return name
		}
	}
	for _, ci := range s.ContainerInstances {
		if rest, ok := arnResource(ci.ContainerInstanceARN, "container-instance/"); ok {
			if i := strings.IndexByte(rest, '/'); i > 0 {
				return rest[:i]
			}
		}
	}
	return ""
}

// arnResource returns what follows prefix in an ARN's resource part.
func arnResource(arn, prefix string) (string, bool) {
	i := strings.Index(arn, ":"+prefix)
	if i < 0 {
		return "", false
	}
	return arn[i+1+len(prefix):], true
}

// fieldErr carries the field a conversion failed on.
type fieldErr struct {
	field string
	err   error
}

func (e *fieldErr) Error() string { return e.field + ": " + e.err.Error() }
func (e *fieldErr) Unwrap() error { return e.err }

// asError names the file and the field of a conversion error.
func asError(file, prefix string, err error) *Error {
	var fe *fieldErr
	if errors.As(err, &fe) {
		return &Error{File: file, Field: prefix + "." + fe.field, Err: fe.err}
	}
	return &Error{File: file, Field: prefix, Err: err}
}

func badField(field string, format string, args ...any) error {
	return &fieldErr{field: field, err: fmt.Errorf(format, args...)}
}

func convertService(s Service) (placement.Service, error) {
	if s.ServiceName == "" {
		return placement.Service{}, badField("serviceName", "missing")
	}
	p := placement.Service{
		Name:                 s.ServiceName,
		ARN:                  s.ServiceARN,
		Status:               orDefault(s.Status, "ACTIVE"),
		DesiredCount:         s.DesiredCount,
		RunningCount:         s.RunningCount,
		SchedulingStrategy:   placement.SchedulingStrategy(orDefault(s.SchedulingStrategy, "REPLICA")),
		LaunchType:           s.LaunchType,
		DeploymentController: "ECS",
		TaskDefinitionARN:    s.TaskDefinition,
	}
	if p.SchedulingStrategy != placement.Replica && p.SchedulingStrategy != placement.Daemon {
		return placement.Service{}, badField("schedulingStrategy", "want REPLICA or DAEMON, got %q", s.SchedulingStrategy)
	}
	if s.DesiredCount < 0 {
		return placement.Service{}, badField("desiredCount", "want a count, got %d", s.DesiredCount)
	}
	if s.TaskDefinition == "" {
		return placement.Service{}, badField("taskDefinition", "missing")
	}
	if s.DeploymentController != nil && s.DeploymentController.Type != "" {
		p.DeploymentController = s.DeploymentController.Type
	}
	// ECS's defaults: 200/100 for REPLICA services, 100/0 for DAEMON ones.
	p.MaximumPercent, p.MinimumHealthyPercent = 200, 100
	if p.SchedulingStrategy == placement.Daemon {
		p.MaximumPercent, p.MinimumHealthyPercent = 100, 0
	}
	if dc := s.DeploymentConfiguration; dc != nil {
		if dc.MaximumPercent != nil {
			p.MaximumPercent = *dc.MaximumPercent
		}
		if dc.MinimumHealthyPercent != nil {
			p.MinimumHealthyPercent = *dc.MinimumHealthyPercent
		}
	}
	if p.MaximumPercent < 0 || p.MinimumHealthyPercent < 0 {
		return placement.Service{}, badField("deploymentConfiguration", "percentages cannot be negative")
	}
	p.CapacityProviderStrategy = strategyItems(s.CapacityProviderStrategy)
	for _, d := range s.Deployments {
		pd := placement.Deployment{
			ID:                d.ID,
			Status:            d.Status,
			TaskDefinitionARN: d.TaskDefinition,
			DesiredCount:      d.DesiredCount,
			RunningCount:      d.RunningCount,
			PendingCount:      d.PendingCount,
			RolloutState:      d.RolloutState,
		}
		if d.CreatedAt != nil {
			pd.CreatedAt = d.CreatedAt.Time
		}
		p.Deployments = append(p.Deployments, pd)
	}
	for i, c := range s.PlacementConstraints {
		pc, err := constraint(c)
		if err != nil {
			return placement.Service{}, badField(fmt.Sprintf("placementConstraints[%d].type", i), "%v", err)
		}
		p.PlacementConstraints = append(p.PlacementConstraints, pc)
	}
	for i, st := range s.PlacementStrategy {
		switch placement.StrategyType(st.Type) {
		case placement.Binpack, placement.Spread, placement.Random:
		default:
			return placement.Service{}, badField(fmt.Sprintf("placementStrategy[%d].type", i), "want binpack, spread or random, got %q", st.Type)
		}
		p.PlacementStrategy = append(p.PlacementStrategy, placement.Strategy{Type: placement.StrategyType(st.Type), Field: st.Field})
	}
	return p, nil
}

func constraint(c PlacementConstraint) (placement.Constraint, error) {
	switch placement.ConstraintType(c.Type) {
	case placement.DistinctInstance, placement.MemberOf:
		return placement.Constraint{Type: placement.ConstraintType(c.Type), Expression: c.Expression}, nil
	}
	return placement.Constraint{}, fmt.Errorf("want distinctInstance or memberOf, got %q", c.Type)
}

func strategyItems(items []CapacityProviderStrategyItem) []placement.CapacityProviderStrategyItem {
	var out []placement.CapacityProviderStrategyItem
	for _, it := range items {
		out = append(out, placement.CapacityProviderStrategyItem{CapacityProvider: it.CapacityProvider, Base: it.Base, Weight: it.Weight})
	}
	return out
}

func convertTaskDefinition(td TaskDefinition) (placement.TaskDefinition, error) {
	p := placement.TaskDefinition{
		ARN:         td.TaskDefinitionARN,
		Family:      td.Family,
		Revision:    td.Revision,
		NetworkMode: placement.NetworkMode(orDefault(td.NetworkMode, "bridge")),
	}
	switch p.NetworkMode {
	case placement.Bridge, placement.Host, placement.AWSVPC, placement.None:
	default:
		return p, badField("networkMode", "want bridge, host, awsvpc or none, got %q", td.NetworkMode)
	}
	var err error
	if p.CPUUnits, err = parseCPU(td.CPU); err != nil {
		return p, badField("cpu", "%v", err)
	}
	if p.MemoryMiB, err = parseMemory(td.Memory); err != nil {
		return p, badField("memory", "%v", err)
	}
	for i, c := range td.ContainerDefinitions {
		pc := placement.ContainerDefinition{
			Name:                 c.Name,
			CPUUnits:             c.CPU,
			MemoryMiB:            c.Memory,
			MemoryReservationMiB: c.MemoryReservation,
		}
		if c.CPU < 0 || c.Memory < 0 || c.MemoryReservation < 0 {
			return p, badField(fmt.Sprintf("containerDefinitions[%d]", i), "cpu and memory cannot be negative")
		}
		for j, r := range c.ResourceRequirements {
			if r.Type != "GPU" {
				continue
			}
			n, err := strconv.ParseInt(strings.TrimSpace(r.Value), 10, 64)
			if err != nil || n < 0 {
				return p, badField(fmt.Sprintf("containerDefinitions[%d].resourceRequirements[%d].value", i, j), "want a GPU count, got %q", r.Value)
			}
			pc.GPUs += n
		}
		for j, pm := range c.PortMappings {
			if pm.ContainerPort < 0 || pm.ContainerPort > 65535 || pm.HostPort < 0 || pm.HostPort > 65535 {
				return p, badField(fmt.Sprintf("containerDefinitions[%d].portMappings[%d]", i, j), "ports must be in [0, 65535]")
			}
			proto := placement.TCP
			switch strings.ToLower(pm.Protocol) {
			case "", "tcp":
			case "udp":
				proto = placement.UDP
			default:
				return p, badField(fmt.Sprintf("containerDefinitions[%d].portMappings[%d].protocol", i, j), "want tcp or udp, got %q", pm.Protocol)
			}
			pc.PortMappings = append(pc.PortMappings, placement.PortMapping{ContainerPort: pm.ContainerPort, HostPort: pm.HostPort, Protocol: proto})
		}
		p.Containers = append(p.Containers, pc)
	}
	for i, c := range td.PlacementConstraints {
		pc, err := constraint(c)
		if err != nil {
			return p, badField(fmt.Sprintf("placementConstraints[%d].type", i), "%v", err)
		}
		p.PlacementConstraints = append(p.PlacementConstraints, pc)
	}
	for _, a := range td.RequiresAttributes {
		p.RequiresAttributes = append(p.RequiresAttributes, placement.Attribute{Name: a.Name, Value: deref(a.Value)})
	}
	return p, nil
}

// parseCPU reads a task-level cpu: CPU units ("1024") or vCPUs ("1 vCPU",
// "0.5 vcpu"), as RegisterTaskDefinition accepts them.
func parseCPU(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	lower := strings.ToLower(s)
	if v, ok := strings.CutSuffix(lower, "vcpu"); ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		// !(f >= 0) also rejects NaN, which ParseFloat accepts.
		if err != nil || !(f >= 0 && f <= 1e6) {
			return 0, fmt.Errorf("want CPU units or vCPUs, got %q", s)
		}
		return int64(math.Round(f * 1024)), nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("want CPU units or vCPUs, got %q", s)
	}
	return n, nil
}

// parseMemory reads a task-level memory: MiB ("2048") or GB ("2 GB",
// "0.5GB"), as RegisterTaskDefinition accepts them.
func parseMemory(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	lower := strings.ToLower(s)
	if v, ok := strings.CutSuffix(lower, "gb"); ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || !(f >= 0 && f <= 1e6) {
			return 0, fmt.Errorf("want MiB or GB, got %q", s)
		}
		return int64(math.Round(f * 1024)), nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("want MiB or GB, got %q", s)
	}
	return n, nil
}

func convertContainerInstance(ci ContainerInstance) (placement.ContainerInstance, error) {
	if ci.ContainerInstanceARN == "" {
		return placement.ContainerInstance{}, badField("containerInstanceArn", "missing")
	}
	p := placement.ContainerInstance{
		ARN:               ci.ContainerInstanceARN,
		EC2InstanceID:     ci.EC2InstanceID,
		Status:            ci.Status,
		AgentConnected:    ci.AgentConnected == nil || *ci.AgentConnected,
		AgentVersion:      ci.VersionInfo.AgentVersion,
		RunningTasksCount: ci.RunningTasksCount,
		PendingTasksCount: ci.PendingTasksCount,
	}
	if ci.RegisteredAt != nil {
		p.RegisteredAt = ci.RegisteredAt.Time
	}
	for _, a := range ci.Attributes {
		p.Attributes = append(p.Attributes, placement.Attribute{Name: a.Name, Value: deref(a.Value)})
	}
	for i, r := range ci.RegisteredResources {
		f := fmt.Sprintf("registeredResources[%d]", i)
		switch r.Name {
		case "CPU":
			p.RegisteredCPUUnits = r.IntegerValue
		case "MEMORY":
			p.RegisteredMemoryMiB = r.IntegerValue
		case "GPU":
			p.RegisteredGPUs = int64(len(r.StringSetValue))
		case "PORTS":
			ports, err := parsePorts(f, r.StringSetValue)
			if err != nil {
				return p, err
			}
			p.ReservedPortsTCP = ports
		case "PORTS_UDP":
			ports, err := parsePorts(f, r.StringSetValue)
			if err != nil {
				return p, err
			}
			p.ReservedPortsUDP = ports
		}
	}
	for i, r := range ci.RemainingResources {
		f := fmt.Sprintf("remainingResources[%d]", i)
		switch r.Name {
		case "CPU":
			p.RemainingCPUUnits = r.IntegerValue
		case "MEMORY":
			p.RemainingMemoryMiB = r.IntegerValue
		case "PORTS":
			ports, err := parsePorts(f, r.StringSetValue)
			if err != nil {
				return p, err
			}
			p.PortsTCP = ports
		case "PORTS_UDP":
			ports, err := parsePorts(f, r.StringSetValue)
			if err != nil {
				return p, err
			}
			p.PortsUDP = ports
		}
	}
	return p, nil
}

func parsePorts(field string, set []string) ([]int, error) {
	ports := make([]int, 0, len(set))
	for j, s := range set {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 0 || n > 65535 {
			return nil, badField(fmt.Sprintf("%s.stringSetValue[%d]", field, j), "want a port number, got %q", s)
		}
		ports = append(ports, n)
	}
	return ports, nil
}

func convertGroup(g AutoScalingGroup) placement.Pool {
	p := placement.Pool{
		Name:                    g.AutoScalingGroupName,
		ARN:                     g.AutoScalingGroupARN,
		MinSize:                 g.MinSize,
		MaxSize:                 g.MaxSize,
		DesiredCapacity:         g.DesiredCapacity,
		Zones:                   g.AvailabilityZones,
		LaunchConfigurationName: g.LaunchConfigurationName,
		HasWarmPool:             g.WarmPoolConfiguration != nil,
	}
	if g.LaunchTemplate != nil {
		ref := templateRef(*g.LaunchTemplate)
		p.LaunchTemplate = &ref
	}
	if mip := g.MixedInstancesPolicy; mip != nil && mip.LaunchTemplate != nil {
		mi := &placement.MixedInstances{}
		if spec := mip.LaunchTemplate.LaunchTemplateSpecification; spec != nil {
			mi.LaunchTemplate = templateRef(*spec)
		}
		for _, o := range mip.LaunchTemplate.Overrides {
			po := placement.InstanceOverride{
				InstanceType:            o.InstanceType,
				WeightedCapacity:        o.WeightedCapacity,
				HasInstanceRequirements: o.InstanceRequirements != nil,
			}
			if o.LaunchTemplateSpecification != nil {
				ref := templateRef(*o.LaunchTemplateSpecification)
				po.LaunchTemplate = &ref
			}
			mi.Overrides = append(mi.Overrides, po)
		}
		p.MixedInstances = mi
	}
	for _, inst := range g.Instances {
		p.Instances = append(p.Instances, placement.PoolInstance{
			ID:                   inst.InstanceID,
			InstanceType:         inst.InstanceType,
			Zone:                 inst.AvailabilityZone,
			LifecycleState:       inst.LifecycleState,
			HealthStatus:         inst.HealthStatus,
			ProtectedFromScaleIn: inst.ProtectedFromScaleIn,
		})
	}
	if len(g.Tags) > 0 {
		p.Tags = map[string]string{}
		for _, t := range g.Tags {
			p.Tags[t.Key] = t.Value
		}
	}
	return p
}

func templateRef(s LaunchTemplateSpec) placement.LaunchTemplateRef {
	return placement.LaunchTemplateRef{ID: s.LaunchTemplateID, Name: s.LaunchTemplateName, Version: s.Version}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
