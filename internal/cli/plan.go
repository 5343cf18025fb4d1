package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tandem-ecs/tandem/internal/config"
	"github.com/tandem-ecs/tandem/internal/placement"
	"github.com/tandem-ecs/tandem/internal/policy"
	"github.com/tandem-ecs/tandem/internal/snapshot"
)

const planUsage = `Usage: tandem plan --snapshot DIR [--config FILE] [--output text|json] [--timeout D]
       tandem plan --cluster NAME [--asg NAME ...] [--config FILE] [--output text|json] [--timeout D] [--read-timeout D]

Reads a saved cluster snapshot (the JSON the AWS CLI prints, see README.md),
or a live cluster (read-only, with the AWS SDK's usual configuration), and
prints what tandem would do: per Auto Scaling group the capacity to set, per
service its demand, and the tasks no scaling can place, with reasons.

With --config FILE the plan follows the configuration of the cluster (the
one of that name, else the only one): its placement and scale-in options,
and its pools when the configuration names the cluster and lists them.
--cluster then reads those pools unless --asg names others; --snapshot plans
only those, and fails if the snapshot lacks one. As in the scaler, the
safety limits cap the new instances of one decision, with or without
--config: limits.maxNewInstancesPerPool (default 10) and
limits.maxNewInstancesPerCluster (default 20). A capped pool's WHY says so;
the service table still counts all the demand.

--timeout bounds the estimate: when it runs out, the plan so far is printed,
marked PARTIAL. --read-timeout bounds the read of a live cluster (as
tandem snapshot's --timeout does): when it runs out, plan fails. Both must
be positive.

Instances with the scale-in opt-out tag (scaleIn.optOutTag) are never
drained, whether the tag is on the container instance or on the EC2
instance. A snapshot shows EC2 tags only in its optional instances.json
(aws ec2 describe-instances --instance-ids ..., which tandem snapshot writes).

Flags:
`

// planFlags are the flags of "tandem plan".
type planFlags struct {
	snapshot string
	cluster  string
	asgs     namesFlag
	config   string
	output   string
	timeout  time.Duration
	// readTimeout bounds the live read of --cluster.
	readTimeout time.Duration
}

func runPlan(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("plan", flag.ContinueOnError)
	var f planFlags
	fs.StringVar(&f.snapshot, "snapshot", "", "snapshot `folder` to plan")
	fs.StringVar(&f.cluster, "cluster", "", "live ECS cluster `name` or ARN to plan (instead of --snapshot)")
	fs.Var(&f.asgs, "asg", "with --cluster: Auto Scaling group `name` (repeat for several); else the configured pools, else discovered")
	fs.StringVar(&f.config, "config", "", "configuration `file` (options, pools and limits of the cluster); defaults apply without it")
	fs.StringVar(&f.output, "output", "text", "output `format`: text or json")
	fs.DurationVar(&f.timeout, "timeout", 10*time.Second, "give up estimating after this `duration` and print the partial plan")
	fs.DurationVar(&f.readTimeout, "read-timeout", defaultReadTimeout, "with --cluster: give up reading the cluster after this `duration`")
	if status, done := parseFlags(fs, planUsage, args, stdout, stderr); done {
		return status
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "tandem plan: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	if (f.snapshot == "") == (f.cluster == "") {
		fmt.Fprintln(stderr, "tandem plan: give exactly one of --snapshot and --cluster")
		fs.Usage()
		return 2
	}
	if len(f.asgs) > 0 && f.cluster == "" {
		fmt.Fprintln(stderr, "tandem plan: --asg goes with --cluster")
		return 2
	}
	if f.output != "text" && f.output != "json" {
		fmt.Fprintf(stderr, "tandem plan: --output must be text or json, not %q\n", f.output)
		return 2
	}
	if f.timeout <= 0 {
		fmt.Fprintf(stderr, "tandem plan: --timeout must be a positive duration, such as 10s, not %v\n", f.timeout)
		return 2
	}
	if f.readTimeout <= 0 {
		fmt.Fprintf(stderr, "tandem plan: --read-timeout must be a positive duration, such as 2m, not %v\n", f.readTimeout)
		return 2
	}
	plan, err := planSnapshot(ctx, f)
	if err != nil {
		fmt.Fprintf(stderr, "tandem plan: %v\n", err)
		return 1
	}
	if f.output == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(plan); err != nil {
			fmt.Fprintf(stderr, "tandem plan: %v\n", err)
			return 1
		}
		return 0
	}
	writePlan(stdout, plan)
	return 0
}

