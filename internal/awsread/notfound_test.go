package awsread

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// TestClusterNotFoundWhicheverCallAnswers: AWS answers a cluster it does not
// know with a MISSING failure to DescribeClusters and with
// ClusterNotFoundException to the List calls, which run at the same time.
// Cluster must give ErrClusterNotFound, with the same message, whichever
// answer comes first.
func TestClusterNotFoundWhicheverCallAnswers(t *testing.T) {
	notFound := &ecstypes.ClusterNotFoundException{Message: aws.String("Cluster not found.")}
	missing := &ecs.DescribeClustersOutput{Failures: []ecstypes.Failure{{
		Arn: aws.String("arn:aws:ecs:us-east-1:123456789012:cluster/nope"), Reason: aws.String("MISSING"),
	}}}
	// wait blocks until the read gives up (another call failed first).
	wait := func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
	tests := []struct {
		name     string
		parallel int
		fake     *fakeECS
	}{
		{
			name: "ListTasks answers first", parallel: defaultParallel,
			fake: &fakeECS{
				describeClusters: func(ctx context.Context, _ *ecs.DescribeClustersInput) (*ecs.DescribeClustersOutput, error) {
					return nil, wait(ctx)
				},
				listServices: func(ctx context.Context, _ *ecs.ListServicesInput) (*ecs.ListServicesOutput, error) {
					return nil, wait(ctx)
				},
				listContainerInstances: func(ctx context.Context, _ *ecs.ListContainerInstancesInput) (*ecs.ListContainerInstancesOutput, error) {
					return nil, wait(ctx)
				},
				listTasks: func(context.Context, *ecs.ListTasksInput) (*ecs.ListTasksOutput, error) { return nil, notFound },
			},
		},
		{
			name: "DescribeClusters answers first", parallel: 1,
			fake: &fakeECS{
				describeClusters: func(context.Context, *ecs.DescribeClustersInput) (*ecs.DescribeClustersOutput, error) {
					return missing, nil
				},
			},
		},
		{
			name: "DescribeClusters shows it INACTIVE", parallel: 1,
			fake: &fakeECS{
				describeClusters: func(context.Context, *ecs.DescribeClustersInput) (*ecs.DescribeClustersOutput, error) {
					return &ecs.DescribeClustersOutput{Clusters: []ecstypes.Cluster{{ClusterName: aws.String("nope"), Status: aws.String("INACTIVE")}}}, nil
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Reader{ecs: tt.fake, parallel: tt.parallel}
			_, err := r.Cluster(context.Background(), "nope", nil)
			if !errors.Is(err, ErrClusterNotFound) {
				t.Fatalf("Cluster(nope) = %v, want ErrClusterNotFound", err)
			}
			if want := "look up cluster nope: cluster not found"; err.Error() != want {
				t.Errorf("error %q, want %q", err, want)
			}
		})
	}
	// The answer that showed it stays reachable.
	r := &Reader{ecs: tests[0].fake, parallel: defaultParallel}
	_, err := r.Cluster(context.Background(), "nope", nil)
	var nf *ecstypes.ClusterNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("errors.As(%v, *ClusterNotFoundException) = false, want the SDK's error reachable", err)
	}
}
