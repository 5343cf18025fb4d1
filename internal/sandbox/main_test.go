package sandbox

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// One moto_server for the whole test binary; each test resets it and gets a
// fresh Sandbox. Tests that use moto must not run in parallel.
var sharedMoto *Moto

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	var err error
	sharedMoto, err = StartMoto(ctx)
	cancel()
	if err != nil {
		// Fail, never skip: CI has moto_server; elsewhere the message says
		// how to install it.
		fmt.Fprintln(os.Stderr, "sandbox tests need moto_server:", err)
		os.Exit(1)
	}
	code := m.Run()
	sharedMoto.Close()
	if echoDir != "" {
		os.RemoveAll(echoDir)
	}
	os.Exit(code)
}

// env is one test's world: a fresh Sandbox over a reset moto, and SDK
// clients that talk to its proxy like the code under test does.
type env struct {
	sb  *Sandbox
	ecs *ecs.Client
	asg *autoscaling.Client
	ctx context.Context
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := t.Context()
	if err := sharedMoto.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	sb, err := New(ctx, sharedMoto.Endpoint(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	cfg := sb.Config()
	return &env{sb: sb, ecs: ecs.NewFromConfig(cfg), asg: autoscaling.NewFromConfig(cfg), ctx: ctx}
}

func (e *env) createCluster(t *testing.T, name string) {
	t.Helper()
	if _, err := e.ecs.CreateCluster(e.ctx, &ecs.CreateClusterInput{ClusterName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
}

func (e *env) createPool(t *testing.T, p Pool) {
	t.Helper()
	if err := e.sb.CreatePool(e.ctx, p); err != nil {
		t.Fatal(err)
	}
}

func (e *env) step(t *testing.T, n int) {
	t.Helper()
	for range n {
		if err := e.sb.Step(e.ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// taskDef registers a one-container task definition and returns its ARN.
func (e *env) taskDef(t *testing.T, family string, cpu, memoryMiB int32, hostPort int32) string {
	t.Helper()
	c := ecstypes.ContainerDefinition{
		Name: aws.String("app"), Image: aws.String("nginx:latest"), Cpu: cpu, Memory: aws.Int32(memoryMiB), Essential: aws.Bool(true),
	}
	if hostPort >= 0 {
		c.PortMappings = []ecstypes.PortMapping{{ContainerPort: aws.Int32(80), HostPort: aws.Int32(hostPort), Protocol: ecstypes.TransportProtocolTcp}}
	}
	out, err := e.ecs.RegisterTaskDefinition(e.ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String(family), NetworkMode: ecstypes.NetworkModeBridge, ContainerDefinitions: []ecstypes.ContainerDefinition{c},
	})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.TaskDefinition.TaskDefinitionArn)
}

func (e *env) createService(t *testing.T, cluster, name, taskDef string, desired int32, minPct, maxPct int32) {
	t.Helper()
	_, err := e.ecs.CreateService(e.ctx, &ecs.CreateServiceInput{
		Cluster: aws.String(cluster), ServiceName: aws.String(name), TaskDefinition: aws.String(taskDef),
		DesiredCount: aws.Int32(desired), LaunchType: ecstypes.LaunchTypeEc2,
		DeploymentConfiguration: &ecstypes.DeploymentConfiguration{MinimumHealthyPercent: aws.Int32(minPct), MaximumPercent: aws.Int32(maxPct)},
	})
	if err != nil {
		t.Fatal(err)
	}
}

// instances returns a pool's instance ids, sorted.
func (e *env) instances(t *testing.T, pool string) []string {
	t.Helper()
	ids, err := e.sb.groupInstances(e.ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	return slices.Sorted(maps.Keys(ids))
}

// tasksByInstance maps EC2 instance ids to the task definition ARNs of the
// RUNNING tasks of a service on them.
func (e *env) tasksByInstance(t *testing.T, cluster, service string) map[string][]string {
	t.Helper()
	w, err := e.sb.readWorld(e.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, c := range w.clusters {
		if c.name != cluster {
			continue
		}
		for _, in := range c.instances {
			for _, tk := range in.tasks {
				if tk.serviceName() == service {
					out[in.ec2ID] = append(out[in.ec2ID], tk.def.arn)
				}
			}
		}
	}
	return out
}

func eventNames(events []Event) []string {
	var out []string
	for _, e := range events {
		switch d := e.Detail.(type) {
		case ServiceActionDetail:
			out = append(out, d.EventName+" "+d.Reason)
		case DeploymentDetail:
			out = append(out, d.EventName)
		}
	}
	return out
}
