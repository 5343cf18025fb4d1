package sandbox

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// The events decode into aws-lambda-go's types, as the Lambda will decode them.
func TestEventsDecodeAsLambdaEvents(t *testing.T) {
	e := newEnv(t)
	e.createCluster(t, "c")
	e.createPool(t, Pool{Name: "p", Cluster: "c", MinSize: 1, MaxSize: 1, Desired: 1, TerminationHook: "drain"})
	e.createService(t, "c", "web", e.taskDef(t, "web", 256, 512, 80), 2, 100, 200)
	e.step(t, 1)
	seen := map[string]int{}
	for _, ev := range e.sb.TakeEvents() {
		var cw events.CloudWatchEvent
		if err := json.Unmarshal(ev.JSON(), &cw); err != nil {
			t.Fatalf("decode %s: %v", ev.JSON(), err)
		}
		if cw.ID == "" || cw.Source != "aws.ecs" || cw.Region != Region || cw.AccountID != Account || cw.Time.IsZero() || len(cw.Resources) != 1 {
			t.Errorf("envelope of %s", ev.JSON())
		}
		seen[cw.DetailType]++
		var detail map[string]any
		if err := json.Unmarshal(cw.Detail, &detail); err != nil {
			t.Errorf("detail of %s: %v", cw.DetailType, err)
		}
	}
	want := map[string]int{
		DetailContainerInstanceStateChange: 1, // registered
		DetailTaskStateChange:              1, // one web task; the second needs port 80
		DetailServiceAction:                1, // ... and cannot be placed
		DetailDeploymentStateChange:        1, // in progress
	}
	for k, n := range want {
		if seen[k] != n {
			t.Errorf("%d %q events, want %d (all: %v)", seen[k], k, n, seen)
		}
	}

	id := e.instances(t, "p")[0]
	ev, err := e.sb.BeginTermination(e.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var asg events.AutoScalingEvent
	if err := json.Unmarshal(ev.JSON(), &asg); err != nil {
		t.Fatal(err)
	}
	if asg.DetailType != "EC2 Instance-terminate Lifecycle Action" || asg.Source != "aws.autoscaling" ||
		asg.Detail["EC2InstanceId"] != id || asg.Detail["LifecycleActionToken"] == "" || asg.Detail["Origin"] != "AutoScalingGroup" {
		t.Errorf("lifecycle event = %s", ev.JSON())
	}
}
