package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/tandem-ecs/tandem/internal/config"
	"github.com/tandem-ecs/tandem/internal/sandbox"
	"github.com/tandem-ecs/tandem/internal/stage"
)

// These tests run the real bootstrap, built with the production flags for
// this machine's architecture, under the Lambda Runtime Interface Emulator,
// against moto through the sandbox harness (internal/sandbox/README.md lists
// what the harness plays for moto). Every test also checks the invariant:
// nothing terminates an instance that runs service tasks.

var (
	moto      *sandbox.Moto
	bootstrap string
)

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	code := func() int {
		defer cancel()
		var err error
		if moto, err = sandbox.StartMoto(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "integration tests need moto_server:", err)
			return 1
		}
		defer moto.Close()
		dir, err := os.MkdirTemp("", "tandem-scaler-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		if bootstrap, err = sandbox.BuildBootstrap(ctx, "github.com/tandem-ecs/tandem/functions/scaler", dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

const cluster = "demo"

// config is the scaler's configuration on the stage: the api service
// scales on demo-api-cpu-high (+1 below 20 points above 70%, +3 beyond)
// and demo-api-cpu-low (-1).
func tandemConfig(extra string) string {
	return `{"clusters": [{"name": "demo", "pools": [{"name": "demo-asg"}], ` + extra + `
	  "services": {"api": {"minTasks": 1, "maxTasks": 12, "alarms": {
	    "demo-api-cpu-high": {"adjustmentType": "ChangeInCapacity", "steps": [{"lowerBound": 0, "upperBound": 20, "adjustment": 1}, {"lowerBound": 20, "adjustment": 3}]},
	    "demo-api-cpu-low": {"adjustmentType": "ChangeInCapacity", "steps": [{"upperBound": 0, "adjustment": -1}]}}}}}]}`
}

// c5.xlarge instances in the sandbox register 4096 CPU units and 7482
// MiB: a web task (static port 80) and two api tasks of 1024 units and
// 2048 MiB fill one to 2304 units and 4608 MiB.
var (
	web = stage.Service{Name: "web", CPU: 256, MemoryMiB: 512, HostPort: 80, Desired: 1}
	api = stage.Service{Name: "api", CPU: 1024, MemoryMiB: 2048, HostPort: 0, Desired: 2}
)

func start(t *testing.T, spec stage.Spec) *stage.Stage {
	t.Helper()
	ctx := t.Context()
	if err := moto.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if spec.Cluster == "" {
		spec.Cluster = cluster
	}
	if spec.Pool.Name == "" {
		spec.Pool = sandbox.Pool{Name: "demo-asg", Cluster: spec.Cluster, MinSize: 1, MaxSize: 4, Desired: 1, TerminationHook: config.TerminationHook}
	}
	if spec.Services == nil {
		spec.Services = []stage.Service{web, api}
	}
	if spec.Config == "" {
		spec.Config = tandemConfig("")
	}
	st, err := stage.Start(ctx, moto.Endpoint(), bootstrap, spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if v := st.SB.Violations(); len(v) > 0 {
			t.Errorf("instances terminated while they ran service tasks: %v", v)
		}
		if t.Failed() {
			for i, fn := range st.Functions {
				t.Logf("function %d logs:\n%s", i, fn.Logs())
			}
		}
		st.Close()
	})
	return st
}

// invoke runs the scaler and fails the test on a handler error.
func invoke(t *testing.T, st *stage.Stage, payload []byte) map[string]any {
	t.Helper()
	if _, err := st.Invoke(t.Context(), payload); err != nil {
		t.Fatalf("the scaler failed: %v", err)
	}
	d, err := st.Decision(0)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// writes returns the scaling writes (to ECS, Auto Scaling, EventBridge
// and SNS; not the state table's) since the call log had n entries, and
// the new length.
func writes(st *stage.Stage, from int) ([]string, int) {
	calls := st.SB.Calls()
	var out []string
	for _, c := range calls[from:] {
		switch c.Service {
		case "ecs", "autoscaling", "events", "sns":
			out = append(out, c.Operation)
		}
	}
	return out, len(calls)
}

func desiredCapacity(t *testing.T, st *stage.Stage, pool string) int32 {
	t.Helper()
	out, err := st.ASG.DescribeAutoScalingGroups(t.Context(), &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{pool}})
	if err != nil || len(out.AutoScalingGroups) != 1 {
		t.Fatalf("describe %s: %v", pool, err)
	}
	return aws.ToInt32(out.AutoScalingGroups[0].DesiredCapacity)
}

