package scaler

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tandem-ecs/tandem/internal/snapshot"
)

// withEmptyInstance adds an empty, protected c5.xlarge i-2 in us-east-1b
// to the demo pool, with MinSize 1.
func withEmptyInstance(s *snapshot.Snapshot) *snapshot.Snapshot {
	g := &s.AutoScalingGroups[0]
	g.Instances = append(g.Instances, snapshot.ASGInstance{InstanceID: "i-2", InstanceType: "c5.xlarge", AvailabilityZone: "us-east-1b",
		LifecycleState: "InService", ProtectedFromScaleIn: true})
	g.DesiredCapacity = 2
	ports := []string{"22", "2375", "2376", "51678", "51679"}
	s.ContainerInstances = append(s.ContainerInstances, snapshot.ContainerInstance{
		ContainerInstanceARN: "arn:aws:ecs:us-east-1:123456789012:container-instance/demo/ci-2", EC2InstanceID: "i-2", Status: "ACTIVE",
		RegisteredResources: []snapshot.Resource{{Name: "CPU", IntegerValue: 4096}, {Name: "MEMORY", IntegerValue: 7482}, {Name: "PORTS", StringSetValue: ports}},
		RemainingResources:  []snapshot.Resource{{Name: "CPU", IntegerValue: 4096}, {Name: "MEMORY", IntegerValue: 7482}, {Name: "PORTS", StringSetValue: ports}},
		Attributes:          []snapshot.Attribute{{Name: "ecs.instance-type", Value: str("c5.xlarge")}, {Name: "ecs.availability-zone", Value: str("us-east-1b")}},
	})
	return s
}

func (h *harness) schedule(t *testing.T) {
	t.Helper()
	if _, err := h.s.Handle(t.Context(), event(t, "scheduled-event.json")); err != nil {
		t.Fatal(err)
	}
}

func TestBusyInstancesAreProtected(t *testing.T) {
	snap := demoSnapshot()
	snap.AutoScalingGroups[0].Instances[0].ProtectedFromScaleIn = false
	h := newHarness(t, testConfig, snap)
	h.schedule(t)
	if diff := cmp.Diff([]string{"SetInstanceProtection demo-asg i-1 true"}, h.aws.writes()); diff != "" {
		t.Errorf("writes (-want +got):\n%s", diff)
	}
}

func TestEmptyInstanceIsDrainedAfterTheDelayThenTerminated(t *testing.T) {
	h := newHarness(t, testConfig, withEmptyInstance(demoSnapshot()))
	h.schedule(t) // the pool's timer starts
	h.advance(9 * time.Minute)
	h.schedule(t) // not yet
	if w := h.aws.writes(); len(w) != 0 {
		t.Fatalf("before the 10 minute delay: %v", w)
	}
	h.advance(time.Minute)
	h.schedule(t) // the delay has passed: drain
	h.advance(time.Minute)
	h.schedule(t) // empty and DRAINING: unprotect, terminate with a decrement
	want := []string{
		"UpdateContainerInstancesState arn:aws:ecs:us-east-1:123456789012:container-instance/demo/ci-2 DRAINING",
		"SetInstanceProtection demo-asg i-2 false",
		"TerminateInstanceInAutoScalingGroup i-2",
	}
	if diff := cmp.Diff(want, h.aws.writes()); diff != "" {
		t.Errorf("writes (-want +got):\n%s", diff)
	}
	if got := h.aws.snap.AutoScalingGroups[0].DesiredCapacity; got != 1 {
		t.Errorf("desired capacity %d, want 1 after the decrement", got)
	}
	h.advance(time.Minute)
	h.schedule(t)
	if n := len(h.aws.writes()); n != 3 {
		t.Errorf("at MinSize, more writes: %v", h.aws.writes())
	}
}

func TestScaleOutNeedCancelsAPendingScaleIn(t *testing.T) {
	h := newHarness(t, testConfig, withEmptyInstance(demoSnapshot()))
	h.schedule(t)
	h.advance(8 * time.Minute)
	h.aws.snap.Services[0].DesiredCount = 2 // a second web task needs i-2's port 80
	h.schedule(t)
	h.aws.snap.Services[0].DesiredCount = 1 // it goes away again
	h.advance(5 * time.Minute)
	h.schedule(t) // the timer restarted: 5 of 10 minutes
	if w := h.aws.writes(); len(w) != 0 {
		t.Errorf("writes %v, want none: the need cancelled the pending scale-in", w)
	}
}

