package sandbox

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// The AWS calls the harness itself makes, straight to moto.
type ecsAPI interface {
	ListClusters(context.Context, *ecs.ListClustersInput, ...func(*ecs.Options)) (*ecs.ListClustersOutput, error)
	ListContainerInstances(context.Context, *ecs.ListContainerInstancesInput, ...func(*ecs.Options)) (*ecs.ListContainerInstancesOutput, error)
	DescribeContainerInstances(context.Context, *ecs.DescribeContainerInstancesInput, ...func(*ecs.Options)) (*ecs.DescribeContainerInstancesOutput, error)
	RegisterContainerInstance(context.Context, *ecs.RegisterContainerInstanceInput, ...func(*ecs.Options)) (*ecs.RegisterContainerInstanceOutput, error)
	DeregisterContainerInstance(context.Context, *ecs.DeregisterContainerInstanceInput, ...func(*ecs.Options)) (*ecs.DeregisterContainerInstanceOutput, error)
	PutAttributes(context.Context, *ecs.PutAttributesInput, ...func(*ecs.Options)) (*ecs.PutAttributesOutput, error)
	ListTasks(context.Context, *ecs.ListTasksInput, ...func(*ecs.Options)) (*ecs.ListTasksOutput, error)
	DescribeTasks(context.Context, *ecs.DescribeTasksInput, ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error)
	StartTask(context.Context, *ecs.StartTaskInput, ...func(*ecs.Options)) (*ecs.StartTaskOutput, error)
	StopTask(context.Context, *ecs.StopTaskInput, ...func(*ecs.Options)) (*ecs.StopTaskOutput, error)
	DescribeTaskDefinition(context.Context, *ecs.DescribeTaskDefinitionInput, ...func(*ecs.Options)) (*ecs.DescribeTaskDefinitionOutput, error)
	ListServices(context.Context, *ecs.ListServicesInput, ...func(*ecs.Options)) (*ecs.ListServicesOutput, error)
	DescribeServices(context.Context, *ecs.DescribeServicesInput, ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error)
}

type asgAPI interface {
	DescribeAutoScalingGroups(context.Context, *autoscaling.DescribeAutoScalingGroupsInput, ...func(*autoscaling.Options)) (*autoscaling.DescribeAutoScalingGroupsOutput, error)
	DescribeLifecycleHooks(context.Context, *autoscaling.DescribeLifecycleHooksInput, ...func(*autoscaling.Options)) (*autoscaling.DescribeLifecycleHooksOutput, error)
	CreateAutoScalingGroup(context.Context, *autoscaling.CreateAutoScalingGroupInput, ...func(*autoscaling.Options)) (*autoscaling.CreateAutoScalingGroupOutput, error)
	PutLifecycleHook(context.Context, *autoscaling.PutLifecycleHookInput, ...func(*autoscaling.Options)) (*autoscaling.PutLifecycleHookOutput, error)
	TerminateInstanceInAutoScalingGroup(context.Context, *autoscaling.TerminateInstanceInAutoScalingGroupInput, ...func(*autoscaling.Options)) (*autoscaling.TerminateInstanceInAutoScalingGroupOutput, error)
}

type ec2API interface {
	DescribeInstances(context.Context, *ec2.DescribeInstancesInput, ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error)
	CreateLaunchTemplate(context.Context, *ec2.CreateLaunchTemplateInput, ...func(*ec2.Options)) (*ec2.CreateLaunchTemplateOutput, error)
}

// world is what one Step (or one safety check) reads from moto.
type world struct {
	clusters []*clusterView
}

type clusterView struct {
	name, arn string
	instances []*instanceView // by EC2 instance id
	byARN     map[string]*instanceView
	tasks     []*taskView // desiredStatus RUNNING only
	services  []ecstypes.Service
}

type instanceView struct {
	arn, ec2ID, status  string
	cpuUnits, memoryMiB int
	reservedTCP         map[int]bool // ports the agent reserves (22, 2375, …)
	reservedUDP         map[int]bool
	attributes          []AttributeInfo
	tasks               []*taskView
}

type taskView struct {
	arn, group, startedBy, instanceARN string
	def                                *taskDef
	order                              int // harness start order; 0 when unknown
}

// serviceName is X for a task in group "service:X", else "".
func (t *taskView) serviceName() string {
	name, ok := strings.CutPrefix(t.group, "service:")
	if !ok {
		return ""
	}
	return name
}

func (c *clusterView) removeTask(t *taskView) {
	c.tasks = remove(c.tasks, t)
	if in := c.byARN[t.instanceARN]; in != nil {
		in.tasks = remove(in.tasks, t)
	}
}

func (c *clusterView) addTask(t *taskView) {
	c.tasks = append(c.tasks, t)
	if in := c.byARN[t.instanceARN]; in != nil {
		in.tasks = append(in.tasks, t)
	}
}

func remove[T comparable](s []T, v T) []T {
	out := s[:0]
	for _, e := range s {
		if e != v {
			out = append(out, e)
		}
	}
	return out
}

// readWorld reads every cluster's container instances, running tasks (with
// their task definitions) and services from moto. order is the harness's
// task start order; readWorld only reads it.
func (s *Sandbox) readWorld(ctx context.Context, order map[string]int) (*world, error) {
	var arns []string
	p := ecs.NewListClustersPaginator(s.ecs, &ecs.ListClustersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list clusters: %w", err)
		}
		arns = append(arns, page.ClusterArns...)
	}
	sort.Strings(arns)
	w := &world{}
	for _, arn := range arns {
		c, err := s.readCluster(ctx, arn, order)
		if err != nil {
			return nil, err
		}
		w.clusters = append(w.clusters, c)
	}
	return w, nil
}

