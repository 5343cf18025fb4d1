// Package awswrite holds every AWS write tandem makes. Each method sets an
// absolute value (a desired capacity, a desired count, a status) rather than
// applying a change, so calling it twice with the same arguments leaves AWS
// as calling it once does, and a retried or duplicated decision is harmless.
//
// Calls, one per method: autoscaling SetDesiredCapacity (HonorCooldown
// false), TerminateInstanceInAutoScalingGroup (decrementing the desired
// capacity), SetInstanceProtection (50 instances a call),
// CompleteLifecycleAction (CONTINUE) and RecordLifecycleActionHeartbeat; ecs
// UpdateService (desiredCount only) and UpdateContainerInstancesState (10
// instances a call); eventbridge PutEvents (source "tandem"); sns Publish.
//
// Two writes cannot be repeated as such on AWS, and are made idempotent
// here: terminating an instance that is no longer in a group, and completing
// a lifecycle action that is no longer waiting, both answer ValidationError
// on AWS; the methods take that as done. Every other error is wrapped once
// with what was being written and keeps the SDK's error reachable with
// errors.As, so that the caller can retry throttling and 5xx.
//
// moto 5.2.1 differences met by the tests (internal/sandbox fixes the
// lifecycle calls): TerminateInstanceInAutoScalingGroup of an instance that
// is in no group is an HTTP 500 instead of a ValidationError, so the
// idempotent path is unit tested on a fake; UpdateContainerInstancesState
// on a cluster that never had an instance is an HTTP 500 instead of a
// MISSING failure; SetDesiredCapacity accepts values outside [MinSize,
// MaxSize] (callers must clamp); PutEvents never answers a failed entry for
// a well-formed event, so that path is unit tested on a fake too.
package awswrite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"
)

// The SDK calls the writer makes, one small interface per service.

type autoScalingAPI interface {
	SetDesiredCapacity(context.Context, *autoscaling.SetDesiredCapacityInput, ...func(*autoscaling.Options)) (*autoscaling.SetDesiredCapacityOutput, error)
	TerminateInstanceInAutoScalingGroup(context.Context, *autoscaling.TerminateInstanceInAutoScalingGroupInput, ...func(*autoscaling.Options)) (*autoscaling.TerminateInstanceInAutoScalingGroupOutput, error)
	SetInstanceProtection(context.Context, *autoscaling.SetInstanceProtectionInput, ...func(*autoscaling.Options)) (*autoscaling.SetInstanceProtectionOutput, error)
	CompleteLifecycleAction(context.Context, *autoscaling.CompleteLifecycleActionInput, ...func(*autoscaling.Options)) (*autoscaling.CompleteLifecycleActionOutput, error)
	RecordLifecycleActionHeartbeat(context.Context, *autoscaling.RecordLifecycleActionHeartbeatInput, ...func(*autoscaling.Options)) (*autoscaling.RecordLifecycleActionHeartbeatOutput, error)
}

type ecsAPI interface {
	UpdateService(context.Context, *ecs.UpdateServiceInput, ...func(*ecs.Options)) (*ecs.UpdateServiceOutput, error)
	UpdateContainerInstancesState(context.Context, *ecs.UpdateContainerInstancesStateInput, ...func(*ecs.Options)) (*ecs.UpdateContainerInstancesStateOutput, error)
}

