// Package stage stands tandem up locally: over the sandbox (moto plus a
// harness that plays the ECS agent and scheduler), it creates an ECS
// cluster, a pool and services from a Spec, the scaler's state table, a
// queue that receives tandem's notifications, and runs the real scaler
// bootstrap under the Lambda Runtime Interface Emulator. The integration
// tests and the demo both play their scenarios on a Stage.
package stage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"

	"github.com/tandem-ecs/tandem/internal/sandbox"
	"github.com/tandem-ecs/tandem/internal/state"
)

// StateTable is the name of the scaler's state table on a stage.
const StateTable = "tandem-state"

// Service is a service of the stage's cluster.
type Service struct {
	Name      string
	CPU       int32
	MemoryMiB int32
	// HostPort is the container's host port: 0 for a dynamic port, -1
	// for none.
	HostPort int32
	Desired  int32
	Daemon   bool
	// MinimumHealthyPercent and MaximumPercent default to 100 and 200.
	MinimumHealthyPercent int32
	MaximumPercent        int32
}

// Spec describes a stage.
type Spec struct {
	Cluster  string
	Pool     sandbox.Pool
	Services []Service
	// Config is tandem's configuration document; the stage fills in
	// stateTable.
	Config string
	// Functions is how many scaler processes run (one invocation at a time
	// each); default 1.
	Functions int
	// Steps are the harness steps taken after setup, so that instances
	// register and tasks run; default 2.
	Steps int
}

// Stage is tandem running locally.
type Stage struct {
	SB         *sandbox.Sandbox
	Functions  []*sandbox.Lambda
	ECS        *ecs.Client
	ASG        *autoscaling.Client
	CloudWatch *cloudwatch.Client
	SQS        *sqs.Client

	spec     Spec
	queueURL string
	revision map[string]int
	seq      atomic.Int64
}

// Start builds a stage on a moto server. bootstrap is a native build of
// the scaler (sandbox.BuildBootstrap).
func Start(ctx context.Context, motoEndpoint, bootstrap string, spec Spec) (st *Stage, err error) {
	sb, err := sandbox.New(ctx, motoEndpoint, sandbox.Options{})
	if err != nil {
		return nil, err
	}
	cfg := sb.Config()
	st = &Stage{
		SB: sb, spec: spec, revision: map[string]int{},
		ECS: ecs.NewFromConfig(cfg), ASG: autoscaling.NewFromConfig(cfg), SQS: sqs.NewFromConfig(cfg),
		CloudWatch: cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) {
			o.Protocol = awsquery.New(schemas.GraniteServiceVersion20100801)
		}),
	}
	defer func() {
		if err != nil {
			st.Close()
		}
	}()
	if _, err := st.ECS.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(spec.Cluster)}); err != nil {
		return nil, fmt.Errorf("create cluster %s: %w", spec.Cluster, err)
	}
	if err := state.CreateTable(ctx, cfg, StateTable); err != nil {
		return nil, err
	}
	if err := st.notificationQueue(ctx); err != nil {
		return nil, err
	}
	if err := sb.CreatePool(ctx, spec.Pool); err != nil {
		return nil, err
	}
	for _, svc := range spec.Services {
		if err := st.createService(ctx, svc); err != nil {
			return nil, err
		}
	}
	for range max(spec.Steps, 2) {
		if err := sb.Step(ctx); err != nil {
			return nil, err
		}
	}
	sb.TakeEvents() // the setup's events are not the story's
	doc, err := withStateTable(spec.Config)
	if err != nil {
		return nil, err
	}
	env := sb.LambdaEnv()
	env["TANDEM_CONFIG"] = doc
	env["AWS_LAMBDA_FUNCTION_NAME"] = "tandem-scaler"
	for range max(spec.Functions, 1) {
		fn, err := sandbox.StartLambda(ctx, sandbox.LambdaConfig{BootstrapPath: bootstrap, Env: env, Timeout: 60 * time.Second})
		if err != nil {
			return nil, err
		}
		st.Functions = append(st.Functions, fn)
	}
	return st, nil
}

