package sandbox

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// A termination tandem did not start: the instance waits in
// Terminating:Wait until CompleteLifecycleAction, which the proxy records
// and acts on.
func TestCompleteLifecycleActionTerminates(t *testing.T) {
	e := newEnv(t)
	e.createCluster(t, "c")
	e.createPool(t, Pool{Name: "p", Cluster: "c", MinSize: 0, MaxSize: 2, Desired: 2, TerminationHook: "drain"})
	e.step(t, 1)
	ids := e.instances(t, "p")
	victim := ids[0]

	ev, err := e.sb.BeginTermination(e.ctx, victim)
	if err != nil {
		t.Fatal(err)
	}
	d := ev.Detail.(LifecycleDetail)
	if ev.DetailType != DetailTerminateLifecycleAction || d.EC2InstanceID != victim || d.LifecycleHookName != "drain" ||
		d.LifecycleTransition != "autoscaling:EC2_INSTANCE_TERMINATING" || d.AutoScalingGroupName != "p" {
		t.Errorf("lifecycle event = %s", ev.JSON())
	}
	states := func() map[string]string {
		t.Helper()
		out, err := e.asg.DescribeAutoScalingGroups(e.ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"p"}})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, in := range out.AutoScalingGroups[0].Instances {
			m[aws.ToString(in.InstanceId)] = string(in.LifecycleState)
		}
		return m
	}
	if diff := cmp.Diff(map[string]string{victim: "Terminating:Wait", ids[1]: "InService"}, states()); diff != "" {
		t.Errorf("lifecycle states while waiting (-want +got):\n%s", diff)
	}

	if _, err := e.asg.RecordLifecycleActionHeartbeat(e.ctx, &autoscaling.RecordLifecycleActionHeartbeatInput{
		AutoScalingGroupName: aws.String("p"), LifecycleHookName: aws.String("drain"), InstanceId: aws.String(victim),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.asg.CompleteLifecycleAction(e.ctx, &autoscaling.CompleteLifecycleActionInput{
		AutoScalingGroupName: aws.String("p"), LifecycleHookName: aws.String("drain"),
		LifecycleActionToken: aws.String(d.LifecycleActionToken), LifecycleActionResult: aws.String("CONTINUE"),
	}); err != nil {
		t.Fatal(err)
	}
	want := []LifecycleAction{
		{Operation: "RecordLifecycleActionHeartbeat", GroupName: "p", HookName: "drain", InstanceID: victim, Token: d.LifecycleActionToken, Accepted: true},
		{Operation: "CompleteLifecycleAction", GroupName: "p", HookName: "drain", InstanceID: victim, Token: d.LifecycleActionToken, Result: "CONTINUE", Accepted: true},
	}
	if diff := cmp.Diff(want, e.sb.LifecycleActions(), cmpopts.IgnoreFields(LifecycleAction{}, "Time")); diff != "" {
		t.Errorf("lifecycle actions (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{ids[1]: "InService"}, states()); diff != "" {
		t.Errorf("lifecycle states after completion (-want +got):\n%s", diff)
	}
	inst, err := ec2.NewFromConfig(e.sb.Config()).DescribeInstances(e.ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{victim}})
	if err != nil {
		t.Fatal(err)
	}
	if s := inst.Reservations[0].Instances[0].State.Name; s != "terminated" {
		t.Errorf("EC2 state of %s = %s, want terminated", victim, s)
	}
	if ci, err := e.sb.ContainerInstanceARN(e.ctx, victim); err != nil || ci != "" {
		t.Errorf("container instance of %s = %q, %v; want deregistered", victim, ci, err)
	}
	if v := e.sb.Violations(); len(v) != 0 {
		t.Errorf("violations = %v, want none: the instance was empty", v)
	}

	// A second completion has nothing to complete: ValidationError, as AWS.
	_, err = e.asg.CompleteLifecycleAction(e.ctx, &autoscaling.CompleteLifecycleActionInput{
		AutoScalingGroupName: aws.String("p"), LifecycleHookName: aws.String("drain"),
		InstanceId: aws.String(victim), LifecycleActionResult: aws.String("CONTINUE"),
	})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ValidationError" {
		t.Errorf("second CompleteLifecycleAction: %v, want ValidationError", err)
	}
}

