package awsread

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"

	"github.com/tandem-ecs/tandem/internal/snapshot"
)

// The SDK calls the reader makes, one small interface per service. The SDK
// clients satisfy them; tests may pass fakes.

type ecsAPI interface {
	ecs.ListServicesAPIClient
	ecs.ListContainerInstancesAPIClient
	ecs.ListTasksAPIClient
	DescribeClusters(context.Context, *ecs.DescribeClustersInput, ...func(*ecs.Options)) (*ecs.DescribeClustersOutput, error)
	DescribeCapacityProviders(context.Context, *ecs.DescribeCapacityProvidersInput, ...func(*ecs.Options)) (*ecs.DescribeCapacityProvidersOutput, error)
	DescribeServices(context.Context, *ecs.DescribeServicesInput, ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error)
	DescribeContainerInstances(context.Context, *ecs.DescribeContainerInstancesInput, ...func(*ecs.Options)) (*ecs.DescribeContainerInstancesOutput, error)
	DescribeTasks(context.Context, *ecs.DescribeTasksInput, ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error)
	DescribeTaskDefinition(context.Context, *ecs.DescribeTaskDefinitionInput, ...func(*ecs.Options)) (*ecs.DescribeTaskDefinitionOutput, error)
}

type autoScalingAPI interface {
	autoscaling.DescribeAutoScalingGroupsAPIClient
	autoscaling.DescribeAutoScalingInstancesAPIClient
	autoscaling.DescribePoliciesAPIClient
	autoscaling.DescribeScalingActivitiesAPIClient
}

type ec2API interface {
	ec2.DescribeInstanceTypesAPIClient
	ec2.DescribeInstancesAPIClient
	ec2.DescribeLaunchTemplateVersionsAPIClient
}

type appAutoScalingAPI interface {
	applicationautoscaling.DescribeScalableTargetsAPIClient
}

type cloudWatchAPI interface {
	cloudwatch.DescribeAlarmsAPIClient
}

// Reader makes tandem's AWS reads. It is safe for concurrent use.
type Reader struct {
	ecs        ecsAPI
	asg        autoScalingAPI
	ec2        ec2API
	appscaling appAutoScalingAPI
	cw         cloudWatchAPI

	// parallel is how many calls one read runs at once; 1 makes every read
	// sequential (the tests measure both).
	parallel int
}

// defaultParallel bounds the calls in flight for one fan-out (the batches
// of one Describe call, the task definitions, the pools): enough to overlap
// the round trips of a large cluster, few enough to stay clear of the APIs'
// throttling. The independent reads of a phase run beside each other, each
// with its own bound.
const defaultParallel = 8

// New builds the reader's SDK clients from cfg. CloudWatch uses the Query
// protocol, which AWS serves and moto (no Smithy RPCv2 CBOR) accepts.
func New(cfg aws.Config) *Reader {
	return &Reader{
		ecs:        ecs.NewFromConfig(cfg),
		asg:        autoscaling.NewFromConfig(cfg),
		ec2:        ec2.NewFromConfig(cfg),
		appscaling: applicationautoscaling.NewFromConfig(cfg),
		cw: cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) {
			o.Protocol = awsquery.New(schemas.GraniteServiceVersion20100801)
		}),
		parallel: defaultParallel,
	}
}

// Cluster is everything a decision reads about one cluster and its pools.
type Cluster struct {
	// Snapshot is exactly what a snapshot folder holds.
	Snapshot *snapshot.Snapshot
	// LaunchTimes is the EC2 launch time of every pool instance.
	LaunchTimes map[string]time.Time
	// InstanceTags are the EC2 tags of every pool instance (also in
	// Snapshot.Reservations, as instances.json holds them).
	InstanceTags map[string]map[string]string
	// Activities are the recent scaling activities of the pools that failed
	// or were cancelled.
	Activities []Activity
	// Conflicts are other autoscalers driving what tandem drives.
	Conflicts []Conflict
}

// Activity is an Auto Scaling activity that failed or was cancelled.
type Activity struct {
	Pool        string
	ID          string
	Status      string // Failed or Cancelled
	Description string
	Message     string // the status message: why it failed
	Start       time.Time
}

// The kinds of Conflict.
const (
	// ConflictCapacityProvider is an ECS capacity provider with managed
	// scaling or managed termination protection on a pool.
	ConflictCapacityProvider = "capacity-provider"
	// ConflictScalableTarget is an Application Auto Scaling target on a
	// service's desired count.
	ConflictScalableTarget = "scalable-target"
	// ConflictScalingPolicy is a scaling policy on a pool.
	ConflictScalingPolicy = "scaling-policy"
)

// Conflict is another autoscaler driving a pool or a service.
type Conflict struct {
	Kind     string // ConflictCapacityProvider, ConflictScalableTarget or ConflictScalingPolicy
	Resource string // the pool or service name
	Detail   string // human readable
}