// withStateTable sets the configuration's stateTable.
func withStateTable(config string) (string, error) {
	var doc map[string]any
	if err := json.Unmarshal([]byte(config), &doc); err != nil {
		return "", fmt.Errorf("stage configuration: %w", err)
	}
	doc["stateTable"] = StateTable
	b, err := json.Marshal(doc)
	return string(b), err
}

// notificationQueue routes tandem's events (source "tandem") on the default
// bus to an SQS queue the stage reads.
func (st *Stage) notificationQueue(ctx context.Context) error {
	q, err := st.SQS.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("tandem-notifications")})
	if err != nil {
		return fmt.Errorf("create notification queue: %w", err)
	}
	st.queueURL = aws.ToString(q.QueueUrl)
	attrs, err := st.SQS.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		return fmt.Errorf("read notification queue: %w", err)
	}
	eb := eventbridge.NewFromConfig(st.SB.Config())
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("tandem-notifications"), EventPattern: aws.String(`{"source":["tandem"]}`)}); err != nil {
		return fmt.Errorf("create notification rule: %w", err)
	}
	_, err = eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("tandem-notifications"),
		Targets: []ebtypes.Target{{Id: aws.String("queue"), Arn: aws.String(attrs.Attributes["QueueArn"])}}})
	if err != nil {
		return fmt.Errorf("route notifications to the queue: %w", err)
	}
	return nil
}

func (st *Stage) createService(ctx context.Context, svc Service) error {
	td, err := st.registerTaskDefinition(ctx, svc)
	if err != nil {
		return err
	}
	in := &ecs.CreateServiceInput{
		Cluster: aws.String(st.spec.Cluster), ServiceName: aws.String(svc.Name), TaskDefinition: aws.String(td),
		LaunchType: ecstypes.LaunchTypeEc2,
	}
	if svc.Daemon {
		in.SchedulingStrategy = ecstypes.SchedulingStrategyDaemon
		in.DeploymentConfiguration = &ecstypes.DeploymentConfiguration{MinimumHealthyPercent: aws.Int32(0), MaximumPercent: aws.Int32(100)}
	} else {
		in.DesiredCount = aws.Int32(svc.Desired)
		in.DeploymentConfiguration = &ecstypes.DeploymentConfiguration{
			MinimumHealthyPercent: aws.Int32(orInt32(svc.MinimumHealthyPercent, 100)),
			MaximumPercent:        aws.Int32(orInt32(svc.MaximumPercent, 200)),
		}
	}
	if _, err := st.ECS.CreateService(ctx, in); err != nil {
		return fmt.Errorf("create service %s: %w", svc.Name, err)
	}
	return nil
}

func orInt32(v, def int32) int32 {
	if v == 0 {
		return def
	}
	return v
}

// registerTaskDefinition registers the next revision of a service's task
// definition (container memory set: moto needs it) and returns its ARN.
func (st *Stage) registerTaskDefinition(ctx context.Context, svc Service) (string, error) {
	st.revision[svc.Name]++
	c := ecstypes.ContainerDefinition{
		Name: aws.String(svc.Name), Image: aws.String(fmt.Sprintf("registry.example/%s:%d", svc.Name, st.revision[svc.Name])),
		Cpu: svc.CPU, Memory: aws.Int32(svc.MemoryMiB), Essential: aws.Bool(true),
	}
	if svc.HostPort >= 0 {
		c.PortMappings = []ecstypes.PortMapping{{ContainerPort: aws.Int32(80), HostPort: aws.Int32(svc.HostPort), Protocol: ecstypes.TransportProtocolTcp}}
	}
	out, err := st.ECS.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String(svc.Name), NetworkMode: ecstypes.NetworkModeBridge, ContainerDefinitions: []ecstypes.ContainerDefinition{c},
	})
	if err != nil {
		return "", fmt.Errorf("register task definition %s: %w", svc.Name, err)
	}
	return aws.ToString(out.TaskDefinition.TaskDefinitionArn), nil
}