func TestDrainedInstanceComesBackWhenCapacityIsNeeded(t *testing.T) {
	h := newHarness(t, testConfig, withEmptyInstance(demoSnapshot()))
	h.schedule(t)
	h.advance(10 * time.Minute)
	h.schedule(t) // drains i-2
	// Before it terminates, i-1 runs a task that keeps it DRAINING... here:
	// a new static-port web task arrives and needs an instance.
	h.aws.snap.ContainerInstances[1].RunningTasksCount = 1
	h.aws.snap.Tasks = append(h.aws.snap.Tasks, snapshot.Task{TaskARN: "task-x", TaskDefinitionARN: apiTD,
		ContainerInstanceARN: h.aws.snap.ContainerInstances[1].ContainerInstanceARN, Group: "service:api", StartedBy: "ecs-svc/1", LastStatus: "RUNNING", DesiredStatus: "RUNNING"})
	h.aws.snap.Services[1].DesiredCount = 3
	h.aws.snap.Services[0].DesiredCount = 2
	h.advance(time.Minute)
	h.schedule(t)
	w := h.aws.writes()
	if len(w) < 2 || w[1] != "UpdateContainerInstancesState arn:aws:ecs:us-east-1:123456789012:container-instance/demo/ci-2 ACTIVE" {
		t.Errorf("writes %v, want i-2 back to ACTIVE before anything else", w)
	}
	for _, x := range w {
		if strings.HasPrefix(x, "SetDesiredCapacity") {
			t.Errorf("writes %v: the reactivated instance should be enough", w)
		}
	}
}

func TestDrainThatTakesTooLongIsReportedAndUndone(t *testing.T) {
	cfg := strings.Replace(testConfig, `"pools": [{"name": "demo-asg"}],`, `"pools": [{"name": "demo-asg"}], "scaleIn": {"disruptionBudget": "1", "maxDrainTime": "30m"},`, 1)
	snap := withEmptyInstance(demoSnapshot())
	h := newHarness(t, cfg, snap)
	// i-2 takes one api task from i-1, so i-1 is light enough to consolidate.
	h.schedule(t)
	h.advance(10 * time.Minute)
	h.schedule(t)
	drained := h.aws.writes()
	if len(drained) != 1 || !strings.Contains(drained[0], "DRAINING") {
		t.Fatalf("writes %v, want one drain", drained)
	}
	// Pretend i-2 is busy (a task nobody moves): it stays DRAINING.
	h.aws.snap.Tasks = append(h.aws.snap.Tasks, snapshot.Task{TaskARN: "task-stuck", TaskDefinitionARN: apiTD,
		ContainerInstanceARN: h.aws.snap.ContainerInstances[1].ContainerInstanceARN, Group: "service:api", LastStatus: "RUNNING", DesiredStatus: "RUNNING"})
	h.advance(31 * time.Minute)
	h.schedule(t)
	want := []string{
		"UpdateContainerInstancesState arn:aws:ecs:us-east-1:123456789012:container-instance/demo/ci-2 ACTIVE",
		"PutEvents Tandem Drain Timeout",
	}
	got := h.aws.writes()[1:]
	for _, w := range want {
		if !contains(got, w) {
			t.Errorf("writes %v, want %q", got, w)
		}
	}
	for _, w := range got {
		if strings.HasPrefix(w, "Terminate") {
			t.Errorf("a busy instance was terminated: %v", got)
		}
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// lifecycleEvent is the termination lifecycle action of an instance.
func lifecycleEvent(t *testing.T, id, token string) []byte {
	return []byte(strings.NewReplacer("i-0f3a8506b1c2d3e4f", id, "468fb05a-0a3d-4d1b-b5e4-7c9d1a2b3c4d", "lc-"+token,
		"87654321-4321-4321-4321-210987654321", token).Replace(string(event(t, "autoscaling-terminate-lifecycle-action.json"))))
}

func TestLifecycleHookWaitsForTheTasksToLeave(t *testing.T) {
	h := newHarness(t, testConfig, demoSnapshot())
	if _, err := h.s.Handle(t.Context(), lifecycleEvent(t, "i-1", "tok-1")); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"UpdateContainerInstancesState arn:aws:ecs:us-east-1:123456789012:container-instance/demo/ci-1 DRAINING"}, h.aws.writes()); diff != "" {
		t.Fatalf("writes (-want +got):\n%s", diff)
	}
	h.advance(3 * time.Minute)
	h.schedule(t) // tasks still there: extend the hook
	if w := h.aws.writes(); !contains(w, "RecordLifecycleActionHeartbeat demo-asg i-1") || contains(w, "CompleteLifecycleAction demo-asg i-1") {
		t.Fatalf("writes %v, want a heartbeat and no completion while tasks run", w)
	}
	// ECS stops the tasks: no longer wanted, but still running while the
	// load balancer deregisters them. The hook waits for them.
	h.aws.snap.Tasks = nil
	h.advance(time.Minute)
	h.schedule(t)
	if w := h.aws.writes(); contains(w, "CompleteLifecycleAction demo-asg i-1") {
		t.Fatalf("writes %v: the hook was completed while stopping tasks still ran", w)
	}
	h.aws.snap.ContainerInstances[0].RunningTasksCount = 0 // they stopped
	h.advance(time.Minute)
	h.schedule(t)
	if w := h.aws.writes(); !contains(w, "CompleteLifecycleAction demo-asg i-1") {
		t.Errorf("writes %v, want the hook completed once the instance is empty", w)
	}
}

