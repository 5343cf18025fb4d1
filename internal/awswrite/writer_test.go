package awswrite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/tandem-ecs/tandem/internal/sandbox"
)

// without drops the Query protocol's bookkeeping from logged parameters.
func without(params map[string]string, drop ...string) map[string]string {
	out := map[string]string{}
	for k, v := range params {
		out[k] = v
	}
	for _, k := range append(drop, "Action", "Version") {
		delete(out, k)
	}
	return out
}

func TestSetDesiredCapacity(t *testing.T) {
	e := newEnv(t)
	e.cluster(t, "demo", "web", 1, "")
	for range 2 { // the second call changes nothing
		if err := e.w.SetDesiredCapacity(e.ctx, "web", 3); err != nil {
			t.Fatal(err)
		}
		g := e.group(t, "web")
		if aws.ToInt32(g.DesiredCapacity) != 3 || len(g.Instances) != 3 {
			t.Errorf("desired %d, %d instances; want 3, 3", aws.ToInt32(g.DesiredCapacity), len(g.Instances))
		}
	}
	calls := e.calls("SetDesiredCapacity")
	want := map[string]string{"AutoScalingGroupName": "web", "DesiredCapacity": "3", "HonorCooldown": "false"}
	if len(calls) != 2 {
		t.Fatalf("%d SetDesiredCapacity calls, want 2", len(calls))
	}
	if diff := cmp.Diff(want, without(calls[0].Params)); diff != "" {
		t.Errorf("SetDesiredCapacity parameters (-want +got):\n%s", diff)
	}

	e.sb.FailNext("SetDesiredCapacity", 400, "Throttling")
	err := e.w.SetDesiredCapacity(e.ctx, "web", 2)
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "Throttling" || !strings.Contains(err.Error(), "set desired capacity of web to 2") {
		t.Errorf("throttled SetDesiredCapacity = %v, want the wrapped Throttling error", err)
	}
}

