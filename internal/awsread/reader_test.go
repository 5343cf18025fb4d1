package awsread

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	asgtypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tandem-ecs/tandem/internal/sandbox"
	"github.com/tandem-ecs/tandem/internal/snapshot"
)

// TestClusterReadsEveryField sets up a cluster with a pool, a replica
// service with every option tandem reads, and a daemon service, and checks
// each field of the read against what was set up.
func TestClusterReadsEveryField(t *testing.T) {
	e := newEnv(t)
	e.createCluster(t, "demo")
	e.createPool(t, sandbox.Pool{Name: "web", Cluster: "demo", MinSize: 1, MaxSize: 4, Desired: 2, Attributes: map[string]string{"pool": "web"}})
	_, err := e.asg.CreateOrUpdateTags(e.ctx, &autoscaling.CreateOrUpdateTagsInput{Tags: []asgtypes.Tag{{
		ResourceId: aws.String("web"), ResourceType: aws.String("auto-scaling-group"), Key: aws.String("team"), Value: aws.String("core"), PropagateAtLaunch: aws.Bool(false),
	}}})
	if err != nil {
		t.Fatal(err)
	}
	apiTD, err := e.ecs.RegisterTaskDefinition(e.ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("api"), NetworkMode: ecstypes.NetworkModeBridge, Cpu: aws.String("512"), Memory: aws.String("1024"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{
			Name: aws.String("app"), Image: aws.String("nginx"), Cpu: 256, Memory: aws.Int32(512), MemoryReservation: aws.Int32(256),
			PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(80), HostPort: aws.Int32(8080), Protocol: ecstypes.TransportProtocolTcp}},
		}},
		PlacementConstraints: []ecstypes.TaskDefinitionPlacementConstraint{{Type: ecstypes.TaskDefinitionPlacementConstraintTypeMemberOf, Expression: aws.String("attribute:pool == web")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	api := aws.ToString(apiTD.TaskDefinition.TaskDefinitionArn)
	agent := e.taskDef(t, "agent", 128, 128, -1)
	e.createService(t, &ecs.CreateServiceInput{
		Cluster: aws.String("demo"), ServiceName: aws.String("api"), TaskDefinition: aws.String(api), DesiredCount: aws.Int32(2),
		LaunchType:              ecstypes.LaunchTypeEc2,
		DeploymentConfiguration: &ecstypes.DeploymentConfiguration{MaximumPercent: aws.Int32(150), MinimumHealthyPercent: aws.Int32(50)},
		PlacementConstraints:    []ecstypes.PlacementConstraint{{Type: ecstypes.PlacementConstraintTypeDistinctInstance}},
		PlacementStrategy:       []ecstypes.PlacementStrategy{{Type: ecstypes.PlacementStrategyTypeSpread, Field: aws.String("attribute:ecs.availability-zone")}},
	})
	e.createService(t, &ecs.CreateServiceInput{
		Cluster: aws.String("demo"), ServiceName: aws.String("agent"), TaskDefinition: aws.String(agent),
		LaunchType: ecstypes.LaunchTypeEc2, SchedulingStrategy: ecstypes.SchedulingStrategyDaemon,
	})
	e.step(t, 2)
	instances := poolInstances(t, e, "web")
	// moto cannot tag a container instance (TagResource is an HTTP 500):
	// the tags' mapping is tested on the converter (TestConvertUnreachable).

	got, err := e.r.Cluster(e.ctx, "demo", nil)
	if err != nil {
		t.Fatal(err)
	}
	s := got.Snapshot

	clusterARN := "arn:aws:ecs:us-east-1:123456789012:cluster/demo"
	if diff := cmp.Diff([]snapshot.Cluster{{ClusterName: "demo", ClusterARN: clusterARN}}, s.Clusters); diff != "" {
		t.Errorf("Clusters (-want +got):\n%s", diff)
	}

	// Services: everything but the timestamps, which moto and the harness set.
	services := map[string]snapshot.Service{}
	for _, svc := range s.Services {
		services[svc.ServiceName] = svc
	}
	ignoreTimes := cmpopts.IgnoreFields(snapshot.Deployment{}, "ID", "CreatedAt", "UpdatedAt")
	wantAPI := snapshot.Service{
		ServiceName: "api", ServiceARN: "arn:aws:ecs:us-east-1:123456789012:service/demo/api", ClusterARN: clusterARN,
		Status: "ACTIVE", DesiredCount: 2, RunningCount: 2, LaunchType: "EC2", TaskDefinition: api,
		DeploymentConfiguration: &snapshot.DeploymentConfiguration{MaximumPercent: aws.Int(150), MinimumHealthyPercent: aws.Int(50)},
		DeploymentController:    services["api"].DeploymentController,
		Deployments:             []snapshot.Deployment{{Status: "PRIMARY", TaskDefinition: api, DesiredCount: 2, RunningCount: 2, RolloutState: "COMPLETED"}},
		PlacementConstraints:    []snapshot.PlacementConstraint{{Type: "distinctInstance"}},
		PlacementStrategy:       []snapshot.PlacementStrategy{{Type: "spread", Field: "attribute:ecs.availability-zone"}},
		SchedulingStrategy:      "REPLICA",
		CreatedAt:               services["api"].CreatedAt,
	}
	if diff := cmp.Diff(wantAPI, services["api"], ignoreTimes); diff != "" {
		t.Errorf("service api (-want +got):\n%s", diff)
	}
	if c := services["api"].DeploymentController; c != nil && c.Type != "ECS" {
		t.Errorf("deploymentController = %+v, want ECS or absent", c)
	}
	// moto 5.2.1 gives services no createdAt; the mapping is tested on the
	// converter.
	if d := services["api"].Deployments; len(d) != 1 || d[0].ID == "" || d[0].CreatedAt == nil {
		t.Errorf("service api deployments = %+v, want one with an id and a creation time", d)
	}
	if a := services["agent"]; a.SchedulingStrategy != "DAEMON" || a.TaskDefinition != agent || a.RunningCount != 2 {
		t.Errorf("service agent = %+v, want DAEMON, %s, 2 running", a, agent)
	}

	// Task definitions: the two in use.
	tds := map[string]snapshot.TaskDefinition{}
	for _, td := range s.TaskDefinitions {
		tds[td.Family] = td
	}
	wantTD := snapshot.TaskDefinition{
		TaskDefinitionARN: api, Family: "api", Revision: 1, NetworkMode: "bridge", CPU: "512", Memory: "1024", Status: "ACTIVE",
		ContainerDefinitions: []snapshot.ContainerDefinition{{
			Name: "app", CPU: 256, Memory: 512, MemoryReservation: 256,
			PortMappings: []snapshot.PortMapping{{ContainerPort: 80, HostPort: 8080, Protocol: "tcp"}},
		}},
		PlacementConstraints: []snapshot.PlacementConstraint{{Type: "memberOf", Expression: "attribute:pool == web"}},
	}
	if diff := cmp.Diff(wantTD, tds["api"]); diff != "" {
		t.Errorf("task definition api (-want +got):\n%s", diff)
	}
	if len(s.TaskDefinitions) != 2 || tds["agent"].TaskDefinitionARN != agent {
		t.Errorf("task definitions = %v, want api and agent", keys(tds))
	}

	// Container instances: both, with resources, attributes and tags.
	if len(s.ContainerInstances) != 2 {
		t.Fatalf("%d container instances, want 2", len(s.ContainerInstances))
	}
	var ciIDs []string
	for _, ci := range s.ContainerInstances {
		ciIDs = append(ciIDs, ci.EC2InstanceID)
		if ci.Status != "ACTIVE" || ci.AgentConnected == nil || !*ci.AgentConnected || ci.RegisteredAt == nil {
			t.Errorf("container instance %s: status %s, agentConnected %v, registeredAt %v", ci.EC2InstanceID, ci.Status, ci.AgentConnected, ci.RegisteredAt)
		}
		if ci.RunningTasksCount != 2 {
			t.Errorf("container instance %s: runningTasksCount %d, want 2 (one api, one agent)", ci.EC2InstanceID, ci.RunningTasksCount)
		}
		if r := resource(ci.RegisteredResources, "CPU"); r.IntegerValue != 4096 || r.Type != "INTEGER" {
			t.Errorf("container instance %s: registered CPU %+v, want INTEGER 4096 (moto's)", ci.EC2InstanceID, r)
		}
		if r := resource(ci.RegisteredResources, "PORTS"); !slices.Contains(r.StringSetValue, "22") {
			t.Errorf("container instance %s: registered PORTS %+v, want 22 among them", ci.EC2InstanceID, r)
		}
		if r := resource(ci.RemainingResources, "MEMORY"); r.IntegerValue <= 0 {
			t.Errorf("container instance %s: remaining MEMORY %+v", ci.EC2InstanceID, r)
		}
		if v := attribute(ci.Attributes, "ecs.instance-type"); v != sandbox.InstanceType {
			t.Errorf("container instance %s: ecs.instance-type %q, want %s", ci.EC2InstanceID, v, sandbox.InstanceType)
		}
		if v := attribute(ci.Attributes, "pool"); v != "web" {
			t.Errorf("container instance %s: attribute pool %q, want web", ci.EC2InstanceID, v)
		}
	}
	sort.Strings(ciIDs)
	if diff := cmp.Diff(instances, ciIDs); diff != "" {
		t.Errorf("container instances' EC2 ids (-pool +read):\n%s", diff)
	}

	// Tasks: two of each service, RUNNING, on the registered instances.
	groups := map[string]int{}
	for _, tk := range s.Tasks {
		groups[tk.Group]++
		wantDef := map[string]string{"service:api": api, "service:agent": agent}[tk.Group]
		if tk.TaskDefinitionARN != wantDef || tk.LastStatus != "RUNNING" || tk.DesiredStatus != "RUNNING" || tk.ContainerInstanceARN == "" || tk.StartedBy == "" {
			t.Errorf("task %+v, want RUNNING of %s on an instance, started by its deployment", tk, wantDef)
		}
	}
	if diff := cmp.Diff(map[string]int{"service:api": 2, "service:agent": 2}, groups); diff != "" {
		t.Errorf("tasks per group (-want +got):\n%s", diff)
	}

	// The pool, discovered from the registered instances.
	if len(s.AutoScalingGroups) != 1 {
		t.Fatalf("groups = %+v, want web", s.AutoScalingGroups)
	}
	g := s.AutoScalingGroups[0]
	wantG := snapshot.AutoScalingGroup{
		AutoScalingGroupName: "web", AutoScalingGroupARN: g.AutoScalingGroupARN,
		LaunchTemplate: &snapshot.LaunchTemplateSpec{LaunchTemplateID: g.LaunchTemplate.LaunchTemplateID, LaunchTemplateName: "web-lt", Version: "$Latest"},
		MinSize:        1, MaxSize: 4, DesiredCapacity: 2, AvailabilityZones: []string{"us-east-1a"},
		Tags:                  []snapshot.ASGTag{{Key: "team", Value: "core"}},
		NewInstancesProtected: aws.Bool(false), CapacityRebalance: aws.Bool(false), CreatedTime: g.CreatedTime,
		TerminationPolicies: []string{"Default"},
	}
	for _, id := range instances {
		wantG.Instances = append(wantG.Instances, snapshot.ASGInstance{
			InstanceID: id, InstanceType: sandbox.InstanceType, AvailabilityZone: "us-east-1a", LifecycleState: "InService", HealthStatus: "Healthy",
			LaunchTemplate: &snapshot.LaunchTemplateSpec{LaunchTemplateID: g.LaunchTemplate.LaunchTemplateID, LaunchTemplateName: "web-lt", Version: "1"},
		})
	}
	sortedInstances := slices.Clone(g.Instances)
	sort.Slice(sortedInstances, func(i, j int) bool { return sortedInstances[i].InstanceID < sortedInstances[j].InstanceID })
	g.Instances = sortedInstances
	if diff := cmp.Diff(wantG, g); diff != "" {
		t.Errorf("group web (-want +got):\n%s", diff)
	}
	if g.CreatedTime == nil || g.AutoScalingGroupARN == "" || g.LaunchTemplate.LaunchTemplateID == "" {
		t.Errorf("group web: ARN %q, launch template id %q, created %v", g.AutoScalingGroupARN, g.LaunchTemplate.LaunchTemplateID, g.CreatedTime)
	}

	// The instance type and the launch template behind the pool.
	if len(s.InstanceTypes) != 1 {
		t.Fatalf("instance types = %+v, want %s", s.InstanceTypes, sandbox.InstanceType)
	}
	it := s.InstanceTypes[0]
	if it.InstanceType != sandbox.InstanceType || it.VCPUInfo.DefaultVCPUs != 4 || it.MemoryInfo.SizeInMiB != 8192 ||
		it.NetworkInfo.MaximumNetworkInterfaces < 1 || it.ProcessorInfo == nil || !slices.Contains(it.ProcessorInfo.SupportedArchitectures, "x86_64") {
		t.Errorf("instance type = %+v, want c5.xlarge: 4 vCPUs, 8192 MiB, x86_64", it)
	}
	wantLT := []snapshot.LaunchTemplateVersion{{
		LaunchTemplateID: g.LaunchTemplate.LaunchTemplateID, LaunchTemplateName: "web-lt", VersionNumber: 1, DefaultVersion: true,
		LaunchTemplateData: snapshot.LaunchTemplateData{InstanceType: sandbox.InstanceType, ImageID: sandbox.LinuxAMI},
	}}
	if diff := cmp.Diff(wantLT, s.LaunchTemplateVersions); diff != "" {
		t.Errorf("launch template versions (-want +got):\n%s", diff)
	}
	if len(s.CapacityProviders) != 0 {
		t.Errorf("capacity providers = %+v, want none", s.CapacityProviders)
	}

	// What only the orchestrator reads.
	for _, id := range instances {
		if got.LaunchTimes[id].IsZero() {
			t.Errorf("no launch time for %s", id)
		}
		if tag := got.InstanceTags[id]["aws:autoscaling:groupName"]; tag != "web" {
			t.Errorf("instance %s tag aws:autoscaling:groupName = %q, want web (tags: %v)", id, tag, got.InstanceTags[id])
		}
	}
	if len(got.LaunchTimes) != 2 || len(got.InstanceTags) != 2 {
		t.Errorf("launch times %v, tags %v: want the two pool instances", got.LaunchTimes, got.InstanceTags)
	}
	// The snapshot keeps the same instances (instances.json), so a plan of
	// a snapshot sees the EC2 tags a live read does.
	if diff := cmp.Diff(got.InstanceTags, s.InstanceTags()); diff != "" {
		t.Errorf("snapshot's instance tags (-read +snapshot):\n%s", diff)
	}
	for _, res := range s.Reservations {
		for _, in := range res.Instances {
			if in.LaunchTime == nil || !in.LaunchTime.Equal(got.LaunchTimes[in.InstanceID]) || in.InstanceType != sandbox.InstanceType {
				t.Errorf("snapshot instance %+v, want launch time %v and type %s", in, got.LaunchTimes[in.InstanceID], sandbox.InstanceType)
			}
		}
	}
	if len(got.Activities) != 0 || len(got.Conflicts) != 0 {
		t.Errorf("activities %+v, conflicts %+v; want none", got.Activities, got.Conflicts)
	}

	// The snapshot is one the estimator takes, and it survives the disk.
	pc, err := s.Cluster()
	if err != nil {
		t.Fatalf("Snapshot.Cluster: %v", err)
	}
	if pc.Name != "demo" || len(pc.Services) != 2 || len(pc.Pools) != 1 || len(pc.ContainerInstances) != 2 || len(pc.Tasks) != 4 || len(pc.InstanceTypes) != 1 {
		t.Errorf("placement cluster %s: %d services, %d pools, %d instances, %d tasks, %d types", pc.Name, len(pc.Services), len(pc.Pools), len(pc.ContainerInstances), len(pc.Tasks), len(pc.InstanceTypes))
	}
	dir := t.TempDir()
	if err := s.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	back, err := snapshot.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(s, back, cmpopts.IgnoreUnexported(snapshot.Snapshot{}), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("snapshot after WriteDir and LoadDir (-read +loaded):\n%s", diff)
	}
}

// TestClusterBatchesDescribeCalls reads more services than one
// DescribeServices call takes and more tasks than one DescribeTasks call
// takes. (moto answers each List call in one page, whatever maxResults
// says: TestListCallsFollowNextToken covers their paging.)
func TestClusterBatchesDescribeCalls(t *testing.T) {
	e := newEnv(t)
	e.createCluster(t, "big")
	e.createPool(t, sandbox.Pool{Name: "big-pool", Cluster: "big", MinSize: 2, MaxSize: 2, Desired: 2})
	td := e.taskDef(t, "tiny", 16, 32, -1)
	const services, perService = 12, 10
	for i := range services {
		e.createService(t, &ecs.CreateServiceInput{
			Cluster: aws.String("big"), ServiceName: aws.String(fmt.Sprintf("svc-%02d", i)), TaskDefinition: aws.String(td),
			DesiredCount: aws.Int32(perService), LaunchType: ecstypes.LaunchTypeEc2,
		})
	}
	e.step(t, 2)
	e.rec.reset()

	got, err := e.r.Cluster(e.ctx, "big", []string{"big-pool"})
	if err != nil {
		t.Fatal(err)
	}
	s := got.Snapshot
	if len(s.Services) != services {
		t.Errorf("%d services, want %d", len(s.Services), services)
	}
	if len(s.Tasks) != services*perService {
		t.Errorf("%d tasks, want %d", len(s.Tasks), services*perService)
	}
	perGroup := map[string]int{}
	for _, tk := range s.Tasks {
		perGroup[tk.Group]++
	}
	for _, svc := range s.Services {
		if n := perGroup["service:"+svc.ServiceName]; n != perService || svc.RunningCount != perService {
			t.Errorf("service %s: %d tasks read, runningCount %d; want %d", svc.ServiceName, n, svc.RunningCount, perService)
		}
	}
	var sizes []int
	for _, body := range e.rec.calls("ecs.DescribeServices") {
		sizes = append(sizes, jsonList(t, body, "services"))
	}
	sort.Ints(sizes)
	if diff := cmp.Diff([]int{2, 10}, sizes); diff != "" {
		t.Errorf("DescribeServices batch sizes (-want +got):\n%s", diff)
	}
	sizes = nil
	for _, body := range e.rec.calls("ecs.DescribeTasks") {
		sizes = append(sizes, jsonList(t, body, "tasks"))
	}
	sort.Ints(sizes)
	if diff := cmp.Diff([]int{20, 100}, sizes); diff != "" {
		t.Errorf("DescribeTasks batch sizes (-want +got):\n%s", diff)
	}
	if n := len(e.rec.calls("ecs.ListContainerInstances")); n != 2 {
		t.Errorf("%d ListContainerInstances calls, want 2 (ACTIVE, DRAINING)", n)
	}
	if n := len(e.rec.calls("ecs.DescribeTaskDefinition")); n != 1 {
		t.Errorf("%d DescribeTaskDefinition calls, want 1 (one definition in use)", n)
	}
}

// TestClusterDrainingInstances reads DRAINING container instances too.
func TestClusterDrainingInstances(t *testing.T) {
	e := newEnv(t)
	e.createCluster(t, "demo")
	e.createPool(t, sandbox.Pool{Name: "web", Cluster: "demo", MinSize: 0, MaxSize: 3, Desired: 3})
	e.step(t, 1)
	ids := poolInstances(t, e, "web")
	arn, err := e.sb.ContainerInstanceARN(e.ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.ecs.UpdateContainerInstancesState(e.ctx, &ecs.UpdateContainerInstancesStateInput{
		Cluster: aws.String("demo"), ContainerInstances: []string{arn}, Status: ecstypes.ContainerInstanceStatusDraining,
	}); err != nil {
		t.Fatal(err)
	}
	got, err := e.r.Cluster(e.ctx, "demo", nil)
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, ci := range got.Snapshot.ContainerInstances {
		status[ci.EC2InstanceID] = ci.Status
	}
	want := map[string]string{ids[0]: "DRAINING", ids[1]: "ACTIVE", ids[2]: "ACTIVE"}
	if diff := cmp.Diff(want, status); diff != "" {
		t.Errorf("container instance statuses (-want +got):\n%s", diff)
	}
}

// TestClusterConflicts sets up each kind of other autoscaler and checks that
// the read reports each, and only those that drive something.
func TestClusterConflicts(t *testing.T) {
	e := newEnv(t)
	e.createCluster(t, "demo")
	e.createPool(t, sandbox.Pool{Name: "web", Cluster: "demo", MinSize: 1, MaxSize: 4, Desired: 1})
	e.createPool(t, sandbox.Pool{Name: "spare", Cluster: "demo", MinSize: 0, MaxSize: 4, Desired: 0})
	groupARN := func(name string) string {
		out, err := e.asg.DescribeAutoScalingGroups(e.ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{name}})
		if err != nil || len(out.AutoScalingGroups) != 1 {
			t.Fatalf("describe %s: %v", name, err)
		}
		return aws.ToString(out.AutoScalingGroups[0].AutoScalingGroupARN)
	}
	_, err := e.ecs.CreateCapacityProvider(e.ctx, &ecs.CreateCapacityProviderInput{
		Name: aws.String("web-cp"),
		AutoScalingGroupProvider: &ecstypes.AutoScalingGroupProvider{
			AutoScalingGroupArn:          aws.String(groupARN("web")),
			ManagedScaling:               &ecstypes.ManagedScaling{Status: ecstypes.ManagedScalingStatusEnabled, TargetCapacity: aws.Int32(90)},
			ManagedTerminationProtection: ecstypes.ManagedTerminationProtectionEnabled,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.ecs.CreateCapacityProvider(e.ctx, &ecs.CreateCapacityProviderInput{
		Name: aws.String("spare-cp"),
		AutoScalingGroupProvider: &ecstypes.AutoScalingGroupProvider{
			AutoScalingGroupArn:          aws.String(groupARN("spare")),
			ManagedScaling:               &ecstypes.ManagedScaling{Status: ecstypes.ManagedScalingStatusDisabled},
			ManagedTerminationProtection: ecstypes.ManagedTerminationProtectionDisabled,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.ecs.PutClusterCapacityProviders(e.ctx, &ecs.PutClusterCapacityProvidersInput{
		Cluster: aws.String("demo"), CapacityProviders: []string{"web-cp", "spare-cp"},
		DefaultCapacityProviderStrategy: []ecstypes.CapacityProviderStrategyItem{{CapacityProvider: aws.String("web-cp"), Weight: 3, Base: 1}},
	})
	if err != nil {
		t.Fatal(err)
	}
	td := e.taskDef(t, "api", 128, 128, -1)
	for _, name := range []string{"api", "worker"} {
		e.createService(t, &ecs.CreateServiceInput{
			Cluster: aws.String("demo"), ServiceName: aws.String(name), TaskDefinition: aws.String(td), DesiredCount: aws.Int32(1), LaunchType: ecstypes.LaunchTypeEc2,
		})
	}
	aas := applicationautoscaling.NewFromConfig(e.conf)
	for _, tt := range []struct {
		service   string
		suspended bool
	}{{"api", false}, {"worker", true}} {
		in := &applicationautoscaling.RegisterScalableTargetInput{
			ServiceNamespace: aastypes.ServiceNamespaceEcs, ResourceId: aws.String("service/demo/" + tt.service),
			ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount, MinCapacity: aws.Int32(1), MaxCapacity: aws.Int32(6),
		}
		if tt.suspended {
			in.SuspendedState = &aastypes.SuspendedState{DynamicScalingInSuspended: aws.Bool(true), DynamicScalingOutSuspended: aws.Bool(true), ScheduledScalingSuspended: aws.Bool(true)}
		}
		if _, err := aas.RegisterScalableTarget(e.ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	_, err = e.asg.PutScalingPolicy(e.ctx, &autoscaling.PutScalingPolicyInput{
		AutoScalingGroupName: aws.String("web"), PolicyName: aws.String("cpu50"), PolicyType: aws.String("TargetTrackingScaling"),
		TargetTrackingConfiguration: &asgtypes.TargetTrackingConfiguration{
			PredefinedMetricSpecification: &asgtypes.PredefinedMetricSpecification{PredefinedMetricType: asgtypes.MetricTypeASGAverageCPUUtilization},
			TargetValue:                   aws.Float64(50),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	e.step(t, 1)

	got, err := e.r.Cluster(e.ctx, "demo", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []Conflict{
		{Kind: ConflictCapacityProvider, Resource: "web", Detail: "capacity provider web-cp has managed scaling ENABLED (target 90) on web"},
		{Kind: ConflictCapacityProvider, Resource: "web", Detail: "capacity provider web-cp has managed termination protection ENABLED on web"},
		{Kind: ConflictScalingPolicy, Resource: "web", Detail: "auto scaling group web has TargetTrackingScaling policy cpu50"},
		{Kind: ConflictScalableTarget, Resource: "api", Detail: "Application Auto Scaling target service/demo/api scales the desired count of service api between 1 and 6"},
	}
	if diff := cmp.Diff(want, got.Conflicts); diff != "" {
		t.Errorf("conflicts (-want +got):\n%s", diff)
	}
	// Both pools are discovered: web from its instance, spare (no instances)
	// from its capacity provider.
	var pools []string
	for _, g := range got.Snapshot.AutoScalingGroups {
		pools = append(pools, g.AutoScalingGroupName)
	}
	if diff := cmp.Diff([]string{"spare", "web"}, pools); diff != "" {
		t.Errorf("discovered pools (-want +got):\n%s", diff)
	}
	wantCluster := []snapshot.Cluster{{
		ClusterName: "demo", ClusterARN: "arn:aws:ecs:us-east-1:123456789012:cluster/demo", CapacityProviders: []string{"web-cp", "spare-cp"},
		DefaultCapacityProviderStrategy: []snapshot.CapacityProviderStrategyItem{{CapacityProvider: "web-cp", Weight: 3, Base: 1}},
	}}
	if diff := cmp.Diff(wantCluster, got.Snapshot.Clusters); diff != "" {
		t.Errorf("clusters (-want +got):\n%s", diff)
	}
	wantProviders := []snapshot.CapacityProvider{
		{Name: "web-cp", Status: "ACTIVE", AutoScalingGroupProvider: &snapshot.AutoScalingGroupProvider{
			AutoScalingGroupARN: groupARN("web"), ManagedScaling: &snapshot.ManagedScaling{Status: "ENABLED", TargetCapacity: 90}, ManagedTerminationProtection: "ENABLED",
		}},
		{Name: "spare-cp", Status: "ACTIVE", AutoScalingGroupProvider: &snapshot.AutoScalingGroupProvider{
			AutoScalingGroupARN: groupARN("spare"), ManagedScaling: &snapshot.ManagedScaling{Status: "DISABLED", TargetCapacity: 100}, ManagedTerminationProtection: "DISABLED",
		}},
	}
	if diff := cmp.Diff(wantProviders, got.Snapshot.CapacityProviders, cmpopts.IgnoreFields(snapshot.AutoScalingGroupProvider{}, "ManagedDraining")); diff != "" {
		t.Errorf("capacity providers (-want +got):\n%s", diff)
	}
	pc, err := got.Snapshot.Cluster()
	if err != nil {
		t.Fatal(err)
	}
	if len(pc.DefaultCapacityProviderStrategy) != 1 || len(pc.CapacityProviders) != 2 || !pc.CapacityProviders[0].ManagedScaling {
		t.Errorf("placement cluster providers %+v, default strategy %+v", pc.CapacityProviders, pc.DefaultCapacityProviderStrategy)
	}
}

// TestClusterErrors checks that errors say what was read and keep the
// SDK's error reachable.
func TestClusterErrors(t *testing.T) {
	e := newEnv(t)
	e.createCluster(t, "demo")
	e.createPool(t, sandbox.Pool{Name: "web", Cluster: "demo", MinSize: 1, MaxSize: 1, Desired: 1})
	e.createService(t, &ecs.CreateServiceInput{
		Cluster: aws.String("demo"), ServiceName: aws.String("api"), TaskDefinition: aws.String(e.taskDef(t, "api", 64, 64, -1)),
		DesiredCount: aws.Int32(1), LaunchType: ecstypes.LaunchTypeEc2,
	})
	e.step(t, 1)

	if _, err := e.r.Cluster(e.ctx, "nope", nil); !errors.Is(err, ErrClusterNotFound) {
		t.Errorf("Cluster(nope) = %v, want ErrClusterNotFound", err)
	}
	if _, err := e.r.Cluster(e.ctx, "demo", []string{"web", "ghost"}); !errors.Is(err, ErrPoolNotFound) || !contains(err, "ghost") {
		t.Errorf("Cluster(demo, web+ghost) = %v, want ErrPoolNotFound naming ghost", err)
	}

	tests := []struct {
		op, code string
		status   int
		wantMsg  string
	}{
		{"DescribeServices", "ThrottlingException", 400, "describe services of demo"},
		{"ListContainerInstances", "ServerException", 500, "container instances of demo"},
		{"DescribeAutoScalingGroups", "Throttling", 400, "describe auto scaling groups web"},
		{"DescribeInstanceTypes", "InternalError", 500, "describe instance types"},
		{"DescribeScalableTargets", "ConcurrentUpdateException", 500, "describe scalable targets of demo"},
		{"DescribePolicies", "Throttling", 400, "describe scaling policies of web"},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			e.sb.FailNext(tt.op, tt.status, tt.code)
			_, err := e.r.Cluster(e.ctx, "demo", nil)
			if err == nil {
				t.Fatal("Cluster succeeded, want an error")
			}
			if !contains(err, tt.wantMsg) {
				t.Errorf("error %q does not say %q", err, tt.wantMsg)
			}
			var api smithy.APIError
			if !errors.As(err, &api) || api.ErrorCode() != tt.code {
				t.Errorf("errors.As(%v, smithy.APIError) gives %v, want code %s", err, api, tt.code)
			}
			var resp *awshttp.ResponseError
			if !errors.As(err, &resp) || resp.HTTPStatusCode() != tt.status {
				t.Errorf("errors.As(%v, *awshttp.ResponseError) gives %v, want status %d", err, resp, tt.status)
			}
		})
	}
}

func TestPoolOf(t *testing.T) {
	e := newEnv(t)
	e.createCluster(t, "demo")
	e.createPool(t, sandbox.Pool{Name: "web", Cluster: "demo", MinSize: 1, MaxSize: 1, Desired: 1})
	id := poolInstances(t, e, "web")[0]
	pool, ok, err := e.r.PoolOf(e.ctx, id)
	if err != nil || !ok || pool != "web" {
		t.Errorf("PoolOf(%s) = %q, %v, %v; want web, true, nil", id, pool, ok, err)
	}
	pool, ok, err = e.r.PoolOf(e.ctx, "i-0123456789abcdef0")
	if err != nil || ok || pool != "" {
		t.Errorf("PoolOf(unknown) = %q, %v, %v; want \"\", false, nil", pool, ok, err)
	}
	e.sb.FailNext("DescribeAutoScalingInstances", 400, "Throttling")
	var api smithy.APIError
	if _, _, err := e.r.PoolOf(e.ctx, id); !errors.As(err, &api) || !contains(err, "find the auto scaling group of "+id) {
		t.Errorf("PoolOf with a throttled call = %v, want the wrapped API error", err)
	}
}

// TestSequentialReadMatches checks that the concurrent read gives exactly
// what the sequential one does.
func TestSequentialReadMatches(t *testing.T) {
	e := newEnv(t)
	e.createCluster(t, "demo")
	e.createPool(t, sandbox.Pool{Name: "web", Cluster: "demo", MinSize: 1, MaxSize: 4, Desired: 3})
	td := e.taskDef(t, "api", 64, 64, -1)
	for i := range 13 {
		e.createService(t, &ecs.CreateServiceInput{
			Cluster: aws.String("demo"), ServiceName: aws.String(fmt.Sprintf("s%d", i)), TaskDefinition: aws.String(td),
			DesiredCount: aws.Int32(int32(i % 4)), LaunchType: ecstypes.LaunchTypeEc2,
		})
	}
	e.step(t, 1)
	concurrent, err := e.r.Cluster(e.ctx, "demo", nil)
	if err != nil {
		t.Fatal(err)
	}
	e.r.parallel = 1
	sequential, err := e.r.Cluster(e.ctx, "demo", nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sequential, concurrent, cmpopts.IgnoreUnexported(snapshot.Snapshot{})); diff != "" {
		t.Errorf("concurrent read differs from sequential (-sequential +concurrent):\n%s", diff)
	}
}

// poolInstances returns a pool's instance ids, sorted.
func poolInstances(tb testing.TB, e *env, pool string) []string {
	tb.Helper()
	out, err := e.asg.DescribeAutoScalingGroups(e.ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{pool}})
	if err != nil || len(out.AutoScalingGroups) != 1 {
		tb.Fatalf("describe %s: %v", pool, err)
	}
	var ids []string
	for _, in := range out.AutoScalingGroups[0].Instances {
		ids = append(ids, aws.ToString(in.InstanceId))
	}
	sort.Strings(ids)
	return ids
}

func resource(rs []snapshot.Resource, name string) snapshot.Resource {
	for _, r := range rs {
		if r.Name == name {
			return r
		}
	}
	return snapshot.Resource{}
}

func attribute(as []snapshot.Attribute, name string) string {
	for _, a := range as {
		if a.Name == name && a.Value != nil {
			return *a.Value
		}
	}
	return ""
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func contains(err error, s string) bool {
	return err != nil && strings.Contains(err.Error(), s)
}