// A lifecycle event that waited in Lambda's queue: the hook's heartbeat
// timeout ran from the event's time, so tandem extends it at once, and the
// global timeout counts from then too.
func TestLateLifecycleEventIsExtendedAtOnce(t *testing.T) {
	h := newHarness(t, testConfig, demoSnapshot())
	h.setNow(time.Date(2026, 11, 26, 10, 23, 0, 0, time.UTC)) // the event is from 10:20:00; the hook times out at 10:25
	if _, err := h.s.Handle(t.Context(), lifecycleEvent(t, "i-1", "tok-1")); err != nil {
		t.Fatal(err)
	}
	if w := h.aws.writes(); !contains(w, "RecordLifecycleActionHeartbeat demo-asg i-1") {
		t.Errorf("writes %v, want the hook extended at once: 3 of its 5 minutes went by in the queue", w)
	}
	st := h.state(t)
	if got := st.Instances["i-1"].Hook.Started; !got.Equal(time.Date(2026, 11, 26, 10, 20, 0, 0, time.UTC)) {
		t.Errorf("hook started %v, want the event's time", got)
	}
}

func TestLifecycleHookOfAnEmptyInstanceCompletesAtOnce(t *testing.T) {
	h := newHarness(t, testConfig, withEmptyInstance(demoSnapshot()))
	if _, err := h.s.Handle(t.Context(), lifecycleEvent(t, "i-2", "tok-2")); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"CompleteLifecycleAction demo-asg i-2"}, h.aws.writes()); diff != "" {
		t.Errorf("writes (-want +got):\n%s", diff)
	}
}

func TestLifecycleHookNearItsTimeoutCompletesAndReports(t *testing.T) {
	cfg := strings.Replace(testConfig, `"pools": [{"name": "demo-asg"}],`, `"pools": [{"name": "demo-asg"}], "scaleIn": {"hookHeartbeatTimeout": "3m"},`, 1)
	h := newHarness(t, cfg, demoSnapshot())
	if _, err := h.s.Handle(t.Context(), lifecycleEvent(t, "i-1", "tok-1")); err != nil {
		t.Fatal(err)
	}
	// The global timeout is 100 heartbeat timeouts: 300 minutes. tandem
	// completes the hook one heartbeat timeout before it.
	for range 296 {
		h.advance(time.Minute)
		h.schedule(t)
	}
	if w := h.aws.writes(); contains(w, "CompleteLifecycleAction demo-asg i-1") {
		t.Fatalf("the hook was completed before its time, with tasks on the instance")
	}
	h.advance(time.Minute)
	h.schedule(t)
	w := h.aws.writes()
	if !contains(w, "CompleteLifecycleAction demo-asg i-1") || !contains(w, "PutEvents Tandem Busy Instance Terminated") {
		t.Errorf("writes %v, want the hook completed before its global timeout and a notification", w)
	}
}

func TestSpotWarningDrainsAtOnce(t *testing.T) {
	h := newHarness(t, testConfig, demoSnapshot())
	payload := strings.ReplaceAll(string(event(t, "ec2-spot-interruption-warning.json")), "i-0f3a8506b1c2d3e4f", "i-1")
	if _, err := h.s.Handle(t.Context(), []byte(payload)); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"UpdateContainerInstancesState arn:aws:ecs:us-east-1:123456789012:container-instance/demo/ci-1 DRAINING"}, h.aws.writes()); diff != "" {
		t.Errorf("writes (-want +got):\n%s", diff)
	}
}

func TestOptOutTagKeepsAnInstance(t *testing.T) {
	h := newHarness(t, testConfig, withEmptyInstance(demoSnapshot()))
	h.aws.read.InstanceTags = map[string]map[string]string{"i-2": {"tandem:scale-in": "never"}}
	for range 3 {
		h.schedule(t)
		h.advance(10 * time.Minute)
	}
	for _, w := range h.aws.writes() {
		if strings.Contains(w, "ci-2") || strings.Contains(w, "i-2 ") || strings.HasSuffix(w, "i-2") {
			t.Errorf("writes %v, want the tagged instance kept", h.aws.writes())
		}
	}
}