func TestSetServiceDesiredCount(t *testing.T) {
	e := newEnv(t)
	e.cluster(t, "demo", "web", 1, "")
	td, err := e.ecs.RegisterTaskDefinition(e.ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("api"), ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("nginx"), Cpu: 64, Memory: aws.Int32(64)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(td.TaskDefinition.TaskDefinitionArn)
	_, err = e.ecs.CreateService(e.ctx, &ecs.CreateServiceInput{
		Cluster: aws.String("demo"), ServiceName: aws.String("api"), TaskDefinition: aws.String(arn), DesiredCount: aws.Int32(1),
		LaunchType: ecstypes.LaunchTypeEc2, DeploymentConfiguration: &ecstypes.DeploymentConfiguration{MaximumPercent: aws.Int32(150), MinimumHealthyPercent: aws.Int32(50)},
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := e.w.SetServiceDesiredCount(e.ctx, "demo", "api", 3); err != nil {
			t.Fatal(err)
		}
	}
	out, err := e.ecs.DescribeServices(e.ctx, &ecs.DescribeServicesInput{Cluster: aws.String("demo"), Services: []string{"api"}})
	if err != nil {
		t.Fatal(err)
	}
	s := out.Services[0]
	if s.DesiredCount != 3 || aws.ToString(s.TaskDefinition) != arn || aws.ToInt32(s.DeploymentConfiguration.MaximumPercent) != 150 {
		t.Errorf("service: desired %d, task definition %s, maximumPercent %d; want 3, %s, 150", s.DesiredCount, aws.ToString(s.TaskDefinition), aws.ToInt32(s.DeploymentConfiguration.MaximumPercent), arn)
	}
	calls := e.calls("UpdateService")
	if len(calls) != 2 {
		t.Fatalf("%d UpdateService calls, want 2", len(calls))
	}
	// desiredCount only: nothing else about the service is sent.
	if diff := cmp.Diff(map[string]string{"cluster": "demo", "service": "api", "desiredCount": "3"}, calls[1].Params); diff != "" {
		t.Errorf("UpdateService parameters (-want +got):\n%s", diff)
	}
	err = e.w.SetServiceDesiredCount(e.ctx, "demo", "ghost", 1)
	var nf *ecstypes.ServiceNotFoundException
	if !errors.As(err, &nf) || !strings.Contains(err.Error(), "set desired count of ghost in demo to 1") {
		t.Errorf("SetServiceDesiredCount(ghost) = %v, want a wrapped ServiceNotFoundException", err)
	}
}

func TestSetInstancesState(t *testing.T) {
	e := newEnv(t)
	e.cluster(t, "demo", "web", 12, "")
	var arns []string
	for _, id := range e.instanceIDs(t, "web") {
		arn, err := e.sb.ContainerInstanceARN(e.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		arns = append(arns, arn)
	}
	ghost := "arn:aws:ecs:us-east-1:123456789012:container-instance/demo/00000000000000000000000000000000"
	count := func(want string) int {
		out, err := e.ecs.DescribeContainerInstances(e.ctx, &ecs.DescribeContainerInstancesInput{Cluster: aws.String("demo"), ContainerInstances: arns})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, ci := range out.ContainerInstances {
			if aws.ToString(ci.Status) == want {
				n++
			}
		}
		return n
	}

	for range 2 { // twice: the same outcome
		err := e.w.SetInstancesState(e.ctx, "demo", append(append([]string(nil), arns...), ghost), "DRAINING")
		var se *InstanceStateError
		if !errors.As(err, &se) {
			t.Fatalf("SetInstancesState with a ghost = %v, want an *InstanceStateError", err)
		}
		if len(se.Failures) != 1 || !strings.HasSuffix(se.Failures[0].ARN, "00000000000000000000000000000000") || se.Failures[0].Reason != "MISSING" {
			t.Errorf("failures = %+v, want the ghost, MISSING", se.Failures)
		}
		if !strings.Contains(err.Error(), "00000000000000000000000000000000: MISSING") || !strings.Contains(err.Error(), "to DRAINING") {
			t.Errorf("error %q does not name the ghost and the status", err)
		}
		if n := count("DRAINING"); n != 12 {
			t.Errorf("%d instances DRAINING, want 12", n)
		}
	}
	var sizes []int
	for _, c := range e.calls("UpdateContainerInstancesState") {
		n := 0
		for k := range c.Params {
			if strings.HasPrefix(k, "containerInstances.") {
				n++
			}
		}
		sizes = append(sizes, n)
	}
	if diff := cmp.Diff([]int{10, 3, 10, 3}, sizes); diff != "" {
		t.Errorf("batch sizes (-want +got):\n%s", diff)
	}

	if err := e.w.SetInstancesState(e.ctx, "demo", arns, "ACTIVE"); err != nil {
		t.Fatal(err)
	}
	if n := count("ACTIVE"); n != 12 {
		t.Errorf("%d instances ACTIVE, want 12", n)
	}
	if err := e.w.SetInstancesState(e.ctx, "demo", arns, "INACTIVE"); err == nil || !strings.Contains(err.Error(), "want DRAINING or ACTIVE") {
		t.Errorf("SetInstancesState(INACTIVE) = %v, want a refusal", err)
	}
	e.sb.FailNext("UpdateContainerInstancesState", 500, "ServerException")
	var resp *awshttp.ResponseError
	if err := e.w.SetInstancesState(e.ctx, "demo", arns[:1], "DRAINING"); !errors.As(err, &resp) || resp.HTTPStatusCode() != 500 {
		t.Errorf("SetInstancesState on a failing ECS = %v, want the wrapped 500", err)
	}
}

func TestTerminateInstance(t *testing.T) {
	e := newEnv(t)
	e.cluster(t, "demo", "web", 2, "")
	ids := e.instanceIDs(t, "web")
	if err := e.w.TerminateInstance(e.ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	g := e.group(t, "web")
	if aws.ToInt32(g.DesiredCapacity) != 1 || len(g.Instances) != 1 || aws.ToString(g.Instances[0].InstanceId) != ids[1] {
		t.Errorf("after terminating %s: desired %d, instances %v; want 1, [%s]", ids[0], aws.ToInt32(g.DesiredCapacity), g.Instances, ids[1])
	}
	c := e.calls("TerminateInstanceInAutoScalingGroup")
	if len(c) != 1 || c[0].Params["ShouldDecrementDesiredCapacity"] != "true" {
		t.Errorf("calls %v, want one that decrements the desired capacity", c)
	}
	// moto answers a second termination with HTTP 500, not AWS's
	// ValidationError: TestTerminateInstanceTwice covers that on a fake.
}

func TestSetProtection(t *testing.T) {
	e := newEnv(t)
	e.cluster(t, "demo", "web", 55, "")
	ids := e.instanceIDs(t, "web")
	protected := func() int {
		n := 0
		for _, in := range e.group(t, "web").Instances {
			if aws.ToBool(in.ProtectedFromScaleIn) {
				n++
			}
		}
		return n
	}
	for range 2 {
		if err := e.w.SetProtection(e.ctx, "web", ids, true); err != nil {
			t.Fatal(err)
		}
		if n := protected(); n != 55 {
			t.Errorf("%d instances protected, want 55", n)
		}
	}
	var sizes []int
	for _, c := range e.calls("SetInstanceProtection") {
		sizes = append(sizes, len(without(c.Params, "AutoScalingGroupName", "ProtectedFromScaleIn")))
	}
	if diff := cmp.Diff([]int{50, 5, 50, 5}, sizes); diff != "" {
		t.Errorf("batch sizes (-want +got):\n%s", diff)
	}
	if err := e.w.SetProtection(e.ctx, "web", ids[:10], false); err != nil {
		t.Fatal(err)
	}
	if n := protected(); n != 45 {
		t.Errorf("%d instances protected after clearing 10, want 45", n)
	}
}

func TestLifecycleAction(t *testing.T) {
	e := newEnv(t)
	e.cluster(t, "demo", "web", 2, "drain")
	ids := e.instanceIDs(t, "web")
	ev, err := e.sb.BeginTermination(e.ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	d := ev.Detail.(sandbox.LifecycleDetail)
	if err := e.w.RecordHeartbeat(e.ctx, "web", "drain", d.LifecycleActionToken, ids[0]); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second completes nothing, and is no error
		if err := e.w.CompleteLifecycleAction(e.ctx, "web", "drain", d.LifecycleActionToken, ids[0]); err != nil {
			t.Fatal(err)
		}
	}
	// Without a token the instance names the action.
	ev, err = e.sb.BeginTermination(e.ctx, ids[1])
	if err != nil {
		t.Fatal(err)
	}
	if err := e.w.CompleteLifecycleAction(e.ctx, "web", "drain", "", ids[1]); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range e.sb.LifecycleActions() {
		got = append(got, fmt.Sprintf("%s %s %s %v", a.Operation, a.InstanceID, a.Result, a.Accepted))
	}
	want := []string{
		"RecordLifecycleActionHeartbeat " + ids[0] + "  true",
		"CompleteLifecycleAction " + ids[0] + " CONTINUE true",
		"CompleteLifecycleAction " + ids[0] + " CONTINUE false",
		"CompleteLifecycleAction " + ids[1] + " CONTINUE true",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lifecycle actions (-want +got):\n%s", diff)
	}
	if g := e.group(t, "web"); len(g.Instances) != 0 {
		t.Errorf("instances %v remain, want both terminated", g.Instances)
	}

	err = e.w.RecordHeartbeat(e.ctx, "web", "drain", "", ids[0])
	var api smithy.APIError
	if !errors.Is(err, ErrNoLifecycleAction) || !errors.As(err, &api) || api.ErrorCode() != "ValidationError" {
		t.Errorf("heartbeat after completion = %v, want ErrNoLifecycleAction and the ValidationError", err)
	}
}

func TestPutEvent(t *testing.T) {
	e := newEnv(t)
	eb := eventbridge.NewFromConfig(e.cfg)
	q := sqs.NewFromConfig(e.cfg)
	if _, err := eb.CreateEventBus(e.ctx, &eventbridge.CreateEventBusInput{Name: aws.String("tandem-bus")}); err != nil {
		t.Fatal(err)
	}
	queue, err := q.CreateQueue(e.ctx, &sqs.CreateQueueInput{QueueName: aws.String("decisions")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = eb.PutRule(e.ctx, &eventbridge.PutRuleInput{
		Name: aws.String("to-queue"), EventBusName: aws.String("tandem-bus"),
		EventPattern: aws.String(`{"source":["tandem"],"detail-type":["Tandem Decision"]}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = eb.PutTargets(e.ctx, &eventbridge.PutTargetsInput{
		Rule: aws.String("to-queue"), EventBusName: aws.String("tandem-bus"),
		Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:123456789012:decisions")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	detail := map[string]any{"cluster": "demo", "pools": map[string]int{"web": 3}}
	if err := e.w.PutEvent(e.ctx, "tandem-bus", "Tandem Decision", detail); err != nil {
		t.Fatal(err)
	}
	msgs, err := q.ReceiveMessage(e.ctx, &sqs.ReceiveMessageInput{QueueUrl: queue.QueueUrl, MaxNumberOfMessages: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs.Messages) != 1 {
		t.Fatalf("%d messages on the queue, want 1", len(msgs.Messages))
	}
	var got struct {
		Source     string         `json:"source"`
		DetailType string         `json:"detail-type"`
		Detail     map[string]any `json:"detail"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(msgs.Messages[0].Body)), &got); err != nil {
		t.Fatal(err)
	}
	wantDetail := map[string]any{"cluster": "demo", "pools": map[string]any{"web": float64(3)}}
	if got.Source != "tandem" || got.DetailType != "Tandem Decision" {
		t.Errorf("event source %q, detail-type %q; want tandem, Tandem Decision", got.Source, got.DetailType)
	}
	if diff := cmp.Diff(wantDetail, got.Detail); diff != "" {
		t.Errorf("event detail (-want +got):\n%s", diff)
	}

	if err := e.w.PutEvent(e.ctx, "tandem-bus", "Bad", make(chan int)); err == nil || !strings.Contains(err.Error(), "encode detail") {
		t.Errorf("PutEvent(chan) = %v, want an encoding error", err)
	}
	// EventBridge accepts a detail that is not an object, and drops it.
	if err := e.w.PutEvent(e.ctx, "tandem-bus", "Tandem Decision", []int{1}); err == nil || !strings.Contains(err.Error(), "want something that encodes as a JSON object") {
		t.Errorf("PutEvent([]int) = %v, want a refusal", err)
	}
	if err := e.w.PutEvent(e.ctx, "tandem-bus", "Tandem Decision", nil); err != nil {
		t.Errorf("PutEvent(nil) = %v, want {} sent", err)
	}
	msgs, err = q.ReceiveMessage(e.ctx, &sqs.ReceiveMessageInput{QueueUrl: queue.QueueUrl, MaxNumberOfMessages: 10})
	if err != nil || len(msgs.Messages) != 1 {
		t.Fatalf("after PutEvent(nil) the queue holds %d messages (%v), want 1", len(msgs.Messages), err)
	}
	if body := aws.ToString(msgs.Messages[0].Body); !strings.Contains(body, `"detail": {}`) && !strings.Contains(body, `"detail":{}`) {
		t.Errorf("after PutEvent(nil) the queue holds %s, want an event with detail {}", body)
	}
	e.sb.FailNext("PutEvents", 400, "ThrottlingException")
	var api smithy.APIError
	if err := e.w.PutEvent(e.ctx, "tandem-bus", "Tandem Decision", detail); !errors.As(err, &api) || !strings.Contains(err.Error(), "put Tandem Decision event on tandem-bus") {
		t.Errorf("throttled PutEvent = %v, want the wrapped API error", err)
	}
}

func TestPublish(t *testing.T) {
	e := newEnv(t)
	sn := sns.NewFromConfig(e.cfg)
	q := sqs.NewFromConfig(e.cfg)
	topic, err := sn.CreateTopic(e.ctx, &sns.CreateTopicInput{Name: aws.String("tandem-alerts")})
	if err != nil {
		t.Fatal(err)
	}
	queue, err := q.CreateQueue(e.ctx, &sqs.CreateQueueInput{QueueName: aws.String("alerts")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = sn.Subscribe(e.ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String("arn:aws:sqs:us-east-1:123456789012:alerts")})
	if err != nil {
		t.Fatal(err)
	}
	subject := "tandem: 3 tasks of api cannot be placed\non any pool: " + strings.Repeat("memory ", 20)
	if err := e.w.Publish(e.ctx, aws.ToString(topic.TopicArn), subject, "the long story"); err != nil {
		t.Fatal(err)
	}
	msgs, err := q.ReceiveMessage(e.ctx, &sqs.ReceiveMessageInput{QueueUrl: queue.QueueUrl, MaxNumberOfMessages: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs.Messages) != 1 {
		t.Fatalf("%d messages on the queue, want 1", len(msgs.Messages))
	}
	var got struct{ Subject, Message string }
	if err := json.Unmarshal([]byte(aws.ToString(msgs.Messages[0].Body)), &got); err != nil {
		t.Fatal(err)
	}
	want := Subject(subject)
	if got.Subject != want || got.Message != "the long story" || len([]rune(want)) != 99 || !strings.HasPrefix(want, "tandem: 3 tasks of api cannot be placed on any pool: memory") {
		t.Errorf("received subject %q, message %q; want %q (99 characters), the long story", got.Subject, got.Message, want)
	}
	err = e.w.Publish(e.ctx, "arn:aws:sns:us-east-1:123456789012:nope", "s", "m")
	var api smithy.APIError
	if !errors.As(err, &api) || !strings.Contains(err.Error(), "publish to arn:aws:sns:us-east-1:123456789012:nope") {
		t.Errorf("Publish to a missing topic = %v, want the wrapped API error", err)
	}
}

func TestSubject(t *testing.T) {
	long := strings.Repeat("é", 120)
	tests := []struct{ in, want string }{
		{"", ""},
		{"short", "short"},
		{"line\none\ttab\r", "line one tab"},
		// SNS: "less than 100 characters long".
		{long, strings.Repeat("é", 96) + "..."},
		{strings.Repeat("a", 99), strings.Repeat("a", 99)},
		{strings.Repeat("a", 100), strings.Repeat("a", 96) + "..."},
		{"bad \xff byte", "bad ? byte"},
	}
	for _, tt := range tests {
		if got := Subject(tt.in); got != tt.want {
			t.Errorf("Subject(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// fakeASG answers TerminateInstanceInAutoScalingGroup with err, as AWS does
// for an instance that is in no group any more (moto answers HTTP 500).
type fakeASG struct {
	autoScalingAPI
	err error
}

func (f fakeASG) TerminateInstanceInAutoScalingGroup(context.Context, *autoscaling.TerminateInstanceInAutoScalingGroupInput, ...func(*autoscaling.Options)) (*autoscaling.TerminateInstanceInAutoScalingGroupOutput, error) {
	return nil, f.err
}

func TestTerminateInstanceTwice(t *testing.T) {
	gone := &smithy.GenericAPIError{Code: "ValidationError", Message: "Instance Id not found - No managed instance found for instance ID: i-0123"}
	throttled := &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded"}
	other := &smithy.GenericAPIError{Code: "ValidationError", Message: "1 validation error detected"}
	for _, tt := range []struct {
		err  error
		want error
	}{{gone, nil}, {throttled, throttled}, {other, other}} {
		w := &Writer{asg: fakeASG{err: tt.err}}
		err := w.TerminateInstance(context.Background(), "i-0123")
		if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("TerminateInstance when AWS says %v = %v, want %v", tt.err, err, tt.want)
		}
	}
}

// fakeEvents answers PutEvents with one failed entry.
type fakeEvents struct{}

func (fakeEvents) PutEvents(context.Context, *eventbridge.PutEventsInput, ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error) {
	return &eventbridge.PutEventsOutput{FailedEntryCount: 1, Entries: []ebtypes.PutEventsResultEntry{{
		ErrorCode: aws.String("InternalFailure"), ErrorMessage: aws.String("try again"),
	}}}, nil
}

func TestPutEventFailedEntry(t *testing.T) {
	w := &Writer{events: fakeEvents{}}
	err := w.PutEvent(context.Background(), "", "Tandem Decision", map[string]int{})
	if err == nil || !strings.Contains(err.Error(), "InternalFailure: try again") || !strings.Contains(err.Error(), "the default bus") {
		t.Errorf("PutEvent with a failed entry = %v, want an error naming InternalFailure: try again", err)
	}
}

// fakeECS answers UpdateContainerInstancesState per call: an SDK error for
// the calls listed in fail, else a MISSING failure for each ARN in missing.
type fakeECS struct {
	ecsAPI
	fail    map[int]error
	missing map[string]bool
	calls   [][]string
}

func (f *fakeECS) UpdateContainerInstancesState(_ context.Context, in *ecs.UpdateContainerInstancesStateInput, _ ...func(*ecs.Options)) (*ecs.UpdateContainerInstancesStateOutput, error) {
	f.calls = append(f.calls, in.ContainerInstances)
	if err := f.fail[len(f.calls)]; err != nil {
		return nil, err
	}
	out := &ecs.UpdateContainerInstancesStateOutput{}
	for _, arn := range in.ContainerInstances {
		if f.missing[arn] {
			out.Failures = append(out.Failures, ecstypes.Failure{Arn: aws.String(arn), Reason: aws.String("MISSING")})
		}
	}
	return out, nil
}

// TestSetInstancesStateTriesEveryBatch: a batch that fails does not keep
// the others from being tried, and every failure comes back.
func TestSetInstancesStateTriesEveryBatch(t *testing.T) {
	var arns []string
	for i := range 25 {
		arns = append(arns, fmt.Sprintf("arn:aws:ecs:us-east-1:123456789012:container-instance/demo/%032d", i))
	}
	throttled := &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
	f := &fakeECS{fail: map[int]error{1: throttled}, missing: map[string]bool{arns[12]: true, arns[24]: true}}
	w := &Writer{ecs: f}
	err := w.SetInstancesState(context.Background(), "demo", arns, "DRAINING")
	if len(f.calls) != 3 {
		t.Errorf("%d calls, want 3: each batch tried after the first failed", len(f.calls))
	}
	if !errors.Is(err, throttled) {
		t.Errorf("error %v, want the first batch's SDK error in it", err)
	}
	var se *InstanceStateError
	if !errors.As(err, &se) || len(se.Failures) != 2 || se.Failures[0].ARN != arns[12] || se.Failures[1].ARN != arns[24] {
		t.Errorf("error %v, want an *InstanceStateError naming the two instances ECS refused", err)
	}
	for _, want := range []string{"set container instances " + arns[0] + ", ", "ThrottlingException", "set 2 container instances of demo to DRAINING"} {
		if !strings.Contains(fmt.Sprint(err), want) {
			t.Errorf("error %q, want it to contain %q", err, want)
		}
	}

	// A cancelled context stops at once: the other calls would fail alike.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f = &fakeECS{fail: map[int]error{1: context.Canceled}}
	w = &Writer{ecs: f}
	if err := w.SetInstancesState(ctx, "demo", arns, "ACTIVE"); !errors.Is(err, context.Canceled) || len(f.calls) != 1 {
		t.Errorf("cancelled: %d calls, error %v; want 1 call and context.Canceled", len(f.calls), err)
	}
}
