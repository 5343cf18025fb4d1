package sandbox

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/google/go-cmp/cmp"
)

// A service with a static host port runs one task per instance; the rest
// stays unplaced with RESOURCE:PORTS, as in ECS.
func TestSchedulerStaticPortOnePerInstance(t *testing.T) {
	e := newEnv(t)
	e.createCluster(t, "c")
	e.createPool(t, Pool{Name: "p", Cluster: "c", MinSize: 2, MaxSize: 4, Desired: 2})
	e.createService(t, "c", "web", e.taskDef(t, "web", 256, 512, 80), 3, 100, 200)
	e.createService(t, "c", "other", e.taskDef(t, "other", 128, 128, 0), 1, 100, 200)
	e.step(t, 1)

	byInstance := e.tasksByInstance(t, "c", "web")
	for _, id := range e.instances(t, "p") {
		if n := len(byInstance[id]); n != 1 {
			t.Errorf("instance %s runs %d web tasks, want 1", id, n)
		}
	}
	got, _ := e.sb.Service("c", "web")
	if got.Running != 2 || got.Unplaced != 1 || got.Reason != ReasonPorts {
		t.Errorf("web: running %d, unplaced %d, reason %q; want 2, 1, %s", got.Running, got.Unplaced, got.Reason, ReasonPorts)
	}

	// DescribeServices through the proxy shows the scheduler's counts.
	out, err := e.ecs.DescribeServices(e.ctx, &ecs.DescribeServicesInput{Cluster: aws.String("c"), Services: []string{"web"}})
	if err != nil {
		t.Fatal(err)
	}
	svc := out.Services[0]
	if svc.RunningCount != 2 || svc.DesiredCount != 3 || svc.PendingCount != 0 || len(svc.Deployments) != 1 {
		t.Errorf("DescribeServices: running %d desired %d pending %d deployments %d; want 2 3 0 1", svc.RunningCount, svc.DesiredCount, svc.PendingCount, len(svc.Deployments))
	}
	if d := svc.Deployments[0]; aws.ToString(d.Status) != "PRIMARY" || d.RolloutState != ecstypes.DeploymentRolloutStateInProgress || d.RunningCount != 2 {
		t.Errorf("deployment = %s %s running %d, want PRIMARY IN_PROGRESS running 2", aws.ToString(d.Status), d.RolloutState, d.RunningCount)
	}
	if len(svc.Events) != 1 {
		t.Errorf("service events = %d, want 1 unable-to-place message", len(svc.Events))
	}
	if dc := svc.DeploymentConfiguration; dc == nil || aws.ToInt32(dc.MaximumPercent) != 200 || aws.ToInt32(dc.MinimumHealthyPercent) != 100 {
		t.Errorf("deploymentConfiguration = %+v, want 200/100 as created", dc)
	}

	// ListTasks by serviceName, which moto ignores.
	list, err := e.ecs.ListTasks(e.ctx, &ecs.ListTasksInput{Cluster: aws.String("c"), ServiceName: aws.String("web")})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.TaskArns) != 2 {
		t.Errorf("ListTasks(serviceName=web) = %d tasks, want 2", len(list.TaskArns))
	}

	// The failure is an event, once, and on request.
	var failures []ServiceActionDetail
	for _, ev := range e.sb.TakeEvents() {
		if d, ok := ev.Detail.(ServiceActionDetail); ok {
			failures = append(failures, d)
		}
	}
	if len(failures) != 1 || failures[0].Reason != ReasonPorts || failures[0].EventName != "SERVICE_TASK_PLACEMENT_FAILURE" {
		t.Errorf("placement failure events = %+v, want one RESOURCE:PORTS", failures)
	}
	e.step(t, 1)
	if n := len(eventNames(e.sb.TakeEvents())); n != 0 {
		t.Errorf("a second Step with the same failure queued %d events, want 0", n)
	}
	ev, ok := e.sb.PlacementFailureEvent("c", "web")
	if !ok {
		t.Fatal("PlacementFailureEvent: none")
	}
	var decoded map[string]any
	if err := json.Unmarshal(ev.JSON(), &decoded); err != nil {
		t.Fatal(err)
	}
	if decoded["detail-type"] != "ECS Service Action" || decoded["source"] != "aws.ecs" {
		t.Errorf("event = %s", ev.JSON())
	}
}

