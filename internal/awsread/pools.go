package awsread

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	asgtypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"

	"github.com/tandem-ecs/tandem/internal/snapshot"
)

// API limits of the Auto Scaling Describe calls.
const (
	instanceIDsPerASGCall = 50 // DescribeAutoScalingInstances
	groupNamesPerCall     = 50 // DescribeAutoScalingGroups
	activitiesPerPool     = 100
)

// ErrPoolNotFound is returned (wrapped) by Cluster when a named Auto Scaling
// group does not exist.
var ErrPoolNotFound = errors.New("auto scaling group not found")

// PoolOf returns the Auto Scaling group of an EC2 instance; ok is false when
// the instance belongs to none.
func (r *Reader) PoolOf(ctx context.Context, instanceID string) (pool string, ok bool, err error) {
	out, err := r.asg.DescribeAutoScalingInstances(ctx, &autoscaling.DescribeAutoScalingInstancesInput{InstanceIds: []string{instanceID}})
	if err != nil {
		return "", false, fmt.Errorf("find the auto scaling group of %s: %w", instanceID, err)
	}
	for _, in := range out.AutoScalingInstances {
		if aws.ToString(in.InstanceId) == instanceID {
			return aws.ToString(in.AutoScalingGroupName), true, nil
		}
	}
	return "", false, nil
}

