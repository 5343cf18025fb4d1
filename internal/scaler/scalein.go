package scaler

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tandem-ecs/tandem/internal/placement"
)

// instanceRef names an instance of a pool.
type instanceRef struct {
	Pool string `json:"pool"`
	ID   string `json:"instanceId"`
	ARN  string `json:"containerInstanceArn,omitempty"`
	Why  string `json:"why,omitempty"`
}

// hookRef names a lifecycle action.
type hookRef struct {
	Pool  string `json:"pool"`
	Hook  string `json:"hook"`
	Token string `json:"-"`
	ID    string `json:"instanceId"`
}

// scaleInWrites are the writes of scale-in, in the order they are applied:
// instances taken back into service first (the cheapest scale-out), then
// protection of busy instances, then terminations of drained ones, then
// lifecycle actions, then new drains.
type scaleInWrites struct {
	Reactivate []instanceRef        `json:"reactivate,omitempty"`
	Protect    map[string][]string  `json:"protect,omitempty"`
	Terminate  []instanceRef        `json:"terminate,omitempty"`
	Complete   []hookRef            `json:"completeLifecycle,omitempty"`
	Heartbeat  []hookRef            `json:"heartbeat,omitempty"`
	Drain      []instanceRef        `json:"drain,omitempty"`
	Waiting    map[string]time.Time `json:"scaleInAt,omitempty"` // pool → when its delay passes
}

// clusterFacts are what scale-in needs to know about the cluster now.
type clusterFacts struct {
	ciByEC2  map[string]*placement.ContainerInstance
	busy     map[string]bool   // container instance ARN → runs non-daemon tasks
	poolOf   map[string]string // EC2 instance ID → pool
	instance map[string]placement.PoolInstance
}

func factsOf(m placement.Cluster) clusterFacts {
	f := clusterFacts{ciByEC2: map[string]*placement.ContainerInstance{}, busy: map[string]bool{},
		poolOf: map[string]string{}, instance: map[string]placement.PoolInstance{}}
	daemons := map[string]bool{}
	for _, s := range m.Services {
		if s.SchedulingStrategy == placement.Daemon {
			daemons["service:"+s.Name] = true
		}
	}
	daemonTasks := map[string]int{}
	for _, t := range m.Tasks {
		if t.ContainerInstanceARN == "" || t.LastStatus == "STOPPED" {
			continue
		}
		if daemons[t.Group] {
			daemonTasks[t.ContainerInstanceARN]++
		} else {
			f.busy[t.ContainerInstanceARN] = true
		}
	}
	// The tasks read are those ECS wants running. A task told to stop
	// still runs while its load balancer deregisters it or its containers
	// get their stop timeout; ECS counts it on its instance, so an instance
	// running more than its daemons is busy.
	for i := range m.ContainerInstances {
		ci := &m.ContainerInstances[i]
		f.ciByEC2[ci.EC2InstanceID] = ci
		if ci.RunningTasksCount+ci.PendingTasksCount > daemonTasks[ci.ARN] {
			f.busy[ci.ARN] = true
		}
	}
	for _, p := range m.Pools {
		for _, inst := range p.Instances {
			f.poolOf[inst.ID] = p.Name
			f.instance[inst.ID] = inst
		}
	}
	return f
}

// busyInstance reports whether an EC2 instance runs non-daemon tasks.
func (f clusterFacts) busyInstance(id string) bool {
	ci := f.ciByEC2[id]
	return ci != nil && f.busy[ci.ARN]
}

// scaleInOptions tells the estimator which instances it may drain: the
// budget of busy instances left after the drains in flight, and the
// instances with the opt-out tag.
func scaleInOptions(in decideInput, f clusterFacts) placement.ScaleIn {
	opts := placement.ScaleIn{Disabled: in.Cluster.ScaleIn.Disabled, BusyBudget: map[string]int{}, Keep: map[string]string{}}
	inFlight := map[string]int{}
	for _, is := range in.State.Instances {
		if !is.DrainStarted.IsZero() && is.Terminating.IsZero() && strings.HasPrefix(is.Reason, "consolidate") {
			inFlight[is.Pool]++
		}
	}
	budget := in.Cluster.Budget()
	for _, p := range in.Model.Pools {
		live := 0
		for _, inst := range p.Instances {
			if inst.LifecycleState == "InService" {
				live++
			}
		}
		opts.BusyBudget[p.Name] = max(budget.Instances(live)-inFlight[p.Name], 0)
	}
	key, value := in.Cluster.OptOut()
	tagged := func(tags map[string]string) bool {
		v, ok := tags[key]
		return ok && (value == "" || v == value)
	}
	for id, tags := range in.Read.InstanceTags {
		if tagged(tags) {
			opts.Keep[id] = fmt.Sprintf("tag %s", in.Cluster.ScaleIn.OptOutTag)
		}
	}
	for _, ci := range in.Read.Snapshot.ContainerInstances {
		tags := map[string]string{}
		for _, t := range ci.Tags {
			tags[t.Key] = t.Value
		}
		if tagged(tags) {
			opts.Keep[ci.EC2InstanceID] = "container instance tag"
		}
	}
	// Instances tandem drains or terminates already are not chosen again.
	for id := range in.State.Instances {
		opts.Keep[id] = "tandem is draining it"
	}
	return opts
}