func planSnapshot(ctx context.Context, f planFlags) (placement.Plan, error) {
	var doc *config.Document
	if f.config != "" {
		var err error
		if doc, err = config.ReadFile(f.config); err != nil {
			return placement.Plan{}, err
		}
	}
	// The pools' EC2 tags: from the live read, as the scaler gets them, or
	// from the snapshot's optional instances.json.
	var (
		snap *snapshot.Snapshot
		tags map[string]map[string]string
	)
	if f.cluster != "" {
		// The scaler reads the configured pools of its cluster; --asg
		// names others, and with neither they are discovered.
		pools := []string(f.asgs)
		if len(pools) == 0 && doc != nil {
			if cc, ok := doc.Cluster(clusterName(f.cluster)); ok {
				pools = poolNames(cc)
			}
		}
		c, err := readLiveWithin(ctx, f.readTimeout, "--read-timeout", f.cluster, pools)
		if err != nil {
			return placement.Plan{}, err
		}
		snap, tags = c.Snapshot, c.InstanceTags
	} else {
		var err error
		if snap, err = snapshot.LoadDir(f.snapshot); err != nil {
			return placement.Plan{}, err
		}
		tags = snap.InstanceTags()
	}
	cluster, err := snap.Cluster()
	if err != nil {
		return placement.Plan{}, err
	}
	cc := &config.Cluster{Name: cluster.Name}
	if doc != nil {
		if cc, err = clusterConfig(doc, cluster.Name, f.config); err != nil {
			return placement.Plan{}, err
		}
		if named, ok := doc.Cluster(cluster.Name); ok && f.snapshot != "" {
			if cluster.Pools, err = configuredPools(cluster.Pools, named, f.config); err != nil {
				return placement.Plan{}, err
			}
		}
	}
	opts := cc.PlacementOptions(time.Now().UTC())
	opts.ScaleIn = scaleInOptions(cc, snap, cluster, tags)
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	plan, err := placement.Estimate(ctx, cluster, opts)
	if err != nil {
		return placement.Plan{}, err
	}
	capNewInstances(&plan, cc.Limits)
	return plan, nil
}

// clusterName is the name of a cluster given by name or by ARN.
func clusterName(cluster string) string {
	if _, name, ok := strings.Cut(cluster, ":cluster/"); ok {
		return name
	}
	return cluster
}

// poolNames are the names of a cluster's configured pools.
func poolNames(cc *config.Cluster) []string {
	var out []string
	for _, p := range cc.Pools {
		out = append(out, p.Name)
	}
	return out
}

