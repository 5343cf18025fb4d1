package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	asgtypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// Instance shape and image the sandbox uses. moto registers every container
// instance with CPU 4096 and MEMORY 7482 whatever its type; c5.xlarge (4
// vCPU, 8 GiB) is the type whose real numbers those are closest to, so the
// estimator's view of a new instance and the registered one agree.
// ami-760aaa0f is an Amazon Linux image in moto's catalogue: moto's default
// image is Windows, which makes ecs.os-type "windows".
const (
	InstanceType = "c5.xlarge"
	LinuxAMI     = "ami-760aaa0f"
)

// Pool is an Auto Scaling group whose instances the simulated ECS agent
// registers with a cluster.
type Pool struct {
	Name    string // ASG name
	Cluster string // ECS cluster its instances join
	// InstanceType defaults to InstanceType.
	InstanceType              string
	MinSize, MaxSize, Desired int32
	// Attributes are custom container instance attributes the agent puts on
	// each instance when it registers (like ECS_INSTANCE_ATTRIBUTES).
	Attributes map[string]string
	// RegistrationDelaySteps keeps each new instance unregistered for that
	// many Steps after the Step that first sees it InService.
	RegistrationDelaySteps int
	// NeverRegisters simulates a broken AMI: instances launch and never join.
	NeverRegisters bool
	// TerminationHook, when set, is the name of an
	// autoscaling:EC2_INSTANCE_TERMINATING lifecycle hook CreatePool adds.
	TerminationHook string
}

// agentInstance is the agent's memory of one EC2 instance.
type agentInstance struct {
	pool       string
	notBefore  int // first Step at which it may register
	never      bool
	registered bool
}

// CreatePool creates a launch template (LinuxAMI, the pool's instance type)
// and the Auto Scaling group in moto, adds the termination hook if asked,
// and has the agent serve the group. Instances appear at once (moto launches
// synchronously); they join the cluster at the next Step. The cluster must
// exist.
func (s *Sandbox) CreatePool(ctx context.Context, p Pool) error {
	if p.InstanceType == "" {
		p.InstanceType = InstanceType
	}
	lt := p.Name + "-lt"
	_, err := s.ec2.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{
		LaunchTemplateName: aws.String(lt),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{
			ImageId: aws.String(LinuxAMI), InstanceType: ec2types.InstanceType(p.InstanceType),
		},
	})
	if err != nil {
		return fmt.Errorf("create launch template for pool %s: %w", p.Name, err)
	}
	// Watch first, so that instances launched by CreateAutoScalingGroup get
	// the pool's registration settings.
	s.WatchPool(p)
	_, err = s.asg.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{
		AutoScalingGroupName: aws.String(p.Name),
		LaunchTemplate:       &asgtypes.LaunchTemplateSpecification{LaunchTemplateName: aws.String(lt), Version: aws.String("$Latest")},
		MinSize:              aws.Int32(p.MinSize), MaxSize: aws.Int32(p.MaxSize), DesiredCapacity: aws.Int32(p.Desired),
		AvailabilityZones: []string{Region + "a"},
	})
	if err != nil {
		return fmt.Errorf("create auto scaling group %s: %w", p.Name, err)
	}
	if p.TerminationHook != "" {
		_, err = s.asg.PutLifecycleHook(ctx, &autoscaling.PutLifecycleHookInput{
			AutoScalingGroupName: aws.String(p.Name), LifecycleHookName: aws.String(p.TerminationHook),
			LifecycleTransition: aws.String("autoscaling:EC2_INSTANCE_TERMINATING"),
			HeartbeatTimeout:    aws.Int32(900), DefaultResult: aws.String("CONTINUE"),
		})
		if err != nil {
			return fmt.Errorf("put lifecycle hook %s on %s: %w", p.TerminationHook, p.Name, err)
		}
	}
	return nil
}

// WatchPool has the agent serve an Auto Scaling group created elsewhere.
func (s *Sandbox) WatchPool(p Pool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pools[p.Name] = &p
}

// DelayRegistration keeps an instance unregistered for the next steps Steps.
func (s *Sandbox) DelayRegistration(instanceID string, steps int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ai := s.agentInstanceLocked(instanceID, "")
	ai.notBefore = s.steps + 1 + steps
}

// NeverRegister makes an instance never join its cluster (a broken AMI).
func (s *Sandbox) NeverRegister(instanceID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.agentInstanceLocked(instanceID, "").never = true
}

func (s *Sandbox) agentInstanceLocked(id, pool string) *agentInstance {
	ai, ok := s.instances[id]
	if !ok {
		ai = &agentInstance{pool: pool, notBefore: s.steps}
		if p := s.pools[pool]; p != nil {
			ai.notBefore = s.steps + p.RegistrationDelaySteps
			ai.never = p.NeverRegisters
		}
		s.instances[id] = ai
	}
	return ai
}

// PutAttributes puts custom attributes on the container instance of an EC2
// instance, as an operator (or ECS_INSTANCE_ATTRIBUTES) would.
func (s *Sandbox) PutAttributes(ctx context.Context, instanceID string, attrs map[string]string) error {
	w, err := s.readWorld(ctx, nil)
	if err != nil {
		return err
	}
	for _, c := range w.clusters {
		for _, in := range c.instances {
			if in.ec2ID == instanceID {
				return s.putAttributes(ctx, c.arn, in.arn, attrs)
			}
		}
	}
	return fmt.Errorf("put attributes on %s: no container instance for it", instanceID)
}

