package sandbox

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"
)

// Event is an EventBridge event as a rule target receives it. Detail holds
// one of the *Detail types below; the JSON matches the shapes in
// reference/ecs-docs/ecs_cwe_events.md and the EC2 Auto Scaling lifecycle
// event.
type Event struct {
	Version    string   `json:"version"`
	ID         string   `json:"id"`
	DetailType string   `json:"detail-type"`
	Source     string   `json:"source"`
	Account    string   `json:"account"`
	Time       string   `json:"time"`
	Region     string   `json:"region"`
	Resources  []string `json:"resources"`
	Detail     any      `json:"detail"`
}

// JSON is the event as the Lambda receives it.
func (e Event) JSON() []byte {
	b, err := json.Marshal(e)
	if err != nil {
		panic(fmt.Sprintf("marshal event: %v", err)) // only plain structs: cannot happen
	}
	return b
}

// Detail types.
const (
	DetailTaskStateChange              = "ECS Task State Change"
	DetailContainerInstanceStateChange = "ECS Container Instance State Change"
	DetailServiceAction                = "ECS Service Action"
	DetailDeploymentStateChange        = "ECS Deployment State Change"
	DetailTerminateLifecycleAction     = "EC2 Instance-terminate Lifecycle Action"
)

// TaskDetail is the detail of an ECS Task State Change event.
type TaskDetail struct {
	ClusterARN           string          `json:"clusterArn"`
	TaskARN              string          `json:"taskArn"`
	TaskDefinitionARN    string          `json:"taskDefinitionArn"`
	ContainerInstanceARN string          `json:"containerInstanceArn"`
	Group                string          `json:"group"`
	StartedBy            string          `json:"startedBy,omitempty"`
	LaunchType           string          `json:"launchType"`
	CPU                  string          `json:"cpu"`
	Memory               string          `json:"memory"`
	DesiredStatus        string          `json:"desiredStatus"`
	LastStatus           string          `json:"lastStatus"`
	Containers           []ContainerInfo `json:"containers"`
	CreatedAt            string          `json:"createdAt"`
	StartedAt            string          `json:"startedAt,omitempty"`
	StoppingAt           string          `json:"stoppingAt,omitempty"`
	StoppedAt            string          `json:"stoppedAt,omitempty"`
	StoppedReason        string          `json:"stoppedReason,omitempty"`
	StopCode             string          `json:"stopCode,omitempty"`
	UpdatedAt            string          `json:"updatedAt"`
	Version              int             `json:"version"`
}

// ContainerInfo is a container in a TaskDetail.
type ContainerInfo struct {
	Name       string `json:"name"`
	TaskARN    string `json:"taskArn"`
	LastStatus string `json:"lastStatus"`
}

// ContainerInstanceDetail is the detail of an ECS Container Instance State
// Change event.
type ContainerInstanceDetail struct {
	AgentConnected       bool              `json:"agentConnected"`
	Attributes           []AttributeInfo   `json:"attributes"`
	ClusterARN           string            `json:"clusterArn"`
	ContainerInstanceARN string            `json:"containerInstanceArn"`
	EC2InstanceID        string            `json:"ec2InstanceId"`
	RegisteredResources  []ResourceInfo    `json:"registeredResources"`
	RemainingResources   []ResourceInfo    `json:"remainingResources"`
	Status               string            `json:"status"`
	Version              int               `json:"version"`
	VersionInfo          map[string]string `json:"versionInfo"`
	UpdatedAt            string            `json:"updatedAt"`
}

// AttributeInfo is a container instance attribute.
type AttributeInfo struct {
	Name  string `json:"name"`
	Value string `json:"value,omitempty"`
}

// ResourceInfo is a container instance resource (CPU, MEMORY, PORTS, PORTS_UDP).
type ResourceInfo struct {
	Name           string   `json:"name"`
	Type           string   `json:"type"`
	IntegerValue   int      `json:"integerValue"`
	StringSetValue []string `json:"stringSetValue,omitempty"`
}

// ServiceActionDetail is the detail of an ECS Service Action event.
type ServiceActionDetail struct {
	EventType             string   `json:"eventType"`
	EventName             string   `json:"eventName"`
	ClusterARN            string   `json:"clusterArn"`
	ContainerInstanceARNs []string `json:"containerInstanceArns,omitempty"`
	Reason                string   `json:"reason,omitempty"`
	CreatedAt             string   `json:"createdAt"`
}

// DeploymentDetail is the detail of an ECS Deployment State Change event.
type DeploymentDetail struct {
	EventType    string `json:"eventType"`
	EventName    string `json:"eventName"`
	DeploymentID string `json:"deploymentId"`
	UpdatedAt    string `json:"updatedAt"`
	Reason       string `json:"reason"`
}

// LifecycleDetail is the detail of an EC2 Instance-terminate Lifecycle
// Action event from EC2 Auto Scaling.
type LifecycleDetail struct {
	LifecycleActionToken string `json:"LifecycleActionToken"`
	AutoScalingGroupName string `json:"AutoScalingGroupName"`
	LifecycleHookName    string `json:"LifecycleHookName"`
	EC2InstanceID        string `json:"EC2InstanceId"`
	LifecycleTransition  string `json:"LifecycleTransition"`
	NotificationMetadata string `json:"NotificationMetadata,omitempty"`
	Origin               string `json:"Origin"`
	Destination          string `json:"Destination"`
}

