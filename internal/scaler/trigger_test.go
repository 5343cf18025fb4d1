package scaler

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tandem-ecs/tandem/internal/config"
)

func intp(v int) *int { return &v }

// Every sample in events/ decodes to the trigger it stands for.
func TestDecodeSamples(t *testing.T) {
	want := map[string]Trigger{
		"cloudwatch-alarm-state-change.json": {Kind: KindAlarm, ID: "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92", DetailType: "CloudWatch Alarm State Change",
			Alarm: &AlarmChange{Name: "demo-api-cpu-high", ARN: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:demo-api-cpu-high", State: "ALARM",
				StateTime: "2026-11-26T10:05:31.014+0000", Value: 86.25, Threshold: 70, HasValue: true}},
		"cloudwatch-alarm-lambda-action.json": {Kind: KindAlarm, ID: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:demo-api-cpu-high@2026-11-26T10:05:31.014+0000",
			Alarm: &AlarmChange{Name: "demo-api-cpu-high", ARN: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:demo-api-cpu-high", State: "ALARM",
				StateTime: "2026-11-26T10:05:31.014+0000", Value: 86.25, Threshold: 70, HasValue: true}},
		"ecs-service-action-placement-failure.json": {Kind: KindPlacementFailure, ID: "ddca6449-b258-46c0-8653-e0e3a6d0468b", DetailType: "ECS Service Action",
			Cluster: "demo", Service: "web", EventName: "SERVICE_TASK_PLACEMENT_FAILURE", Reason: "RESOURCE:PORTS"},
		"ecs-service-action-steady-state.json": {Kind: KindIgnored, ID: "af3c496d-f4a8-65d1-70f4-a69d52e9b584", DetailType: "ECS Service Action",
			Reason: "service event SERVICE_STEADY_STATE needs no action"},
		"ecs-deployment-in-progress.json": {Kind: KindDeployment, ID: "ddca6449-b258-46c0-8653-e0e3a6d00011", DetailType: "ECS Deployment State Change",
			Cluster: "demo", Service: "web", EventName: "SERVICE_DEPLOYMENT_IN_PROGRESS", Reason: "ECS deployment ecs-svc/5009185396741384001 in progress."},
		"ecs-deployment-completed.json": {Kind: KindDeployment, ID: "ddca6449-b258-46c0-8653-e0e3a6d00009", DetailType: "ECS Deployment State Change",
			Cluster: "demo", Service: "web", EventName: "SERVICE_DEPLOYMENT_COMPLETED", Reason: "ECS deployment ecs-svc/5009185396741384001 completed."},
		"ecs-deployment-failed.json": {Kind: KindDeployment, ID: "ddca6449-b258-46c0-8653-e0e3a6d00006", DetailType: "ECS Deployment State Change",
			Cluster: "demo", Service: "web", EventName: "SERVICE_DEPLOYMENT_FAILED", Reason: "ECS deployment circuit breaker: task failed to start."},
		"ecs-task-stopped-oom.json": {Kind: KindTask, ID: "9bcdac79-b31f-4d3d-9410-fbd727c29fab", DetailType: "ECS Task State Change", Cluster: "demo",
			VersionKey: "arn:aws:ecs:us-east-1:123456789012:task/demo/5c1b3e1f9e2b4b8c9a0f2d6e7c8b9a01", Version: 5,
			Task: &TaskChange{ARN: "arn:aws:ecs:us-east-1:123456789012:task/demo/5c1b3e1f9e2b4b8c9a0f2d6e7c8b9a01",
				TaskDefinitionARN: "arn:aws:ecs:us-east-1:123456789012:task-definition/api:5", Group: "service:api",
				LastStatus: "STOPPED", DesiredStatus: "STOPPED", StoppedReason: "Essential container in task exited",
				ContainerInstanceARN: "arn:aws:ecs:us-east-1:123456789012:container-instance/demo/2dd1b186f39845a584488d2ef155c131",
				Containers:           []ContainerChange{{Name: "api", ExitCode: intp(137), Reason: "OutOfMemoryError: Container killed due to memory usage"}}}},
		"ecs-task-provisioning.json": {Kind: KindTask, ID: "3317b2af-7005-947d-b652-f55e762e5701", DetailType: "ECS Task State Change", Cluster: "demo",
			VersionKey: "arn:aws:ecs:us-east-1:123456789012:task/demo/c13b4cb40f1f4fe4a2971f76ae5a47ad", Version: 1,
			Task: &TaskChange{ARN: "arn:aws:ecs:us-east-1:123456789012:task/demo/c13b4cb40f1f4fe4a2971f76ae5a47ad",
				TaskDefinitionARN: "arn:aws:ecs:us-east-1:123456789012:task-definition/api:5", Group: "service:api",
				LastStatus: "PROVISIONING", DesiredStatus: "RUNNING", Containers: []ContainerChange{{Name: "api"}}}},
		"ecs-container-instance-registered.json": {Kind: KindContainerInstance, ID: "8952ba83-7be2-4ab5-9c32-6687532d15a2", DetailType: "ECS Container Instance State Change",
			Cluster: "demo", VersionKey: "arn:aws:ecs:us-east-1:123456789012:container-instance/demo/b54a2a04046f43319d743f6d7f6ca315", Version: 2,
			Instance: &InstanceChange{ARN: "arn:aws:ecs:us-east-1:123456789012:container-instance/demo/b54a2a04046f43319d743f6d7f6ca315",
				EC2InstanceID: "i-0f3a8506b1c2d3e4f", Status: "ACTIVE", AgentConnected: true}},
		"ecs-container-instance-agent-disconnected.json": {Kind: KindContainerInstance, ID: "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b", DetailType: "ECS Container Instance State Change",
			Cluster: "demo", VersionKey: "arn:aws:ecs:us-east-1:123456789012:container-instance/demo/b54a2a04046f43319d743f6d7f6ca315", Version: 9,
			Instance: &InstanceChange{ARN: "arn:aws:ecs:us-east-1:123456789012:container-instance/demo/b54a2a04046f43319d743f6d7f6ca315",
				EC2InstanceID: "i-0f3a8506b1c2d3e4f", Status: "ACTIVE", AgentConnected: false}},
		"scheduled-event.json": {Kind: KindSchedule, ID: "89d1a02d-5ec7-412e-82f5-13505f849b41", DetailType: "Scheduled Event"},
		"autoscaling-terminate-lifecycle-action.json": {Kind: KindLifecycle, ID: "468fb05a-0a3d-4d1b-b5e4-7c9d1a2b3c4d", DetailType: "EC2 Instance-terminate Lifecycle Action",
			Lifecycle: &LifecycleAction{AutoScalingGroup: "demo-asg", HookName: config.TerminationHook, Token: "87654321-4321-4321-4321-210987654321",
				InstanceID: "i-0f3a8506b1c2d3e4f", Transition: "autoscaling:EC2_INSTANCE_TERMINATING"}},
		"ec2-spot-interruption-warning.json": {Kind: KindSpot, ID: "1e5527d7-bb36-4607-3370-4164db56a40e", DetailType: "EC2 Spot Instance Interruption Warning",
			Spot: "i-0f3a8506b1c2d3e4f"},
	}
	files, err := filepath.Glob("../../events/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples in events/: %v", err)
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			w, ok := want[name]
			if !ok {
				t.Fatalf("no expectation for events/%s: add one", name)
			}
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Decode(data)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if diff := cmp.Diff(w, got, cmpopts.IgnoreFields(Trigger{}, "Time")); diff != "" {
				t.Errorf("Decode(%s) (-want +got):\n%s", name, diff)
			}
			if got.Kind != KindAlarm && got.Time.IsZero() {
				t.Errorf("Decode(%s): time not read", name)
			}
		})
	}
	if len(files) != len(want) {
		t.Errorf("%d samples, %d expectations: every sample needs one and vice versa", len(files), len(want))
	}
}