// Cluster reads everything a decision needs about cluster (a name or an
// ARN) and the named pools. With no pools it discovers them: the groups of
// the cluster's container instances and the groups behind its capacity
// providers. A cluster ECS does not know, or that is INACTIVE, is an error
// wrapping ErrClusterNotFound, whichever ECS call found out.
func (r *Reader) Cluster(ctx context.Context, cluster string, pools []string) (*Cluster, error) {
	var (
		cl        snapshot.Cluster
		providers []snapshot.CapacityProvider
		services  []snapshot.Service
		instances []snapshot.ContainerInstance
		tasks     []snapshot.Task
	)
	err := r.all(ctx,
		func(ctx context.Context) error {
			var err error
			if cl, err = r.describeCluster(ctx, cluster); err != nil {
				return err
			}
			providers, err = r.capacityProviders(ctx, cl.ClusterName, cl.CapacityProviders)
			return err
		},
		func(ctx context.Context) (err error) { services, err = r.services(ctx, cluster); return err },
		func(ctx context.Context) (err error) { instances, err = r.containerInstances(ctx, cluster); return err },
		func(ctx context.Context) (err error) { tasks, err = r.tasks(ctx, cluster); return err },
	)
	if err != nil {
		return nil, clusterNotFound(cluster, err)
	}

	out := &Cluster{Snapshot: &snapshot.Snapshot{
		Services:           services,
		ContainerInstances: instances,
		Tasks:              tasks,
		Clusters:           []snapshot.Cluster{cl},
		CapacityProviders:  providers,
	}}
	var targets []Conflict
	err = r.all(ctx,
		func(ctx context.Context) (err error) {
			out.Snapshot.TaskDefinitions, err = r.taskDefinitions(ctx, cl.ClusterName, taskDefinitionRefs(services, tasks))
			return err
		},
		func(ctx context.Context) (err error) {
			targets, err = r.scalableTargets(ctx, cl.ClusterName, services)
			return err
		},
		func(ctx context.Context) error {
			if len(pools) == 0 {
				var err error
				if pools, err = r.discoverPools(ctx, cl.ClusterName, instances, providers); err != nil {
					return err
				}
			}
			return r.readPools(ctx, unique(pools), out)
		},
	)
	if err != nil {
		return nil, clusterNotFound(cluster, err)
	}
	out.Conflicts = append(providerConflicts(providers, out.Snapshot.AutoScalingGroups), out.Conflicts...)
	out.Conflicts = append(out.Conflicts, targets...)
	return out, nil
}

// readPools reads the pools' groups and everything behind them into out.
func (r *Reader) readPools(ctx context.Context, pools []string, out *Cluster) error {
	groups, err := r.groups(ctx, pools)
	if err != nil {
		return err
	}
	out.Snapshot.AutoScalingGroups = groups
	policies := make([][]Conflict, len(groups))
	activities := make([][]Activity, len(groups))
	err = r.all(ctx,
		func(ctx context.Context) error {
			versions, err := r.launchTemplateVersions(ctx, groups)
			if err != nil {
				return err
			}
			out.Snapshot.LaunchTemplateVersions = versions
			out.Snapshot.InstanceTypes, err = r.instanceTypes(ctx, instanceTypeNames(groups, versions, out.Snapshot.ContainerInstances))
			return err
		},
		func(ctx context.Context) (err error) {
			out.Snapshot.Reservations, out.LaunchTimes, out.InstanceTags, err = r.instances(ctx, poolInstanceIDs(groups))
			return err
		},
		func(ctx context.Context) error {
			return r.each(ctx, len(groups), func(ctx context.Context, i int) (err error) {
				policies[i], err = r.policies(ctx, groups[i].AutoScalingGroupName)
				return err
			})
		},
		func(ctx context.Context) error {
			return r.each(ctx, len(groups), func(ctx context.Context, i int) (err error) {
				activities[i], err = r.activities(ctx, groups[i].AutoScalingGroupName)
				return err
			})
		},
	)
	if err != nil {
		return err
	}
	out.Conflicts = slices.Concat(policies...)
	out.Activities = slices.Concat(activities...)
	return nil
}

// all runs fns at once and returns the first error; the others then see
// their context cancelled. With parallel 1 it runs them in order.
func (r *Reader) all(ctx context.Context, fns ...func(context.Context) error) error {
	if r.parallel <= 1 {
		for _, fn := range fns {
			if err := fn(ctx); err != nil {
				return err
			}
		}
		return nil
	}
	return run(ctx, len(fns), len(fns), func(ctx context.Context, i int) error { return fns[i](ctx) })
}

// each runs fn for 0 ≤ i < n, at most r.parallel at once, and returns the
// first error. Results go into slots the caller indexes by i, so the order
// of the output does not depend on timing.
func (r *Reader) each(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	return run(ctx, n, max(r.parallel, 1), fn)
}

func run(ctx context.Context, n, limit int, fn func(ctx context.Context, i int) error) error {
	if n == 0 {
		return nil
	}
	if limit <= 1 || n == 1 {
		for i := range n {
			if err := fn(ctx, i); err != nil {
				return err
			}
		}
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
		sem   = make(chan struct{}, limit)
	)
	for i := range n {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			// A call failed (first is set) or the caller gave up.
			wg.Wait()
			if first != nil {
				return first
			}
			return ctx.Err()
		}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := fn(ctx, i); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		})
	}
	wg.Wait()
	return first
}

// batches splits s into pieces of at most n, each a request's worth.
func batches[T any](s []T, n int) [][]T { return slices.Collect(slices.Chunk(s, n)) }

// unique returns s without repeats, in first-seen order, and without empty
// strings.
func unique(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
