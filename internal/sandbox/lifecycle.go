package sandbox

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	asgtypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
)

// LifecycleAction is one CompleteLifecycleAction or
// RecordLifecycleActionHeartbeat call the proxy answered (moto lacks both).
type LifecycleAction struct {
	Time       time.Time
	Operation  string // CompleteLifecycleAction or RecordLifecycleActionHeartbeat
	GroupName  string
	HookName   string
	InstanceID string
	Token      string
	Result     string // CONTINUE or ABANDON; empty for heartbeats
	// Accepted is false when no lifecycle action was waiting for that
	// instance or token; the caller then got a ValidationError, as from AWS.
	Accepted bool
}

// LifecycleActions returns the lifecycle calls the proxy answered, oldest first.
func (s *Sandbox) LifecycleActions() []LifecycleAction {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]LifecycleAction(nil), s.lifecycle...)
}

// termination is an instance the harness holds in Terminating:Wait.
type termination struct {
	group, hook, instanceID, token string
}

// Violation is a break of the safety invariant: an instance was terminated
// (or about to be) while it ran tasks of a non-daemon service.
type Violation struct {
	Time       time.Time
	Operation  string // the call that terminated it
	InstanceID string
	Tasks      []string // ARNs of the service tasks still running there
	Services   []string
}

func (v Violation) String() string {
	return fmt.Sprintf("%s terminated %s while it ran %d task(s) of %s", v.Operation, v.InstanceID, len(v.Tasks), strings.Join(v.Services, ", "))
}

// Violations returns the safety violations seen so far.
func (s *Sandbox) Violations() []Violation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Violation(nil), s.violations...)
}

// BeginTermination simulates a termination tandem did not start (a scale-in
// by someone else, a rebalance): it puts the instance in Terminating:Wait
// (moto has no lifecycle hooks, so only the harness knows) and returns the
// lifecycle event EC2 Auto Scaling would send. DescribeAutoScalingGroups
// through the proxy shows the state. The instance is terminated (desired
// capacity decremented, as for a scale-in) only when CompleteLifecycleAction
// arrives. The instance's group must have an autoscaling:EC2_INSTANCE_TERMINATING
// hook.
func (s *Sandbox) BeginTermination(ctx context.Context, instanceID string) (Event, error) {
	group, err := s.groupOf(ctx, instanceID)
	if err != nil {
		return Event{}, err
	}
	hooks, err := s.asg.DescribeLifecycleHooks(ctx, &autoscaling.DescribeLifecycleHooksInput{AutoScalingGroupName: group.AutoScalingGroupName})
	if err != nil {
		return Event{}, fmt.Errorf("describe lifecycle hooks of %s: %w", aws.ToString(group.AutoScalingGroupName), err)
	}
	var hook *asgtypes.LifecycleHook
	for i, h := range hooks.LifecycleHooks {
		if aws.ToString(h.LifecycleTransition) == "autoscaling:EC2_INSTANCE_TERMINATING" {
			hook = &hooks.LifecycleHooks[i]
			break
		}
	}
	if hook == nil {
		return Event{}, fmt.Errorf("begin termination of %s: group %s has no autoscaling:EC2_INSTANCE_TERMINATING lifecycle hook", instanceID, aws.ToString(group.AutoScalingGroupName))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &termination{
		group: aws.ToString(group.AutoScalingGroupName), hook: aws.ToString(hook.LifecycleHookName),
		instanceID: instanceID, token: s.newID(),
	}
	s.waiting[instanceID] = t
	return s.newEvent(DetailTerminateLifecycleAction, "aws.autoscaling", []string{aws.ToString(group.AutoScalingGroupARN)}, LifecycleDetail{
		LifecycleActionToken: t.token, AutoScalingGroupName: t.group, LifecycleHookName: t.hook,
		EC2InstanceID: instanceID, LifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
		NotificationMetadata: aws.ToString(hook.NotificationMetadata),
		Origin:               "AutoScalingGroup", Destination: "EC2",
	}), nil
}

func (s *Sandbox) groupOf(ctx context.Context, instanceID string) (asgtypes.AutoScalingGroup, error) {
	p := autoscaling.NewDescribeAutoScalingGroupsPaginator(s.asg, &autoscaling.DescribeAutoScalingGroupsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return asgtypes.AutoScalingGroup{}, fmt.Errorf("describe auto scaling groups: %w", err)
		}
		for _, g := range page.AutoScalingGroups {
			for _, in := range g.Instances {
				if aws.ToString(in.InstanceId) == instanceID {
					return g, nil
				}
			}
		}
	}
	return asgtypes.AutoScalingGroup{}, fmt.Errorf("instance %s is in no auto scaling group", instanceID)
}

