package sandbox

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// Step runs the simulated ECS agent and service scheduler once:
//
//  1. the agent registers new pool instances (honouring registration delays)
//     and deregisters the container instances of terminated EC2 instances,
//     stopping their tasks;
//  2. the scheduler places DAEMON tasks on every ACTIVE instance, reconciles
//     every REPLICA service to its desired count (rolling deployments,
//     draining instances), then stops daemon tasks on DRAINING instances that
//     have nothing else left;
//  3. it updates the counts and deployments DescribeServices presents and
//     queues the events of what happened (TakeEvents).
//
// A Step is deterministic for a given moto state: instances are considered in
// EC2 instance id order, services in name order.
func (s *Sandbox) Step(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.steps++
	if err := s.registerInstancesLocked(ctx); err != nil {
		return fmt.Errorf("step %d: %w", s.steps, err)
	}
	w, err := s.readWorld(ctx, s.taskOrder)
	if err != nil {
		return fmt.Errorf("step %d: %w", s.steps, err)
	}
	if err := s.retireTerminatedLocked(ctx, w); err != nil {
		return fmt.Errorf("step %d: %w", s.steps, err)
	}
	for _, c := range w.clusters {
		s.instanceEventsLocked(c)
		if err := s.scheduleClusterLocked(ctx, c); err != nil {
			return fmt.Errorf("step %d: cluster %s: %w", s.steps, c.name, err)
		}
	}
	return nil
}

// instanceEventsLocked queues a container instance state change for each
// instance that registered or changed status since the last Step.
func (s *Sandbox) instanceEventsLocked(c *clusterView) {
	for _, in := range c.instances {
		if s.ciStatus[in.arn] != in.status {
			s.ciStatus[in.arn] = in.status
			s.emitLocked(containerInstanceEvent(s, c, in, in.status))
		}
	}
}

func (s *Sandbox) scheduleClusterLocked(ctx context.Context, c *clusterView) error {
	for _, svc := range c.services {
		st := s.serviceStateLocked(serviceIDOf(svc))
		if ref := aws.ToString(svc.TaskDefinition); ref != "" && !st.inactive {
			d, err := s.tdefs.get(ctx, ref)
			if err != nil {
				return err
			}
			s.syncDeploymentLocked(st, d.arn)
		}
	}
	services := s.sortedServicesLocked(c.name)
	for _, st := range services {
		st.failure, st.unplaced = nil, 0
	}
	for _, st := range services {
		if st.daemon && len(st.deployments) > 0 {
			if err := s.placeDaemonLocked(ctx, c, st); err != nil {
				return err
			}
		}
	}
	for _, st := range services {
		if !st.daemon && len(st.deployments) > 0 {
			if err := s.reconcileReplicaLocked(ctx, c, st); err != nil {
				return err
			}
		}
	}
	if err := s.drainDaemonsLocked(ctx, c, services); err != nil {
		return err
	}
	if err := s.stopOrphansLocked(ctx, c); err != nil {
		return err
	}
	for _, st := range services {
		s.finishServiceLocked(c, st)
	}
	return nil
}

