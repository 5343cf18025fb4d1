package awsread

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tandem-ecs/tandem/internal/snapshot"
)

// API limits of the ECS Describe calls.
const (
	servicesPerCall           = 10
	containerInstancesPerCall = 100
	tasksPerCall              = 100
	capacityProvidersPerCall  = 100
)

// ErrClusterNotFound is returned (wrapped) by Cluster when ECS does not know
// the cluster or it is INACTIVE.
var ErrClusterNotFound = errors.New("cluster not found")

// clusterNotFoundError is how Cluster reports a cluster ECS does not know,
// whichever call found out: DescribeClusters answers a MISSING failure, the
// List calls that run beside it ClusterNotFoundException, and the first to
// answer wins. Its message is the same either way; it wraps
// ErrClusterNotFound and the answer that showed it.
type clusterNotFoundError struct {
	cluster string
	cause   error
}

func (e *clusterNotFoundError) Error() string {
	return fmt.Sprintf("look up cluster %s: %v", e.cluster, ErrClusterNotFound)
}

func (e *clusterNotFoundError) Unwrap() []error { return []error{ErrClusterNotFound, e.cause} }

// clusterNotFound turns err into a *clusterNotFoundError when it says ECS
// does not know the cluster, and returns it as it is otherwise.
func clusterNotFound(cluster string, err error) error {
	var nf *ecstypes.ClusterNotFoundException
	if errors.As(err, &nf) || errors.Is(err, ErrClusterNotFound) {
		return &clusterNotFoundError{cluster: cluster, cause: err}
	}
	return err
}

func (r *Reader) describeCluster(ctx context.Context, cluster string) (snapshot.Cluster, error) {
	out, err := r.ecs.DescribeClusters(ctx, &ecs.DescribeClustersInput{
		Clusters: []string{cluster},
		Include:  []ecstypes.ClusterField{ecstypes.ClusterFieldSettings},
	})
	if err != nil {
		return snapshot.Cluster{}, fmt.Errorf("describe cluster %s: %w", cluster, err)
	}
	if len(out.Clusters) > 0 && aws.ToString(out.Clusters[0].Status) != "INACTIVE" {
		return convertCluster(out.Clusters[0]), nil
	}
	if err := failures(out.Failures); err != nil {
		return snapshot.Cluster{}, fmt.Errorf("describe cluster %s: %w", cluster, err)
	}
	return snapshot.Cluster{}, fmt.Errorf("describe cluster %s: %w", cluster, ErrClusterNotFound)
}

// capacityProviders describes the cluster's capacity providers by name.
func (r *Reader) capacityProviders(ctx context.Context, cluster string, names []string) ([]snapshot.CapacityProvider, error) {
	var out []snapshot.CapacityProvider
	for _, batch := range batches(names, capacityProvidersPerCall) {
		in := &ecs.DescribeCapacityProvidersInput{CapacityProviders: batch}
		for {
			page, err := r.ecs.DescribeCapacityProviders(ctx, in)
			if err != nil {
				return nil, fmt.Errorf("describe capacity providers of %s: %w", cluster, err)
			}
			if err := failures(page.Failures); err != nil {
				return nil, fmt.Errorf("describe capacity providers of %s: %w", cluster, err)
			}
			for _, cp := range page.CapacityProviders {
				out = append(out, convertCapacityProvider(cp))
			}
			if aws.ToString(page.NextToken) == "" {
				break
			}
			in.NextToken = page.NextToken
		}
	}
	return out, nil
}