// configuredPools keeps of a snapshot's pools those the cluster's
// configuration lists, as the scaler reads only those; with none listed it
// keeps all. A configured pool the snapshot lacks is an error: the plan
// would leave out capacity the scaler sees.
func configuredPools(pools []placement.Pool, cc *config.Cluster, file string) ([]placement.Pool, error) {
	if len(cc.Pools) == 0 {
		return pools, nil
	}
	byName := map[string]placement.Pool{}
	var have []string
	for _, p := range pools {
		byName[p.Name] = p
		have = append(have, p.Name)
	}
	var out []placement.Pool
	for _, name := range poolNames(cc) {
		p, ok := byName[name]
		if !ok {
			return nil, fmt.Errorf("%s: cluster %s: pool %s is not in the snapshot's %s (it has %s); add the group to the snapshot, or plan without --config",
				file, cc.Name, name, snapshot.AutoScalingGroupsFile, orNone(have))
		}
		out = append(out, p)
	}
	return out, nil
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// capNewInstances applies the scaler's safety limits to the plan's pools,
// as the scaler does (policy.CapNewInstances over the raised pools in the
// plan's order, with the same defaults), and says in each capped pool's
// reason which limit cut it.
func capNewInstances(plan *placement.Plan, limits config.Limits) {
	perPool := limits.MaxNewInstancesPerPool
	if perPool == 0 {
		perPool = config.DefaultMaxNewInstancesPerPool
	}
	perCluster := limits.MaxNewInstancesPerCluster
	if perCluster == 0 {
		perCluster = config.DefaultMaxNewInstancesPerCluster
	}
	var raises []policy.PoolChange
	var index []int
	for i, pp := range plan.Pools {
		if pp.DesiredCapacity > pp.CurrentDesiredCapacity {
			raises = append(raises, policy.PoolChange{Name: pp.Name, Current: pp.CurrentDesiredCapacity, Desired: pp.DesiredCapacity})
			index = append(index, i)
		}
	}
	capped, _ := policy.CapNewInstances(raises, perPool, perCluster)
	for k, c := range capped {
		pp := &plan.Pools[index[k]]
		if c.Desired == pp.DesiredCapacity {
			continue
		}
		wanted, got := pp.DesiredCapacity-pp.CurrentDesiredCapacity, c.Desired-c.Current
		limit := fmt.Sprintf("limits.maxNewInstancesPerPool (%d)", perPool)
		if got < min(wanted, perPool) {
			limit = fmt.Sprintf("limits.maxNewInstancesPerCluster (%d, for the cluster's pools together)", perCluster)
		}
		pp.Reason += fmt.Sprintf("; capped at %d new instances by %s", got, limit)
		pp.DesiredCapacity = c.Desired
		pp.NewInstances = c.Desired - pp.CurrentDesiredCapacity
	}
}

// scaleInOptions lets the plan show what the reconciler would drain now if
// the scale-in delay had passed: the disruption budget of each pool (a
// snapshot does not show drains in flight), and the instances that carry
// the opt-out tag, as an EC2 tag (instanceTags, by instance ID) or on their
// container instance, as the scaler checks both.
func scaleInOptions(cc *config.Cluster, snap *snapshot.Snapshot, cluster placement.Cluster, instanceTags map[string]map[string]string) placement.ScaleIn {
	opts := placement.ScaleIn{Disabled: cc.ScaleIn.Disabled, BusyBudget: map[string]int{}, Keep: map[string]string{}}
	budget := cc.Budget()
	for _, p := range cluster.Pools {
		live := 0
		for _, inst := range p.Instances {
			if inst.LifecycleState == "InService" {
				live++
			}
		}
		opts.BusyBudget[p.Name] = budget.Instances(live)
	}
	key, value := cc.OptOut()
	for id, tags := range instanceTags {
		if v, ok := tags[key]; ok && (value == "" || v == value) {
			opts.Keep[id] = "EC2 tag " + key
		}
	}
	for _, ci := range snap.ContainerInstances {
		for _, t := range ci.Tags {
			if t.Key == key && (value == "" || t.Value == value) {
				opts.Keep[ci.EC2InstanceID] = "tag " + key
			}
		}
	}
	return opts
}

// clusterConfig picks the cluster of the configuration that the snapshot
// shows: the only one, or the one with the snapshot's name.
func clusterConfig(doc *config.Document, name, file string) (*config.Cluster, error) {
	if c, ok := doc.Cluster(name); ok {
		return c, nil
	}
	if len(doc.Clusters) == 1 {
		return &doc.Clusters[0], nil
	}
	var names []string
	for _, c := range doc.Clusters {
		names = append(names, c.Name)
	}
	return nil, fmt.Errorf("%s: clusters: none is named %q (the snapshot's cluster); configured: %s", file, name, strings.Join(names, ", "))
}

// writePlan prints a plan as readable tables.
func writePlan(w io.Writer, p placement.Plan) {
	name := p.Cluster
	if name == "" {
		name = "(unnamed)"
	}
	fmt.Fprintf(w, "Plan for cluster %s", name)
	if p.Partial {
		fmt.Fprint(w, " (PARTIAL: the estimate ran out of time)")
	}
	fmt.Fprint(w, "\n\n")

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "AUTO SCALING GROUP\tTYPE\tMIN/MAX\tDESIRED\tNEW\tWHY")
	for _, pp := range p.Pools {
		fmt.Fprintf(tw, "%s\t%s\t%d/%d\t%d → %d\t%+d\t%s\n", pp.Name, pp.InstanceType, pp.MinSize, pp.MaxSize,
			pp.CurrentDesiredCapacity, pp.DesiredCapacity, pp.NewInstances, pp.Reason)
	}
	if len(p.Pools) == 0 {
		fmt.Fprintln(tw, "(none)\t\t\t\t\t")
	}
	tw.Flush()
	fmt.Fprintln(w)

	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tDESIRED\tPLACED\tUNPLACED\t→ EXISTING\tUPCOMING\tNEW\tNO ROOM")
	for _, s := range p.Services {
		note := ""
		if s.Deploying {
			note = "  (deploying)"
		}
		fmt.Fprintf(tw, "%s%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", s.Name, note, s.DesiredCount, s.Placed, s.Unplaced,
			s.OnExisting, s.OnUpcoming, s.OnNew, s.Unplaceable)
	}
	tw.Flush()

	if len(p.Unplaceable) > 0 {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "UNPLACEABLE\tTASKS\tREASON\tDETAIL")
		for _, u := range p.Unplaceable {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", u.Service, u.Count, u.Reason, u.Detail)
		}
		tw.Flush()
	}
	if len(p.Drain) > 0 {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "DRAIN\tGROUP\tWHY")
		for _, d := range p.Drain {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", d.EC2InstanceID, d.AutoScalingGroup, d.Reason)
		}
		tw.Flush()
	}
	if len(p.Warnings) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "WARNINGS")
		for _, msg := range p.Warnings {
			fmt.Fprintf(w, "  - %s\n", msg)
		}
	}
}