// reconcileReplicaLocked moves a REPLICA service towards desired tasks of its
// PRIMARY deployment on ACTIVE instances, within its deployment configuration
// (service_definition_parameters.md, container-instance-draining.md):
// running + pending tasks never exceed floor(desired × maximumPercent / 100),
// and tasks are stopped only while at least ceil(desired ×
// minimumHealthyPercent / 100) keep running. It starts, then stops, then
// starts again, so freed resources are reused within one Step.
func (s *Sandbox) reconcileReplicaLocked(ctx context.Context, c *clusterView, st *serviceState) error {
	primary := st.deployments[0]
	def, err := s.tdefs.get(ctx, primary.taskDef)
	if err != nil {
		return err
	}
	upper := st.desired * st.maxPercent / 100
	lower := (st.desired*st.minHealthyPercent + 99) / 100
	good := func(t *taskView) bool {
		in := c.byARN[t.instanceARN]
		return t.def.arn == primary.taskDef && in != nil && in.status == "ACTIVE"
	}
	start := func() error {
		for {
			tasks := serviceTasks(c, st.name)
			if count(tasks, good) >= st.desired || len(tasks) >= upper {
				return nil
			}
			in, failure := choose(c, st.name, def, st.distinctInstance)
			if in == nil {
				st.failure = failure
				return nil
			}
			if err := s.startTaskLocked(ctx, c, st, primary, def, in); err != nil {
				return err
			}
		}
	}
	stop := func() error {
		tasks := serviceTasks(c, st.name)
		var candidates []*taskView
		for _, t := range tasks {
			if !good(t) {
				candidates = append(candidates, t)
			}
		}
		draining := func(t *taskView) bool { in := c.byARN[t.instanceARN]; return in == nil || in.status != "ACTIVE" }
		sort.SliceStable(candidates, func(i, j int) bool {
			if di, dj := draining(candidates[i]), draining(candidates[j]); di != dj {
				return di
			}
			return newerFirst(candidates[i], candidates[j])
		})
		n := len(tasks)
		for _, t := range candidates {
			if n-1 < lower {
				break
			}
			reason := fmt.Sprintf("Scaling activity initiated by (deployment %s)", primary.id)
			if draining(t) {
				reason = "Service " + st.name + ": container instance is in DRAINING state"
			}
			if err := s.stopTaskLocked(ctx, c, t, reason); err != nil {
				return err
			}
			n--
		}
		// Surplus tasks of the PRIMARY deployment (the service was scaled in).
		for {
			var keep []*taskView
			for _, t := range serviceTasks(c, st.name) {
				if good(t) {
					keep = append(keep, t)
				}
			}
			if len(keep) <= st.desired {
				return nil
			}
			sort.SliceStable(keep, func(i, j int) bool {
				ni, nj := countService(c.byARN[keep[i].instanceARN], st.name), countService(c.byARN[keep[j].instanceARN], st.name)
				if ni != nj {
					return ni > nj
				}
				if a, b := c.byARN[keep[i].instanceARN].ec2ID, c.byARN[keep[j].instanceARN].ec2ID; a != b {
					return a > b
				}
				return newerFirst(keep[i], keep[j])
			})
			if err := s.stopTaskLocked(ctx, c, keep[0], "Service "+st.name+" scaled in"); err != nil {
				return err
			}
		}
	}
	for _, phase := range []func() error{start, stop, start} {
		if err := phase(); err != nil {
			return err
		}
	}
	if st.failure != nil {
		st.unplaced = max(0, st.desired-count(serviceTasks(c, st.name), good))
		if st.unplaced == 0 {
			st.failure = nil
		}
	}
	return nil
}

// newerFirst orders tasks the harness started later first; ties by ARN.
func newerFirst(a, b *taskView) bool {
	if a.order != b.order {
		return a.order > b.order
	}
	return a.arn > b.arn
}

// placeDaemonLocked runs one task of a DAEMON service on every ACTIVE
// instance where it fits, replacing tasks of older revisions in place (a
// daemon deployment stops first: maximumPercent 100, minimumHealthyPercent 0).
func (s *Sandbox) placeDaemonLocked(ctx context.Context, c *clusterView, st *serviceState) error {
	primary := st.deployments[0]
	def, err := s.tdefs.get(ctx, primary.taskDef)
	if err != nil {
		return err
	}
	active := 0
	for _, in := range c.instances {
		if in.status != "ACTIVE" {
			continue
		}
		active++
		var current []*taskView
		for _, t := range append([]*taskView(nil), in.tasks...) {
			if t.serviceName() != st.name {
				continue
			}
			if t.def.arn != primary.taskDef || len(current) > 0 {
				if err := s.stopTaskLocked(ctx, c, t, fmt.Sprintf("Scaling activity initiated by (deployment %s)", primary.id)); err != nil {
					return err
				}
				continue
			}
			current = append(current, t)
		}
		if len(current) > 0 {
			continue
		}
		if ok, reason := in.fits(def); !ok {
			st.unplaced++
			if st.failure == nil {
				st.failure = &placementFailure{reason: reason, instanceARNs: []string{in.arn}}
			}
			continue
		}
		if err := s.startTaskLocked(ctx, c, st, primary, def, in); err != nil {
			return err
		}
	}
	st.desired = active
	primary.desired = active
	return nil
}

// drainDaemonsLocked stops daemon tasks on DRAINING instances that run no
// other task: ECS keeps daemons until the instance is otherwise empty.
func (s *Sandbox) drainDaemonsLocked(ctx context.Context, c *clusterView, services []*serviceState) error {
	daemon := map[string]bool{}
	for _, st := range services {
		daemon[st.name] = st.daemon
	}
	for _, in := range c.instances {
		if in.status != "DRAINING" {
			continue
		}
		others := false
		for _, t := range in.tasks {
			if !daemon[t.serviceName()] {
				others = true
			}
		}
		if others {
			continue
		}
		for _, t := range append([]*taskView(nil), in.tasks...) {
			if err := s.stopTaskLocked(ctx, c, t, "Service "+t.serviceName()+": container instance is in DRAINING state"); err != nil {
				return err
			}
		}
	}
	return nil
}

