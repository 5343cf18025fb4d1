package scaler

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tandem-ecs/tandem/internal/config"
)

// Kind is what woke the scaler.
type Kind string

// The kinds of triggers.
const (
	KindAlarm             Kind = "alarm"
	KindPlacementFailure  Kind = "placement-failure"
	KindDeployment        Kind = "deployment"
	KindTask              Kind = "task"
	KindContainerInstance Kind = "container-instance"
	KindSchedule          Kind = "schedule"
	KindLifecycle         Kind = "lifecycle"
	KindSpot              Kind = "spot-interruption"
	KindIgnored           Kind = "ignored"
)

// Trigger is a decoded event: which cluster to look at, and what the event
// adds to what a fresh read shows (an alarm's breach, a task killed for
// memory). An event is a reason to look now, never a delta to apply
// blindly.
type Trigger struct {
	Kind Kind `json:"kind"`
	// ID identifies a delivery: the EventBridge event id, or for a direct
	// alarm action the alarm transition.
	ID         string    `json:"id,omitempty"`
	DetailType string    `json:"detailType,omitempty"`
	Time       time.Time `json:"time,omitzero"`
	// Cluster is the cluster's name, when the event names one.
	Cluster string `json:"cluster,omitempty"`
	// Service is the service's name, for service and deployment events.
	Service string `json:"service,omitempty"`
	// VersionKey and Version order task and container instance events:
	// ECS increments detail.version on every change of the resource.
	VersionKey string `json:"-"`
	Version    int64  `json:"version,omitempty"`

	Alarm     *AlarmChange     `json:"alarm,omitempty"`
	Task      *TaskChange      `json:"task,omitempty"`
	Instance  *InstanceChange  `json:"instance,omitempty"`
	Lifecycle *LifecycleAction `json:"lifecycle,omitempty"`
	// EventName is the ECS service or deployment event's name.
	EventName string `json:"eventName,omitempty"`
	Reason    string `json:"reason,omitempty"`
	// Spot is the instance a spot interruption warning names.
	Spot string `json:"spotInstance,omitempty"`
}

// AlarmChange is a CloudWatch alarm's new state.
type AlarmChange struct {
	Name  string `json:"name"`
	ARN   string `json:"arn"`
	State string `json:"state"` // ALARM, OK or INSUFFICIENT_DATA
	// StateTime identifies the transition: with the ARN, it is applied at
	// most once.
	StateTime string `json:"stateTime"`
	// Value is the breaching datapoint (the most recent of the reason
	// data), Threshold the alarm's threshold; HasValue is false when the
	// reason data carries none.
	Value     float64 `json:"value"`
	Threshold float64 `json:"threshold"`
	HasValue  bool    `json:"-"`
}

// TransitionID names the alarm transition.
func (a *AlarmChange) TransitionID() string { return a.ARN + "@" + a.StateTime }

// TaskChange is what a task state change says.
type TaskChange struct {
	ARN                  string            `json:"arn"`
	TaskDefinitionARN    string            `json:"taskDefinitionArn"`
	Group                string            `json:"group,omitempty"`
	LastStatus           string            `json:"lastStatus"`
	DesiredStatus        string            `json:"desiredStatus"`
	ContainerInstanceARN string            `json:"containerInstanceArn,omitempty"`
	StoppedReason        string            `json:"stoppedReason,omitempty"`
	Containers           []ContainerChange `json:"containers,omitempty"`
}

// ContainerChange is a container of a task state change.
type ContainerChange struct {
	Name     string `json:"name"`
	ExitCode *int   `json:"exitCode,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// OOMKilled returns the containers killed for memory: their reason says
// OutOfMemory (ECS reports "OutOfMemoryError: Container killed due to memory
// usage", with exit code 137).
func (t *TaskChange) OOMKilled() []string {
	if t.LastStatus != "STOPPED" {
		return nil
	}
	var out []string
	for _, c := range t.Containers {
		if strings.Contains(strings.ToLower(c.Reason), "outofmemory") {
			out = append(out, c.Name)
		}
	}
	return out
}

// InstanceChange is what a container instance state change says.
type InstanceChange struct {
	ARN            string `json:"arn"`
	EC2InstanceID  string `json:"ec2InstanceId"`
	Status         string `json:"status"`
	AgentConnected bool   `json:"agentConnected"`
}

// LifecycleAction is an Auto Scaling lifecycle hook waiting for tandem.
type LifecycleAction struct {
	AutoScalingGroup string `json:"autoScalingGroup"`
	HookName         string `json:"hookName"`
	Token            string `json:"token"`
	InstanceID       string `json:"instanceId"`
	Transition       string `json:"transition"`
}

// MalformedEventError is returned for a payload tandem recognizes but
// cannot read. The Lambda fails the invocation with it, so that the
// on-failure destination keeps the payload for a person to look at.
type MalformedEventError struct {
	DetailType string
	Problem    string
}

func (e *MalformedEventError) Error() string {
	if e.DetailType == "" {
		return "malformed event: " + e.Problem
	}
	return fmt.Sprintf("malformed %q event: %s", e.DetailType, e.Problem)
}

// envelope is an EventBridge event, or a CloudWatch alarm's direct Lambda
// action (alarmArn and alarmData instead of detail).
type envelope struct {
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Time       string          `json:"time"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
	AlarmARN   string          `json:"alarmArn"`
	AlarmData  json.RawMessage `json:"alarmData"`
}

