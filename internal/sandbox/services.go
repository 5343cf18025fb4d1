package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// serviceState is the harness scheduler's view of one ECS service: what moto
// cannot keep (deployments, real counts, the deployment configuration moto
// drops at CreateService, placement failures).
type serviceState struct {
	cluster, clusterARN, name, arn string
	daemon                         bool
	inactive                       bool
	desired                        int
	maxPercent, minHealthyPercent  int
	distinctInstance               bool
	placementConstraints           any // as requested, presented back
	placementStrategy              any
	deployments                    []*deployment // [0] is PRIMARY
	running                        int
	unplaced                       int
	failure                        *placementFailure
	failureAt                      time.Time
	failureID                      string
	lastReason                     string
}

type deployment struct {
	id, status, taskDef, rolloutState, rolloutReason string
	desired, running                                 int
	createdAt, updatedAt                             time.Time
}

func serviceKey(cluster, name string) string { return cluster + "/" + name }

// ServiceStatus is the scheduler's view of a service after the last Step.
type ServiceStatus struct {
	Desired, Running int
	// Unplaced is how many tasks the scheduler wanted to start and could not
	// place; Reason says why (RESOURCE:CPU, RESOURCE:MEMORY, RESOURCE:PORTS,
	// NO_CONTAINER_INSTANCES, CONSTRAINT:distinctInstance).
	Unplaced    int
	Reason      string
	Deployments []Deployment // PRIMARY first
}

// Deployment is one of a service's deployments, as DescribeServices shows it.
type Deployment struct {
	ID, Status, TaskDefinition, RolloutState string
	Desired, Running                         int
}

// Service returns the scheduler's view of a service, and whether the
// harness knows it.
func (s *Sandbox) Service(cluster, name string) (ServiceStatus, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.services[serviceKey(cluster, name)]
	if !ok {
		return ServiceStatus{}, false
	}
	out := ServiceStatus{Desired: st.desired, Running: st.running, Unplaced: st.unplaced}
	if st.failure != nil {
		out.Reason = st.failure.reason
	}
	for _, d := range st.deployments {
		out.Deployments = append(out.Deployments, Deployment{
			ID: d.id, Status: d.status, TaskDefinition: d.taskDef, RolloutState: d.rolloutState,
			Desired: d.desired, Running: d.running,
		})
	}
	return out, true
}