func desiredCount(t *testing.T, st *stage.Stage, service string) int32 {
	t.Helper()
	out, err := st.ECS.DescribeServices(t.Context(), &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: []string{service}})
	if err != nil || len(out.Services) != 1 {
		t.Fatalf("describe %s: %v", service, err)
	}
	return out.Services[0].DesiredCount
}

func step(t *testing.T, st *stage.Stage, n int) {
	t.Helper()
	for range n {
		if err := st.Step(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
}

func TestHighAlarmScalesServiceAndPoolInOneInvocation(t *testing.T) {
	st := start(t, stage.Spec{})
	alarm, err := st.Alarm(t.Context(), "demo-api-cpu-high", "api", "95", 70, "ALARM")
	if err != nil {
		t.Fatal(err)
	}
	_, n := writes(st, 0)
	invoke(t, st, alarm)
	got, _ := writes(st, n)
	// 95 is 25 above 70: +3, api 2 → 5. One fits the instance; two more
	// need a new one: the pool first, then the service.
	want := []string{"SetInstanceProtection", "SetDesiredCapacity", "UpdateService"}
	if !slices.Equal(withoutProtection(got), withoutProtection(want)) || !before(got, "SetDesiredCapacity", "UpdateService") {
		t.Errorf("writes %v, want the pool raised, then the service", got)
	}
	if d, c := desiredCapacity(t, st, "demo-asg"), desiredCount(t, st, "api"); d != 2 || c != 5 {
		t.Errorf("pool %d, api %d; want 2 and 5", d, c)
	}
	step(t, st, 2)
	if s, _ := st.SB.Service(cluster, "api"); s.Running != 5 {
		t.Errorf("api runs %d tasks after the instance registered, want 5 (%s)", s.Running, s.Reason)
	}
}

func withoutProtection(ops []string) []string {
	return slices.DeleteFunc(slices.Clone(ops), func(op string) bool { return op == "SetInstanceProtection" })
}

func before(ops []string, a, b string) bool {
	i, j := slices.Index(ops, a), slices.Index(ops, b)
	return i >= 0 && j >= 0 && i < j
}

func TestPlacementFailureRaisesThePool(t *testing.T) {
	st := start(t, stage.Spec{})
	if err := st.SetDesired(t.Context(), "web", 2); err != nil {
		t.Fatal(err)
	}
	step(t, st, 1) // the second web task finds port 80 taken: ECS reports it
	ev, ok := st.SB.PlacementFailureEvent(cluster, "web")
	if !ok {
		t.Fatal("the harness did not report the placement failure")
	}
	invoke(t, st, ev.JSON())
	if d := desiredCapacity(t, st, "demo-asg"); d != 2 {
		t.Errorf("pool at %d, want 2", d)
	}
	step(t, st, 2)
	if s, _ := st.SB.Service(cluster, "web"); s.Running != 2 {
		t.Errorf("web runs %d tasks, want 2", s.Running)
	}
}

func TestStaticPortRollingDeployGetsItsSurgeInstance(t *testing.T) {
	st := start(t, stage.Spec{Services: []stage.Service{web}})
	if err := st.Deploy(t.Context(), "web"); err != nil {
		t.Fatal(err)
	}
	step(t, st, 1) // the new revision cannot start: port 80 is taken
	if _, err := st.Deliver(t.Context()); err != nil {
		t.Fatal(err)
	}
	if d := desiredCapacity(t, st, "demo-asg"); d != 2 {
		t.Fatalf("pool at %d, want 2: exactly the instance the rollout needs", d)
	}
	step(t, st, 3)
	s, _ := st.SB.Service(cluster, "web")
	if len(s.Deployments) != 1 || s.Deployments[0].RolloutState != "COMPLETED" {
		t.Errorf("deployments %+v, want the new revision completed", s.Deployments)
	}
}

func TestPoolAtMaximumSendsOneShortageNotification(t *testing.T) {
	st := start(t, stage.Spec{Pool: sandbox.Pool{Name: "demo-asg", Cluster: cluster, MinSize: 1, MaxSize: 1, Desired: 1}})
	if err := st.SetDesired(t.Context(), "web", 3); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		invoke(t, st, st.Schedule())
	}
	notes, err := st.Notifications(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 1 || notes[0].DetailType != "Tandem Capacity Shortage" {
		t.Fatalf("notifications %+v, want one capacity shortage", notes)
	}
	var detail struct {
		Shortages []struct {
			Service, Reason, Advice string
			Count                   int
		}
	}
	if err := json.Unmarshal(notes[0].Detail, &detail); err != nil {
		t.Fatal(err)
	}
	if len(detail.Shortages) != 1 || detail.Shortages[0].Service != "web" || detail.Shortages[0].Count != 2 ||
		detail.Shortages[0].Reason != "MAX_CAPACITY" || !strings.Contains(detail.Shortages[0].Advice, "MaxSize") {
		t.Errorf("shortage %+v, want 2 web tasks, MAX_CAPACITY, with advice", detail.Shortages)
	}
}

func TestDuplicatedEventChangesNothing(t *testing.T) {
	st := start(t, stage.Spec{})
	alarm, err := st.Alarm(t.Context(), "demo-api-cpu-high", "api", "80", 70, "ALARM")
	if err != nil {
		t.Fatal(err)
	}
	invoke(t, st, alarm)
	_, n := writes(st, 0)
	d := invoke(t, st, alarm)
	if got, _ := writes(st, n); len(got) != 0 || d["outcome"] != "duplicate" {
		t.Errorf("second delivery wrote %v (outcome %v), want nothing", got, d["outcome"])
	}
	if c := desiredCount(t, st, "api"); c != 3 {
		t.Errorf("api at %d, want 3: the +1 step applied once", c)
	}
}

func TestTwoInvocationsAtOnceScaleOnce(t *testing.T) {
	st := start(t, stage.Spec{Functions: 2})
	if err := st.SetDesired(t.Context(), "web", 3); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = st.Functions[i].Invoke(t.Context(), st.Schedule())
		}()
	}
	wg.Wait()
	for i := range 2 {
		if errs[i] != nil {
			t.Fatalf("invocation %d: %v", i, errs[i])
		}
	}
	raises := 0
	for _, c := range st.SB.Calls() {
		if c.Operation == "SetDesiredCapacity" {
			raises++
		}
	}
	if d := desiredCapacity(t, st, "demo-asg"); d != 3 || raises != 1 {
		t.Errorf("pool at %d after %d raises, want 3 after one", d, raises)
	}
}

