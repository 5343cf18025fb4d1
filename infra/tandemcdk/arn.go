package tandemcdk

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsautoscaling"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// env is a partition, Region and account: tokens for an environment-agnostic
// stack, so that ARNs resolve at deploy time.
type env struct{ partition, region, account string }

func stackEnv(scope constructs.Construct) env {
	s := awscdk.Stack_Of(scope)
	return env{*s.Partition(), *s.Region(), *s.Account()}
}

// arn returns arn:<partition>:<service>:<region>:<account>:<resource>.
func (e env) arn(service, resource string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", e.partition, service, e.region, e.account, resource)
}

// cluster is the ECS cluster tandem scales.
type cluster struct {
	name string
	env  env
}

// parseCluster reads a cluster name, or an ECS cluster ARN whose partition,
// Region and account then replace the stack's.
func parseCluster(s string, stack env) (cluster, error) {
	if s == "" {
		return cluster{}, fmt.Errorf("cluster: required")
	}
	if isToken(s) {
		return cluster{}, fmt.Errorf("cluster: want a name known at synth time (it goes into tandem.json), got a token; give the cluster an explicit clusterName")
	}
	if !strings.HasPrefix(s, "arn:") {
		return cluster{name: s, env: stack}, nil
	}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[2] != "ecs" || !strings.HasPrefix(parts[5], "cluster/") || parts[5] == "cluster/" {
		return cluster{}, fmt.Errorf("cluster: want a name or arn:<partition>:ecs:<region>:<account>:cluster/<name>, got %q", s)
	}
	return cluster{name: strings.TrimPrefix(parts[5], "cluster/"), env: env{parts[1], parts[3], parts[4]}}, nil
}

func (c cluster) arn() string { return c.env.arn("ecs", "cluster/"+c.name) }

// in returns the ARN pattern of every resource of a type (service,
// container-instance, task) in the cluster.
func (c cluster) in(resourceType string) string {
	return c.env.arn("ecs", resourceType+"/"+c.name+"/*")
}

// pool is an Auto Scaling group of the cluster.
type pool struct {
	// name is the group's name, known at synth time.
	name string
	// ref names the group in CloudFormation: a Ref to a group this app
	// defines, so that resources naming it depend on it.
	ref string
	// defined is the group's L1 resource when this app defines it.
	defined awsautoscaling.CfnAutoScalingGroup
}

// arn matches the group's ARN, whose UUID segment is unknown before the group
// exists.
func (p pool) arn(e env) string {
	return e.arn("autoscaling", "autoScalingGroup:*:autoScalingGroupName/"+p.name)
}

func resolvePools(props *AutoscalerProps) ([]pool, error) {
	var pools []pool
	for i, g := range props.Pools {
		p, err := resolveGroup(g)
		if err != nil {
			return nil, fmt.Errorf("pools[%d]: %w", i, err)
		}
		pools = append(pools, p)
	}
	for i, name := range props.PoolNames {
		if name == "" || isToken(name) {
			return nil, fmt.Errorf("poolNames[%d]: want an Auto Scaling group name known at synth time, got %q", i, name)
		}
		pools = append(pools, pool{name: name, ref: name})
	}
	if len(pools) == 0 {
		// The scaler could discover pools at run time, but it could not
		// scale them: the role allows writes to the named pools only, and
		// only they get the termination hook.
		return nil, fmt.Errorf("pools: none; set Pools or PoolNames (a cluster's pools in tandem.json): the construct allows the scaler to scale, and hooks the termination of, the pools it names only")
	}
	return pools, nil
}

// resolveGroup finds the name of a group: an imported group carries it; a
// group this app defines has it only when its props set it.
func resolveGroup(g awsautoscaling.IAutoScalingGroup) (pool, error) {
	ref := *g.AutoScalingGroupName()
	cfn, defined := g.Node().DefaultChild().(awsautoscaling.CfnAutoScalingGroup)
	if !defined {
		if isToken(ref) {
			return pool{}, fmt.Errorf("%s: the group's name is not known at synth time", *g.Node().Path())
		}
		return pool{name: ref, ref: ref}, nil
	}
	name := cfn.AutoScalingGroupName()
	if name == nil || isToken(*name) {
		return pool{}, fmt.Errorf("%s: set autoScalingGroupName: tandem.json names the pools, and it is written at synth time", *g.Node().Path())
	}
	return pool{name: *name, ref: ref, defined: cfn}, nil
}

func isToken(s string) bool { return *awscdk.Token_IsUnresolved(jsii.String(s)) }