// serveLifecycleAction answers CompleteLifecycleAction and
// RecordLifecycleActionHeartbeat, which moto does not implement.
func (s *Sandbox) serveLifecycleAction(ctx context.Context, w http.ResponseWriter, req *request) {
	p := req.params
	a := LifecycleAction{
		Time: req.start, Operation: req.op, GroupName: p["AutoScalingGroupName"], HookName: p["LifecycleHookName"],
		InstanceID: p["InstanceId"], Token: p["LifecycleActionToken"], Result: p["LifecycleActionResult"],
	}
	s.mu.Lock()
	t := s.findWaitingLocked(a)
	a.Accepted = t != nil
	if t != nil {
		a.InstanceID, a.Token = t.instanceID, t.token
	}
	s.lifecycle = append(s.lifecycle, a)
	if t != nil && req.op == "CompleteLifecycleAction" {
		delete(s.waiting, t.instanceID)
	}
	s.mu.Unlock()

	if t == nil {
		id := a.InstanceID
		if id == "" {
			id = a.Token
		}
		s.writeError(w, req, http.StatusBadRequest, "ValidationError", "No active Lifecycle Action found with instance ID "+id)
		return
	}
	if req.op == "CompleteLifecycleAction" {
		// For a terminating instance both CONTINUE and ABANDON let it go.
		if err := s.finishTermination(ctx, t); err != nil {
			s.writeError(w, req, http.StatusInternalServerError, "InternalFailure", err.Error())
			return
		}
	}
	s.record(req, http.StatusOK, "")
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<%[1]sResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><%[1]sResult/><ResponseMetadata><RequestId>%[2]s</RequestId></ResponseMetadata></%[1]sResponse>`, req.op, s.newID())
}

func (s *Sandbox) findWaitingLocked(a LifecycleAction) *termination {
	for _, t := range s.waiting {
		if a.GroupName != "" && a.GroupName != t.group || a.HookName != "" && a.HookName != t.hook {
			continue
		}
		if a.Token != "" && a.Token == t.token || a.Token == "" && a.InstanceID == t.instanceID {
			return t
		}
	}
	return nil
}

// finishTermination terminates an instance whose lifecycle action completed:
// it checks the safety invariant, terminates the instance in moto, and
// deregisters its container instance as the agent would.
func (s *Sandbox) finishTermination(ctx context.Context, t *termination) error {
	s.checkTermination(ctx, "CompleteLifecycleAction", []string{t.instanceID})
	_, err := s.asg.TerminateInstanceInAutoScalingGroup(ctx, &autoscaling.TerminateInstanceInAutoScalingGroupInput{
		InstanceId: aws.String(t.instanceID), ShouldDecrementDesiredCapacity: aws.Bool(true),
	})
	if err != nil {
		return fmt.Errorf("terminate %s after its lifecycle action: %w", t.instanceID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	w, err := s.readWorld(ctx, s.taskOrder)
	if err != nil {
		return err
	}
	return s.retireInstancesLocked(ctx, w, map[string]bool{t.instanceID: true})
}

// busyInstances maps EC2 instance ids to the non-daemon service tasks
// running on them.
func (s *Sandbox) busyInstances(ctx context.Context) (map[string][]*taskView, error) {
	s.mu.Lock()
	order := make(map[string]int, len(s.taskOrder))
	for k, v := range s.taskOrder {
		order[k] = v
	}
	s.mu.Unlock()
	w, err := s.readWorld(ctx, order)
	if err != nil {
		return nil, err
	}
	busy := map[string][]*taskView{}
	for _, c := range w.clusters {
		daemon := map[string]bool{}
		for _, svc := range c.services {
			daemon[aws.ToString(svc.ServiceName)] = svc.SchedulingStrategy == "DAEMON"
		}
		for _, in := range c.instances {
			for _, t := range in.tasks {
				if name := t.serviceName(); name != "" && !daemon[name] {
					busy[in.ec2ID] = append(busy[in.ec2ID], t)
				}
			}
		}
	}
	return busy, nil
}

// checkTermination records a Violation for each of the instances that runs
// non-daemon service tasks. A failure to read the cluster is recorded too:
// a safety check must not pass silently.
func (s *Sandbox) checkTermination(ctx context.Context, op string, instanceIDs []string) {
	busy, err := s.busyInstances(ctx)
	if err != nil {
		s.addViolation(Violation{Operation: op, Services: []string{"(safety check failed: " + err.Error() + ")"}})
		return
	}
	for _, id := range instanceIDs {
		if tasks := busy[id]; len(tasks) > 0 {
			s.addViolation(newViolation(op, id, tasks))
		}
	}
}

func newViolation(op, instanceID string, tasks []*taskView) Violation {
	v := Violation{Operation: op, InstanceID: instanceID}
	seen := map[string]bool{}
	for _, t := range tasks {
		v.Tasks = append(v.Tasks, t.arn)
		if name := t.serviceName(); !seen[name] {
			seen[name] = true
			v.Services = append(v.Services, name)
		}
	}
	sort.Strings(v.Services)
	return v
}

func (s *Sandbox) addViolation(v Violation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v.Time = s.now()
	s.violations = append(s.violations, v)
}

// asgSnapshot is a group's instances and the busy ones, before a call that
// may scale it in.
type asgSnapshot struct {
	instances map[string]bool
	busy      map[string][]*taskView
	err       error
}

func (s *Sandbox) snapshotASG(ctx context.Context, group string) *asgSnapshot {
	snap := &asgSnapshot{}
	snap.instances, snap.err = s.groupInstances(ctx, group)
	if snap.err == nil {
		snap.busy, snap.err = s.busyInstances(ctx)
	}
	return snap
}

func (s *Sandbox) groupInstances(ctx context.Context, group string) (map[string]bool, error) {
	out, err := s.asg.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{group}})
	if err != nil {
		return nil, fmt.Errorf("describe auto scaling group %s: %w", group, err)
	}
	ids := map[string]bool{}
	for _, g := range out.AutoScalingGroups {
		for _, in := range g.Instances {
			ids[aws.ToString(in.InstanceId)] = true
		}
	}
	return ids, nil
}

// rewriteAutoScaling checks scale-ins after the fact (moto picks the
// instances it terminates) and shows the harness's Terminating:Wait state.
func (s *Sandbox) rewriteAutoScaling(ctx context.Context, req *request, body []byte) ([]byte, error) {
	switch req.op {
	case "SetDesiredCapacity", "UpdateAutoScalingGroup":
		if b := req.before; b != nil {
			if b.err != nil {
				s.addViolation(Violation{Operation: req.op, Services: []string{"(safety check failed: " + b.err.Error() + ")"}})
				return nil, nil
			}
			after, err := s.groupInstances(ctx, req.params["AutoScalingGroupName"])
			if err != nil {
				s.addViolation(Violation{Operation: req.op, Services: []string{"(safety check failed: " + err.Error() + ")"}})
				return nil, nil
			}
			var gone []string
			for id := range b.instances {
				if !after[id] {
					gone = append(gone, id)
				}
			}
			sort.Strings(gone)
			for _, id := range gone {
				if tasks := b.busy[id]; len(tasks) > 0 {
					s.addViolation(newViolation(req.op, id, tasks))
				}
			}
		}
	case "DescribeAutoScalingGroups", "DescribeAutoScalingInstances":
		s.mu.Lock()
		var ids []string
		for id := range s.waiting {
			ids = append(ids, id)
		}
		s.mu.Unlock()
		for _, id := range ids {
			body = setLifecycleState(body, id, "Terminating:Wait")
		}
		return body, nil
	}
	return nil, nil
}

// setLifecycleState replaces the LifecycleState of instance id in a Query
// XML answer: in each <member> that holds <InstanceId>id</InstanceId>.
func setLifecycleState(body []byte, id, state string) []byte {
	open, close := []byte("<LifecycleState>"), []byte("</LifecycleState>")
	needle := []byte("<InstanceId>" + id + "</InstanceId>")
	var out bytes.Buffer
	rest := body
	for {
		i := bytes.Index(rest, open)
		if i < 0 {
			out.Write(rest)
			return out.Bytes()
		}
		j := bytes.Index(rest[i:], close)
		if j < 0 {
			out.Write(rest)
			return out.Bytes()
		}
		j += i
		// The enclosing member of this LifecycleState, in the whole body.
		abs := len(body) - len(rest)
		start := bytes.LastIndex(body[:abs+i], []byte("<member>"))
		end := bytes.Index(body[abs+j:], []byte("</member>"))
		inMember := start >= 0 && end >= 0 && bytes.Contains(body[start:abs+j+end], needle)
		out.Write(rest[:i+len(open)])
		if inMember {
			out.WriteString(state)
		} else {
			out.Write(rest[i+len(open) : j])
		}
		out.Write(close)
		rest = rest[j+len(close):]
	}
}
