package scaler

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tandem-ecs/tandem/internal/awsread"
	"github.com/tandem-ecs/tandem/internal/config"
	"github.com/tandem-ecs/tandem/internal/placement"
	"github.com/tandem-ecs/tandem/internal/policy"
)

// alarmReading is an alarm in ALARM whose policy a decision applies: from
// the event that woke the scaler, or read by the schedule.
type alarmReading struct {
	Name    string
	Service string
	Policy  config.AlarmPolicy
	Breach  policy.Breach
	// FromSchedule is true when the schedule re-applies an alarm that
	// stays in ALARM: only once its cooldown has passed.
	FromSchedule bool
}

// decideInput is everything one cluster's decision reads.
type decideInput struct {
	Now     time.Time
	Cluster *config.Cluster
	Model   placement.Cluster
	Read    *awsread.Cluster
	State   *clusterState
	Alarms  []alarmReading
	// OOM are the containers of the triggering task killed for memory.
	OOM *TaskChange
	// Lifecycle is a termination lifecycle action to handle; Spot an
	// instance EC2 will reclaim.
	Lifecycle *LifecycleAction
	Spot      string
	// EventTime is when the triggering event happened (zero when
	// unknown): a lifecycle hook's timeout runs from then, not from when
	// the event reached tandem.
	EventTime time.Time
	// RepeatAfter keeps the same notification quiet this long.
	RepeatAfter time.Duration
}

// decision is what one cluster's reconcile does: all writes, absolute, in
// the order they are applied (pools before services, so new tasks find
// room), and the new state.
type decision struct {
	Services []serviceChange
	Pools    []poolChange
	ScaleIn  scaleInWrites
	Notices  []notice
	Plan     placement.Plan
	// Skipped are resources tandem leaves alone this time, with why.
	Skipped []string
	Notes   []string
	State   *clusterState
}

type serviceChange struct {
	Service string           `json:"service"`
	From    int              `json:"from"`
	To      int              `json:"to"`
	Dir     policy.Direction `json:"direction"`
	Reason  string           `json:"reason"`
}

type poolChange struct {
	Pool   string `json:"pool"`
	From   int    `json:"from"`
	To     int    `json:"to"`
	Reason string `json:"reason"`
}

// activityWindow is how recent a failed scaling activity must be to be
// reported: wide enough for the one-minute schedule to see it even after a
// few failed invocations.
const activityWindow = 15 * time.Minute