// Decode reads an invocation payload. Events tandem does not act on come
// back as KindIgnored with the reason; a payload that cannot be read is a
// *MalformedEventError.
func Decode(payload []byte) (Trigger, error) {
	payload = bytes.TrimSpace(payload)
	if len(payload) == 0 || payload[0] != '{' {
		return Trigger{}, &MalformedEventError{Problem: "the payload is not a JSON object"}
	}
	var env envelope
	if err := json.Unmarshal(payload, &env); err != nil {
		return Trigger{}, &MalformedEventError{Problem: "invalid JSON: " + err.Error()}
	}
	t := Trigger{ID: env.ID, DetailType: env.DetailType}
	if ts, err := time.Parse(time.RFC3339, env.Time); err == nil {
		t.Time = ts
	}
	switch {
	case env.Source == "aws.cloudwatch" && env.AlarmARN != "":
		return decodeAlarm(t, "CloudWatch alarm action", env.AlarmARN, env.AlarmData)
	case env.Source == "aws.cloudwatch" && env.DetailType == "CloudWatch Alarm State Change":
		arn := ""
		if len(env.Resources) > 0 {
			arn = env.Resources[0]
		}
		return decodeAlarm(t, env.DetailType, arn, env.Detail)
	case env.Source == "aws.ecs" && env.DetailType == "ECS Service Action":
		return decodeServiceAction(t, env)
	case env.Source == "aws.ecs" && env.DetailType == "ECS Deployment State Change":
		return decodeDeployment(t, env)
	case env.Source == "aws.ecs" && env.DetailType == "ECS Task State Change":
		return decodeTask(t, env.Detail)
	case env.Source == "aws.ecs" && env.DetailType == "ECS Container Instance State Change":
		return decodeInstance(t, env.Detail)
	case env.Source == "aws.events" && env.DetailType == "Scheduled Event":
		t.Kind = KindSchedule
		return t, nil
	case env.Source == "aws.autoscaling" && env.DetailType == "EC2 Instance-terminate Lifecycle Action":
		return decodeLifecycle(t, env.Detail)
	case env.Source == "aws.ec2" && env.DetailType == "EC2 Spot Instance Interruption Warning":
		var d struct {
			InstanceID string `json:"instance-id"`
		}
		if err := json.Unmarshal(env.Detail, &d); err != nil || d.InstanceID == "" {
			return Trigger{}, &MalformedEventError{DetailType: env.DetailType, Problem: "detail.instance-id is missing"}
		}
		t.Kind, t.Spot = KindSpot, d.InstanceID
		return t, nil
	}
	t.Kind = KindIgnored
	t.Reason = fmt.Sprintf("source %q, detail-type %q is not an event tandem acts on", env.Source, env.DetailType)
	return t, nil
}

// alarmDetail is the detail of an alarm state change, and the alarmData of
// a direct alarm action.
type alarmDetail struct {
	AlarmName string `json:"alarmName"`
	State     struct {
		Value      string `json:"value"`
		ReasonData string `json:"reasonData"`
		Timestamp  string `json:"timestamp"`
	} `json:"state"`
}

func decodeAlarm(t Trigger, what, arn string, raw json.RawMessage) (Trigger, error) {
	var d alarmDetail
	if len(raw) == 0 || json.Unmarshal(raw, &d) != nil {
		return Trigger{}, &MalformedEventError{DetailType: what, Problem: "the alarm's detail is missing or not an object"}
	}
	switch {
	case d.AlarmName == "":
		return Trigger{}, &MalformedEventError{DetailType: what, Problem: "alarmName is missing"}
	case d.State.Value == "" || d.State.Timestamp == "":
		return Trigger{}, &MalformedEventError{DetailType: what, Problem: "state.value or state.timestamp is missing"}
	case arn == "":
		return Trigger{}, &MalformedEventError{DetailType: what, Problem: "the alarm ARN (resources[0] or alarmArn) is missing"}
	}
	a := &AlarmChange{Name: d.AlarmName, ARN: arn, State: d.State.Value, StateTime: d.State.Timestamp}
	if d.State.ReasonData != "" {
		v, th, ok, err := parseReasonData(d.State.ReasonData)
		if err != nil {
			return Trigger{}, &MalformedEventError{DetailType: what, Problem: "state.reasonData: " + err.Error()}
		}
		a.Value, a.Threshold, a.HasValue = v, th, ok
	}
	t.Kind, t.Alarm = KindAlarm, a
	if t.ID == "" {
		t.ID = a.TransitionID()
	}
	return t, nil
}

