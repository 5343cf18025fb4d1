package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tandem-ecs/tandem/internal/config"
	"github.com/tandem-ecs/tandem/internal/placement"
	"github.com/tandem-ecs/tandem/internal/snapshot"
)

const planUsage = `Usage: tandem plan --snapshot DIR [--config FILE] [--output text|json]
       tandem plan --cluster NAME [--asg NAME ...] [--config FILE] [--output text|json]

Reads a saved cluster snapshot (the JSON the AWS CLI prints, see README.md),
or a live cluster (read-only, with the AWS SDK's usual configuration), and
prints what tandem would do: per Auto Scaling group the capacity to set, per
service its demand, and the tasks no scaling can place, with reasons.

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
}

func runPlan(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f planFlags
	fs.StringVar(&f.snapshot, "snapshot", "", "snapshot `folder` to plan")
	fs.StringVar(&f.cluster, "cluster", "", "live ECS cluster `name` or ARN to plan (instead of --snapshot)")
	fs.Var(&f.asgs, "asg", "with --cluster: Auto Scaling group `name` (repeat for several); discovered when absent")
	fs.StringVar(&f.config, "config", "", "configuration `file` (placement options); defaults apply without it")
	fs.StringVar(&f.output, "output", "text", "output `format`: text or json")
	fs.DurationVar(&f.timeout, "timeout", 10*time.Second, "give up estimating after this `duration` and print the partial plan")
	fs.Usage = func() {
		fmt.Fprint(stderr, planUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
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
	// The pools' EC2 tags: from the live read, as the scaler gets them, or
	// from the snapshot's optional instances.json.
	var (
		snap *snapshot.Snapshot
		tags map[string]map[string]string
	)
	if f.cluster != "" {
		c, err := readLive(ctx, f.cluster, f.asgs)
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
	if f.config != "" {
		doc, err := config.ReadFile(f.config)
		if err != nil {
			return placement.Plan{}, err
		}
		if cc, err = clusterConfig(doc, cluster.Name, f.config); err != nil {
			return placement.Plan{}, err
		}
	}
	opts := cc.PlacementOptions(time.Now().UTC())
	opts.ScaleIn = scaleInOptions(cc, snap, cluster, tags)
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	return placement.Estimate(ctx, cluster, opts)
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
