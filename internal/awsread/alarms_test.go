package awsread

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestAlarms(t *testing.T) {
	e := newEnv(t)
	cw := cloudwatch.NewFromConfig(e.conf, func(o *cloudwatch.Options) {
		o.Protocol = awsquery.New(schemas.GraniteServiceVersion20100801)
	})
	// More alarms than one DescribeAlarms call takes by name.
	const n = 105
	var names []string
	for i := range n {
		name := fmt.Sprintf("tandem-%03d", i)
		names = append(names, name)
		_, err := cw.PutMetricAlarm(e.ctx, &cloudwatch.PutMetricAlarmInput{
			AlarmName: aws.String(name), Namespace: aws.String("AWS/ECS"), MetricName: aws.String("CPUUtilization"),
			Statistic: cwtypes.StatisticAverage, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1),
			Threshold: aws.Float64(float64(i)), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold,
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := cw.SetAlarmState(e.ctx, &cloudwatch.SetAlarmStateInput{
		AlarmName: aws.String("tandem-001"), StateValue: cwtypes.StateValueAlarm, StateReason: aws.String("Threshold Crossed"),
		StateReasonData: aws.String(`{"version":"1.0","statistic":"Average","period":60,"recentDatapoints":[70.5,91.25],"threshold":80.0}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cw.SetAlarmState(e.ctx, &cloudwatch.SetAlarmStateInput{
		AlarmName: aws.String("tandem-002"), StateValue: cwtypes.StateValueInsufficientData, StateReason: aws.String("no data"),
		StateReasonData: aws.String(`{"version":"1.0"}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	e.rec.reset()

	got, err := e.r.Alarms(e.ctx, append(names, "missing"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("%d alarms, want %d", len(got), n)
	}
	if c := len(e.rec.calls("monitoring.DescribeAlarms")); c != 2 {
		t.Errorf("%d DescribeAlarms calls for %d names, want 2", c, n+1)
	}
	if !sort.SliceIsSorted(got, func(i, j int) bool { return got[i].Name < got[j].Name }) {
		t.Errorf("alarms not sorted by name across the two calls")
	}
	for _, a := range got {
		if a.StateTime.IsZero() || a.ARN != "arn:aws:cloudwatch:us-east-1:123456789012:alarm:"+a.Name {
			t.Errorf("alarm %s: ARN %q, state time %v", a.Name, a.ARN, a.StateTime)
		}
		if time.Since(a.StateTime) > time.Hour || a.StateTime.Location() != time.UTC {
			t.Errorf("alarm %s: state time %v, want a recent UTC time", a.Name, a.StateTime)
		}
	}
	want := []Alarm{
		{Name: "tandem-000", State: "OK", Threshold: 0},
		{Name: "tandem-001", State: "ALARM", Value: 91.25, HasValue: true, Threshold: 80},
		{Name: "tandem-002", State: "INSUFFICIENT_DATA", Threshold: 2},
	}
	if diff := cmp.Diff(want, got[:3], cmpopts.IgnoreFields(Alarm{}, "ARN", "StateTime")); diff != "" {
		t.Errorf("alarms (-want +got):\n%s", diff)
	}

	e.sb.FailNext("DescribeAlarms", 400, "Throttling")
	if _, err := e.r.Alarms(e.ctx, names[:1]); !contains(err, "describe alarms [tandem-000]") {
		t.Errorf("Alarms with a throttled call = %v, want it to say what failed", err)
	}
}

// fakeCloudWatch answers each DescribeAlarms call with the named alarms in
// the order CloudWatch's pages would not promise: metric alarms (the names
// at even positions) and then composite ones, each list in reverse.
type fakeCloudWatch struct{}

func (fakeCloudWatch) DescribeAlarms(_ context.Context, in *cloudwatch.DescribeAlarmsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error) {
	out := &cloudwatch.DescribeAlarmsOutput{}
	for i := len(in.AlarmNames) - 1; i >= 0; i-- {
		name := aws.String(in.AlarmNames[i])
		if i%2 == 0 {
			out.MetricAlarms = append(out.MetricAlarms, cwtypes.MetricAlarm{AlarmName: name})
		} else {
			out.CompositeAlarms = append(out.CompositeAlarms, cwtypes.CompositeAlarm{AlarmName: name})
		}
	}
	return out, nil
}

// TestAlarmsSortedByName: Alarms returns the alarms by name, metric and
// composite together, across the batches of 100 names.
func TestAlarmsSortedByName(t *testing.T) {
	var names []string
	for i := range 150 {
		names = append(names, fmt.Sprintf("alarm-%03d", (i*37)%150))
	}
	for _, parallel := range []int{1, defaultParallel} {
		r := &Reader{cw: fakeCloudWatch{}, parallel: parallel}
		got, err := r.Alarms(context.Background(), names)
		if err != nil {
			t.Fatal(err)
		}
		var gotNames []string
		for _, a := range got {
			gotNames = append(gotNames, a.Name)
		}
		want := append([]string(nil), names...)
		sort.Strings(want)
		if diff := cmp.Diff(want, gotNames); diff != "" {
			t.Errorf("parallel %d: alarm names (-sorted +got):\n%s", parallel, diff)
		}
	}
}
