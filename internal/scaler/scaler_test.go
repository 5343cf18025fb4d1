package scaler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tandem-ecs/tandem/internal/awsread"
	"github.com/tandem-ecs/tandem/internal/snapshot"
)

const testConfig = `{
  "stateTable": "tandem-state",
  "clusters": [{
    "name": "demo",
    "pools": [{"name": "demo-asg"}],
    "services": {
      "api": {
        "minTasks": 1, "maxTasks": 10,
        "alarms": {
          "demo-api-cpu-high": {"adjustmentType": "ChangeInCapacity",
            "steps": [{"lowerBound": 0, "upperBound": 10, "adjustment": 1}, {"lowerBound": 10, "adjustment": 3}]},
          "demo-api-cpu-low": {"adjustmentType": "ChangeInCapacity", "steps": [{"upperBound": 0, "adjustment": -1}]}
        }
      }
    }
  }]
}`

const (
	clusterARN = "arn:aws:ecs:us-east-1:123456789012:cluster/demo"
	webTD      = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:12"
	apiTD      = "arn:aws:ecs:us-east-1:123456789012:task-definition/api:5"
)

func str(s string) *string { return &s }

// demoSnapshot is a cluster of one c5.xlarge in pool demo-asg (max 4),
// running a static-port web task and two api tasks of 1024 CPU units and
// 2048 MiB each.
func demoSnapshot() *snapshot.Snapshot {
	s := &snapshot.Snapshot{
		InstanceTypes: []snapshot.InstanceTypeInfo{{InstanceType: "c5.xlarge", VCPUInfo: snapshot.VCPUInfo{DefaultVCPUs: 4},
			MemoryInfo: snapshot.MemoryInfo{SizeInMiB: 8192}, NetworkInfo: snapshot.NetworkInfo{MaximumNetworkInterfaces: 4}}},
		LaunchTemplateVersions: []snapshot.LaunchTemplateVersion{{LaunchTemplateID: "lt-demo", VersionNumber: 1, DefaultVersion: true,
			LaunchTemplateData: snapshot.LaunchTemplateData{InstanceType: "c5.xlarge"}}},
		AutoScalingGroups: []snapshot.AutoScalingGroup{{
			AutoScalingGroupName: "demo-asg", MinSize: 1, MaxSize: 4, DesiredCapacity: 1,
			LaunchTemplate:    &snapshot.LaunchTemplateSpec{LaunchTemplateID: "lt-demo", Version: "$Latest"},
			AvailabilityZones: []string{"us-east-1a", "us-east-1b"},
			Instances: []snapshot.ASGInstance{{InstanceID: "i-1", InstanceType: "c5.xlarge", AvailabilityZone: "us-east-1a",
				LifecycleState: "InService", ProtectedFromScaleIn: true}},
		}},
		TaskDefinitions: []snapshot.TaskDefinition{
			{TaskDefinitionARN: webTD, Family: "web", Revision: 12, ContainerDefinitions: []snapshot.ContainerDefinition{
				{Name: "web", CPU: 256, Memory: 512, PortMappings: []snapshot.PortMapping{{ContainerPort: 80, HostPort: 80}}}}},
			{TaskDefinitionARN: apiTD, Family: "api", Revision: 5, ContainerDefinitions: []snapshot.ContainerDefinition{
				{Name: "api", CPU: 1024, MemoryReservation: 2048, PortMappings: []snapshot.PortMapping{{ContainerPort: 8080}}}}},
		},
	}
	ports := []string{"22", "2375", "2376", "51678", "51679"}
	s.ContainerInstances = []snapshot.ContainerInstance{{
		ContainerInstanceARN: "arn:aws:ecs:us-east-1:123456789012:container-instance/demo/ci-1", EC2InstanceID: "i-1", Status: "ACTIVE",
		RegisteredResources: []snapshot.Resource{{Name: "CPU", IntegerValue: 4096}, {Name: "MEMORY", IntegerValue: 7482}, {Name: "PORTS", StringSetValue: ports}},
		RemainingResources: []snapshot.Resource{{Name: "CPU", IntegerValue: 4096 - 256 - 2048}, {Name: "MEMORY", IntegerValue: 7482 - 512 - 4096},
			{Name: "PORTS", StringSetValue: append(ports, "80")}},
		RunningTasksCount: 3,
		Attributes:        []snapshot.Attribute{{Name: "ecs.instance-type", Value: str("c5.xlarge")}, {Name: "ecs.availability-zone", Value: str("us-east-1a")}},
	}}
	for i, svc := range []struct {
		name, td string
		desired  int
	}{{"web", webTD, 1}, {"api", apiTD, 2}} {
		s.Services = append(s.Services, snapshot.Service{ServiceName: svc.name, ClusterARN: clusterARN, Status: "ACTIVE",
			DesiredCount: svc.desired, RunningCount: svc.desired, LaunchType: "EC2", TaskDefinition: svc.td,
			Deployments: []snapshot.Deployment{{ID: fmt.Sprintf("ecs-svc/%d", i), Status: "PRIMARY", TaskDefinition: svc.td, DesiredCount: svc.desired}}})
		for j := range svc.desired {
			s.Tasks = append(s.Tasks, snapshot.Task{TaskARN: fmt.Sprintf("task-%s-%d", svc.name, j), TaskDefinitionARN: svc.td,
				ContainerInstanceARN: "arn:aws:ecs:us-east-1:123456789012:container-instance/demo/ci-1", Group: "service:" + svc.name,
				StartedBy: fmt.Sprintf("ecs-svc/%d", i), LastStatus: "RUNNING", DesiredStatus: "RUNNING"})
		}
	}
	return s
}