// Deploy starts a rolling deployment of a new revision of a service.
func (st *Stage) Deploy(ctx context.Context, service string) error {
	for _, svc := range st.spec.Services {
		if svc.Name != service {
			continue
		}
		td, err := st.registerTaskDefinition(ctx, svc)
		if err != nil {
			return err
		}
		_, err = st.ECS.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String(st.spec.Cluster), Service: aws.String(service), TaskDefinition: aws.String(td)})
		if err != nil {
			return fmt.Errorf("deploy %s: %w", service, err)
		}
		return nil
	}
	return fmt.Errorf("no service %s on the stage", service)
}

// SetDesired sets a service's desired count, as a person would.
func (st *Stage) SetDesired(ctx context.Context, service string, desired int32) error {
	_, err := st.ECS.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String(st.spec.Cluster), Service: aws.String(service), DesiredCount: aws.Int32(desired)})
	if err != nil {
		return fmt.Errorf("set desired count of %s: %w", service, err)
	}
	return nil
}

// Step runs the harness's ECS agent and scheduler once.
func (st *Stage) Step(ctx context.Context) error { return st.SB.Step(ctx) }

// Invoke runs the scaler once with payload.
func (st *Stage) Invoke(ctx context.Context, payload []byte) (sandbox.Result, error) {
	return st.Functions[0].Invoke(ctx, payload)
}

// Deliver hands the events the harness emitted since the last call to the
// scaler, one invocation each, and returns their results.
func (st *Stage) Deliver(ctx context.Context) ([]sandbox.Result, error) {
	var out []sandbox.Result
	for _, ev := range st.SB.TakeEvents() {
		res, err := st.Invoke(ctx, ev.JSON())
		if err != nil {
			return out, err
		}
		out = append(out, res)
	}
	return out, nil
}

func (st *Stage) id(prefix string) string {
	return fmt.Sprintf("%s-%08d", prefix, st.seq.Add(1))
}

// Schedule returns a payload of the one-minute schedule.
func (st *Stage) Schedule() []byte {
	ev := map[string]any{
		"version": "0", "id": st.id("schedule"), "detail-type": "Scheduled Event", "source": "aws.events",
		"account": "123456789012", "time": time.Now().UTC().Format(time.RFC3339), "region": sandbox.Region,
		"resources": []string{"arn:aws:events:us-east-1:123456789012:rule/tandem-schedule"}, "detail": map[string]any{},
	}
	b, _ := json.Marshal(ev)
	return b
}