// parseReasonData reads the breaching datapoint (the most recent) and the
// threshold from an alarm's reason data, a JSON document in a string.
func parseReasonData(s string) (value, threshold float64, ok bool, err error) {
	var rd struct {
		RecentDatapoints    []float64 `json:"recentDatapoints"`
		Threshold           *float64  `json:"threshold"`
		EvaluatedDatapoints []struct {
			Value *float64 `json:"value"`
		} `json:"evaluatedDatapoints"`
	}
	if err := json.Unmarshal([]byte(s), &rd); err != nil {
		return 0, 0, false, fmt.Errorf("not JSON: %w", err)
	}
	if rd.Threshold == nil {
		return 0, 0, false, nil
	}
	switch {
	case len(rd.RecentDatapoints) > 0:
		return rd.RecentDatapoints[len(rd.RecentDatapoints)-1], *rd.Threshold, true, nil
	case len(rd.EvaluatedDatapoints) > 0 && rd.EvaluatedDatapoints[0].Value != nil:
		return *rd.EvaluatedDatapoints[0].Value, *rd.Threshold, true, nil
	}
	return 0, *rd.Threshold, false, nil
}

func decodeServiceAction(t Trigger, env envelope) (Trigger, error) {
	var d struct {
		EventName  string `json:"eventName"`
		ClusterARN string `json:"clusterArn"`
		Reason     string `json:"reason"`
	}
	if err := json.Unmarshal(env.Detail, &d); err != nil || d.EventName == "" {
		return Trigger{}, &MalformedEventError{DetailType: env.DetailType, Problem: "detail.eventName is missing"}
	}
	if d.EventName != "SERVICE_TASK_PLACEMENT_FAILURE" {
		t.Kind, t.Reason = KindIgnored, "service event "+d.EventName+" needs no action"
		return t, nil
	}
	cluster, service, ok := serviceFromResources(env.Resources)
	if !ok {
		return Trigger{}, &MalformedEventError{DetailType: env.DetailType, Problem: "resources[0] is not a service ARN"}
	}
	if name, ok := clusterName(d.ClusterARN); ok {
		cluster = name
	}
	t.Kind, t.Cluster, t.Service, t.EventName, t.Reason = KindPlacementFailure, cluster, service, d.EventName, d.Reason
	return t, nil
}

func decodeDeployment(t Trigger, env envelope) (Trigger, error) {
	var d struct {
		EventName    string `json:"eventName"`
		DeploymentID string `json:"deploymentId"`
		Reason       string `json:"reason"`
	}
	if err := json.Unmarshal(env.Detail, &d); err != nil || d.EventName == "" {
		return Trigger{}, &MalformedEventError{DetailType: env.DetailType, Problem: "detail.eventName is missing"}
	}
	cluster, service, ok := serviceFromResources(env.Resources)
	if !ok {
		return Trigger{}, &MalformedEventError{DetailType: env.DetailType, Problem: "resources[0] is not a service ARN"}
	}
	t.Kind, t.Cluster, t.Service, t.EventName, t.Reason = KindDeployment, cluster, service, d.EventName, d.Reason
	return t, nil
}

