package sandbox

import (
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
	"github.com/google/go-cmp/cmp"
)

// The call log keeps writes in order, with their parameters; FailNext fails
// exactly one call, in the caller's protocol.
func TestCallLogAndFailNext(t *testing.T) {
	e := newEnv(t)
	e.createCluster(t, "c")
	e.createPool(t, Pool{Name: "p", Cluster: "c", MinSize: 0, MaxSize: 4, Desired: 1})
	e.createService(t, "c", "web", e.taskDef(t, "web", 256, 256, -1), 1, 100, 200)

	e.sb.FailNext("UpdateService", http.StatusBadRequest, "ThrottlingException")
	e.sb.FailNext("SetDesiredCapacity", http.StatusInternalServerError, "InternalFailure")
	setPool := func() error {
		_, err := e.asg.SetDesiredCapacity(e.ctx, &autoscaling.SetDesiredCapacityInput{AutoScalingGroupName: aws.String("p"), DesiredCapacity: aws.Int32(2)})
		return err
	}
	setService := func() error {
		_, err := e.ecs.UpdateService(e.ctx, &ecs.UpdateServiceInput{Cluster: aws.String("c"), Service: aws.String("web"), DesiredCount: aws.Int32(2)})
		return err
	}
	var apiErr smithy.APIError
	if err := setPool(); !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InternalFailure" {
		t.Errorf("first SetDesiredCapacity: %v, want InternalFailure", err)
	}
	if err := setPool(); err != nil {
		t.Errorf("second SetDesiredCapacity: %v", err)
	}
	if err := setService(); !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ThrottlingException" {
		t.Errorf("first UpdateService: %v, want ThrottlingException", err)
	}
	if err := setService(); err != nil {
		t.Errorf("second UpdateService: %v", err)
	}

	type call struct {
		Op, Param string
		Status    int
		Error     string
	}
	var got []call
	for _, c := range e.sb.Calls() {
		switch c.Operation {
		case "SetDesiredCapacity":
			got = append(got, call{c.Operation, c.Params["DesiredCapacity"], c.Status, c.Error})
		case "UpdateService":
			got = append(got, call{c.Operation, c.Params["desiredCount"], c.Status, c.Error})
		}
	}
	want := []call{
		{"SetDesiredCapacity", "2", 500, "InternalFailure"},
		{"SetDesiredCapacity", "2", 200, ""},
		{"UpdateService", "2", 400, "ThrottlingException"},
		{"UpdateService", "2", 200, ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("call log (-want +got):\n%s", diff)
	}
	for _, c := range e.sb.Calls() {
		if !isWrite(c.Operation) {
			t.Errorf("call log holds a read: %v", c)
		}
	}
}

// The Go SDK's CloudWatch client speaks Smithy RPCv2 CBOR, which moto
// rejects; with the Query protocol the alarm calls work. This is the snippet
// README.md documents.
func TestCloudWatchNeedsQueryProtocol(t *testing.T) {
	e := newEnv(t)
	cw := cloudwatch.NewFromConfig(e.sb.Config(), func(o *cloudwatch.Options) {
		o.Protocol = awsquery.New(schemas.GraniteServiceVersion20100801)
	})
	_, err := cw.PutMetricAlarm(e.ctx, &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String("web-cpu-high"), Namespace: aws.String("AWS/ECS"), MetricName: aws.String("CPUUtilization"),
		Statistic: cwtypes.StatisticAverage, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(70),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold,
		Dimensions:         []cwtypes.Dimension{{Name: aws.String("ServiceName"), Value: aws.String("web")}},
	})
	if err != nil {
		t.Fatalf("PutMetricAlarm: %v", err)
	}
	if _, err := cw.SetAlarmState(e.ctx, &cloudwatch.SetAlarmStateInput{
		AlarmName: aws.String("web-cpu-high"), StateValue: cwtypes.StateValueAlarm, StateReason: aws.String("test"),
	}); err != nil {
		t.Fatalf("SetAlarmState: %v", err)
	}
	out, err := cw.DescribeAlarms(e.ctx, &cloudwatch.DescribeAlarmsInput{StateValue: cwtypes.StateValueAlarm})
	if err != nil {
		t.Fatalf("DescribeAlarms: %v", err)
	}
	if len(out.MetricAlarms) != 1 || aws.ToString(out.MetricAlarms[0].AlarmName) != "web-cpu-high" || out.MetricAlarms[0].Dimensions[0].Value == nil {
		t.Errorf("DescribeAlarms(ALARM) = %+v, want web-cpu-high", out.MetricAlarms)
	}

	// Canary: the default (CBOR) client fails against moto 5.2.1. If this
	// starts passing, moto learned CBOR and the override can go.
	if _, err := cloudwatch.NewFromConfig(e.sb.Config()).DescribeAlarms(e.ctx, &cloudwatch.DescribeAlarmsInput{}); err == nil {
		t.Errorf("DescribeAlarms with the default CBOR protocol worked against moto; update README.md")
	}
}