// Alarm puts a CloudWatch alarm into state (ALARM or OK) with value as its
// breaching datapoint, and returns the EventBridge event of the change.
// The alarm is created on first use, on the service's CPU.
func (st *Stage) Alarm(ctx context.Context, name, service, value string, threshold float64, stateValue string) ([]byte, error) {
	v, err := strconv.ParseFloat(value, 64)
	if err != nil {
		return nil, fmt.Errorf("alarm value %q: %w", value, err)
	}
	desc, err := st.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{name}})
	if err != nil {
		return nil, fmt.Errorf("describe alarm %s: %w", name, err)
	}
	if len(desc.MetricAlarms) == 0 {
		_, err := st.CloudWatch.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
			AlarmName: aws.String(name), Namespace: aws.String("AWS/ECS"), MetricName: aws.String("CPUUtilization"),
			Dimensions: []cwtypes.Dimension{{Name: aws.String("ClusterName"), Value: aws.String(st.spec.Cluster)}, {Name: aws.String("ServiceName"), Value: aws.String(service)}},
			Statistic:  cwtypes.StatisticAverage, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(threshold),
			ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold,
		})
		if err != nil {
			return nil, fmt.Errorf("create alarm %s: %w", name, err)
		}
	}
	now := time.Now().UTC()
	reasonData, _ := json.Marshal(map[string]any{
		"version": "1.0", "statistic": "Average", "period": 60, "threshold": threshold,
		"recentDatapoints": []float64{v}, "queryDate": now.Format("2006-01-02T15:04:05.000-0700"),
	})
	reason := fmt.Sprintf("Threshold Crossed: 1 datapoint [%s] against the threshold (%g).", value, threshold)
	if _, err := st.CloudWatch.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String(name),
		StateValue: cwtypes.StateValue(stateValue), StateReason: aws.String(reason), StateReasonData: aws.String(string(reasonData))}); err != nil {
		return nil, fmt.Errorf("set alarm %s to %s: %w", name, stateValue, err)
	}
	ev := map[string]any{
		"version": "0", "id": st.id("alarm"), "detail-type": "CloudWatch Alarm State Change", "source": "aws.cloudwatch",
		"account": "123456789012", "time": now.Format(time.RFC3339), "region": sandbox.Region,
		"resources": []string{"arn:aws:cloudwatch:us-east-1:123456789012:alarm:" + name},
		"detail": map[string]any{
			"alarmName": name,
			"state":     map[string]any{"value": stateValue, "reason": reason, "reasonData": string(reasonData), "timestamp": now.Format("2006-01-02T15:04:05.000-0700")},
		},
	}
	return json.Marshal(ev)
}

// Notification is an event tandem put on the bus.
type Notification struct {
	DetailType string          `json:"detail-type"`
	Detail     json.RawMessage `json:"detail"`
}

// Notifications returns and removes the notifications that arrived.
func (st *Stage) Notifications(ctx context.Context) ([]Notification, error) {
	var out []Notification
	for {
		msgs, err := st.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(st.queueURL), MaxNumberOfMessages: 10})
		if err != nil {
			return out, fmt.Errorf("read notifications: %w", err)
		}
		if len(msgs.Messages) == 0 {
			return out, nil
		}
		for _, m := range msgs.Messages {
			var n Notification
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &n); err != nil {
				return out, fmt.Errorf("notification %q: %w", aws.ToString(m.Body), err)
			}
			out = append(out, n)
			if _, err := st.SQS.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(st.queueURL), ReceiptHandle: m.ReceiptHandle}); err != nil {
				return out, fmt.Errorf("delete notification: %w", err)
			}
		}
	}
}

// decisionWait bounds how long Decision waits for a decision line to reach
// the log: the function writes it before it answers, but its output reaches
// the buffer through RIE's pipe, asynchronously.
const decisionWait = 10 * time.Second

// Decision returns the decision log line of function fn's latest
// invocation: the line whose requestId is that invocation's request ID,
// waiting for it to be logged. It never returns an earlier invocation's
// decision.
func (st *Stage) Decision(fn int) (map[string]any, error) {
	f := st.Functions[fn]
	id := f.LastRequestID()
	if id == "" {
		return nil, fmt.Errorf("function %d has not been invoked", fn)
	}
	deadline := time.Now().Add(decisionWait)
	for {
		if d := findDecision(f.Logs(), id); d != nil {
			return d, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("function %d logged no decision for request %s within %s", fn, id, decisionWait)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// findDecision returns the decision line of request id in logs, or nil.
// RIE may prefix the function's lines; the JSON starts at the first brace.
func findDecision(logs, id string) map[string]any {
	lines := strings.Split(logs, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		line := strings.TrimSpace(lines[i])
		if j := strings.Index(line, "{"); j > 0 {
			line = line[j:]
		}
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["msg"] == "decision" && m["requestId"] == id {
			return m
		}
	}
	return nil
}

// Close stops the functions and the sandbox.
func (st *Stage) Close() error {
	var errs []error
	for _, fn := range st.Functions {
		errs = append(errs, fn.Close())
	}
	if st.SB != nil {
		errs = append(errs, st.SB.Close())
	}
	return errors.Join(errs...)
}