// The field report's stuck deploy: a static-port service on one instance
// cannot start its new revision next to the old one; a second instance
// lets the rollout finish.
func TestRollingDeployStuckUntilSecondInstance(t *testing.T) {
	e := newEnv(t)
	e.createCluster(t, "c")
	e.createPool(t, Pool{Name: "p", Cluster: "c", MinSize: 1, MaxSize: 2, Desired: 1})
	v1 := e.taskDef(t, "web", 256, 512, 80)
	e.createService(t, "c", "web", v1, 1, 100, 200)
	e.step(t, 1)
	v2 := e.taskDef(t, "web", 256, 512, 80)
	if _, err := e.ecs.UpdateService(e.ctx, &ecs.UpdateServiceInput{Cluster: aws.String("c"), Service: aws.String("web"), TaskDefinition: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	e.step(t, 3)

	type dep struct {
		Status, TaskDef, Rollout string
		Running                  int32
	}
	describe := func() []dep {
		t.Helper()
		out, err := e.ecs.DescribeServices(e.ctx, &ecs.DescribeServicesInput{Cluster: aws.String("c"), Services: []string{"web"}})
		if err != nil {
			t.Fatal(err)
		}
		var deps []dep
		for _, d := range out.Services[0].Deployments {
			deps = append(deps, dep{aws.ToString(d.Status), aws.ToString(d.TaskDefinition), string(d.RolloutState), d.RunningCount})
		}
		return deps
	}
	want := []dep{{"PRIMARY", v2, "IN_PROGRESS", 0}, {"ACTIVE", v1, "COMPLETED", 1}}
	if diff := cmp.Diff(want, describe()); diff != "" {
		t.Errorf("stuck deployment (-want +got):\n%s", diff)
	}
	if got, _ := e.sb.Service("c", "web"); got.Reason != ReasonPorts {
		t.Errorf("unplaced reason = %q, want %s", got.Reason, ReasonPorts)
	}

	if _, err := e.asg.SetDesiredCapacity(e.ctx, &autoscaling.SetDesiredCapacityInput{AutoScalingGroupName: aws.String("p"), DesiredCapacity: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	e.step(t, 1)
	want = []dep{{"PRIMARY", v2, "COMPLETED", 1}}
	if diff := cmp.Diff(want, describe()); diff != "" {
		t.Errorf("after a second instance (-want +got):\n%s", diff)
	}
	var got []string
	for _, n := range eventNames(e.sb.TakeEvents()) {
		if n != "SERVICE_TASK_PLACEMENT_FAILURE "+ReasonPorts {
			got = append(got, n)
		}
	}
	wantEvents := []string{"SERVICE_DEPLOYMENT_IN_PROGRESS", "SERVICE_DEPLOYMENT_COMPLETED", "SERVICE_DEPLOYMENT_IN_PROGRESS", "SERVICE_DEPLOYMENT_COMPLETED"}
	if diff := cmp.Diff(wantEvents, got); diff != "" {
		t.Errorf("deployment events (-want +got):\n%s", diff)
	}
}

// Draining an instance moves its service tasks elsewhere (replacements first,
// within maximumPercent) and stops its daemon task once it is otherwise empty.
func TestDrainingMovesTasks(t *testing.T) {
	e := newEnv(t)
	e.createCluster(t, "c")
	e.createPool(t, Pool{Name: "p", Cluster: "c", MinSize: 2, MaxSize: 2, Desired: 2})
	e.createService(t, "c", "web", e.taskDef(t, "web", 512, 512, -1), 4, 100, 200)
	_, err := e.ecs.CreateService(e.ctx, &ecs.CreateServiceInput{
		Cluster: aws.String("c"), ServiceName: aws.String("logs"), TaskDefinition: aws.String(e.taskDef(t, "logs", 64, 64, -1)),
		SchedulingStrategy: ecstypes.SchedulingStrategyDaemon, LaunchType: ecstypes.LaunchTypeEc2,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.step(t, 1)
	ids := e.instances(t, "p")
	counts := func(service string) []int {
		by := e.tasksByInstance(t, "c", service)
		return []int{len(by[ids[0]]), len(by[ids[1]])}
	}
	if diff := cmp.Diff([]int{2, 2}, counts("web")); diff != "" {
		t.Errorf("web spread (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{1, 1}, counts("logs")); diff != "" {
		t.Errorf("daemon tasks (-want +got):\n%s", diff)
	}

	ci, err := e.sb.ContainerInstanceARN(e.ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.ecs.UpdateContainerInstancesState(e.ctx, &ecs.UpdateContainerInstancesStateInput{
		Cluster: aws.String("c"), ContainerInstances: []string{ci}, Status: ecstypes.ContainerInstanceStatusDraining,
	}); err != nil {
		t.Fatal(err)
	}
	e.step(t, 1)
	if diff := cmp.Diff([]int{0, 4}, counts("web")); diff != "" {
		t.Errorf("web after draining %s (-want +got):\n%s", ids[0], diff)
	}
	if diff := cmp.Diff([]int{0, 1}, counts("logs")); diff != "" {
		t.Errorf("daemon after draining (-want +got):\n%s", diff)
	}
	draining, err := e.ecs.ListContainerInstances(e.ctx, &ecs.ListContainerInstancesInput{Cluster: aws.String("c"), Status: ecstypes.ContainerInstanceStatusDraining})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(draining.ContainerInstanceArns, []string{ci}) {
		t.Errorf("ListContainerInstances(DRAINING) = %v, want [%s]", draining.ContainerInstanceArns, ci)
	}
}

// How a static-port rollout proceeds under each deployment configuration
// (service_definition_parameters.md): the number of Steps until the new
// revision alone runs desired tasks, or 0 when it stays stuck.
func TestRolloutSemantics(t *testing.T) {
	tests := []struct {
		name               string
		desired, instances int32
		minPct, maxPct     int32
		wantSteps          int
	}{
		{"min 100 max 200, no spare instance: stuck", 1, 1, 100, 200, 0},
		{"min 0 max 100: stop first, one step", 1, 1, 0, 100, 1},
		{"min 50 max 100: half at a time", 2, 2, 50, 100, 2},
		{"min 100 max 200 with a spare instance", 1, 2, 100, 200, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.createCluster(t, "c")
			e.createPool(t, Pool{Name: "p", Cluster: "c", MinSize: tt.instances, MaxSize: tt.instances, Desired: tt.instances})
			e.createService(t, "c", "web", e.taskDef(t, "web", 256, 256, 80), tt.desired, tt.minPct, tt.maxPct)
			e.step(t, 1)
			v2 := e.taskDef(t, "web", 256, 256, 80)
			if _, err := e.ecs.UpdateService(e.ctx, &ecs.UpdateServiceInput{Cluster: aws.String("c"), Service: aws.String("web"), TaskDefinition: aws.String(v2)}); err != nil {
				t.Fatal(err)
			}
			got := 0
			for step := 1; step <= 4 && got == 0; step++ {
				e.step(t, 1)
				st, _ := e.sb.Service("c", "web")
				if len(st.Deployments) == 1 && st.Deployments[0].RolloutState == "COMPLETED" && st.Running == int(tt.desired) {
					got = step
				}
				if st.Running < int(tt.desired)*int(tt.minPct)/100 {
					t.Errorf("step %d: %d tasks running, below minimumHealthyPercent %d of %d", step, st.Running, tt.minPct, tt.desired)
				}
			}
			if got != tt.wantSteps {
				t.Errorf("rollout completed after %d steps, want %d (0 = stuck)", got, tt.wantSteps)
			}
		})
	}
}