// decide computes a cluster's decision. It reads no clock and does no I/O;
// ctx only bounds the estimator.
func decide(ctx context.Context, in decideInput) (decision, error) {
	d := decision{State: in.State}
	svcIndex := map[string]int{}
	for i, s := range in.Model.Services {
		svcIndex[s.Name] = i
	}
	conflicts := conflictIndex(in.Cluster, in.Read)

	// 1. Step policies of the alarms in ALARM move the services.
	for _, name := range alarmServices(in.Alarms) {
		i, ok := svcIndex[name]
		if !ok {
			d.Notes = append(d.Notes, fmt.Sprintf("service %s has alarm policies but is not in the cluster", name))
			continue
		}
		if why, ok := conflicts[name]; ok && in.Cluster.OnConflict != "proceed" {
			d.Skipped = append(d.Skipped, fmt.Sprintf("service %s: %s", name, why))
			continue
		}
		svc := &in.Model.Services[i]
		if change, ok := applyAlarms(in, svc, in.State.service(name)); ok {
			svc.DesiredCount = change.To
			d.Services = append(d.Services, change)
		}
	}

	// 2. Instances launched long ago that never registered stop counting.
	opts := in.Cluster.PlacementOptions(in.Now)
	opts.IgnoreInstances = unregistered(in)
	for id, why := range opts.IgnoreInstances {
		d.Notices = append(d.Notices, notice{
			Key: "unregistered:" + id, DetailType: "Tandem Instance Not Registered",
			Subject: fmt.Sprintf("tandem: instance %s never registered with cluster %s", id, in.Cluster.Name),
			Message: fmt.Sprintf("Instance %s %s. tandem no longer counts it as capacity. Check its AMI, user data (ECS_CLUSTER) and instance role.", id, why),
			Detail:  map[string]any{"cluster": in.Cluster.Name, "instanceId": id, "problem": why},
		})
	}

	// 3. The estimator sizes the pools for the new desired counts. If a
	// pool needs capacity while tandem drains some of its instances, they
	// come back first: the cheapest scale-out.
	facts := factsOf(in.Model)
	opts.ScaleIn = scaleInOptions(in, facts)
	plan, err := placement.Estimate(ctx, in.Model, opts)
	if err != nil {
		return decision{}, fmt.Errorf("estimate cluster %s: %w", in.Cluster.Name, err)
	}
	if back := reactivate(in, facts, plan); len(back) > 0 {
		d.ScaleIn.Reactivate = back
		if plan, err = placement.Estimate(ctx, in.Model, opts); err != nil {
			return decision{}, fmt.Errorf("estimate cluster %s: %w", in.Cluster.Name, err)
		}
	}
	d.Plan = plan
	if plan.Partial {
		d.Notes = append(d.Notes, "the estimate ran out of time: the plan covers part of the demand, the next invocation the rest")
	}

	// 4. Pools go up, within the safety caps; tandem never lowers a pool
	// here: scale-in drains and terminates instances one by one.
	var raises []policy.PoolChange
	reasons := map[string]string{}
	for _, pp := range plan.Pools {
		if pp.DesiredCapacity <= pp.CurrentDesiredCapacity {
			continue
		}
		if why, ok := conflicts[pp.Name]; ok && in.Cluster.OnConflict != "proceed" {
			d.Skipped = append(d.Skipped, fmt.Sprintf("pool %s: %s", pp.Name, why))
			continue
		}
		raises = append(raises, policy.PoolChange{Name: pp.Name, Current: pp.CurrentDesiredCapacity, Desired: pp.DesiredCapacity})
		reasons[pp.Name] = pp.Reason
	}
	capped, notes := policy.CapNewInstances(raises, orInt(in.Cluster.Limits.MaxNewInstancesPerPool, config.DefaultMaxNewInstancesPerPool),
		orInt(in.Cluster.Limits.MaxNewInstancesPerCluster, config.DefaultMaxNewInstancesPerCluster))
	d.Notes = append(d.Notes, notes...)
	raised := map[string]bool{}
	for _, c := range capped {
		if c.Desired > c.Current {
			d.Pools = append(d.Pools, poolChange{Pool: c.Name, From: c.Current, To: c.Desired, Reason: reasons[c.Name]})
			raised[c.Name] = true
		}
	}
	for _, r := range d.ScaleIn.Reactivate {
		raised[r.Pool] = true
	}

	// 5. Scale-in: drains move along, lifecycle hooks and spot warnings
	// start drains, pools past their delay drain what the plan chose, and
	// busy instances are protected from any other scale-in.
	d.Notices = append(d.Notices, progress(in, facts, &d.ScaleIn)...)
	if in.Lifecycle != nil {
		lifecycleAction(in, facts, in.Lifecycle, &d.ScaleIn)
	}
	if in.Spot != "" {
		spotDrain(in, facts, in.Spot, &d.ScaleIn)
	}
	newDrains(in, plan, raised, &d.ScaleIn)
	protect(in, facts, &d.ScaleIn)

	// 6. What no scaling fixes is reported, not retried in silence.
	d.Notices = append(d.Notices, shortageNotices(in, plan)...)
	if in.OOM != nil {
		d.Notices = append(d.Notices, oomNotice(in.Cluster.Name, in.OOM))
	}
	for _, a := range in.Read.Activities {
		// A failure is news once: those older than the window were there
		// before tandem looked (a first deployment finds weeks of them).
		if in.Now.Sub(a.Start) > activityWindow {
			continue
		}
		d.Notices = append(d.Notices, notice{
			Key: "activity:" + a.ID, DetailType: "Tandem Scaling Activity Failed", Once: true,
			Subject: fmt.Sprintf("tandem: a scaling activity of pool %s failed", a.Pool),
			Message: fmt.Sprintf("Pool %s: %s (%s): %s", a.Pool, a.Description, a.Status, a.Message),
			Detail:  map[string]any{"cluster": in.Cluster.Name, "autoScalingGroup": a.Pool, "activityId": a.ID, "status": a.Status, "description": a.Description, "message": a.Message},
		})
	}
	for _, c := range in.Read.Conflicts {
		action := "tandem leaves it alone"
		if in.Cluster.OnConflict == "proceed" {
			action = "tandem drives it anyway (onConflict: proceed)"
		}
		d.Notices = append(d.Notices, notice{
			Key: "conflict:" + c.Kind + ":" + c.Resource, DetailType: "Tandem Scaler Conflict",
			Subject: fmt.Sprintf("tandem: another autoscaler drives %s", c.Resource),
			Message: fmt.Sprintf("%s: %s; %s. Remove the other autoscaler or take %s out of tandem's configuration.", c.Resource, c.Detail, action, c.Resource),
			Detail:  map[string]any{"cluster": in.Cluster.Name, "kind": c.Kind, "resource": c.Resource, "detail": c.Detail},
		})
	}
	d.Notices = dueNotices(d.Notices, in.State, in.Now, in.RepeatAfter)
	return d, nil
}