func event(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("../../events/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestHighAlarmRaisesPoolThenService(t *testing.T) {
	h := newHarness(t, testConfig, demoSnapshot())
	res, err := h.s.Handle(t.Context(), event(t, "cloudwatch-alarm-state-change.json"))
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	// 86.25 against 70 picks the +3 step: api 2 → 5. One more api task
	// fits the instance; two need a new c5.xlarge.
	want := []string{"SetDesiredCapacity demo-asg 2", "UpdateService api 5"}
	if diff := cmp.Diff(want, h.aws.writes()); diff != "" {
		t.Errorf("writes (-want +got):\n%s", diff)
	}
	if res.Outcome != "ok" || res.Writes != 2 {
		t.Errorf("result %+v", res)
	}
	d := h.decisions(t)
	if len(d) != 1 {
		t.Fatalf("%d decision lines, want one per invocation", len(d))
	}
	for _, key := range []string{"requestId", "trigger", "clusters", "dryRun", "durationMs", "outcome"} {
		if _, ok := d[0][key]; !ok {
			t.Errorf("decision line lacks %q: %v", key, d[0])
		}
	}
	if !strings.Contains(h.metrics.String(), `"Namespace":"Tandem"`) || !strings.Contains(h.metrics.String(), `"DesiredCapacity":2`) {
		t.Errorf("metrics:\n%s", h.metrics)
	}
}

func TestDirectAlarmActionAndEventBridgeApplyOnce(t *testing.T) {
	h := newHarness(t, testConfig, demoSnapshot())
	// The same transition arrives twice: as an EventBridge event and as a
	// direct Lambda action (different envelopes, different ids).
	for _, name := range []string{"cloudwatch-alarm-state-change.json", "cloudwatch-alarm-lambda-action.json"} {
		if _, err := h.s.Handle(t.Context(), event(t, name)); err != nil {
			t.Fatalf("Handle(%s): %v", name, err)
		}
	}
	want := []string{"SetDesiredCapacity demo-asg 2", "UpdateService api 5"}
	if diff := cmp.Diff(want, h.aws.writes()); diff != "" {
		t.Errorf("writes (-want +got):\n%s", diff)
	}
}

func TestDuplicateDeliveryChangesNothing(t *testing.T) {
	h := newHarness(t, testConfig, demoSnapshot())
	payload := event(t, "ecs-service-action-placement-failure.json")
	h.aws.snap.Services[0].DesiredCount = 3 // web wants 2 more: static port 80
	for range 2 {
		if _, err := h.s.Handle(t.Context(), payload); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"SetDesiredCapacity demo-asg 3"}
	if diff := cmp.Diff(want, h.aws.writes()); diff != "" {
		t.Errorf("writes (-want +got):\n%s", diff)
	}
	d := h.decisions(t)
	if len(d) != 2 || d[1]["outcome"] != "duplicate" {
		t.Errorf("second delivery: %v, want outcome duplicate", d)
	}
}

func TestOlderTaskVersionIsIgnored(t *testing.T) {
	h := newHarness(t, testConfig, demoSnapshot())
	newer := strings.Replace(string(event(t, "ecs-task-provisioning.json")), `"version": 1`, `"version": 7`, 1)
	older := strings.Replace(string(event(t, "ecs-task-provisioning.json")), `"id": "3317b2af-7005-947d-b652-f55e762e5701"`, `"id": "other"`, 1)
	for _, p := range []string{newer, older} {
		if _, err := h.s.Handle(t.Context(), []byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	d := h.decisions(t)
	if len(d) != 2 || d[1]["outcome"] != "stale" {
		t.Errorf("decisions %v, want the older version stale", d)
	}
}

func TestMalformedEventWritesNothing(t *testing.T) {
	h := newHarness(t, testConfig, demoSnapshot())
	_, err := h.s.Handle(t.Context(), []byte(`{"source":"aws.ecs","detail-type":"ECS Task State Change","detail":{"taskArn":"x"}}`))
	var me *MalformedEventError
	if !errors.As(err, &me) {
		t.Fatalf("Handle error = %v, want *MalformedEventError", err)
	}
	if w := h.aws.writes(); len(w) != 0 {
		t.Errorf("writes %v, want none", w)
	}
	if d := h.decisions(t); len(d) != 1 || d[0]["outcome"] != "malformed" || d[0]["level"] != "ERROR" {
		t.Errorf("decision line %v, want one ERROR line with outcome malformed", d)
	}
}

func TestPlacementFailureRaisesThePool(t *testing.T) {
	h := newHarness(t, testConfig, demoSnapshot())
	h.aws.snap.Services[0].DesiredCount = 2
	if _, err := h.s.Handle(t.Context(), event(t, "ecs-service-action-placement-failure.json")); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"SetDesiredCapacity demo-asg 2"}, h.aws.writes()); diff != "" {
		t.Errorf("writes (-want +got):\n%s", diff)
	}
}

func TestLowAlarmLowersTheServiceOnly(t *testing.T) {
	h := newHarness(t, testConfig, demoSnapshot())
	payload := strings.NewReplacer("demo-api-cpu-high", "demo-api-cpu-low", `\"recentDatapoints\":[86.25]`, `\"recentDatapoints\":[12.5]`).
		Replace(string(event(t, "cloudwatch-alarm-state-change.json")))
	if _, err := h.s.Handle(t.Context(), []byte(payload)); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"UpdateService api 1"}, h.aws.writes()); diff != "" {
		t.Errorf("writes (-want +got):\n%s", diff)
	}
}

