package awswrite

import (
	"context"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	asgtypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/tandem-ecs/tandem/internal/sandbox"
	"github.com/tandem-ecs/tandem/internal/sandbox/sandboxtest"
)

func TestMain(m *testing.M) { sandboxtest.Main(m, "awswrite") }

type env struct {
	ctx context.Context
	sb  *sandbox.Sandbox
	w   *Writer
	ecs *ecs.Client
	asg *autoscaling.Client
	cfg aws.Config
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := t.Context()
	sb := sandboxtest.New(t)
	cfg := sb.Config()
	return &env{ctx: ctx, sb: sb, w: New(cfg), ecs: ecs.NewFromConfig(cfg), asg: autoscaling.NewFromConfig(cfg), cfg: cfg}
}

// cluster creates a cluster with one pool of n instances, registered.
func (e *env) cluster(t *testing.T, name, pool string, n int32, hook string) {
	t.Helper()
	if _, err := e.ecs.CreateCluster(e.ctx, &ecs.CreateClusterInput{ClusterName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	if err := e.sb.CreatePool(e.ctx, sandbox.Pool{Name: pool, Cluster: name, MinSize: 0, MaxSize: 100, Desired: n, TerminationHook: hook}); err != nil {
		t.Fatal(err)
	}
	if err := e.sb.Step(e.ctx); err != nil {
		t.Fatal(err)
	}
}

func (e *env) group(t *testing.T, name string) asgtypes.AutoScalingGroup {
	t.Helper()
	out, err := e.asg.DescribeAutoScalingGroups(e.ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{name}})
	if err != nil || len(out.AutoScalingGroups) != 1 {
		t.Fatalf("describe %s: %v", name, err)
	}
	return out.AutoScalingGroups[0]
}

func (e *env) instanceIDs(t *testing.T, pool string) []string {
	t.Helper()
	var ids []string
	for _, in := range e.group(t, pool).Instances {
		ids = append(ids, aws.ToString(in.InstanceId))
	}
	sort.Strings(ids)
	return ids
}

// calls returns the proxy's log of one write operation.
func (e *env) calls(op string) []sandbox.Call {
	var out []sandbox.Call
	for _, c := range e.sb.Calls() {
		if c.Operation == op {
			out = append(out, c)
		}
	}
	return out
}