func (s *Sandbox) putAttributes(ctx context.Context, cluster, ciARN string, attrs map[string]string) error {
	if len(attrs) == 0 {
		return nil
	}
	keys := slices.Sorted(maps.Keys(attrs))
	var list []ecstypes.Attribute
	for _, k := range keys {
		list = append(list, ecstypes.Attribute{Name: aws.String(k), Value: aws.String(attrs[k]), TargetId: aws.String(ciARN)})
	}
	if _, err := s.ecs.PutAttributes(ctx, &ecs.PutAttributesInput{Cluster: aws.String(cluster), Attributes: list}); err != nil {
		return fmt.Errorf("put attributes on %s: %w", ciARN, err)
	}
	return nil
}

// ContainerInstanceARN returns the ARN of the container instance an EC2
// instance registered as, or "" when it has none.
func (s *Sandbox) ContainerInstanceARN(ctx context.Context, instanceID string) (string, error) {
	w, err := s.readWorld(ctx, nil)
	if err != nil {
		return "", err
	}
	for _, c := range w.clusters {
		for _, in := range c.instances {
			if in.ec2ID == instanceID {
				return in.arn, nil
			}
		}
	}
	return "", nil
}

// registerInstancesLocked is the agent starting on new instances: every
// InService instance of a watched pool that has not registered yet (and is
// allowed to by its delay) registers with its pool's cluster.
func (s *Sandbox) registerInstancesLocked(ctx context.Context) error {
	if len(s.pools) == 0 {
		return nil
	}
	var names []string
	for name := range s.pools {
		names = append(names, name)
	}
	sort.Strings(names)
	out, err := s.asg.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: names})
	if err != nil {
		return fmt.Errorf("describe pools: %w", err)
	}
	for _, g := range out.AutoScalingGroups {
		pool := s.pools[aws.ToString(g.AutoScalingGroupName)]
		ids := make([]string, 0, len(g.Instances))
		for _, in := range g.Instances {
			if in.LifecycleState == asgtypes.LifecycleStateInService {
				ids = append(ids, aws.ToString(in.InstanceId))
			}
		}
		sort.Strings(ids)
		for _, id := range ids {
			ai := s.agentInstanceLocked(id, pool.Name)
			if ai.registered || ai.never || s.steps < ai.notBefore {
				continue
			}
			if err := s.registerLocked(ctx, pool, id); err != nil {
				return err
			}
			ai.registered = true
		}
	}
	return nil
}

func (s *Sandbox) registerLocked(ctx context.Context, pool *Pool, instanceID string) error {
	doc, _ := json.Marshal(map[string]string{"instanceId": instanceID, "region": Region})
	out, err := s.ecs.RegisterContainerInstance(ctx, &ecs.RegisterContainerInstanceInput{
		Cluster: aws.String(pool.Cluster), InstanceIdentityDocument: aws.String(string(doc)),
	})
	if err != nil {
		return fmt.Errorf("register container instance %s in %s: %w", instanceID, pool.Cluster, err)
	}
	return s.putAttributes(ctx, pool.Cluster, aws.ToString(out.ContainerInstance.ContainerInstanceArn), pool.Attributes)
}

// retireTerminatedLocked is the agent going away with its instance: every
// container instance whose EC2 instance is terminated (or gone) has its tasks
// stopped and is deregistered (force), as ECS does when the agent
// disconnects for good.
func (s *Sandbox) retireTerminatedLocked(ctx context.Context, w *world) error {
	alive := map[string]bool{}
	p := ec2.NewDescribeInstancesPaginator(s.ec2, &ec2.DescribeInstancesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describe instances: %w", err)
		}
		for _, r := range page.Reservations {
			for _, in := range r.Instances {
				if in.State != nil && in.State.Name != ec2types.InstanceStateNameTerminated && in.State.Name != ec2types.InstanceStateNameShuttingDown {
					alive[aws.ToString(in.InstanceId)] = true
				}
			}
		}
	}
	dead := map[string]bool{}
	for _, c := range w.clusters {
		for _, in := range c.instances {
			if !alive[in.ec2ID] {
				dead[in.ec2ID] = true
			}
		}
	}
	return s.retireInstancesLocked(ctx, w, dead)
}

// retireInstancesLocked stops the tasks of the given EC2 instances' container
// instances and deregisters them (force), removing them from w.
func (s *Sandbox) retireInstancesLocked(ctx context.Context, w *world, ec2IDs map[string]bool) error {
	for _, c := range w.clusters {
		var keep []*instanceView
		for _, in := range c.instances {
			if !ec2IDs[in.ec2ID] {
				keep = append(keep, in)
				continue
			}
			for _, t := range append([]*taskView(nil), in.tasks...) {
				if err := s.stopTaskLocked(ctx, c, t, fmt.Sprintf("Host EC2 (instance %s) terminated.", in.ec2ID)); err != nil {
					return err
				}
			}
			_, err := s.ecs.DeregisterContainerInstance(ctx, &ecs.DeregisterContainerInstanceInput{
				Cluster: aws.String(c.arn), ContainerInstance: aws.String(in.arn), Force: aws.Bool(true),
			})
			if err != nil {
				return fmt.Errorf("deregister container instance %s (%s): %w", in.arn, in.ec2ID, err)
			}
			s.emitLocked(containerInstanceEvent(s, c, in, "INACTIVE"))
			delete(s.ciStatus, in.arn)
			delete(c.byARN, in.arn)
		}
		c.instances = keep
	}
	return nil
}