func TestScheduleReappliesAnAlarmThatStaysInAlarm(t *testing.T) {
	h := newHarness(t, testConfig, demoSnapshot())
	h.aws.snap.AutoScalingGroups[0].MaxSize = 10
	h.aws.alarms = []awsread.Alarm{{Name: "demo-api-cpu-high", ARN: "arn:alarm", State: "ALARM", Value: 75, Threshold: 70, HasValue: true}}
	schedule := event(t, "scheduled-event.json")
	if _, err := h.s.Handle(t.Context(), schedule); err != nil {
		t.Fatal(err)
	}
	h.advance(30 * time.Second) // within the 60 s scale-out cooldown
	if _, err := h.s.Handle(t.Context(), schedule); err != nil {
		t.Fatal(err)
	}
	h.advance(time.Minute)
	if _, err := h.s.Handle(t.Context(), schedule); err != nil {
		t.Fatal(err)
	}
	var updates []string
	for _, w := range h.aws.writes() {
		if strings.HasPrefix(w, "UpdateService") {
			updates = append(updates, w)
		}
	}
	if diff := cmp.Diff([]string{"UpdateService api 3", "UpdateService api 4"}, updates); diff != "" {
		t.Errorf("service updates (-want +got):\n%s", diff)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	cfg := strings.Replace(testConfig, `"name": "demo",`, `"name": "demo", "dryRun": true,`, 1)
	h := newHarness(t, cfg, demoSnapshot())
	if _, err := h.s.Handle(t.Context(), event(t, "cloudwatch-alarm-state-change.json")); err != nil {
		t.Fatal(err)
	}
	if w := h.aws.writes(); len(w) != 0 {
		t.Errorf("dry run wrote %v", w)
	}
	// The decision is logged as if it were made: api 2 → 5, the pool 1 → 2.
	d := h.decisions(t)
	if len(d) != 1 {
		t.Fatalf("%d decision lines, want 1", len(d))
	}
	var line struct {
		DryRun   bool `json:"dryRun"`
		Clusters []struct {
			Services []serviceChange `json:"services"`
			Pools    []poolChange    `json:"pools"`
			Writes   []string        `json:"writes"`
		} `json:"clusters"`
	}
	data, _ := json.Marshal(d[0])
	if err := json.Unmarshal(data, &line); err != nil || len(line.Clusters) != 1 {
		t.Fatalf("decision line %s: %v", data, err)
	}
	c := line.Clusters[0]
	if len(c.Services) != 1 || c.Services[0].Service != "api" || c.Services[0].To != 5 ||
		len(c.Pools) != 1 || c.Pools[0].To != 2 || len(c.Writes) != 0 {
		t.Errorf("dry run logged %s, want api 2 → 5 and demo-asg 1 → 2 with no writes", data)
	}
}

func TestDisabledWritesNothing(t *testing.T) {
	cfg := strings.Replace(testConfig, `"stateTable"`, `"enabled": false, "stateTable"`, 1)
	h := newHarness(t, cfg, demoSnapshot())
	if _, err := h.s.Handle(t.Context(), event(t, "cloudwatch-alarm-state-change.json")); err != nil {
		t.Fatal(err)
	}
	if w := h.aws.writes(); len(w) != 0 {
		t.Errorf("disabled tandem wrote %v", w)
	}
}

func TestShortageIsNotifiedOnce(t *testing.T) {
	h := newHarness(t, testConfig, demoSnapshot())
	h.aws.snap.AutoScalingGroups[0].MaxSize = 1
	h.aws.snap.Services[0].DesiredCount = 3 // two more static-port tasks, no room to grow
	schedule := event(t, "scheduled-event.json")
	for range 3 {
		if _, err := h.s.Handle(t.Context(), schedule); err != nil {
			t.Fatal(err)
		}
		h.advance(time.Minute)
	}
	want := []string{"PutEvents Tandem Capacity Shortage"}
	if diff := cmp.Diff(want, h.aws.writes()); diff != "" {
		t.Errorf("writes (-want +got):\n%s", diff)
	}
	h.advance(time.Hour)
	if _, err := h.s.Handle(t.Context(), schedule); err != nil {
		t.Fatal(err)
	}
	if n := len(h.aws.writes()); n != 2 {
		t.Errorf("after the repeat interval: %v, want the shortage reported again", h.aws.writes())
	}
}

func TestOOMKilledTaskIsNotified(t *testing.T) {
	cfg := strings.Replace(testConfig, `"stateTable": "tandem-state",`, `"stateTable": "tandem-state", "notifications": {"snsTopicArn": "arn:aws:sns:us-east-1:123456789012:tandem"},`, 1)
	h := newHarness(t, cfg, demoSnapshot())
	if _, err := h.s.Handle(t.Context(), event(t, "ecs-task-stopped-oom.json")); err != nil {
		t.Fatal(err)
	}
	want := []string{"PutEvents Tandem Task Out Of Memory", "Publish tandem: api of api was killed for memory"}
	if diff := cmp.Diff(want, h.aws.writes()); diff != "" {
		t.Errorf("writes (-want +got):\n%s", diff)
	}
}

func TestConcurrentInvocationsScaleOnce(t *testing.T) {
	h := newHarness(t, testConfig, demoSnapshot())
	h.aws.snap.Services[0].DesiredCount = 3 // web needs two more instances
	h.aws.readDelay = 50 * time.Millisecond
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, name := range []string{"ecs-service-action-placement-failure.json", "scheduled-event.json"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.WithValue(t.Context(), requestIDKey{}, fmt.Sprint("req-", i))
			_, errs[i] = h.s.Handle(ctx, event(t, name))
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff([]string{"SetDesiredCapacity demo-asg 3"}, h.aws.writes()); diff != "" {
		t.Errorf("writes (-want +got):\n%s", diff)
	}
}

func TestFailureBetweenPoolAndServiceIsRepairedByTheRetry(t *testing.T) {
	h := newHarness(t, testConfig, demoSnapshot())
	h.aws.failNext["UpdateService"] = &fakeAPIError{code: "ThrottlingException"}
	payload := event(t, "cloudwatch-alarm-state-change.json")
	_, err := h.s.Handle(t.Context(), payload)
	var te *TransientError
	if !errors.As(err, &te) {
		t.Fatalf("first try: error %v, want a TransientError for Lambda to retry", err)
	}
	// Lambda retries the same event: the pool write is absolute and the
	// service gets its count.
	if _, err := h.s.Handle(t.Context(), payload); err != nil {
		t.Fatalf("retry: %v", err)
	}
	want := []string{"SetDesiredCapacity demo-asg 2", "SetDesiredCapacity demo-asg 2", "UpdateService api 5"}
	if got := h.aws.writes(); !cmp.Equal(want, got) && !cmp.Equal([]string{"SetDesiredCapacity demo-asg 2", "UpdateService api 5"}, got) {
		t.Errorf("writes %v, want the pool raised and the service at 5", got)
	}
	if h.aws.snap.Services[1].DesiredCount != 5 || h.aws.snap.AutoScalingGroups[0].DesiredCapacity != 2 {
		t.Errorf("after the retry: api %d, pool %d; want 5 and 2", h.aws.snap.Services[1].DesiredCount, h.aws.snap.AutoScalingGroups[0].DesiredCapacity)
	}
}

func TestConflictingAutoscalerIsLeftAlone(t *testing.T) {
	h := newHarness(t, testConfig, demoSnapshot())
	h.aws.read.Conflicts = []awsread.Conflict{{Kind: "scalable-target", Resource: "api", Detail: "an Application Auto Scaling target scales service/demo/api"}}
	if _, err := h.s.Handle(t.Context(), event(t, "cloudwatch-alarm-state-change.json")); err != nil {
		t.Fatal(err)
	}
	want := []string{"PutEvents Tandem Scaler Conflict"}
	if diff := cmp.Diff(want, h.aws.writes()); diff != "" {
		t.Errorf("writes (-want +got):\n%s", diff)
	}
}

func TestUnregisteredInstanceStopsCountingAndIsReported(t *testing.T) {
	h := newHarness(t, testConfig, demoSnapshot())
	g := &h.aws.snap.AutoScalingGroups[0]
	g.Instances = append(g.Instances, snapshot.ASGInstance{InstanceID: "i-broken", InstanceType: "c5.xlarge", AvailabilityZone: "us-east-1b", LifecycleState: "InService"})
	g.DesiredCapacity = 2
	h.aws.read.LaunchTimes = map[string]time.Time{"i-broken": h.now.Add(-15 * time.Minute)}
	h.aws.snap.Services[0].DesiredCount = 2 // a second web task needs an instance
	if _, err := h.s.Handle(t.Context(), event(t, "scheduled-event.json")); err != nil {
		t.Fatal(err)
	}
	want := []string{"SetDesiredCapacity demo-asg 3", "PutEvents Tandem Instance Not Registered"}
	if diff := cmp.Diff(want, h.aws.writes()); diff != "" {
		t.Errorf("writes (-want +got):\n%s", diff)
	}
}

func TestSafetyCapsLimitNewInstances(t *testing.T) {
	cfg := strings.Replace(testConfig, `"pools": [{"name": "demo-asg"}],`, `"pools": [{"name": "demo-asg"}], "limits": {"maxNewInstancesPerPool": 1},`, 1)
	h := newHarness(t, cfg, demoSnapshot())
	h.aws.snap.Services[0].DesiredCount = 4 // three more static-port tasks
	if _, err := h.s.Handle(t.Context(), event(t, "scheduled-event.json")); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"SetDesiredCapacity demo-asg 2"}, h.aws.writes()); diff != "" {
		t.Errorf("writes (-want +got):\n%s", diff)
	}
}