func TestMalformedEventReturnsAClearErrorAndWritesNothing(t *testing.T) {
	st := start(t, stage.Spec{})
	_, n := writes(st, 0)
	_, err := st.Invoke(t.Context(), []byte(`{"source": "aws.ecs", "detail-type": "ECS Task State Change", "detail": {"taskArn": "t"}}`))
	var fe *sandbox.FunctionError
	if !errors.As(err, &fe) || fe.Type != "MalformedEventError" || !strings.Contains(fe.Message, "clusterArn") {
		t.Errorf("error %v, want a MalformedEventError naming the missing field", err)
	}
	if got, _ := writes(st, n); len(got) != 0 {
		t.Errorf("writes %v, want none", got)
	}
}

// scaleInConfig drains after 1 s.
var scaleInConfig = tandemConfig(`"scaleIn": {"delay": "1s", "disruptionBudget": "1"},`)

func TestEmptyInstancesAreDrainedAndTerminatedWithDecrement(t *testing.T) {
	st := start(t, stage.Spec{Config: scaleInConfig, Pool: sandbox.Pool{Name: "demo-asg", Cluster: cluster, MinSize: 1, MaxSize: 4, Desired: 3}})
	invoke(t, st, st.Schedule()) // the scale-in timer starts
	time.Sleep(1100 * time.Millisecond)
	invoke(t, st, st.Schedule()) // two empty instances drain
	step(t, st, 1)
	invoke(t, st, st.Schedule()) // empty and draining: terminate
	terminated := 0
	for _, c := range st.SB.Calls() {
		if c.Operation == "TerminateInstanceInAutoScalingGroup" {
			terminated++
			if c.Params["ShouldDecrementDesiredCapacity"] != "true" {
				t.Errorf("termination %v without decrement", c.Params)
			}
		}
	}
	if terminated != 2 || desiredCapacity(t, st, "demo-asg") != 1 {
		t.Errorf("%d terminations, pool at %d; want 2 and 1", terminated, desiredCapacity(t, st, "demo-asg"))
	}
}