func TestDecodeOOM(t *testing.T) {
	data, err := os.ReadFile("../../events/ecs-task-stopped-oom.json")
	if err != nil {
		t.Fatal(err)
	}
	tr, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"api"}, tr.Task.OOMKilled()); diff != "" {
		t.Errorf("OOMKilled (-want +got):\n%s", diff)
	}
}

func TestDecodeMalformed(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    string
	}{
		{"empty", ``, "not a JSON object"},
		{"array", `[1,2]`, "not a JSON object"},
		{"truncated", `{"source": "aws.ecs", "detail-type": "ECS Task State Change", "detail": {`, "invalid JSON"},
		{"alarm without name", `{"source":"aws.cloudwatch","detail-type":"CloudWatch Alarm State Change","resources":["arn:x"],"detail":{"state":{"value":"ALARM","timestamp":"t"}}}`, "alarmName is missing"},
		{"alarm without state", `{"source":"aws.cloudwatch","alarmArn":"arn:x","alarmData":{"alarmName":"a"}}`, "state.value"},
		{"alarm with bad reason data", `{"source":"aws.cloudwatch","alarmArn":"arn:x","alarmData":{"alarmName":"a","state":{"value":"ALARM","timestamp":"t","reasonData":"{nope"}}}`, "reasonData"},
		{"task without cluster", `{"source":"aws.ecs","detail-type":"ECS Task State Change","detail":{"taskArn":"t","lastStatus":"RUNNING"}}`, "clusterArn"},
		{"task with a bad version", `{"source":"aws.ecs","detail-type":"ECS Task State Change","detail":{"clusterArn":"arn:aws:ecs:us-east-1:1:cluster/demo","taskArn":"t","lastStatus":"RUNNING","version":-3}}`, "detail.version"},
		{"instance without agentConnected", `{"source":"aws.ecs","detail-type":"ECS Container Instance State Change","detail":{"clusterArn":"arn:aws:ecs:us-east-1:1:cluster/demo","containerInstanceArn":"c"}}`, "agentConnected"},
		{"service action without a service ARN", `{"source":"aws.ecs","detail-type":"ECS Service Action","resources":["nope"],"detail":{"eventName":"SERVICE_TASK_PLACEMENT_FAILURE"}}`, "service ARN"},
		{"deployment without eventName", `{"source":"aws.ecs","detail-type":"ECS Deployment State Change","resources":["arn:aws:ecs:us-east-1:1:service/demo/web"],"detail":{}}`, "eventName"},
		{"lifecycle without instance", `{"source":"aws.autoscaling","detail-type":"EC2 Instance-terminate Lifecycle Action","detail":{"AutoScalingGroupName":"g","LifecycleHookName":"h"}}`, "EC2InstanceId"},
		{"spot without instance", `{"source":"aws.ec2","detail-type":"EC2 Spot Instance Interruption Warning","detail":{}}`, "instance-id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode([]byte(tt.payload))
			var me *MalformedEventError
			if !errors.As(err, &me) {
				t.Fatalf("Decode() error = %v, want a *MalformedEventError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Decode() error = %q, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestDecodeIgnores(t *testing.T) {
	got, err := Decode([]byte(`{"id":"1","source":"aws.s3","detail-type":"Object Created","detail":{}}`))
	if err != nil || got.Kind != KindIgnored || !strings.Contains(got.Reason, "aws.s3") {
		t.Errorf("Decode(an S3 event) = %+v, %v; want ignored with the reason", got, err)
	}
}

// tandem completes only its own hook: another tool's hook on the same
// group is left to that tool.
func TestDecodeIgnoresOtherLifecycleHooks(t *testing.T) {
	data, err := os.ReadFile("../../events/autoscaling-terminate-lifecycle-action.json")
	if err != nil {
		t.Fatal(err)
	}
	other := strings.Replace(string(data), `"LifecycleHookName": "`+config.TerminationHook+`"`, `"LifecycleHookName": "flush-logs"`, 1)
	if other == string(data) {
		t.Fatal("the sample does not name tandem's hook")
	}
	got, err := Decode([]byte(other))
	if err != nil || got.Kind != KindIgnored || !strings.Contains(got.Reason, "flush-logs") {
		t.Errorf("Decode(another hook) = %+v, %v; want ignored, naming the hook", got, err)
	}
}

func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob("../../events/*.json")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"source":"aws.cloudwatch","alarmArn":"a","alarmData":{"alarmName":"x","state":{"value":"ALARM","timestamp":"t","reasonData":"{\"threshold\":1,\"recentDatapoints\":[]}"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := Decode(data)
		if err != nil {
			var me *MalformedEventError
			if !errors.As(err, &me) {
				t.Fatalf("Decode error %v is not a *MalformedEventError", err)
			}
			return
		}
		if tr.Kind == "" {
			t.Fatalf("Decode returned no kind for %q", data)
		}
	})
}
