package scaler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tandem-ecs/tandem/internal/awsread"
	"github.com/tandem-ecs/tandem/internal/awswrite"
	"github.com/tandem-ecs/tandem/internal/config"
	"github.com/tandem-ecs/tandem/internal/policy"
	"github.com/tandem-ecs/tandem/internal/state"
)

// reader is every AWS read the scaler makes (internal/awsread).
type reader interface {
	Cluster(ctx context.Context, cluster string, pools []string) (*awsread.Cluster, error)
	Alarms(ctx context.Context, names []string) ([]awsread.Alarm, error)
	PoolOf(ctx context.Context, instanceID string) (pool string, ok bool, err error)
}

// writer is every AWS write the scaler makes (internal/awswrite).
type writer interface {
	SetDesiredCapacity(ctx context.Context, pool string, desired int) error
	SetServiceDesiredCount(ctx context.Context, cluster, service string, desired int) error
	SetInstancesState(ctx context.Context, cluster string, containerInstanceARNs []string, status string) error
	TerminateInstance(ctx context.Context, instanceID string) error
	SetProtection(ctx context.Context, pool string, instanceIDs []string, protected bool) error
	CompleteLifecycleAction(ctx context.Context, pool, hook, token, instanceID string) error
	RecordHeartbeat(ctx context.Context, pool, hook, token, instanceID string) error
	PutEvent(ctx context.Context, bus, detailType string, detail any) error
	Publish(ctx context.Context, topicARN, subject, message string) error
}

// store keeps decision state between invocations (internal/state).
type store interface {
	Lock(ctx context.Context, key, owner string, ttl time.Duration, now time.Time) (bool, error)
	Unlock(ctx context.Context, key, owner string) error
	Once(ctx context.Context, key string, ttl time.Duration, now time.Time) (bool, error)
	Forget(ctx context.Context, key string) error
	Advance(ctx context.Context, key string, version int64, ttl time.Duration, now time.Time) (bool, error)
	Load(ctx context.Context, key string) ([]byte, int64, error)
	Save(ctx context.Context, key string, doc []byte, revision int64) error
}

// Deps are a Scaler's collaborators. main builds them once per Lambda
// instance.
type Deps struct {
	Config *config.Document
	Reader reader
	Writer writer
	Store  store
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Log receives the decision log line; Metrics the Embedded Metric
	// Format documents (standard output in Lambda).
	Log     *slog.Logger
	Metrics io.Writer
	// RequestID returns the invocation's id from its context.
	RequestID func(context.Context) string
}

// Scaler handles invocations.
type Scaler struct {
	Deps
	// LockWait is how long an invocation waits for another one on the same
	// cluster before it gives up with a BusyError, for Lambda to retry.
	LockWait time.Duration
	// LockTTL bounds how long a crashed invocation can hold a cluster; a
	// lease lasts at least as long as the invocation may.
	LockTTL time.Duration
	// DeadlineMargin is how long before Lambda's deadline the work stops
	// (at most a tenth of the time left).
	DeadlineMargin time.Duration
}

// New returns a Scaler.
func New(d Deps) *Scaler {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	if d.Metrics == nil {
		d.Metrics = io.Discard
	}
	if d.RequestID == nil {
		d.RequestID = func(context.Context) string { return "" }
	}
	return &Scaler{Deps: d, LockWait: 20 * time.Second, LockTTL: 2 * time.Minute, DeadlineMargin: 5 * time.Second}
}

// Result is what an invocation returns to Lambda.
type Result struct {
	Trigger  Kind     `json:"trigger"`
	Clusters []string `json:"clusters,omitempty"`
	Outcome  string   `json:"outcome"`
	Writes   int      `json:"writes"`
}

// BusyError says another invocation holds a cluster: Lambda retries.
type BusyError struct{ Cluster string }

func (e *BusyError) Error() string {
	return fmt.Sprintf("cluster %s is being reconciled by another invocation; retry", e.Cluster)
}

// TransientError wraps a failure worth retrying: throttling, a 5xx, a
// timeout, a state conflict. Lambda reports its type as errorType.
type TransientError struct{ Err error }