// reactivate puts back to ACTIVE the instances tandem drained in pools that
// now need capacity: the cheapest scale-out. It returns them, and marks them
// ACTIVE in the model.
func reactivate(in decideInput, f clusterFacts, plan placement.Plan) []instanceRef {
	short := map[string]bool{}
	for _, pp := range plan.Pools {
		if pp.NewInstances > 0 {
			short[pp.Name] = true
		}
	}
	for _, u := range plan.Unplaceable {
		if u.Reason == placement.ReasonMaxCapacity {
			for _, pp := range plan.Pools {
				short[pp.Name] = true
			}
		}
	}
	var out []instanceRef
	for _, id := range slices.Sorted(maps.Keys(in.State.Instances)) {
		is := in.State.Instances[id]
		ci := f.ciByEC2[id]
		if !short[is.Pool] || is.DrainStarted.IsZero() || !is.Terminating.IsZero() || is.Spot || is.Hook != nil || ci == nil || ci.Status != "DRAINING" {
			continue
		}
		ci.Status = "ACTIVE"
		out = append(out, instanceRef{Pool: is.Pool, ID: id, ARN: ci.ARN, Why: "pool needs capacity again"})
		delete(in.State.Instances, id)
	}
	return out
}

// progress moves tandem's drains and lifecycle hooks along: drained
// instances are unprotected and terminated with a decrement; drains that
// take too long are reported and undone; hooks are extended while tasks
// move and completed once the instance is empty, or just before the hook
// would expire.
func progress(in decideInput, f clusterFacts, w *scaleInWrites) []notice {
	var notices []notice
	heartbeat := in.Cluster.HookHeartbeatTimeout()
	global := min(100*heartbeat, 48*time.Hour)
	for _, id := range slices.Sorted(maps.Keys(in.State.Instances)) {
		is := in.State.Instances[id]
		inst, inPool := f.instance[id]
		if !inPool || inst.LifecycleState == "Terminated" {
			delete(in.State.Instances, id) // gone
			continue
		}
		busy := f.busyInstance(id)
		if h := is.Hook; h != nil {
			ref := hookRef{Pool: is.Pool, Hook: h.Name, Token: h.Token, ID: id}
			switch {
			case !busy:
				w.Complete = append(w.Complete, ref)
				delete(in.State.Instances, id)
			case !in.Now.Before(h.Started.Add(global - heartbeat)):
				w.Complete = append(w.Complete, ref)
				delete(in.State.Instances, id)
				notices = append(notices, notice{
					Key: "busy-terminated:" + id, DetailType: "Tandem Busy Instance Terminated",
					Subject: fmt.Sprintf("tandem: instance %s of %s terminates with tasks still on it", id, is.Pool),
					Message: fmt.Sprintf("The termination of instance %s (pool %s) waited %s for its tasks to move, as long as its lifecycle hook allows. It terminates now with tasks on it. Look for tasks that cannot be placed elsewhere.",
						id, is.Pool, in.Now.Sub(h.Started).Round(time.Second)),
					Detail: map[string]any{"cluster": in.Cluster.Name, "autoScalingGroup": is.Pool, "instanceId": id},
				})
			case !in.Now.Before(h.LastHeartbeat.Add(heartbeat / 2)):
				w.Heartbeat = append(w.Heartbeat, ref)
				h.LastHeartbeat = in.Now
			}
			continue
		}
		if is.DrainStarted.IsZero() || !is.Terminating.IsZero() || is.Spot {
			continue
		}
		ci := f.ciByEC2[id]
		switch {
		case !busy:
			w.Terminate = append(w.Terminate, instanceRef{Pool: is.Pool, ID: id, Why: "drained: " + is.Reason})
			is.Terminating = in.Now
		case in.Now.Sub(is.DrainStarted) > in.Cluster.MaxDrainTime():
			if ci != nil {
				w.Reactivate = append(w.Reactivate, instanceRef{Pool: is.Pool, ID: id, ARN: ci.ARN, Why: "drain took too long"})
				ci.Status = "ACTIVE"
			}
			delete(in.State.Instances, id)
			notices = append(notices, notice{
				Key: "drain-timeout:" + id, DetailType: "Tandem Drain Timeout",
				Subject: fmt.Sprintf("tandem: instance %s of %s did not drain", id, is.Pool),
				Message: fmt.Sprintf("Instance %s (pool %s) has been draining since %s, longer than %s; tandem put it back to ACTIVE and did not terminate it. Some of its tasks could not move: check the services' deployment limits and placement constraints.",
					id, is.Pool, is.DrainStarted.Format(time.RFC3339), in.Cluster.MaxDrainTime()),
				Detail: map[string]any{"cluster": in.Cluster.Name, "autoScalingGroup": is.Pool, "instanceId": id, "drainStarted": is.DrainStarted},
			})
		}
	}
	return notices
}

