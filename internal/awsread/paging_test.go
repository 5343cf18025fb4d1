package awsread

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/google/go-cmp/cmp"
)

// pager serves a list of ARNs in pages of size, as the ECS List calls do:
// each page but the last carries a NextToken, which asks for the next. It
// remembers the tokens it was given, per key (a status, for
// ListContainerInstances).
type pager struct {
	size int
	mu   sync.Mutex
	seen map[string][]string
}

func (p *pager) page(key string, arns []string, token *string) ([]string, *string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.seen == nil {
		p.seen = map[string][]string{}
	}
	p.seen[key] = append(p.seen[key], aws.ToString(token))
	start := 0
	if token != nil {
		if _, err := fmt.Sscanf(*token, key+"-from-%d", &start); err != nil {
			return nil, nil, fmt.Errorf("bad token %q", *token)
		}
	}
	end := min(start+p.size, len(arns))
	var next *string
	if end < len(arns) {
		next = aws.String(fmt.Sprintf("%s-from-%d", key, end))
	}
	return arns[start:end], next, nil
}

func arns(kind string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("arn:aws:ecs:us-east-1:123456789012:%s/demo/%03d", kind, i)
	}
	return out
}

// TestListCallsFollowNextToken: ListServices, ListContainerInstances and
// ListTasks answer in pages, and the reader follows NextToken to the last
// page and describes what every page listed.
func TestListCallsFollowNextToken(t *testing.T) {
	services, active, draining, tasks := arns("service", 23), arns("container-instance", 7), arns("container-instance", 10)[7:], arns("task", 12)
	p := &pager{size: 5}
	fake := &fakeECS{
		listServices: func(_ context.Context, in *ecs.ListServicesInput) (*ecs.ListServicesOutput, error) {
			page, next, err := p.page("services", services, in.NextToken)
			return &ecs.ListServicesOutput{ServiceArns: page, NextToken: next}, err
		},
		listContainerInstances: func(_ context.Context, in *ecs.ListContainerInstancesInput) (*ecs.ListContainerInstancesOutput, error) {
			all := map[ecstypes.ContainerInstanceStatus][]string{ecstypes.ContainerInstanceStatusActive: active, ecstypes.ContainerInstanceStatusDraining: draining}[in.Status]
			page, next, err := p.page(string(in.Status), all, in.NextToken)
			return &ecs.ListContainerInstancesOutput{ContainerInstanceArns: page, NextToken: next}, err
		},
		listTasks: func(_ context.Context, in *ecs.ListTasksInput) (*ecs.ListTasksOutput, error) {
			page, next, err := p.page("tasks", tasks, in.NextToken)
			return &ecs.ListTasksOutput{TaskArns: page, NextToken: next}, err
		},
		describeServices: func(_ context.Context, in *ecs.DescribeServicesInput) (*ecs.DescribeServicesOutput, error) {
			out := &ecs.DescribeServicesOutput{}
			for _, arn := range in.Services {
				out.Services = append(out.Services, ecstypes.Service{ServiceArn: aws.String(arn), ServiceName: aws.String(arn[len(arn)-3:]), Status: aws.String("ACTIVE")})
			}
			return out, nil
		},
		describeContainerInstances: func(_ context.Context, in *ecs.DescribeContainerInstancesInput) (*ecs.DescribeContainerInstancesOutput, error) {
			out := &ecs.DescribeContainerInstancesOutput{}
			for _, arn := range in.ContainerInstances {
				out.ContainerInstances = append(out.ContainerInstances, ecstypes.ContainerInstance{ContainerInstanceArn: aws.String(arn)})
			}
			return out, nil
		},
		describeTasks: func(_ context.Context, in *ecs.DescribeTasksInput) (*ecs.DescribeTasksOutput, error) {
			out := &ecs.DescribeTasksOutput{}
			for _, arn := range in.Tasks {
				out.Tasks = append(out.Tasks, ecstypes.Task{TaskArn: aws.String(arn)})
			}
			return out, nil
		},
	}
	for _, parallel := range []int{1, defaultParallel} {
		t.Run(fmt.Sprintf("parallel %d", parallel), func(t *testing.T) {
			p.seen = nil
			r := &Reader{ecs: fake, parallel: parallel}
			ctx := context.Background()
			gotServices, err := r.services(ctx, "demo")
			if err != nil {
				t.Fatal(err)
			}
			gotInstances, err := r.containerInstances(ctx, "demo")
			if err != nil {
				t.Fatal(err)
			}
			gotTasks, err := r.tasks(ctx, "demo")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range gotServices {
				got = append(got, s.ServiceARN)
			}
			if diff := cmp.Diff(services, got); diff != "" {
				t.Errorf("services (-listed +read):\n%s", diff)
			}
			got = nil
			for _, ci := range gotInstances {
				got = append(got, ci.ContainerInstanceARN)
			}
			if diff := cmp.Diff(append(append([]string(nil), active...), draining...), got); diff != "" {
				t.Errorf("container instances (-listed +read):\n%s", diff)
			}
			got = nil
			for _, tk := range gotTasks {
				got = append(got, tk.TaskARN)
			}
			if diff := cmp.Diff(tasks, got); diff != "" {
				t.Errorf("tasks (-listed +read):\n%s", diff)
			}
			// Each List call started without a token and passed on every
			// token it got: 23 services in 5 pages, 7 ACTIVE instances in
			// 2, 3 DRAINING in 1, 12 tasks in 3.
			want := map[string][]string{
				"services": {"", "services-from-5", "services-from-10", "services-from-15", "services-from-20"},
				"ACTIVE":   {"", "ACTIVE-from-5"},
				"DRAINING": {""},
				"tasks":    {"", "tasks-from-5", "tasks-from-10"},
			}
			if diff := cmp.Diff(want, p.seen); diff != "" {
				t.Errorf("tokens the List calls were given (-want +got):\n%s", diff)
			}
		})
	}
}