func (s *Sandbox) readCluster(ctx context.Context, arn string, order map[string]int) (*clusterView, error) {
	c := &clusterView{name: lastSegment(arn), arn: arn, byARN: map[string]*instanceView{}}
	cis, err := s.ecs.ListContainerInstances(ctx, &ecs.ListContainerInstancesInput{Cluster: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("list container instances in %s: %w", c.name, err)
	}
	// moto answers DescribeContainerInstances with no instances with a 500.
	for batch := range slices.Chunk(cis.ContainerInstanceArns, 100) {
		out, err := s.ecs.DescribeContainerInstances(ctx, &ecs.DescribeContainerInstancesInput{Cluster: aws.String(arn), ContainerInstances: batch})
		if err != nil {
			return nil, fmt.Errorf("describe container instances in %s: %w", c.name, err)
		}
		for _, ci := range out.ContainerInstances {
			in := newInstanceView(ci)
			c.instances = append(c.instances, in)
			c.byARN[in.arn] = in
		}
	}
	sort.Slice(c.instances, func(i, j int) bool { return c.instances[i].ec2ID < c.instances[j].ec2ID })

	tasks, err := s.ecs.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String(arn), DesiredStatus: ecstypes.DesiredStatusRunning})
	if err != nil {
		return nil, fmt.Errorf("list tasks in %s: %w", c.name, err)
	}
	for batch := range slices.Chunk(tasks.TaskArns, 100) {
		out, err := s.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(arn), Tasks: batch})
		if err != nil {
			return nil, fmt.Errorf("describe tasks in %s: %w", c.name, err)
		}
		for _, t := range out.Tasks {
			if aws.ToString(t.DesiredStatus) != "RUNNING" {
				continue
			}
			def, err := s.tdefs.get(ctx, aws.ToString(t.TaskDefinitionArn))
			if err != nil {
				return nil, err
			}
			tv := &taskView{
				arn: aws.ToString(t.TaskArn), group: aws.ToString(t.Group), startedBy: aws.ToString(t.StartedBy),
				instanceARN: aws.ToString(t.ContainerInstanceArn), def: def, order: order[aws.ToString(t.TaskArn)],
			}
			c.addTask(tv)
		}
	}
	sort.Slice(c.tasks, func(i, j int) bool { return c.tasks[i].arn < c.tasks[j].arn })

	svcs, err := s.ecs.ListServices(ctx, &ecs.ListServicesInput{Cluster: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("list services in %s: %w", c.name, err)
	}
	for batch := range slices.Chunk(svcs.ServiceArns, 10) {
		out, err := s.ecs.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(arn), Services: batch})
		if err != nil {
			return nil, fmt.Errorf("describe services in %s: %w", c.name, err)
		}
		c.services = append(c.services, out.Services...)
	}
	sort.Slice(c.services, func(i, j int) bool {
		return aws.ToString(c.services[i].ServiceName) < aws.ToString(c.services[j].ServiceName)
	})
	return c, nil
}

func newInstanceView(ci ecstypes.ContainerInstance) *instanceView {
	in := &instanceView{
		arn: aws.ToString(ci.ContainerInstanceArn), ec2ID: aws.ToString(ci.Ec2InstanceId), status: aws.ToString(ci.Status),
		reservedTCP: map[int]bool{}, reservedUDP: map[int]bool{},
	}
	for _, a := range ci.Attributes {
		in.attributes = append(in.attributes, AttributeInfo{Name: aws.ToString(a.Name), Value: aws.ToString(a.Value)})
	}
	for _, r := range ci.RegisteredResources {
		switch aws.ToString(r.Name) {
		case "CPU":
			in.cpuUnits = int(r.IntegerValue)
		case "MEMORY":
			in.memoryMiB = int(r.IntegerValue)
		case "PORTS":
			for _, p := range r.StringSetValue {
				if n, err := strconv.Atoi(p); err == nil {
					in.reservedTCP[n] = true
				}
			}
		case "PORTS_UDP":
			for _, p := range r.StringSetValue {
				if n, err := strconv.Atoi(p); err == nil {
					in.reservedUDP[n] = true
				}
			}
		}
	}
	return in
}

// taskDef is what placement needs from a task definition.
type taskDef struct {
	arn, family string
	cpuUnits    int
	memoryMiB   int
	tcpPorts    []int // static host ports
	udpPorts    []int
	containers  []string // names
	// noContainerMemory: some container sets neither memory nor
	// memoryReservation, which moto's StartTask cannot handle (HTTP 500).
	noContainerMemory bool
}

// taskDefCache holds task definitions by ARN (they are immutable) and
// resolves family or family:revision names to ARNs.
type taskDefCache struct {
	api ecsAPI
	mu  sync.Mutex
	m   map[string]*taskDef
}

func (c *taskDefCache) get(ctx context.Context, ref string) (*taskDef, error) {
	c.mu.Lock()
	d, ok := c.m[ref]
	c.mu.Unlock()
	if ok {
		return d, nil
	}
	out, err := c.api.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(ref)})
	if err != nil {
		return nil, fmt.Errorf("describe task definition %s: %w", ref, err)
	}
	d = newTaskDef(out.TaskDefinition)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]*taskDef{}
	}
	c.m[d.arn] = d
	if strings.HasPrefix(ref, "arn:") {
		c.m[ref] = d
	}
	return d, nil
}