func TestBusyClusterIsRetried(t *testing.T) {
	h := newHarness(t, testConfig, demoSnapshot())
	h.s.LockWait = 50 * time.Millisecond
	if ok, _ := h.store.Lock(t.Context(), "lock#demo", "someone", time.Hour, h.now); !ok {
		t.Fatal("could not take the lock")
	}
	_, err := h.s.Handle(t.Context(), event(t, "scheduled-event.json"))
	var be *BusyError
	if !errors.As(err, &be) {
		t.Fatalf("Handle error = %v, want *BusyError", err)
	}
}

type fakeAPIError struct{ code string }

func (e *fakeAPIError) Error() string     { return "api error " + e.code }
func (e *fakeAPIError) ErrorCode() string { return e.code }

// A notice that cannot be sent fails the invocation, but what the decision
// did is saved: the drain it started is followed to its end, and the
// event's retry sends the notice.
func TestFailedNoticeKeepsWhatTheDecisionDid(t *testing.T) {
	h := newHarness(t, testConfig, withEmptyInstance(demoSnapshot()))
	h.schedule(t) // the pool's scale-in timer starts
	h.advance(10 * time.Minute)
	h.aws.failNext["PutEvents"] = &fakeAPIError{code: "AccessDeniedException"}
	oom := event(t, "ecs-task-stopped-oom.json")
	if _, err := h.s.Handle(t.Context(), oom); err == nil {
		t.Fatal("the notice failed, but the invocation did not")
	}
	if w := h.aws.writes(); !contains(w, "UpdateContainerInstancesState arn:aws:ecs:us-east-1:123456789012:container-instance/demo/ci-2 DRAINING") {
		t.Fatalf("writes %v, want i-2 drained by the same decision", w)
	}
	if st := h.state(t); st.Instances["i-2"] == nil || st.Instances["i-2"].DrainStarted.IsZero() {
		t.Fatalf("state %+v: the drain that happened is not recorded", st.Instances)
	}
	// Lambda retries the event: neither a duplicate nor stale.
	res, err := h.s.Handle(t.Context(), oom)
	if err != nil || res.Outcome != "ok" {
		t.Fatalf("retry: %+v, %v; want it handled", res, err)
	}
	if w := h.aws.writes(); !contains(w, "PutEvents Tandem Task Out Of Memory") {
		t.Errorf("writes %v, want the notice sent by the retry", w)
	}
	h.advance(time.Minute)
	h.schedule(t)
	if w := h.aws.writes(); !contains(w, "TerminateInstanceInAutoScalingGroup i-2") {
		t.Errorf("writes %v, want the drained instance terminated", w)
	}
}