func eventTime(t time.Time) string  { return t.UTC().Format("2006-01-02T15:04:05Z") }
func detailTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// newID returns a random UUID (version 4).
func (s *Sandbox) newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func (s *Sandbox) newEvent(detailType, source string, resources []string, detail any) Event {
	return Event{
		Version: "0", ID: s.newID(), DetailType: detailType, Source: source, Account: Account,
		Time: eventTime(s.now()), Region: Region, Resources: resources, Detail: detail,
	}
}

// emitLocked queues an event for TakeEvents.
func (s *Sandbox) emitLocked(e Event) { s.events = append(s.events, e) }

// TakeEvents returns the events that happened since the last call, oldest
// first: task and container instance state changes, service placement
// failures, and deployment state changes. Lifecycle events are not queued:
// BeginTermination returns them.
func (s *Sandbox) TakeEvents() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.events
	s.events = nil
	return out
}

func taskEvent(s *Sandbox, c *clusterView, t *taskView, lastStatus, stoppedReason string) Event {
	now := detailTime(s.now())
	d := TaskDetail{
		ClusterARN: c.arn, TaskARN: t.arn, TaskDefinitionARN: t.def.arn, ContainerInstanceARN: t.instanceARN,
		Group: t.group, StartedBy: t.startedBy, LaunchType: "EC2",
		CPU: strconv.Itoa(t.def.cpuUnits), Memory: strconv.Itoa(t.def.memoryMiB),
		DesiredStatus: lastStatus, LastStatus: lastStatus, CreatedAt: now, UpdatedAt: now, Version: 1,
	}
	if lastStatus == "RUNNING" {
		d.StartedAt = now
	} else {
		d.StoppingAt, d.StoppedAt, d.StoppedReason, d.StopCode, d.Version = now, now, stoppedReason, "ServiceSchedulerInitiated", 2
	}
	for _, name := range t.def.containers {
		d.Containers = append(d.Containers, ContainerInfo{Name: name, TaskARN: t.arn, LastStatus: lastStatus})
	}
	return s.newEvent(DetailTaskStateChange, "aws.ecs", []string{t.arn}, d)
}

func containerInstanceEvent(s *Sandbox, c *clusterView, in *instanceView, status string) Event {
	cpu, mem, tcp, udp := in.used()
	ports := func(m map[int]bool) []string {
		var keys []int
		for p := range m {
			keys = append(keys, p)
		}
		sort.Ints(keys)
		out := []string{}
		for _, p := range keys {
			out = append(out, strconv.Itoa(p))
		}
		return out
	}
	d := ContainerInstanceDetail{
		AgentConnected: status != "INACTIVE", Attributes: in.attributes, ClusterARN: c.arn,
		ContainerInstanceARN: in.arn, EC2InstanceID: in.ec2ID,
		RegisteredResources: []ResourceInfo{
			{Name: "CPU", Type: "INTEGER", IntegerValue: in.cpuUnits},
			{Name: "MEMORY", Type: "INTEGER", IntegerValue: in.memoryMiB},
			{Name: "PORTS", Type: "STRINGSET", StringSetValue: ports(in.reservedTCP)},
			{Name: "PORTS_UDP", Type: "STRINGSET", StringSetValue: ports(in.reservedUDP)},
		},
		RemainingResources: []ResourceInfo{
			{Name: "CPU", Type: "INTEGER", IntegerValue: in.cpuUnits - cpu},
			{Name: "MEMORY", Type: "INTEGER", IntegerValue: in.memoryMiB - mem},
			{Name: "PORTS", Type: "STRINGSET", StringSetValue: ports(tcp)},
			{Name: "PORTS_UDP", Type: "STRINGSET", StringSetValue: ports(udp)},
		},
		Status: status, Version: s.steps + 1,
		VersionInfo: map[string]string{"agentVersion": "1.90.0", "agentHash": "sandbox", "dockerVersion": "DockerVersion: 25.0.8"},
		UpdatedAt:   detailTime(s.now()),
	}
	if d.Attributes == nil {
		d.Attributes = []AttributeInfo{}
	}
	return s.newEvent(DetailContainerInstanceStateChange, "aws.ecs", []string{in.arn}, d)
}

func placementFailureEvent(s *Sandbox, st *serviceState) Event {
	d := ServiceActionDetail{
		EventType: "ERROR", EventName: "SERVICE_TASK_PLACEMENT_FAILURE", ClusterARN: st.clusterARN,
		ContainerInstanceARNs: st.failure.instanceARNs, Reason: st.failure.reason, CreatedAt: detailTime(st.failureAt),
	}
	return s.newEvent(DetailServiceAction, "aws.ecs", []string{st.arn}, d)
}

func deploymentEvent(s *Sandbox, st *serviceState, d *deployment, name string) Event {
	reason := fmt.Sprintf("ECS deployment %s in progress.", d.id)
	if name == "SERVICE_DEPLOYMENT_COMPLETED" {
		reason = fmt.Sprintf("ECS deployment %s completed.", d.id)
	}
	return s.newEvent(DetailDeploymentStateChange, "aws.ecs", []string{st.arn}, DeploymentDetail{
		EventType: "INFO", EventName: name, DeploymentID: d.id, UpdatedAt: eventTime(s.now()), Reason: reason,
	})
}

// PlacementFailureEvent returns an ECS Service Action
// SERVICE_TASK_PLACEMENT_FAILURE event for a service that has unplaced tasks
// after the last Step, and false when it has none.
func (s *Sandbox) PlacementFailureEvent(cluster, service string) (Event, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.services[serviceKey(cluster, service)]
	if !ok || st.failure == nil || st.unplaced == 0 {
		return Event{}, false
	}
	return placementFailureEvent(s, st), true
}