func TestConsolidationMovesTasksThenTerminates(t *testing.T) {
	// Two instances: web and two api tasks spread over both; all fit one.
	st := start(t, stage.Spec{Config: scaleInConfig, Pool: sandbox.Pool{Name: "demo-asg", Cluster: cluster, MinSize: 1, MaxSize: 4, Desired: 2},
		Services: []stage.Service{{Name: "api", CPU: 512, MemoryMiB: 1024, Desired: 2}}})
	invoke(t, st, st.Schedule())
	time.Sleep(1100 * time.Millisecond)
	invoke(t, st, st.Schedule()) // one instance drains
	drained := false
	for _, c := range st.SB.Calls() {
		drained = drained || c.Operation == "UpdateContainerInstancesState" && c.Params["status"] == "DRAINING"
	}
	if !drained {
		t.Fatalf("no drain: calls %v", st.SB.Calls())
	}
	step(t, st, 2)               // ECS moves the task
	invoke(t, st, st.Schedule()) // now empty: terminate
	if d := desiredCapacity(t, st, "demo-asg"); d != 1 {
		t.Errorf("pool at %d, want 1", d)
	}
	step(t, st, 1)
	if s, _ := st.SB.Service(cluster, "api"); s.Running != 2 {
		t.Errorf("api runs %d tasks, want 2 after the move", s.Running)
	}
}

func TestLifecycleHookCompletesOnlyAfterTheTasksLeft(t *testing.T) {
	st := start(t, stage.Spec{Pool: sandbox.Pool{Name: "demo-asg", Cluster: cluster, MinSize: 1, MaxSize: 4, Desired: 2, TerminationHook: config.TerminationHook},
		Services: []stage.Service{{Name: "api", CPU: 512, MemoryMiB: 1024, Desired: 2}}})
	invoke(t, st, st.Schedule()) // protect the busy instances
	out, err := st.ASG.DescribeAutoScalingGroups(t.Context(), &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"demo-asg"}})
	if err != nil {
		t.Fatal(err)
	}
	var busy string
	for _, inst := range out.AutoScalingGroups[0].Instances {
		if aws.ToBool(inst.ProtectedFromScaleIn) {
			busy = aws.ToString(inst.InstanceId)
		}
	}
	if busy == "" {
		t.Fatal("no instance protected")
	}
	ev, err := st.SB.BeginTermination(t.Context(), busy) // someone else terminates it
	if err != nil {
		t.Fatal(err)
	}
	invoke(t, st, ev.JSON())
	if len(st.SB.LifecycleActions()) != 0 {
		t.Fatalf("lifecycle action completed at once: %+v", st.SB.LifecycleActions())
	}
	step(t, st, 2) // ECS moves the tasks off the draining instance
	invoke(t, st, st.Schedule())
	acts := st.SB.LifecycleActions()
	if len(acts) == 0 || acts[len(acts)-1].Operation != "CompleteLifecycleAction" {
		t.Errorf("lifecycle actions %+v, want the hook completed once the instance is empty", acts)
	}
}

func TestProtectionIsSetOnBusyInstancesAndRemovedAfterDraining(t *testing.T) {
	st := start(t, stage.Spec{Config: scaleInConfig, Pool: sandbox.Pool{Name: "demo-asg", Cluster: cluster, MinSize: 1, MaxSize: 4, Desired: 2},
		Services: []stage.Service{{Name: "api", CPU: 512, MemoryMiB: 1024, Desired: 2}}})
	invoke(t, st, st.Schedule())
	var protect, unprotect []string
	for _, c := range st.SB.Calls() {
		if c.Operation == "SetInstanceProtection" && c.Params["ProtectedFromScaleIn"] == "true" {
			protect = append(protect, c.Params["InstanceIds.member.1"])
		}
	}
	if len(protect) == 0 {
		t.Fatalf("busy instances not protected: %v", st.SB.Calls())
	}
	time.Sleep(1100 * time.Millisecond)
	invoke(t, st, st.Schedule())
	step(t, st, 2)
	invoke(t, st, st.Schedule())
	calls := st.SB.Calls()
	for i, c := range calls {
		if c.Operation == "SetInstanceProtection" && c.Params["ProtectedFromScaleIn"] == "false" {
			unprotect = append(unprotect, c.Params["InstanceIds.member.1"])
			if i+1 >= len(calls) || calls[i+1].Operation != "TerminateInstanceInAutoScalingGroup" {
				t.Errorf("protection removed without the termination right after: %v", calls[i:])
			}
		}
	}
	if len(unprotect) != 1 {
		t.Errorf("protection removed from %v, want exactly the drained instance", unprotect)
	}
}