// observeServiceWrite updates the harness's view after a CreateService or
// UpdateService went through the proxy: the request carries what moto drops
// (deploymentConfiguration, placement constraints and strategy), the
// response carries the service's identity.
func (s *Sandbox) observeServiceWrite(ctx context.Context, req *request, body []byte) error {
	svc, err := decodeService(body)
	if err != nil {
		return err
	}
	tdARN := ""
	if ref := aws.ToString(svc.TaskDefinition); ref != "" {
		d, err := s.tdefs.get(ctx, ref)
		if err != nil {
			return err
		}
		tdARN = d.arn
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.serviceStateLocked(svc)
	if dc, ok := req.raw["deploymentConfiguration"].(map[string]any); ok {
		if v, ok := dc["maximumPercent"].(float64); ok {
			st.maxPercent = int(v)
		}
		if v, ok := dc["minimumHealthyPercent"].(float64); ok {
			st.minHealthyPercent = int(v)
		}
	}
	if pc, ok := req.raw["placementConstraints"].([]any); ok {
		st.placementConstraints = pc
		st.distinctInstance = false
		for _, c := range pc {
			if m, ok := c.(map[string]any); ok && m["type"] == "distinctInstance" {
				st.distinctInstance = true
			}
		}
	}
	if ps, ok := req.raw["placementStrategy"].([]any); ok {
		st.placementStrategy = ps
	}
	if tdARN != "" {
		s.syncDeploymentLocked(st, tdARN)
	}
	return nil
}

// decodeService reads the "service" member of a CreateService or
// UpdateService response, the fields the harness needs only.
func decodeService(body []byte) (serviceID, error) {
	var out struct {
		Service serviceID `json:"service"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return serviceID{}, fmt.Errorf("decode service: %w", err)
	}
	return out.Service, nil
}

// serviceID is the subset of an ECS service the harness tracks, decodable
// from both moto's JSON and the SDK type.
type serviceID struct {
	ServiceArn         *string `json:"serviceArn"`
	ServiceName        *string `json:"serviceName"`
	ClusterArn         *string `json:"clusterArn"`
	TaskDefinition     *string `json:"taskDefinition"`
	SchedulingStrategy string  `json:"schedulingStrategy"`
	Status             *string `json:"status"`
	DesiredCount       int32   `json:"desiredCount"`
}

func serviceIDOf(svc ecstypes.Service) serviceID {
	return serviceID{
		ServiceArn: svc.ServiceArn, ServiceName: svc.ServiceName, ClusterArn: svc.ClusterArn,
		TaskDefinition: svc.TaskDefinition, SchedulingStrategy: string(svc.SchedulingStrategy),
		Status: svc.Status, DesiredCount: svc.DesiredCount,
	}
}

// serviceStateLocked finds or creates the state of svc and refreshes what
// moto knows correctly (status, desired count).
func (s *Sandbox) serviceStateLocked(svc serviceID) *serviceState {
	cluster := lastSegment(aws.ToString(svc.ClusterArn))
	key := serviceKey(cluster, aws.ToString(svc.ServiceName))
	st, ok := s.services[key]
	if !ok {
		st = &serviceState{
			cluster: cluster, clusterARN: aws.ToString(svc.ClusterArn),
			name: aws.ToString(svc.ServiceName), arn: aws.ToString(svc.ServiceArn),
			daemon:     svc.SchedulingStrategy == string(ecstypes.SchedulingStrategyDaemon),
			maxPercent: 200, minHealthyPercent: 100,
		}
		if st.daemon {
			st.maxPercent, st.minHealthyPercent = 100, 0
		}
		s.services[key] = st
	}
	st.inactive = aws.ToString(svc.Status) == "INACTIVE"
	if !st.daemon {
		st.desired = int(svc.DesiredCount)
	}
	return st
}

// syncDeploymentLocked starts a new PRIMARY deployment when the service's
// task definition changed, and keeps the PRIMARY's desired count current.
func (s *Sandbox) syncDeploymentLocked(st *serviceState, taskDefARN string) {
	now := s.now()
	if len(st.deployments) == 0 || st.deployments[0].taskDef != taskDefARN {
		if len(st.deployments) > 0 {
			st.deployments[0].status = "ACTIVE"
			st.deployments[0].updatedAt = now
		}
		s.deploySeq++
		d := &deployment{
			id: fmt.Sprintf("ecs-svc/%d", s.deploySeq), status: "PRIMARY", taskDef: taskDefARN,
			rolloutState: "IN_PROGRESS", createdAt: now, updatedAt: now,
		}
		d.rolloutReason = fmt.Sprintf("ECS deployment %s in progress.", d.id)
		st.deployments = append([]*deployment{d}, st.deployments...)
		s.emitLocked(deploymentEvent(s, st, d, "SERVICE_DEPLOYMENT_IN_PROGRESS"))
	}
	st.deployments[0].desired = st.desired
}

func (s *Sandbox) observeServiceDelete(body []byte) {
	svc, err := decodeService(body)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.services[serviceKey(lastSegment(aws.ToString(svc.ClusterArn)), aws.ToString(svc.ServiceName))]; ok {
		st.inactive = true
	}
}

// presentServices rewrites the services in a DescribeServices (member
// "services") or Create/UpdateService (member "service") response with the
// harness scheduler's view.
func (s *Sandbox) presentServices(body []byte, member string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("decode services: %w", err)
	}
	var svcs []any
	switch v := doc[member].(type) {
	case []any:
		svcs = v
	case map[string]any:
		svcs = []any{v}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range svcs {
		m, ok := v.(map[string]any)
		if !ok {
			continue
		}
		clusterARN, _ := m["clusterArn"].(string)
		name, _ := m["serviceName"].(string)
		st, ok := s.services[serviceKey(lastSegment(clusterARN), name)]
		if !ok || len(st.deployments) == 0 {
			continue
		}
		s.presentServiceLocked(m, st)
	}
	return json.Marshal(doc)
}

func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func (s *Sandbox) presentServiceLocked(m map[string]any, st *serviceState) {
	primary := st.deployments[0]
	m["taskDefinition"] = primary.taskDef
	m["desiredCount"] = st.desired
	m["runningCount"] = st.running
	// Tasks the harness starts are RUNNING at once, and unplaceable tasks
	// are not PENDING in ECS either: they show as desired > running plus a
	// service event.
	m["pendingCount"] = 0
	m["deploymentConfiguration"] = map[string]any{
		"maximumPercent":        st.maxPercent,
		"minimumHealthyPercent": st.minHealthyPercent,
	}
	if st.placementConstraints != nil {
		m["placementConstraints"] = st.placementConstraints
	}
	if st.placementStrategy != nil {
		m["placementStrategy"] = st.placementStrategy
	}
	var deps []any
	for _, d := range st.deployments {
		deps = append(deps, map[string]any{
			"id": d.id, "status": d.status, "taskDefinition": d.taskDef,
			"desiredCount": d.desired, "runningCount": d.running, "pendingCount": 0, "failedTasks": 0,
			"createdAt": epoch(d.createdAt), "updatedAt": epoch(d.updatedAt),
			"launchType": "EC2", "rolloutState": d.rolloutState, "rolloutStateReason": d.rolloutReason,
		})
	}
	m["deployments"] = deps
	events := []any{}
	if st.failure != nil && st.unplaced > 0 {
		events = append(events, map[string]any{
			"id":        st.failureID,
			"createdAt": epoch(st.failureAt),
			"message":   placementMessage(st.name, st.failure),
		})
	}
	m["events"] = events
}

// placementMessage is the service event ECS writes when it cannot place a
// task (reference/ecs-docs/service-event-messages.md).
func placementMessage(service string, f *placementFailure) string {
	head := fmt.Sprintf("service %s was unable to place a task because no container instance met all of its requirements.", service)
	if len(f.instanceARNs) == 0 {
		if f.reason == ReasonNoInstances {
			return fmt.Sprintf("service %s was unable to place a task because no container instances were found in your cluster.", service)
		}
		return head
	}
	ci := lastSegment(f.instanceARNs[0])
	switch f.reason {
	case ReasonCPU:
		return fmt.Sprintf("%s The closest matching container-instance %s has insufficient CPU units available.", head, ci)
	case ReasonMemory:
		return fmt.Sprintf("%s The closest matching container-instance %s has insufficient memory available.", head, ci)
	case ReasonPorts:
		return fmt.Sprintf("%s The closest matching container-instance %s is already using a port required by your task.", head, ci)
	}
	return head
}

// sortedServices returns the states of one cluster's services, by name.
func (s *Sandbox) sortedServicesLocked(cluster string) []*serviceState {
	var out []*serviceState
	for _, st := range s.services {
		if st.cluster == cluster && !st.inactive {
			out = append(out, st)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}
