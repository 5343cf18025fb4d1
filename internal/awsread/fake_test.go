package awsread

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// fakeECS answers the ECS calls a test sets, and fails any other: calling
// the nil embedded interface panics, which names the call.
type fakeECS struct {
	ecsAPI
	describeClusters       func(context.Context, *ecs.DescribeClustersInput) (*ecs.DescribeClustersOutput, error)
	listServices           func(context.Context, *ecs.ListServicesInput) (*ecs.ListServicesOutput, error)
	listContainerInstances func(context.Context, *ecs.ListContainerInstancesInput) (*ecs.ListContainerInstancesOutput, error)
	listTasks              func(context.Context, *ecs.ListTasksInput) (*ecs.ListTasksOutput, error)

	describeServices           func(context.Context, *ecs.DescribeServicesInput) (*ecs.DescribeServicesOutput, error)
	describeContainerInstances func(context.Context, *ecs.DescribeContainerInstancesInput) (*ecs.DescribeContainerInstancesOutput, error)
	describeTasks              func(context.Context, *ecs.DescribeTasksInput) (*ecs.DescribeTasksOutput, error)
}

func (f *fakeECS) DescribeClusters(ctx context.Context, in *ecs.DescribeClustersInput, _ ...func(*ecs.Options)) (*ecs.DescribeClustersOutput, error) {
	return f.describeClusters(ctx, in)
}

func (f *fakeECS) ListServices(ctx context.Context, in *ecs.ListServicesInput, _ ...func(*ecs.Options)) (*ecs.ListServicesOutput, error) {
	return f.listServices(ctx, in)
}

func (f *fakeECS) ListContainerInstances(ctx context.Context, in *ecs.ListContainerInstancesInput, _ ...func(*ecs.Options)) (*ecs.ListContainerInstancesOutput, error) {
	return f.listContainerInstances(ctx, in)
}

func (f *fakeECS) ListTasks(ctx context.Context, in *ecs.ListTasksInput, _ ...func(*ecs.Options)) (*ecs.ListTasksOutput, error) {
	return f.listTasks(ctx, in)
}

func (f *fakeECS) DescribeServices(ctx context.Context, in *ecs.DescribeServicesInput, _ ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error) {
	return f.describeServices(ctx, in)
}

func (f *fakeECS) DescribeContainerInstances(ctx context.Context, in *ecs.DescribeContainerInstancesInput, _ ...func(*ecs.Options)) (*ecs.DescribeContainerInstancesOutput, error) {
	return f.describeContainerInstances(ctx, in)
}

func (f *fakeECS) DescribeTasks(ctx context.Context, in *ecs.DescribeTasksInput, _ ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error) {
	return f.describeTasks(ctx, in)
}