type eventsAPI interface {
	PutEvents(context.Context, *eventbridge.PutEventsInput, ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

type snsAPI interface {
	Publish(context.Context, *sns.PublishInput, ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// API limits.
const (
	instancesPerProtectionCall = 50
	instancesPerStateCall      = 10
	maxSubjectChars            = 99 // SNS: "less than 100 characters long"
)

// EventSource is the source of the events PutEvent sends.
const EventSource = "tandem"

// ErrNoLifecycleAction is returned (wrapped) by RecordHeartbeat when no
// lifecycle action of the instance is waiting: it completed or timed out,
// and there is nothing left to keep alive.
var ErrNoLifecycleAction = errors.New("no lifecycle action is waiting")

// Writer makes tandem's AWS writes. It is safe for concurrent use.
type Writer struct {
	asg    autoScalingAPI
	ecs    ecsAPI
	events eventsAPI
	sns    snsAPI
}

// New builds the writer's SDK clients from cfg.
func New(cfg aws.Config) *Writer {
	return &Writer{
		asg:    autoscaling.NewFromConfig(cfg),
		ecs:    ecs.NewFromConfig(cfg),
		events: eventbridge.NewFromConfig(cfg),
		sns:    sns.NewFromConfig(cfg),
	}
}

// SetDesiredCapacity sets the desired capacity of pool, ignoring its
// cooldown.
func (w *Writer) SetDesiredCapacity(ctx context.Context, pool string, desired int) error {
	_, err := w.asg.SetDesiredCapacity(ctx, &autoscaling.SetDesiredCapacityInput{
		AutoScalingGroupName: aws.String(pool), DesiredCapacity: aws.Int32(int32(desired)), HonorCooldown: aws.Bool(false),
	})
	if err != nil {
		return fmt.Errorf("set desired capacity of %s to %d: %w", pool, desired, err)
	}
	return nil
}

// SetServiceDesiredCount sets the desired count of a service and changes
// nothing else about it.
func (w *Writer) SetServiceDesiredCount(ctx context.Context, cluster, service string, desired int) error {
	_, err := w.ecs.UpdateService(ctx, &ecs.UpdateServiceInput{
		Cluster: aws.String(cluster), Service: aws.String(service), DesiredCount: aws.Int32(int32(desired)),
	})
	if err != nil {
		return fmt.Errorf("set desired count of %s in %s to %d: %w", service, cluster, desired, err)
	}
	return nil
}

// InstanceStateError names the container instances whose status could not
// be set.
type InstanceStateError struct {
	Cluster  string
	Status   string
	Failures []InstanceFailure
}

// InstanceFailure is one container instance ECS refused.
type InstanceFailure struct {
	ARN, Reason, Detail string
}

func (e *InstanceStateError) Error() string {
	var parts []string
	for _, f := range e.Failures {
		s := f.ARN + ": " + f.Reason
		if f.Detail != "" {
			s += " (" + f.Detail + ")"
		}
		parts = append(parts, s)
	}
	return fmt.Sprintf("set %d container instances of %s to %s: %s", len(e.Failures), e.Cluster, e.Status, strings.Join(parts, "; "))
}

// SetInstancesState sets the status of container instances to "DRAINING"
// or "ACTIVE", 10 a call. Every batch is tried, whatever happened to the
// ones before: the error joins each failed call's error (wrapped, naming
// its instances) and, when ECS refused some instances, an
// *InstanceStateError naming each. A cancelled context stops at once.
func (w *Writer) SetInstancesState(ctx context.Context, cluster string, containerInstanceARNs []string, status string) error {
	if status != string(ecstypes.ContainerInstanceStatusDraining) && status != string(ecstypes.ContainerInstanceStatusActive) {
		return fmt.Errorf("set container instances of %s to %q: want DRAINING or ACTIVE", cluster, status)
	}
	var errs []error
	failed := &InstanceStateError{Cluster: cluster, Status: status}
	for batch := range slices.Chunk(containerInstanceARNs, instancesPerStateCall) {
		out, err := w.ecs.UpdateContainerInstancesState(ctx, &ecs.UpdateContainerInstancesStateInput{
			Cluster: aws.String(cluster), ContainerInstances: batch, Status: ecstypes.ContainerInstanceStatus(status),
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("set container instances %s of %s to %s: %w", strings.Join(batch, ", "), cluster, status, err))
			if ctx.Err() != nil {
				break
			}
			continue
		}
		for _, f := range out.Failures {
			failed.Failures = append(failed.Failures, InstanceFailure{ARN: aws.ToString(f.Arn), Reason: aws.ToString(f.Reason), Detail: aws.ToString(f.Detail)})
		}
	}
	if len(failed.Failures) > 0 {
		errs = append(errs, failed)
	}
	return errors.Join(errs...)
}

// TerminateInstance terminates an instance through its Auto Scaling group
// and lowers the group's desired capacity by one, so that no replacement
// starts. An instance that is in no group any more (terminated already) is
// not an error.
func (w *Writer) TerminateInstance(ctx context.Context, instanceID string) error {
	_, err := w.asg.TerminateInstanceInAutoScalingGroup(ctx, &autoscaling.TerminateInstanceInAutoScalingGroupInput{
		InstanceId: aws.String(instanceID), ShouldDecrementDesiredCapacity: aws.Bool(true),
	})
	if isValidation(err, "not found") {
		return nil
	}
	if err != nil {
		return fmt.Errorf("terminate %s: %w", instanceID, err)
	}
	return nil
}

// SetProtection sets or clears the scale-in protection of instances of
// pool, 50 a call.
func (w *Writer) SetProtection(ctx context.Context, pool string, instanceIDs []string, protected bool) error {
	for batch := range slices.Chunk(instanceIDs, instancesPerProtectionCall) {
		_, err := w.asg.SetInstanceProtection(ctx, &autoscaling.SetInstanceProtectionInput{
			AutoScalingGroupName: aws.String(pool), InstanceIds: batch, ProtectedFromScaleIn: aws.Bool(protected),
		})
		if err != nil {
			return fmt.Errorf("set scale-in protection of %s in %s to %v: %w", strings.Join(batch, ", "), pool, protected, err)
		}
	}
	return nil
}

// CompleteLifecycleAction lets an instance waiting in a lifecycle hook go
// on (result CONTINUE). token may be empty; instanceID identifies the action
// then. An action that is no longer waiting (completed, or timed out) is not
// an error.
func (w *Writer) CompleteLifecycleAction(ctx context.Context, pool, hook, token, instanceID string) error {
	_, err := w.asg.CompleteLifecycleAction(ctx, &autoscaling.CompleteLifecycleActionInput{
		AutoScalingGroupName: aws.String(pool), LifecycleHookName: aws.String(hook), LifecycleActionResult: aws.String("CONTINUE"),
		LifecycleActionToken: optional(token), InstanceId: optional(instanceID),
	})
	if isValidation(err, "no active lifecycle action") {
		return nil
	}
	if err != nil {
		return fmt.Errorf("complete lifecycle action %s of %s in %s: %w", hook, instanceID, pool, err)
	}
	return nil
}

// RecordHeartbeat extends the timeout of an instance's lifecycle action.
// When none is waiting the error wraps ErrNoLifecycleAction (and the SDK's
// error).
func (w *Writer) RecordHeartbeat(ctx context.Context, pool, hook, token, instanceID string) error {
	_, err := w.asg.RecordLifecycleActionHeartbeat(ctx, &autoscaling.RecordLifecycleActionHeartbeatInput{
		AutoScalingGroupName: aws.String(pool), LifecycleHookName: aws.String(hook),
		LifecycleActionToken: optional(token), InstanceId: optional(instanceID),
	})
	if isValidation(err, "no active lifecycle action") {
		return fmt.Errorf("record heartbeat of %s's lifecycle action %s in %s: %w: %w", instanceID, hook, pool, ErrNoLifecycleAction, err)
	}
	if err != nil {
		return fmt.Errorf("record heartbeat of %s's lifecycle action %s in %s: %w", instanceID, hook, pool, err)
	}
	return nil
}

// PutEvent sends one event with source "tandem" to bus (a name or an ARN;
// empty is the default bus). detail must encode as a JSON object (nil sends
// {}): EventBridge accepts other JSON and then drops the event. An entry
// EventBridge refuses is an error with its code and message.
func (w *Writer) PutEvent(ctx context.Context, bus, detailType string, detail any) error {
	body, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("put %s event on %s: encode detail: %w", detailType, busName(bus), err)
	}
	switch {
	case string(body) == "null":
		body = []byte("{}")
	case body[0] != '{':
		return fmt.Errorf("put %s event on %s: detail is a %T, want something that encodes as a JSON object", detailType, busName(bus), detail)
	}
	out, err := w.events.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
		EventBusName: optional(bus), Source: aws.String(EventSource), DetailType: aws.String(detailType), Detail: aws.String(string(body)),
	}}})
	if err != nil {
		return fmt.Errorf("put %s event on %s: %w", detailType, busName(bus), err)
	}
	if out.FailedEntryCount > 0 {
		var msgs []string
		for _, e := range out.Entries {
			if code := aws.ToString(e.ErrorCode); code != "" {
				msgs = append(msgs, code+": "+aws.ToString(e.ErrorMessage))
			}
		}
		if len(msgs) == 0 {
			msgs = []string{"no reason given"}
		}
		return fmt.Errorf("put %s event on %s: EventBridge refused it: %s", detailType, busName(bus), strings.Join(msgs, "; "))
	}
	return nil
}

func busName(bus string) string {
	if bus == "" {
		return "the default bus"
	}
	return bus
}

// Publish sends a message to an SNS topic. The subject is made what SNS
// accepts: control characters become spaces, and it is cut to 99
// characters (ending in "...").
func (w *Writer) Publish(ctx context.Context, topicARN, subject, message string) error {
	_, err := w.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topicARN), Subject: optional(Subject(subject)), Message: aws.String(message)})
	if err != nil {
		return fmt.Errorf("publish to %s: %w", topicARN, err)
	}
	return nil
}

// Subject returns s as an SNS subject: UTF-8, no line breaks or control
// characters, less than 100 characters (at most 99).
func Subject(s string) string {
	s = strings.ToValidUTF8(s, "?")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= maxSubjectChars {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:maxSubjectChars-3])) + "..."
}

// isValidation reports whether err is an Auto Scaling ValidationError whose
// message contains what (case-insensitively).
func isValidation(err error, what string) bool {
	var api smithy.APIError
	return errors.As(err, &api) && api.ErrorCode() == "ValidationError" &&
		strings.Contains(strings.ToLower(api.ErrorMessage()), what)
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}