// A write that fails leaves no trace in the state: the drain tandem could
// not start is not recorded, and the next decision starts it.
func TestFailedDrainIsNotRecorded(t *testing.T) {
	h := newHarness(t, testConfig, withEmptyInstance(demoSnapshot()))
	h.schedule(t)
	h.advance(10 * time.Minute)
	h.aws.failNext["UpdateContainerInstancesState"] = &fakeAPIError{code: "ThrottlingException"}
	if _, err := h.s.Handle(t.Context(), event(t, "scheduled-event.json")); err == nil {
		t.Fatal("the drain failed, but the invocation did not")
	}
	if st := h.state(t); st.Instances["i-2"] != nil {
		t.Fatalf("state records a drain that did not happen: %+v", st.Instances["i-2"])
	}
	h.advance(time.Minute)
	h.schedule(t)
	if w := h.aws.writes(); !contains(w, "UpdateContainerInstancesState arn:aws:ecs:us-east-1:123456789012:container-instance/demo/ci-2 DRAINING") {
		t.Errorf("writes %v, want the drain made by the next decision", w)
	}
}

// One cluster that cannot be read does not keep the schedule from the
// others; the invocation still fails, for Lambda to retry.
func TestOneFailingClusterDoesNotStopTheOthers(t *testing.T) {
	cfg := strings.Replace(testConfig, `  }]
}`, `  }, {"name": "other", "pools": [{"name": "other-asg"}]}]
}`, 1)
	h := newHarness(t, cfg, demoSnapshot())
	h.aws.snap.Services[0].DesiredCount = 2 // a second web task needs an instance
	h.aws.failNext["Cluster"] = &fakeAPIError{code: "AccessDeniedException"}
	if _, err := h.s.Handle(t.Context(), event(t, "scheduled-event.json")); err == nil || !strings.Contains(err.Error(), "cluster demo") {
		t.Fatalf("Handle error %v, want the failure of cluster demo", err)
	}
	if w := h.aws.writes(); !contains(w, "SetDesiredCapacity demo-asg 2") {
		t.Errorf("writes %v, want the second cluster's decision made", w)
	}
}

// A failed scaling activity is reported once, and only when it is recent:
// a first deployment does not report weeks of old failures.
func TestFailedScalingActivityIsReportedOnceWhenRecent(t *testing.T) {
	h := newHarness(t, testConfig, demoSnapshot())
	h.aws.read.Activities = []awsread.Activity{
		{Pool: "demo-asg", ID: "old", Status: "Failed", Message: "no capacity", Start: h.now.Add(-21 * 24 * time.Hour)},
		{Pool: "demo-asg", ID: "new", Status: "Failed", Message: "no capacity", Start: h.now.Add(-2 * time.Minute)},
	}
	for range 3 {
		h.schedule(t)
		h.advance(time.Hour)
	}
	if diff := cmp.Diff([]string{"PutEvents Tandem Scaling Activity Failed"}, h.aws.writes()); diff != "" {
		t.Errorf("writes (-want +got):\n%s", diff)
	}
}