// discoverPools finds the groups of the registered instances and those
// behind the capacity providers, sorted by name.
func (r *Reader) discoverPools(ctx context.Context, cluster string, instances []snapshot.ContainerInstance, providers []snapshot.CapacityProvider) ([]string, error) {
	var ids []string
	for _, ci := range instances {
		ids = append(ids, ci.EC2InstanceID)
	}
	parts := batches(unique(ids), instanceIDsPerASGCall)
	found := make([][]string, len(parts))
	err := r.each(ctx, len(parts), func(ctx context.Context, i int) error {
		p := autoscaling.NewDescribeAutoScalingInstancesPaginator(r.asg, &autoscaling.DescribeAutoScalingInstancesInput{InstanceIds: parts[i]})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("find the auto scaling groups of %s's instances: %w", cluster, err)
			}
			for _, in := range page.AutoScalingInstances {
				found[i] = append(found[i], aws.ToString(in.AutoScalingGroupName))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	pools := slices.Concat(found...)
	for _, cp := range providers {
		if a := cp.AutoScalingGroupProvider; a != nil {
			pools = append(pools, groupNameOf(a.AutoScalingGroupARN))
		}
	}
	pools = unique(pools)
	sort.Strings(pools)
	return pools, nil
}

// groupNameOf returns the group name in an Auto Scaling group ARN
// (arn:aws:autoscaling:…:autoScalingGroup:<uuid>:autoScalingGroupName/<name>),
// or the argument when it is a name already.
func groupNameOf(arn string) string {
	if _, name, ok := strings.Cut(arn, ":autoScalingGroupName/"); ok {
		return name
	}
	return arn
}

// groups describes the named groups, in the order named. A name that is not
// a group is an error wrapping ErrPoolNotFound.
func (r *Reader) groups(ctx context.Context, names []string) ([]snapshot.AutoScalingGroup, error) {
	parts := batches(names, groupNamesPerCall)
	found := make([][]snapshot.AutoScalingGroup, len(parts))
	err := r.each(ctx, len(parts), func(ctx context.Context, i int) error {
		p := autoscaling.NewDescribeAutoScalingGroupsPaginator(r.asg, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: parts[i]})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("describe auto scaling groups %s: %w", strings.Join(parts[i], ", "), err)
			}
			for _, g := range page.AutoScalingGroups {
				found[i] = append(found[i], convertGroup(g))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	byName := map[string]snapshot.AutoScalingGroup{}
	for _, g := range slices.Concat(found...) {
		byName[g.AutoScalingGroupName] = g
	}
	var out []snapshot.AutoScalingGroup
	var missing []string
	for _, n := range names {
		g, ok := byName[n]
		if !ok {
			missing = append(missing, n)
			continue
		}
		out = append(out, g)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("describe auto scaling groups %s: %w", strings.Join(missing, ", "), ErrPoolNotFound)
	}
	return out, nil
}

// policies returns a conflict for each enabled scaling policy of pool.
func (r *Reader) policies(ctx context.Context, pool string) ([]Conflict, error) {
	var out []Conflict
	p := autoscaling.NewDescribePoliciesPaginator(r.asg, &autoscaling.DescribePoliciesInput{AutoScalingGroupName: aws.String(pool)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describe scaling policies of %s: %w", pool, err)
		}
		for _, sp := range page.ScalingPolicies {
			if c, ok := policyConflict(pool, sp); ok {
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// policyConflict reports a scaling policy unless it is disabled.
func policyConflict(pool string, sp asgtypes.ScalingPolicy) (Conflict, bool) {
	if sp.Enabled != nil && !*sp.Enabled {
		return Conflict{}, false
	}
	kind := aws.ToString(sp.PolicyType)
	if kind == "" {
		kind = "SimpleScaling"
	}
	return Conflict{
		Kind:     ConflictScalingPolicy,
		Resource: pool,
		Detail:   fmt.Sprintf("auto scaling group %s has %s policy %s", pool, kind, aws.ToString(sp.PolicyName)),
	}, true
}

// activities returns the failed and cancelled activities among the newest
// activitiesPerPool of pool.
func (r *Reader) activities(ctx context.Context, pool string) ([]Activity, error) {
	out, err := r.asg.DescribeScalingActivities(ctx, &autoscaling.DescribeScalingActivitiesInput{
		AutoScalingGroupName: aws.String(pool), MaxRecords: aws.Int32(activitiesPerPool),
	})
	if err != nil {
		return nil, fmt.Errorf("describe scaling activities of %s: %w", pool, err)
	}
	return failedActivities(pool, out.Activities), nil
}

// failedActivities converts the activities that failed or were cancelled.
func failedActivities(pool string, as []asgtypes.Activity) []Activity {
	var out []Activity
	for _, a := range as {
		switch a.StatusCode {
		case asgtypes.ScalingActivityStatusCodeFailed, asgtypes.ScalingActivityStatusCodeCancelled:
		default:
			continue
		}
		act := Activity{
			Pool:        pool,
			ID:          aws.ToString(a.ActivityId),
			Status:      string(a.StatusCode),
			Description: aws.ToString(a.Description),
			Message:     aws.ToString(a.StatusMessage),
			Start:       aws.ToTime(a.StartTime).UTC(),
		}
		if g := aws.ToString(a.AutoScalingGroupName); g != "" {
			act.Pool = g
		}
		out = append(out, act)
	}
	return out
}

// poolInstanceIDs are the instances of the groups.
func poolInstanceIDs(groups []snapshot.AutoScalingGroup) []string {
	var ids []string
	for _, g := range groups {
		for _, in := range g.Instances {
			ids = append(ids, in.InstanceID)
		}
	}
	return unique(ids)
}

// providerConflicts reports capacity providers that manage a pool's scaling
// or termination protection.
func providerConflicts(providers []snapshot.CapacityProvider, groups []snapshot.AutoScalingGroup) []Conflict {
	pools := map[string]bool{}
	for _, g := range groups {
		pools[g.AutoScalingGroupName] = true
	}
	var out []Conflict
	for _, cp := range providers {
		a := cp.AutoScalingGroupProvider
		if a == nil {
			continue
		}
		pool := groupNameOf(a.AutoScalingGroupARN)
		if !pools[pool] {
			continue
		}
		if ms := a.ManagedScaling; ms != nil && ms.Status == "ENABLED" {
			out = append(out, Conflict{
				Kind: ConflictCapacityProvider, Resource: pool,
				Detail: fmt.Sprintf("capacity provider %s has managed scaling ENABLED (target %d) on %s", cp.Name, ms.TargetCapacity, pool),
			})
		}
		if a.ManagedTerminationProtection == "ENABLED" {
			out = append(out, Conflict{
				Kind: ConflictCapacityProvider, Resource: pool,
				Detail: fmt.Sprintf("capacity provider %s has managed termination protection ENABLED on %s", cp.Name, pool),
			})
		}
	}
	return out
}