// lifecycleAction handles a termination tandem did not start: the
// instance drains, and tandem completes the hook once it is empty. An
// instance tandem itself terminates, or an empty one, completes at once.
func lifecycleAction(in decideInput, f clusterFacts, a *LifecycleAction, w *scaleInWrites) {
	ref := hookRef{Pool: a.AutoScalingGroup, Hook: a.HookName, Token: a.Token, ID: a.InstanceID}
	is := in.State.Instances[a.InstanceID]
	if is != nil && !is.Terminating.IsZero() || !f.busyInstance(a.InstanceID) {
		w.Complete = append(w.Complete, ref)
		delete(in.State.Instances, a.InstanceID)
		return
	}
	if is == nil {
		is = &instanceState{Pool: a.AutoScalingGroup}
		in.State.Instances[a.InstanceID] = is
	}
	// The hook's timeout started with the event, which may have waited in
	// Lambda's queue or its retries: heartbeat at once if half of it went.
	started := in.Now
	if !in.EventTime.IsZero() && in.EventTime.Before(in.Now) {
		started = in.EventTime
	}
	is.Hook = &hookState{Name: a.HookName, Token: a.Token, Started: started, LastHeartbeat: started}
	if !in.Now.Before(started.Add(in.Cluster.HookHeartbeatTimeout() / 2)) {
		w.Heartbeat = append(w.Heartbeat, ref)
		is.Hook.LastHeartbeat = in.Now
	}
	if ci := f.ciByEC2[a.InstanceID]; ci != nil && ci.Status == "ACTIVE" {
		w.Drain = append(w.Drain, instanceRef{Pool: a.AutoScalingGroup, ID: a.InstanceID, ARN: ci.ARN, Why: "terminating: " + a.Transition})
		is.DrainStarted, is.Reason = in.Now, "lifecycle hook "+a.HookName
	}
}

// spotDrain drains an instance that EC2 will reclaim in two minutes.
func spotDrain(in decideInput, f clusterFacts, id string, w *scaleInWrites) {
	pool, ok := f.poolOf[id]
	ci := f.ciByEC2[id]
	if !ok || ci == nil || ci.Status != "ACTIVE" {
		return
	}
	w.Drain = append(w.Drain, instanceRef{Pool: pool, ID: id, ARN: ci.ARN, Why: "spot interruption warning"})
	in.State.Instances[id] = &instanceState{Pool: pool, DrainStarted: in.Now, Reason: "spot interruption", Spot: true}
}

// newDrains starts the drains the plan chose, in each pool whose scale-in
// delay has passed. A pool without unneeded capacity, or one that grows
// now, restarts its timer.
func newDrains(in decideInput, plan placement.Plan, raised map[string]bool, w *scaleInWrites) {
	byPool := map[string][]placement.Drain{}
	for _, d := range plan.Drain {
		byPool[d.AutoScalingGroup] = append(byPool[d.AutoScalingGroup], d)
	}
	delay := in.Cluster.ScaleInDelay()
	for _, p := range in.Model.Pools {
		ps := in.State.pool(p.Name)
		ds := byPool[p.Name]
		if len(ds) == 0 || raised[p.Name] {
			ps.UnneededSince = time.Time{}
			continue
		}
		if ps.UnneededSince.IsZero() {
			ps.UnneededSince = in.Now
		}
		if at := ps.UnneededSince.Add(delay); in.Now.Before(at) {
			if w.Waiting == nil {
				w.Waiting = map[string]time.Time{}
			}
			w.Waiting[p.Name] = at
			continue
		}
		for _, d := range ds {
			w.Drain = append(w.Drain, instanceRef{Pool: p.Name, ID: d.EC2InstanceID, ARN: d.ContainerInstanceARN, Why: d.Reason})
			in.State.Instances[d.EC2InstanceID] = &instanceState{Pool: p.Name, DrainStarted: in.Now, Reason: d.Reason}
		}
		ps.UnneededSince = time.Time{}
	}
}

// protect returns, per pool, the busy instances not yet protected from
// scale-in: nothing but tandem's own drains may then pick them.
func protect(in decideInput, f clusterFacts, w *scaleInWrites) {
	terminating := map[string]bool{}
	for _, t := range w.Terminate {
		terminating[t.ID] = true
	}
	for _, p := range in.Model.Pools {
		var ids []string
		for _, inst := range p.Instances {
			if inst.LifecycleState == "InService" && !inst.ProtectedFromScaleIn && f.busyInstance(inst.ID) && !terminating[inst.ID] {
				ids = append(ids, inst.ID)
			}
		}
		if len(ids) > 0 {
			sort.Strings(ids)
			if w.Protect == nil {
				w.Protect = map[string][]string{}
			}
			w.Protect[p.Name] = ids
		}
	}
}
