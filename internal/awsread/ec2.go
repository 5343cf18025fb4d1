package awsread

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/tandem-ecs/tandem/internal/snapshot"
)

// API limits of the EC2 Describe calls.
const (
	instanceTypesPerCall = 100
	instanceIDsPerCall   = 100 // values of one instance-id filter (AWS allows 200)
)

// templateKey names a launch template: by id when known, else by name.
type templateKey struct{ id, name string }

func keyOf(s snapshot.LaunchTemplateSpec) templateKey {
	if s.LaunchTemplateID != "" {
		return templateKey{id: s.LaunchTemplateID}
	}
	return templateKey{name: s.LaunchTemplateName}
}

// templateSpecs are the launch templates the groups name, at group level:
// the group's own, its mixed instances policy's, and the overrides'.
func templateSpecs(groups []snapshot.AutoScalingGroup) []snapshot.LaunchTemplateSpec {
	var specs []snapshot.LaunchTemplateSpec
	for _, g := range groups {
		if g.LaunchTemplate != nil {
			specs = append(specs, *g.LaunchTemplate)
		}
		if mip := g.MixedInstancesPolicy; mip != nil && mip.LaunchTemplate != nil {
			if s := mip.LaunchTemplate.LaunchTemplateSpecification; s != nil {
				specs = append(specs, *s)
			}
			for _, o := range mip.LaunchTemplate.Overrides {
				if s := o.LaunchTemplateSpecification; s != nil {
					specs = append(specs, *s)
				}
			}
		}
	}
	return specs
}

// launchTemplateVersions describes, for each template the groups use,
// $Latest, $Default and every numbered version they name, so that the
// estimator can resolve $Latest and $Default. Versions come once each,
// ordered by template and number.
func (r *Reader) launchTemplateVersions(ctx context.Context, groups []snapshot.AutoScalingGroup) ([]snapshot.LaunchTemplateVersion, error) {
	wanted := map[templateKey][]string{}
	var keys []templateKey
	for _, s := range templateSpecs(groups) {
		k := keyOf(s)
		if k == (templateKey{}) {
			continue
		}
		if _, ok := wanted[k]; !ok {
			keys = append(keys, k)
			wanted[k] = []string{"$Latest", "$Default"}
		}
		if _, err := strconv.Atoi(s.Version); err == nil {
			wanted[k] = append(wanted[k], s.Version)
		}
	}
	found := make([][]snapshot.LaunchTemplateVersion, len(keys))
	err := r.each(ctx, len(keys), func(ctx context.Context, i int) error {
		k := keys[i]
		in := &ec2.DescribeLaunchTemplateVersionsInput{Versions: unique(wanted[k])}
		what := k.id
		if k.id != "" {
			in.LaunchTemplateId = aws.String(k.id)
		} else {
			in.LaunchTemplateName = aws.String(k.name)
			what = k.name
		}
		p := ec2.NewDescribeLaunchTemplateVersionsPaginator(r.ec2, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("describe versions of launch template %s: %w", what, err)
			}
			for _, v := range page.LaunchTemplateVersions {
				found[i] = append(found[i], convertLaunchTemplateVersion(v))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	type versionKey struct {
		id string
		n  int
	}
	seen := map[versionKey]bool{}
	var out []snapshot.LaunchTemplateVersion
	for _, v := range slices.Concat(found...) {
		k := versionKey{v.LaunchTemplateID, v.VersionNumber}
		if !seen[k] {
			seen[k] = true
			out = append(out, v)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].LaunchTemplateID != out[j].LaunchTemplateID {
			return out[i].LaunchTemplateID < out[j].LaunchTemplateID
		}
		return out[i].VersionNumber < out[j].VersionNumber
	})
	return out, nil
}

// instanceTypeNames are the instance types of the pools (their instances,
// launch template versions and overrides) and of the registered instances
// (their ecs.instance-type attribute), sorted.
func instanceTypeNames(groups []snapshot.AutoScalingGroup, versions []snapshot.LaunchTemplateVersion, instances []snapshot.ContainerInstance) []string {
	var names []string
	for _, g := range groups {
		for _, in := range g.Instances {
			names = append(names, in.InstanceType)
		}
		if mip := g.MixedInstancesPolicy; mip != nil && mip.LaunchTemplate != nil {
			for _, o := range mip.LaunchTemplate.Overrides {
				names = append(names, o.InstanceType)
			}
		}
	}
	for _, v := range versions {
		names = append(names, v.LaunchTemplateData.InstanceType)
	}
	for _, ci := range instances {
		for _, a := range ci.Attributes {
			if a.Name == "ecs.instance-type" && a.Value != nil {
				names = append(names, *a.Value)
			}
		}
	}
	names = unique(names)
	sort.Strings(names)
	return names
}

// instanceTypes describes the named instance types, in the order named.
func (r *Reader) instanceTypes(ctx context.Context, names []string) ([]snapshot.InstanceTypeInfo, error) {
	parts := batches(names, instanceTypesPerCall)
	found := make([][]snapshot.InstanceTypeInfo, len(parts))
	err := r.each(ctx, len(parts), func(ctx context.Context, i int) error {
		types := make([]ec2types.InstanceType, len(parts[i]))
		for j, n := range parts[i] {
			types[j] = ec2types.InstanceType(n)
		}
		p := ec2.NewDescribeInstanceTypesPaginator(r.ec2, &ec2.DescribeInstanceTypesInput{InstanceTypes: types})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("describe instance types %v: %w", parts[i], err)
			}
			for _, it := range page.InstanceTypes {
				found[i] = append(found[i], convertInstanceType(it))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := slices.Concat(found...)
	order := map[string]int{}
	for i, n := range names {
		order[n] = i
	}
	sort.SliceStable(out, func(i, j int) bool { return order[out[i].InstanceType] < order[out[j].InstanceType] })
	return out, nil
}

// instances reads the pools' EC2 instances: as the snapshot keeps them
// (instances.json), and their launch times and tags by instance ID. An
// instance EC2 no longer knows is absent from all three.
func (r *Reader) instances(ctx context.Context, ids []string) ([]snapshot.Reservation, map[string]time.Time, map[string]map[string]string, error) {
	parts := batches(ids, instanceIDsPerCall)
	found := make([][]ec2types.Reservation, len(parts))
	err := r.each(ctx, len(parts), func(ctx context.Context, i int) error {
		// A filter, not InstanceIds: an instance that is gone by now is left
		// out instead of failing the call with InvalidInstanceID.NotFound.
		p := ec2.NewDescribeInstancesPaginator(r.ec2, &ec2.DescribeInstancesInput{
			Filters: []ec2types.Filter{{Name: aws.String("instance-id"), Values: parts[i]}},
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("describe instances %v: %w", parts[i], err)
			}
			found[i] = append(found[i], page.Reservations...)
		}
		return nil
	})
	if err != nil {
		return nil, nil, nil, err
	}
	var reservations []snapshot.Reservation
	launched := map[string]time.Time{}
	tags := map[string]map[string]string{}
	for _, res := range slices.Concat(found...) {
		reservations = append(reservations, convertReservation(res))
		for _, in := range res.Instances {
			id := aws.ToString(in.InstanceId)
			if in.LaunchTime != nil {
				launched[id] = in.LaunchTime.UTC()
			}
			m := map[string]string{}
			for _, t := range in.Tags {
				m[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			tags[id] = m
		}
	}
	return reservations, launched, tags, nil
}