func (e *TransientError) Error() string { return "transient: " + e.Err.Error() }
func (e *TransientError) Unwrap() error { return e.Err }

// Handle runs one invocation.
func (s *Scaler) Handle(ctx context.Context, payload json.RawMessage) (Result, error) {
	start := s.Now()
	ctx, cancel := s.workContext(ctx)
	defer cancel()
	rec := &record{RequestID: s.RequestID(ctx), DryRun: !s.Config.IsEnabled()}
	t, err := Decode(payload)
	if err != nil {
		rec.Outcome, rec.Error = "malformed", err.Error()
		s.logDecision(ctx, rec, start)
		return Result{Outcome: "malformed"}, err
	}
	rec.Trigger = t
	res := Result{Trigger: t.Kind}
	if t.Kind == KindIgnored {
		s.Log.DebugContext(ctx, "event ignored", "requestId", rec.RequestID, "reason", t.Reason, "detailType", t.DetailType)
		res.Outcome = "ignored"
		return res, nil
	}
	clusters, why, err := s.route(ctx, t)
	if err != nil {
		return s.fail(ctx, rec, start, res, err)
	}
	if len(clusters) == 0 {
		s.Log.DebugContext(ctx, "event ignored", "requestId", rec.RequestID, "reason", why, "detailType", t.DetailType)
		res.Outcome = "ignored"
		return res, nil
	}
	// A delivery is handled once, however often EventBridge or Lambda
	// retries it; task and container instance events also never go back
	// in time.
	now := s.Now()
	if t.ID != "" && t.Kind != KindSchedule && s.Config.IsEnabled() {
		first, err := s.Store.Once(ctx, "event#"+t.ID, 24*time.Hour, now)
		if err != nil {
			return s.fail(ctx, rec, start, res, fmt.Errorf("record event %s: %w", t.ID, err))
		}
		if !first {
			rec.Outcome = "duplicate"
			s.logDecision(ctx, rec, start)
			res.Outcome = "duplicate"
			return res, nil
		}
	}
	if t.VersionKey != "" && s.Config.IsEnabled() {
		newer, err := s.Store.Advance(ctx, "version#"+t.VersionKey, t.Version, 7*24*time.Hour, now)
		if err != nil {
			s.forget(ctx, t, false)
			return s.fail(ctx, rec, start, res, fmt.Errorf("record version of %s: %w", t.VersionKey, err))
		}
		if !newer {
			rec.Outcome = "stale"
			s.logDecision(ctx, rec, start)
			res.Outcome = "stale"
			return res, nil
		}
	}
	// Every cluster gets its decision, even when one before it fails: one
	// broken cluster must not stall the others.
	var errs []error
	for _, c := range clusters {
		cr, err := s.reconcile(ctx, c, t)
		rec.Clusters = append(rec.Clusters, cr)
		res.Clusters = append(res.Clusters, c.Name)
		res.Writes += len(cr.Writes)
		if err != nil {
			errs = append(errs, fmt.Errorf("cluster %s: %w", c.Name, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		s.forget(ctx, t, t.VersionKey != "")
		return s.fail(ctx, rec, start, res, err)
	}
	rec.Outcome = "ok"
	res.Outcome = "ok"
	s.logDecision(ctx, rec, start)
	return res, nil
}

// workContext ends the work a little before Lambda's deadline, so that an
// invocation that runs long still saves its state, undoes its delivery
// record for the retry, and logs its decision before Lambda stops it.
func (s *Scaler) workContext(ctx context.Context) (context.Context, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	margin := min(s.DeadlineMargin, time.Until(dl)/10)
	return context.WithDeadline(ctx, dl.Add(-margin))
}

// lockTTL is how long a cluster's lease lasts: LockTTL, or longer when the
// invocation may run longer, so that no lease expires under a live decision.
func (s *Scaler) lockTTL(ctx context.Context) time.Duration {
	ttl := s.LockTTL
	if dl, ok := ctx.Deadline(); ok {
		ttl = max(ttl, time.Until(dl)+time.Minute)
	}
	return ttl
}

// forget undoes the delivery record, and with version the version this
// event advanced, so that Lambda's retry of a failed invocation is neither
// dropped as a duplicate nor as stale. (Forgetting a version lets an older
// event through later; events only say "look now", so that costs a read.)
func (s *Scaler) forget(ctx context.Context, t Trigger, version bool) {
	if !s.Config.IsEnabled() || t.Kind == KindSchedule {
		return
	}
	ctx = context.WithoutCancel(ctx)
	if t.ID != "" {
		if err := s.Store.Forget(ctx, "event#"+t.ID); err != nil {
			s.Log.WarnContext(ctx, "could not forget a failed event; its retry will be dropped", "event", t.ID, "error", err)
		}
	}
	if version && t.VersionKey != "" {
		if err := s.Store.Forget(ctx, "version#"+t.VersionKey); err != nil {
			s.Log.WarnContext(ctx, "could not forget a failed event's version; its retry will be dropped as stale", "resource", t.VersionKey, "error", err)
		}
	}
}

func (s *Scaler) fail(ctx context.Context, rec *record, start time.Time, res Result, err error) (Result, error) {
	err = classify(err)
	rec.Outcome, rec.Error = "error", err.Error()
	s.logDecision(ctx, rec, start)
	res.Outcome = "error"
	return res, err
}

// route returns the configured clusters an event concerns, or why none.
func (s *Scaler) route(ctx context.Context, t Trigger) ([]*config.Cluster, string, error) {
	cfg := s.Config
	switch t.Kind {
	case KindSchedule:
		var all []*config.Cluster
		for i := range cfg.Clusters {
			all = append(all, &cfg.Clusters[i])
		}
		return all, "", nil
	case KindAlarm:
		for i := range cfg.Clusters {
			for _, svc := range cfg.Clusters[i].Services {
				if _, ok := svc.Alarms[t.Alarm.Name]; ok {
					return []*config.Cluster{&cfg.Clusters[i]}, "", nil
				}
			}
		}
		return nil, "alarm " + t.Alarm.Name + " drives no configured service", nil
	case KindLifecycle:
		if c := clusterOfPool(cfg, t.Lifecycle.AutoScalingGroup); c != nil {
			return []*config.Cluster{c}, "", nil
		}
		return nil, "Auto Scaling group " + t.Lifecycle.AutoScalingGroup + " is not a configured pool", nil
	case KindSpot:
		pool, ok, err := s.Reader.PoolOf(ctx, t.Spot)
		if err != nil {
			return nil, "", fmt.Errorf("find the pool of instance %s: %w", t.Spot, err)
		}
		if c := clusterOfPool(cfg, pool); ok && c != nil {
			return []*config.Cluster{c}, "", nil
		}
		return nil, "instance " + t.Spot + " is in no configured pool", nil
	}
	if c, ok := cfg.Cluster(t.Cluster); ok {
		if t.Kind == KindTask && !taskNeedsLook(t.Task) {
			return nil, "task " + t.Task.LastStatus + ": nothing to do", nil
		}
		return []*config.Cluster{c}, "", nil
	}
	return nil, "cluster " + t.Cluster + " is not configured", nil
}

// taskNeedsLook says whether a task state change is worth a look: a task
// without an instance (PROVISIONING or PENDING) means capacity is short; a
// task killed for memory is reported.
func taskNeedsLook(t *TaskChange) bool {
	if len(t.OOMKilled()) > 0 {
		return true
	}
	return (t.LastStatus == "PROVISIONING" || t.LastStatus == "PENDING") && t.ContainerInstanceARN == ""
}

func clusterOfPool(cfg *config.Document, pool string) *config.Cluster {
	for i := range cfg.Clusters {
		for _, p := range cfg.Clusters[i].Pools {
			if p.Name == pool {
				return &cfg.Clusters[i]
			}
		}
	}
	return nil
}

// reconcile runs one cluster's decision under its lock.
func (s *Scaler) reconcile(ctx context.Context, c *config.Cluster, t Trigger) (cr clusterRecord, err error) {
	cr = clusterRecord{Cluster: c.Name, DryRun: c.DryRun || !s.Config.IsEnabled()}
	owner := s.RequestID(ctx)
	if owner == "" {
		owner = fmt.Sprintf("local-%d", s.Now().UnixNano())
	}
	lockKey := "lock#" + c.Name
	if !cr.DryRun {
		if err := s.lock(ctx, lockKey, owner, c.Name); err != nil {
			return cr, err
		}
		defer func() {
			if err := s.Store.Unlock(context.WithoutCancel(ctx), lockKey, owner); err != nil {
				s.Log.WarnContext(ctx, "could not release the cluster lock; it expires by itself", "cluster", c.Name, "error", err)
			}
		}()
	}
	now := s.Now()
	doc, revision, err := s.Store.Load(ctx, "cluster#"+c.Name)
	if err != nil {
		return cr, fmt.Errorf("load state of %s: %w", c.Name, err)
	}
	st, err := decodeState(doc)
	if err != nil {
		return cr, err
	}

	pools := poolNames(c)
	read, err := s.Reader.Cluster(ctx, c.Name, pools)
	if err != nil {
		return cr, fmt.Errorf("read cluster %s: %w", c.Name, err)
	}
	model, err := read.Snapshot.Cluster()
	if err != nil {
		return cr, fmt.Errorf("read cluster %s: %w", c.Name, err)
	}
	model.Name = c.Name
	cr.Read = readCounts(read)

	alarms, err := s.alarms(ctx, c, t, cr.DryRun, now)
	if err != nil {
		return cr, err
	}
	if t.Kind == KindAlarm && len(alarms) > 0 && !cr.DryRun {
		// The transition is marked applied. If the invocation fails before
		// its service write, unmark it, so that Lambda's retry applies it;
		// once the write happened, a retry must not apply it twice.
		defer func() {
			if err != nil && !wrote(cr.Writes, "UpdateService "+alarms[0].Service+" ") {
				if ferr := s.Store.Forget(context.WithoutCancel(ctx), "alarm#"+t.Alarm.TransitionID()); ferr != nil {
					s.Log.WarnContext(ctx, "could not unmark an alarm transition; its retry will not apply it", "alarm", t.Alarm.Name, "error", ferr)
				}
			}
		}()
	}
	in := decideInput{
		Now: now, Cluster: c, Model: model, Read: read, State: st, Alarms: alarms,
		RepeatAfter: orDuration(s.Config.Notifications.RepeatAfter, config.DefaultRepeatAfter),
	}
	if t.Kind == KindTask && len(t.Task.OOMKilled()) > 0 {
		in.OOM = t.Task
	}
	if t.Kind == KindLifecycle {
		in.Lifecycle, in.EventTime = t.Lifecycle, t.Time
	}
	if t.Kind == KindSpot {
		in.Spot = t.Spot
	}
	prev, err := st.clone()
	if err != nil {
		return cr, err
	}
	d, err := decide(ctx, in)
	if err != nil {
		return cr, err
	}
	cr.setDecision(d)
	if cr.DryRun {
		return cr, nil
	}
	// The state is saved whatever the writes did, with the parts of the
	// writes that did not happen put back: a drain that went through is
	// never forgotten because a later write failed.
	undone, applyErr := s.apply(ctx, c, d, &cr)
	st.restore(prev, undone)
	st.prune(now, 7*24*time.Hour)
	newDoc, err := st.encode()
	if err != nil {
		return cr, errors.Join(applyErr, err)
	}
	if err := s.Store.Save(context.WithoutCancel(ctx), "cluster#"+c.Name, newDoc, revision); err != nil {
		return cr, errors.Join(applyErr, fmt.Errorf("save state of %s: %w", c.Name, err))
	}
	return cr, applyErr
}

// lock takes the cluster's lease, waiting for another invocation to finish
// for at most LockWait (and never past the invocation's deadline).
func (s *Scaler) lock(ctx context.Context, key, owner, cluster string) error {
	wait := s.LockWait
	if dl, ok := ctx.Deadline(); ok {
		wait = min(wait, time.Until(dl)/2)
	}
	deadline := time.Now().Add(wait)
	delay := 100 * time.Millisecond
	for {
		ok, err := s.Store.Lock(ctx, key, owner, s.lockTTL(ctx), s.Now())
		if err != nil {
			return fmt.Errorf("lock cluster %s: %w", cluster, err)
		}
		if ok {
			return nil
		}
		if time.Now().Add(delay).After(deadline) {
			return &BusyError{Cluster: cluster}
		}
		select {
		case <-ctx.Done():
			return &BusyError{Cluster: cluster}
		case <-time.After(delay):
		}
		delay = min(delay*2, time.Second)
	}
}

// alarms returns the alarm readings a decision applies: the alarm of the
// event, applied at most once per transition; or, on the schedule, the
// cluster's alarms that stay in ALARM.
func (s *Scaler) alarms(ctx context.Context, c *config.Cluster, t Trigger, dryRun bool, now time.Time) ([]alarmReading, error) {
	byName := map[string]struct {
		service string
		policy  config.AlarmPolicy
	}{}
	var names []string
	for _, svc := range slices.Sorted(maps.Keys(c.Services)) {
		for _, name := range slices.Sorted(maps.Keys(c.Services[svc].Alarms)) {
			byName[name] = struct {
				service string
				policy  config.AlarmPolicy
			}{svc, c.Services[svc].Alarms[name]}
			names = append(names, name)
		}
	}
	switch t.Kind {
	case KindAlarm:
		a := t.Alarm
		p, ok := byName[a.Name]
		if !ok || a.State != "ALARM" || !a.HasValue {
			return nil, nil
		}
		if !dryRun {
			first, err := s.Store.Once(ctx, "alarm#"+a.TransitionID(), 7*24*time.Hour, now)
			if err != nil {
				return nil, fmt.Errorf("record alarm transition %s: %w", a.TransitionID(), err)
			}
			if !first {
				return nil, nil
			}
		}
		return []alarmReading{{Name: a.Name, Service: p.service, Policy: p.policy, Breach: policy.Breach{Value: a.Value, Threshold: a.Threshold}}}, nil
	case KindSchedule:
		if len(names) == 0 {
			return nil, nil
		}
		read, err := s.Reader.Alarms(ctx, names)
		if err != nil {
			return nil, fmt.Errorf("read alarms of %s: %w", c.Name, err)
		}
		var out []alarmReading
		for _, a := range read {
			p, ok := byName[a.Name]
			if !ok || a.State != "ALARM" || !a.HasValue {
				continue
			}
			out = append(out, alarmReading{Name: a.Name, Service: p.service, Policy: p.policy,
				Breach: policy.Breach{Value: a.Value, Threshold: a.Threshold}, FromSchedule: true})
		}
		return out, nil
	}
	return nil, nil
}

// wrote reports whether a write starting with prefix was made.
func wrote(writes []string, prefix string) bool {
	return slices.ContainsFunc(writes, func(w string) bool { return strings.HasPrefix(w, prefix) })
}

func poolNames(c *config.Cluster) []string {
	var out []string
	for _, p := range c.Pools {
		out = append(out, p.Name)
	}
	return out
}

// write is one AWS write of a decision, and the parts of the cluster state
// (see clusterState.restore) that record it. A write that does not happen
// leaves its parts as they were before the decision, so that the saved
// state never claims what AWS did not do.
type write struct {
	do    func(context.Context) error
	parts []string
	// failedParts, when set, narrows the parts to those the error names
	// (ECS refusing some instances of a batch).
	failedParts func(error) []string
}

// apply makes the decision's writes in order: drained instances taken back
// first, then pools, so that the tasks of a raised service find room, then
// services, then the rest of scale-in. It stops at the first write that
// fails; then notices are sent, each on its own. It returns the state
// parts of every write that did not happen. Each write is absolute: the
// next reconcile computes the same values and finishes the job.
func (s *Scaler) apply(ctx context.Context, c *config.Cluster, d decision, cr *clusterRecord) (undone map[string]bool, err error) {
	undone = map[string]bool{}
	writes := s.writes(c, d, cr)
	for i, w := range writes {
		if err := w.do(ctx); err != nil {
			parts := w.parts
			if w.failedParts != nil {
				parts = w.failedParts(err)
			}
			for _, p := range parts {
				undone[p] = true
			}
			for _, later := range writes[i+1:] {
				for _, p := range later.parts {
					undone[p] = true
				}
			}
			// Notices wait for a decision that went through: they may
			// describe what it did.
			for _, n := range d.Notices {
				for _, k := range n.keys() {
					undone[partNotified+k] = true
				}
			}
			return undone, err
		}
	}
	var errs []error
	for _, n := range d.Notices {
		if err := s.notify(ctx, n); err != nil {
			errs = append(errs, err)
			for _, k := range n.keys() {
				undone[partNotified+k] = true
			}
			continue
		}
		cr.Writes = append(cr.Writes, "Notify "+n.DetailType)
	}
	return undone, errors.Join(errs...)
}

// writes lists the decision's AWS writes, in the order apply makes them.
// Each appends its line to cr.Writes when it succeeds.
func (s *Scaler) writes(c *config.Cluster, d decision, cr *clusterRecord) []write {
	w := d.ScaleIn
	var out []write
	out = append(out, s.stateWrites(c.Name, w.Reactivate, "ACTIVE", cr)...)
	for _, p := range d.Pools {
		out = append(out, write{do: func(ctx context.Context) error {
			if err := s.Writer.SetDesiredCapacity(ctx, p.Pool, p.To); err != nil {
				return fmt.Errorf("set desired capacity of %s to %d: %w", p.Pool, p.To, err)
			}
			cr.Writes = append(cr.Writes, fmt.Sprintf("SetDesiredCapacity %s %d", p.Pool, p.To))
			return nil
		}})
	}
	for _, sc := range d.Services {
		out = append(out, write{parts: []string{partService + sc.Service}, do: func(ctx context.Context) error {
			if err := s.Writer.SetServiceDesiredCount(ctx, c.Name, sc.Service, sc.To); err != nil {
				return fmt.Errorf("set desired count of %s to %d: %w", sc.Service, sc.To, err)
			}
			cr.Writes = append(cr.Writes, fmt.Sprintf("UpdateService %s %d", sc.Service, sc.To))
			return nil
		}})
	}
	for _, pool := range slices.Sorted(maps.Keys(w.Protect)) {
		ids := w.Protect[pool]
		out = append(out, write{do: func(ctx context.Context) error {
			if err := s.Writer.SetProtection(ctx, pool, ids, true); err != nil {
				return fmt.Errorf("protect busy instances of %s: %w", pool, err)
			}
			cr.Writes = append(cr.Writes, fmt.Sprintf("SetInstanceProtection %s %s on", pool, strings.Join(ids, ",")))
			return nil
		}})
	}
	for _, t := range w.Terminate {
		out = append(out, write{parts: []string{partInstance + t.ID}, do: func(ctx context.Context) error {
			// Protection comes off only now that the instance is empty.
			if err := s.Writer.SetProtection(ctx, t.Pool, []string{t.ID}, false); err != nil {
				return fmt.Errorf("unprotect drained instance %s: %w", t.ID, err)
			}
			if err := s.Writer.TerminateInstance(ctx, t.ID); err != nil {
				return fmt.Errorf("terminate drained instance %s: %w", t.ID, err)
			}
			cr.Writes = append(cr.Writes, fmt.Sprintf("SetInstanceProtection %s %s off", t.Pool, t.ID), "TerminateInstanceInAutoScalingGroup "+t.ID)
			return nil
		}})
	}
	for _, h := range w.Complete {
		out = append(out, write{parts: []string{partInstance + h.ID}, do: func(ctx context.Context) error {
			if err := s.Writer.CompleteLifecycleAction(ctx, h.Pool, h.Hook, h.Token, h.ID); err != nil {
				return fmt.Errorf("complete lifecycle action of %s: %w", h.ID, err)
			}
			cr.Writes = append(cr.Writes, "CompleteLifecycleAction "+h.ID)
			return nil
		}})
	}
	for _, h := range w.Heartbeat {
		out = append(out, write{parts: []string{partInstance + h.ID}, do: func(ctx context.Context) error {
			err := s.Writer.RecordHeartbeat(ctx, h.Pool, h.Hook, h.Token, h.ID)
			if errors.Is(err, awswrite.ErrNoLifecycleAction) {
				// The hook ended on its own (or someone completed it); the
				// instance leaves the pool and its state goes with it.
				s.Log.WarnContext(ctx, "lifecycle action already gone", "instance", h.ID, "error", err)
				return nil
			}
			if err != nil {
				return fmt.Errorf("extend lifecycle action of %s: %w", h.ID, err)
			}
			cr.Writes = append(cr.Writes, "RecordLifecycleActionHeartbeat "+h.ID)
			return nil
		}})
	}
	out = append(out, s.stateWrites(c.Name, w.Drain, "DRAINING", cr)...)
	return out
}

// instancesPerStateCall is what one UpdateContainerInstancesState call
// takes: each write is one call, so a failure names what did not happen.
const instancesPerStateCall = 10

// stateWrites sets container instances to ACTIVE or DRAINING, one write
// per call. Its state parts are the instances and their pools.
func (s *Scaler) stateWrites(cluster string, refs []instanceRef, status string, cr *clusterRecord) []write {
	var withARN []instanceRef
	for _, r := range refs {
		if r.ARN != "" {
			withARN = append(withARN, r)
		}
	}
	var out []write
	for batch := range slices.Chunk(withARN, instancesPerStateCall) {
		var arns, ids, parts []string
		partsOf := map[string][]string{}
		for _, r := range batch {
			arns = append(arns, r.ARN)
			ids = append(ids, r.ID)
			partsOf[r.ARN] = []string{partInstance + r.ID, partPool + r.Pool}
			parts = append(parts, partsOf[r.ARN]...)
		}
		out = append(out, write{
			parts: parts,
			do: func(ctx context.Context) error {
				if err := s.Writer.SetInstancesState(ctx, cluster, arns, status); err != nil {
					return fmt.Errorf("set instances %s to %s: %w", strings.Join(ids, ", "), status, err)
				}
				cr.Writes = append(cr.Writes, fmt.Sprintf("UpdateContainerInstancesState %s %s", strings.Join(ids, ","), status))
				return nil
			},
			failedParts: func(err error) []string {
				var refused *awswrite.InstanceStateError
				if !errors.As(err, &refused) {
					return parts
				}
				var failed []string
				for _, f := range refused.Failures {
					failed = append(failed, partsOf[f.ARN]...)
				}
				return failed
			},
		})
	}
	return out
}

func (s *Scaler) notify(ctx context.Context, n notice) error {
	bus := s.Config.Notifications.EventBus
	if bus == "" {
		bus = config.DefaultEventBus
	}
	if bus != "none" {
		if err := s.Writer.PutEvent(ctx, bus, n.DetailType, n.Detail); err != nil {
			return fmt.Errorf("put %q event: %w", n.DetailType, err)
		}
	}
	if topic := s.Config.Notifications.SNSTopicARN; topic != "" {
		if err := s.Writer.Publish(ctx, topic, n.Subject, n.Message); err != nil {
			return fmt.Errorf("publish %q: %w", n.DetailType, err)
		}
	}
	return nil
}

// classify marks errors worth a retry as TransientError.
func classify(err error) error {
	var te *TransientError
	var be *BusyError
	var me *MalformedEventError
	if errors.As(err, &te) || errors.As(err, &be) || errors.As(err, &me) {
		return err
	}
	if isTransient(err) {
		return &TransientError{Err: err}
	}
	return err
}

// isTransient reports throttling, server errors, timeouts and state
// conflicts: what a retry can fix.
func isTransient(err error) bool {
	var status interface{ HTTPStatusCode() int }
	if errors.As(err, &status) && (status.HTTPStatusCode() >= 500 || status.HTTPStatusCode() == 429) {
		return true
	}
	var coded interface{ ErrorCode() string }
	if errors.As(err, &coded) {
		code := coded.ErrorCode()
		if strings.Contains(code, "Throttl") || slices.Contains([]string{"RequestLimitExceeded", "TooManyRequestsException", "ServiceUnavailable",
			"InternalFailure", "InternalError", "ServerException", "ProvisionedThroughputExceededException", "TransactionConflictException"}, code) {
			return true
		}
	}
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, state.ErrConflict)
}