// applyAlarms applies the policies of the service's alarms in ALARM and
// returns the change, if any. A scale-out wins over a scale-in; among
// scale-outs the largest, among scale-ins the smallest step.
func applyAlarms(in decideInput, svc *placement.Service, hist *serviceState) (serviceChange, bool) {
	cfg := in.Cluster.Services[svc.Name]
	cooldowns := policy.Cooldowns{
		ScaleOut: orDuration(cfg.Cooldowns.ScaleOut, orDuration(in.Cluster.Cooldowns.ScaleOut, config.DefaultScaleOutCooldown)),
		ScaleIn:  orDuration(cfg.Cooldowns.ScaleIn, orDuration(in.Cluster.Cooldowns.ScaleIn, config.DefaultScaleInCooldown)),
	}
	state := policy.Service{
		Desired: svc.DesiredCount, Running: svc.RunningCount, MinTasks: cfg.MinTasks, MaxTasks: cfg.MaxTasks,
		LastScaleOut: hist.LastScaleOut, LastScaleOutBase: hist.LastScaleOutBase, LastScaleIn: hist.LastScaleIn,
	}
	var best *policy.Result
	var bestAlarm string
	for _, a := range in.Alarms {
		if a.Service != svc.Name {
			continue
		}
		r := policy.ApplyStep(stepPolicy(a.Policy), a.Breach, state, cooldowns, in.Now)
		if a.FromSchedule {
			// Alarm actions fire on a change of state only; while an alarm
			// stays in ALARM, the schedule applies it again after each
			// cooldown, as Application Auto Scaling does.
			cd := cooldowns.ScaleOut
			if r.Direction == policy.In {
				cd = cooldowns.ScaleIn
			}
			if last := hist.AlarmApplied[a.Name]; !last.IsZero() && in.Now.Before(last.Add(cd)) {
				continue
			}
		}
		if !r.Changed(svc.DesiredCount) {
			continue
		}
		if best == nil || better(r, *best) {
			best, bestAlarm = &r, a.Name
		}
	}
	if best == nil {
		return serviceChange{}, false
	}
	switch best.Direction {
	case policy.Out:
		hist.LastScaleOut, hist.LastScaleOutBase = in.Now, best.Base
	case policy.In:
		hist.LastScaleIn = in.Now
	}
	if hist.AlarmApplied == nil {
		hist.AlarmApplied = map[string]time.Time{}
	}
	hist.AlarmApplied[bestAlarm] = in.Now
	return serviceChange{Service: svc.Name, From: svc.DesiredCount, To: best.Desired, Dir: best.Direction,
		Reason: fmt.Sprintf("alarm %s: %s", bestAlarm, best.Reason)}, true
}

// better says whether r should win over best: scale-out beats scale-in,
// then the larger desired count.
func better(r, best policy.Result) bool {
	if r.Direction != best.Direction {
		return r.Direction == policy.Out
	}
	return r.Desired > best.Desired
}

func stepPolicy(p config.AlarmPolicy) policy.StepPolicy {
	sp := policy.StepPolicy{AdjustmentType: p.AdjustmentType, MinAdjustmentMagnitude: p.MinAdjustmentMagnitude}
	for _, s := range p.Steps {
		sp.Steps = append(sp.Steps, policy.Step{LowerBound: s.LowerBound, UpperBound: s.UpperBound, Adjustment: s.Adjustment})
	}
	return sp
}

func alarmServices(alarms []alarmReading) []string {
	seen := map[string]bool{}
	var out []string
	for _, a := range alarms {
		if !seen[a.Service] {
			seen[a.Service] = true
			out = append(out, a.Service)
		}
	}
	sort.Strings(out)
	return out
}

// conflictIndex maps the pools and services another autoscaler drives to
// why.
func conflictIndex(c *config.Cluster, read *awsread.Cluster) map[string]string {
	out := map[string]string{}
	for _, cf := range read.Conflicts {
		if _, ok := out[cf.Resource]; !ok {
			out[cf.Resource] = "another autoscaler drives it: " + cf.Detail
		}
	}
	return out
}

// unregistered returns the pool instances launched longer ago than the
// registration timeout that never registered with the cluster.
func unregistered(in decideInput) map[string]string {
	registered := map[string]bool{}
	for _, ci := range in.Model.ContainerInstances {
		registered[ci.EC2InstanceID] = true
	}
	timeout := in.Cluster.RegistrationTimeoutOrDefault()
	out := map[string]string{}
	for _, p := range in.Model.Pools {
		for _, inst := range p.Instances {
			launched, ok := in.Read.LaunchTimes[inst.ID]
			if registered[inst.ID] || !ok || inst.LifecycleState != "InService" && !strings.HasPrefix(inst.LifecycleState, "Pending") {
				continue
			}
			if age := in.Now.Sub(launched); age > timeout {
				out[inst.ID] = fmt.Sprintf("of pool %s was launched %s ago and has not registered (timeout %s)", p.Name, age.Round(time.Second), timeout)
			}
		}
	}
	return out
}

func orInt(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func orDuration(d config.Duration, def time.Duration) time.Duration {
	if d.Duration == 0 {
		return def
	}
	return d.Duration
}