// stopOrphansLocked stops the tasks of deleted (INACTIVE) services.
func (s *Sandbox) stopOrphansLocked(ctx context.Context, c *clusterView) error {
	for _, t := range append([]*taskView(nil), c.tasks...) {
		st, ok := s.services[serviceKey(c.name, t.serviceName())]
		if ok && st.inactive {
			if err := s.stopTaskLocked(ctx, c, t, "Service "+st.name+" deleted"); err != nil {
				return err
			}
		}
	}
	return nil
}

// finishServiceLocked updates the counts and deployments DescribeServices
// presents, completes the PRIMARY deployment when it reached its desired
// count alone, and queues placement-failure events when the reason changes.
func (s *Sandbox) finishServiceLocked(c *clusterView, st *serviceState) {
	tasks := serviceTasks(c, st.name)
	st.running = len(tasks)
	byDef := map[string]int{}
	for _, t := range tasks {
		byDef[t.def.arn]++
	}
	now := s.now()
	primary := st.deployments[0]
	kept := []*deployment{primary}
	for _, d := range st.deployments {
		if d.running != byDef[d.taskDef] {
			d.running, d.updatedAt = byDef[d.taskDef], now
		}
		if d != primary {
			d.desired = d.running
			if d.running > 0 {
				kept = append(kept, d)
			}
		}
	}
	st.deployments = kept
	if primary.rolloutState == "IN_PROGRESS" && len(kept) == 1 && primary.running == st.desired && st.unplaced == 0 {
		primary.rolloutState = "COMPLETED"
		primary.rolloutReason = fmt.Sprintf("ECS deployment %s completed.", primary.id)
		primary.updatedAt = now
		s.emitLocked(deploymentEvent(s, st, primary, "SERVICE_DEPLOYMENT_COMPLETED"))
	}
	switch {
	case st.failure == nil:
		st.failureID = ""
	case st.failureID == "" || st.lastReason != st.failure.reason:
		st.failureAt, st.failureID = now, s.newID()
		s.emitLocked(placementFailureEvent(s, st))
	}
	st.lastReason = ""
	if st.failure != nil {
		st.lastReason = st.failure.reason
	}
}

func serviceTasks(c *clusterView, service string) []*taskView {
	var out []*taskView
	for _, t := range c.tasks {
		if t.serviceName() == service {
			out = append(out, t)
		}
	}
	return out
}

func count[T any](s []T, pred func(T) bool) int {
	n := 0
	for _, e := range s {
		if pred(e) {
			n++
		}
	}
	return n
}

func (s *Sandbox) startTaskLocked(ctx context.Context, c *clusterView, st *serviceState, d *deployment, def *taskDef, in *instanceView) error {
	if def.noContainerMemory {
		return fmt.Errorf("start task of %s: %s has a container without memory or memoryReservation, which moto 5.2.1's StartTask fails on (HTTP 500); set one per container (README.md)", st.name, def.arn)
	}
	out, err := s.ecs.StartTask(ctx, &ecs.StartTaskInput{
		Cluster: aws.String(c.arn), TaskDefinition: aws.String(d.taskDef), ContainerInstances: []string{in.arn},
		Group: aws.String("service:" + st.name), StartedBy: aws.String(d.id),
	})
	if err != nil {
		return fmt.Errorf("start task of %s on %s: %w", st.name, in.ec2ID, err)
	}
	if len(out.Tasks) != 1 {
		return fmt.Errorf("start task of %s on %s: moto started %d tasks", st.name, in.ec2ID, len(out.Tasks))
	}
	s.taskSeq++
	t := &taskView{
		arn: aws.ToString(out.Tasks[0].TaskArn), group: "service:" + st.name, startedBy: d.id,
		instanceARN: in.arn, def: def, order: s.taskSeq,
	}
	s.taskOrder[t.arn] = t.order
	c.addTask(t)
	s.emitLocked(taskEvent(s, c, t, "RUNNING", ""))
	return nil
}

func (s *Sandbox) stopTaskLocked(ctx context.Context, c *clusterView, t *taskView, reason string) error {
	_, err := s.ecs.StopTask(ctx, &ecs.StopTaskInput{Cluster: aws.String(c.arn), Task: aws.String(t.arn), Reason: aws.String(reason)})
	if err != nil {
		return fmt.Errorf("stop task %s: %w", t.arn, err)
	}
	c.removeTask(t)
	delete(s.taskOrder, t.arn)
	s.emitLocked(taskEvent(s, c, t, "STOPPED", reason))
	return nil
}
