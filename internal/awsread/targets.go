package awsread

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"

	"github.com/tandem-ecs/tandem/internal/snapshot"
)

// resourceIDsPerCall is DescribeScalableTargets' limit on ResourceIds.
const resourceIDsPerCall = 50

// scalableTargets reports the Application Auto Scaling targets on the
// services' desired counts.
func (r *Reader) scalableTargets(ctx context.Context, cluster string, services []snapshot.Service) ([]Conflict, error) {
	var ids []string
	for _, s := range services {
		ids = append(ids, "service/"+cluster+"/"+s.ServiceName)
	}
	parts := batches(ids, resourceIDsPerCall)
	found := make([][]Conflict, len(parts))
	err := r.each(ctx, len(parts), func(ctx context.Context, i int) error {
		p := applicationautoscaling.NewDescribeScalableTargetsPaginator(r.appscaling, &applicationautoscaling.DescribeScalableTargetsInput{
			ServiceNamespace: aastypes.ServiceNamespaceEcs,
			ResourceIds:      parts[i],
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("describe scalable targets of %s's services: %w", cluster, err)
			}
			for _, t := range page.ScalableTargets {
				if c, ok := targetConflict(t); ok {
					found[i] = append(found[i], c)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return slices.Concat(found...), nil
}

// targetConflict reports a scalable target on a service's desired count
// unless all its scaling is suspended.
func targetConflict(t aastypes.ScalableTarget) (Conflict, bool) {
	if t.ScalableDimension != aastypes.ScalableDimensionECSServiceDesiredCount {
		return Conflict{}, false
	}
	if s := t.SuspendedState; s != nil && aws.ToBool(s.DynamicScalingInSuspended) &&
		aws.ToBool(s.DynamicScalingOutSuspended) && aws.ToBool(s.ScheduledScalingSuspended) {
		return Conflict{}, false
	}
	id := aws.ToString(t.ResourceId)
	service := id[strings.LastIndex(id, "/")+1:]
	return Conflict{
		Kind:     ConflictScalableTarget,
		Resource: service,
		Detail: fmt.Sprintf("Application Auto Scaling target %s scales the desired count of service %s between %d and %d",
			id, service, aws.ToInt32(t.MinCapacity), aws.ToInt32(t.MaxCapacity)),
	}, true
}