// Terminating an instance that runs service tasks is a violation, whichever
// call does it; daemon tasks do not count.
func TestViolationCheckerFlagsBusyInstances(t *testing.T) {
	e := newEnv(t)
	e.createCluster(t, "c")
	e.createPool(t, Pool{Name: "p", Cluster: "c", MinSize: 0, MaxSize: 3, Desired: 3, TerminationHook: "drain"})
	e.createService(t, "c", "web", e.taskDef(t, "web", 256, 256, 80), 1, 100, 200)
	e.step(t, 1)
	var busy, idle []string
	by := e.tasksByInstance(t, "c", "web")
	for _, id := range e.instances(t, "p") {
		if len(by[id]) > 0 {
			busy = append(busy, id)
		} else {
			idle = append(idle, id)
		}
	}
	if len(busy) != 1 {
		t.Fatalf("web runs on %v, want one instance", busy)
	}

	if _, err := e.asg.TerminateInstanceInAutoScalingGroup(e.ctx, &autoscaling.TerminateInstanceInAutoScalingGroupInput{
		InstanceId: aws.String(idle[0]), ShouldDecrementDesiredCapacity: aws.Bool(true),
	}); err != nil {
		t.Fatal(err)
	}
	if v := e.sb.Violations(); len(v) != 0 {
		t.Fatalf("terminating an idle instance: violations %v", v)
	}
	if _, err := e.asg.TerminateInstanceInAutoScalingGroup(e.ctx, &autoscaling.TerminateInstanceInAutoScalingGroupInput{
		InstanceId: aws.String(busy[0]), ShouldDecrementDesiredCapacity: aws.Bool(true),
	}); err != nil {
		t.Fatal(err)
	}
	v := e.sb.Violations()
	if len(v) != 1 || v[0].InstanceID != busy[0] || v[0].Operation != "TerminateInstanceInAutoScalingGroup" || !cmp.Equal(v[0].Services, []string{"web"}) {
		t.Fatalf("violations = %v, want one for %s running web", v, busy[0])
	}

	// Scale-in by desired capacity: moto picks the instance; the checker
	// compares before and after.
	e.step(t, 1) // web moves to the remaining instance
	if _, err := e.asg.SetDesiredCapacity(e.ctx, &autoscaling.SetDesiredCapacityInput{AutoScalingGroupName: aws.String("p"), DesiredCapacity: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	v = e.sb.Violations()
	if len(v) != 2 || v[1].Operation != "SetDesiredCapacity" || !strings.Contains(v[1].String(), "web") {
		t.Errorf("violations = %v, want a second one from SetDesiredCapacity", v)
	}
}

// The flow tandem must follow on a lifecycle event: drain the instance, let
// the scheduler move its tasks, then complete the action. No violation.
func TestDrainThenCompleteIsSafe(t *testing.T) {
	e := newEnv(t)
	e.createCluster(t, "c")
	e.createPool(t, Pool{Name: "p", Cluster: "c", MinSize: 0, MaxSize: 2, Desired: 2, TerminationHook: "drain"})
	e.createService(t, "c", "web", e.taskDef(t, "web", 256, 256, -1), 2, 50, 200)
	e.step(t, 1)
	victim := e.instances(t, "p")[0]
	ev, err := e.sb.BeginTermination(e.ctx, victim)
	if err != nil {
		t.Fatal(err)
	}
	ci, err := e.sb.ContainerInstanceARN(e.ctx, victim)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.ecs.UpdateContainerInstancesState(e.ctx, &ecs.UpdateContainerInstancesStateInput{
		Cluster: aws.String("c"), ContainerInstances: []string{ci}, Status: ecstypes.ContainerInstanceStatusDraining,
	}); err != nil {
		t.Fatal(err)
	}
	e.step(t, 1)
	if _, err := e.asg.CompleteLifecycleAction(e.ctx, &autoscaling.CompleteLifecycleActionInput{
		AutoScalingGroupName: aws.String("p"), LifecycleHookName: aws.String("drain"),
		LifecycleActionToken: aws.String(ev.Detail.(LifecycleDetail).LifecycleActionToken), LifecycleActionResult: aws.String("CONTINUE"),
	}); err != nil {
		t.Fatal(err)
	}
	if v := e.sb.Violations(); len(v) != 0 {
		t.Errorf("violations = %v, want none after draining", v)
	}
	e.step(t, 1)
	if st, _ := e.sb.Service("c", "web"); st.Running != 2 {
		t.Errorf("web runs %d tasks after the termination, want 2", st.Running)
	}
}