// services lists the cluster's services and describes the ACTIVE ones.
func (r *Reader) services(ctx context.Context, cluster string) ([]snapshot.Service, error) {
	var arns []string
	p := ecs.NewListServicesPaginator(r.ecs, &ecs.ListServicesInput{Cluster: aws.String(cluster)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list services of %s: %w", cluster, err)
		}
		arns = append(arns, page.ServiceArns...)
	}
	parts := batches(unique(arns), servicesPerCall)
	found := make([][]snapshot.Service, len(parts))
	err := r.each(ctx, len(parts), func(ctx context.Context, i int) error {
		out, err := r.ecs.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: parts[i]})
		if err != nil {
			return fmt.Errorf("describe services of %s: %w", cluster, err)
		}
		if err := failures(out.Failures); err != nil {
			return fmt.Errorf("describe services of %s: %w", cluster, err)
		}
		for _, s := range out.Services {
			if aws.ToString(s.Status) == "ACTIVE" {
				found[i] = append(found[i], convertService(s))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return slices.Concat(found...), nil
}

// containerInstances lists the cluster's ACTIVE and DRAINING container
// instances and describes them with their tags.
func (r *Reader) containerInstances(ctx context.Context, cluster string) ([]snapshot.ContainerInstance, error) {
	statuses := []ecstypes.ContainerInstanceStatus{ecstypes.ContainerInstanceStatusActive, ecstypes.ContainerInstanceStatusDraining}
	listed := make([][]string, len(statuses))
	err := r.each(ctx, len(statuses), func(ctx context.Context, i int) error {
		p := ecs.NewListContainerInstancesPaginator(r.ecs, &ecs.ListContainerInstancesInput{Cluster: aws.String(cluster), Status: statuses[i]})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("list %s container instances of %s: %w", statuses[i], cluster, err)
			}
			listed[i] = append(listed[i], page.ContainerInstanceArns...)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	parts := batches(unique(slices.Concat(listed...)), containerInstancesPerCall)
	found := make([][]snapshot.ContainerInstance, len(parts))
	err = r.each(ctx, len(parts), func(ctx context.Context, i int) error {
		out, err := r.ecs.DescribeContainerInstances(ctx, &ecs.DescribeContainerInstancesInput{
			Cluster: aws.String(cluster), ContainerInstances: parts[i],
			Include: []ecstypes.ContainerInstanceField{ecstypes.ContainerInstanceFieldTags},
		})
		if err != nil {
			return fmt.Errorf("describe container instances of %s: %w", cluster, err)
		}
		if err := failures(out.Failures); err != nil {
			return fmt.Errorf("describe container instances of %s: %w", cluster, err)
		}
		for _, ci := range out.ContainerInstances {
			found[i] = append(found[i], convertContainerInstance(ci))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return slices.Concat(found...), nil
}

// tasks lists the cluster's tasks whose desired status is RUNNING and
// describes them.
func (r *Reader) tasks(ctx context.Context, cluster string) ([]snapshot.Task, error) {
	var arns []string
	p := ecs.NewListTasksPaginator(r.ecs, &ecs.ListTasksInput{Cluster: aws.String(cluster), DesiredStatus: ecstypes.DesiredStatusRunning})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list tasks of %s: %w", cluster, err)
		}
		arns = append(arns, page.TaskArns...)
	}
	parts := batches(unique(arns), tasksPerCall)
	found := make([][]snapshot.Task, len(parts))
	err := r.each(ctx, len(parts), func(ctx context.Context, i int) error {
		out, err := r.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(cluster), Tasks: parts[i]})
		if err != nil {
			return fmt.Errorf("describe tasks of %s: %w", cluster, err)
		}
		if err := failures(out.Failures); err != nil {
			return fmt.Errorf("describe tasks of %s: %w", cluster, err)
		}
		for _, t := range out.Tasks {
			found[i] = append(found[i], convertTask(t))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return slices.Concat(found...), nil
}

// taskDefinitionRefs are the task definitions in use: the services', their
// deployments', and the running tasks'.
func taskDefinitionRefs(services []snapshot.Service, tasks []snapshot.Task) []string {
	var refs []string
	for _, s := range services {
		refs = append(refs, s.TaskDefinition)
		for _, d := range s.Deployments {
			refs = append(refs, d.TaskDefinition)
		}
	}
	for _, t := range tasks {
		refs = append(refs, t.TaskDefinitionARN)
	}
	return unique(refs)
}

// taskDefinitions describes each task definition once.
func (r *Reader) taskDefinitions(ctx context.Context, cluster string, refs []string) ([]snapshot.TaskDefinition, error) {
	found := make([]*snapshot.TaskDefinition, len(refs))
	err := r.each(ctx, len(refs), func(ctx context.Context, i int) error {
		out, err := r.ecs.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(refs[i])})
		if err != nil {
			return fmt.Errorf("describe task definition %s (in use in %s): %w", refs[i], cluster, err)
		}
		if out.TaskDefinition != nil {
			td := convertTaskDefinition(*out.TaskDefinition)
			found[i] = &td
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var tds []snapshot.TaskDefinition
	seen := map[string]bool{}
	for _, td := range found {
		if td != nil && !seen[td.TaskDefinitionARN] {
			seen[td.TaskDefinitionARN] = true
			tds = append(tds, *td)
		}
	}
	return tds, nil
}

// failures turns the failures of an ECS Describe call into an error. A
// MISSING resource was listed and deleted before it was described (or, for
// a cluster, does not exist): it is skipped.
func failures(fs []ecstypes.Failure) error {
	var msgs []string
	for _, f := range fs {
		reason := aws.ToString(f.Reason)
		if reason == "MISSING" {
			continue
		}
		msg := aws.ToString(f.Arn) + ": " + reason
		if d := aws.ToString(f.Detail); d != "" {
			msg += " (" + d + ")"
		}
		msgs = append(msgs, msg)
	}
	if len(msgs) == 0 {
		return nil
	}
	return &FailureError{Failures: msgs}
}

// FailureError lists the per-resource failures an ECS call answered with.
type FailureError struct {
	Failures []string // "arn: REASON (detail)"
}

func (e *FailureError) Error() string { return strings.Join(e.Failures, "; ") }