func decodeTask(t Trigger, raw json.RawMessage) (Trigger, error) {
	var d struct {
		ClusterARN           string            `json:"clusterArn"`
		TaskARN              string            `json:"taskArn"`
		TaskDefinitionARN    string            `json:"taskDefinitionArn"`
		Group                string            `json:"group"`
		LastStatus           string            `json:"lastStatus"`
		DesiredStatus        string            `json:"desiredStatus"`
		ContainerInstanceARN string            `json:"containerInstanceArn"`
		StoppedReason        string            `json:"stoppedReason"`
		Containers           []ContainerChange `json:"containers"`
		Version              json.Number       `json:"version"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return Trigger{}, &MalformedEventError{DetailType: t.DetailType, Problem: "detail: " + err.Error()}
	}
	cluster, ok := clusterName(d.ClusterARN)
	if !ok || d.TaskARN == "" || d.LastStatus == "" {
		return Trigger{}, &MalformedEventError{DetailType: t.DetailType, Problem: "detail.clusterArn, taskArn or lastStatus is missing"}
	}
	version, err := parseVersion(d.Version)
	if err != nil {
		return Trigger{}, &MalformedEventError{DetailType: t.DetailType, Problem: "detail.version: " + err.Error()}
	}
	t.Kind, t.Cluster, t.VersionKey, t.Version = KindTask, cluster, d.TaskARN, version
	t.Task = &TaskChange{ARN: d.TaskARN, TaskDefinitionARN: d.TaskDefinitionARN, Group: d.Group, LastStatus: d.LastStatus,
		DesiredStatus: d.DesiredStatus, ContainerInstanceARN: d.ContainerInstanceARN, StoppedReason: d.StoppedReason, Containers: d.Containers}
	return t, nil
}

func decodeInstance(t Trigger, raw json.RawMessage) (Trigger, error) {
	var d struct {
		ClusterARN           string      `json:"clusterArn"`
		ContainerInstanceARN string      `json:"containerInstanceArn"`
		EC2InstanceID        string      `json:"ec2InstanceId"`
		Status               string      `json:"status"`
		AgentConnected       *bool       `json:"agentConnected"`
		Version              json.Number `json:"version"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return Trigger{}, &MalformedEventError{DetailType: t.DetailType, Problem: "detail: " + err.Error()}
	}
	cluster, ok := clusterName(d.ClusterARN)
	if !ok || d.ContainerInstanceARN == "" || d.AgentConnected == nil {
		return Trigger{}, &MalformedEventError{DetailType: t.DetailType, Problem: "detail.clusterArn, containerInstanceArn or agentConnected is missing"}
	}
	version, err := parseVersion(d.Version)
	if err != nil {
		return Trigger{}, &MalformedEventError{DetailType: t.DetailType, Problem: "detail.version: " + err.Error()}
	}
	t.Kind, t.Cluster, t.VersionKey, t.Version = KindContainerInstance, cluster, d.ContainerInstanceARN, version
	t.Instance = &InstanceChange{ARN: d.ContainerInstanceARN, EC2InstanceID: d.EC2InstanceID, Status: d.Status, AgentConnected: *d.AgentConnected}
	return t, nil
}

func decodeLifecycle(t Trigger, raw json.RawMessage) (Trigger, error) {
	var d struct {
		Token      string `json:"LifecycleActionToken"`
		Group      string `json:"AutoScalingGroupName"`
		Hook       string `json:"LifecycleHookName"`
		InstanceID string `json:"EC2InstanceId"`
		Transition string `json:"LifecycleTransition"`
	}
	if err := json.Unmarshal(raw, &d); err != nil || d.Group == "" || d.Hook == "" || d.InstanceID == "" {
		return Trigger{}, &MalformedEventError{DetailType: t.DetailType, Problem: "detail.AutoScalingGroupName, LifecycleHookName or EC2InstanceId is missing"}
	}
	if d.Hook != config.TerminationHook {
		// Another tool's hook on the same group: completing it would cut
		// that tool's work short.
		t.Kind, t.Reason = KindIgnored, "lifecycle hook "+d.Hook+" is not tandem's ("+config.TerminationHook+")"
		return t, nil
	}
	t.Kind = KindLifecycle
	t.Lifecycle = &LifecycleAction{AutoScalingGroup: d.Group, HookName: d.Hook, Token: d.Token, InstanceID: d.InstanceID, Transition: d.Transition}
	return t, nil
}

func parseVersion(n json.Number) (int64, error) {
	if n == "" {
		return 0, nil
	}
	v, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("want a non-negative integer, got %s", n)
	}
	return v, nil
}

// clusterName returns the name in a cluster ARN (or a bare name).
func clusterName(arn string) (string, bool) {
	if arn == "" {
		return "", false
	}
	if i := strings.LastIndex(arn, ":cluster/"); i >= 0 {
		return arn[i+len(":cluster/"):], true
	}
	if strings.Contains(arn, ":") || strings.Contains(arn, "/") {
		return "", false
	}
	return arn, true
}

// serviceFromResources reads cluster and service from a service ARN of the
// form arn:aws:ecs:region:account:service/CLUSTER/SERVICE. (The old ARN
// format without the cluster is not supported by service events.)
func serviceFromResources(resources []string) (cluster, service string, ok bool) {
	if len(resources) == 0 {
		return "", "", false
	}
	i := strings.LastIndex(resources[0], ":service/")
	if i < 0 {
		return "", "", false
	}
	cluster, service, ok = strings.Cut(resources[0][i+len(":service/"):], "/")
	return cluster, service, ok && cluster != "" && service != ""
}
