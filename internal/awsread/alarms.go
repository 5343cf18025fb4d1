package awsread

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// alarmNamesPerCall is DescribeAlarms' limit on AlarmNames.
const alarmNamesPerCall = 100

// Alarm is a CloudWatch alarm's state and, for a metric alarm, the value
// that put it there.
type Alarm struct {
	Name  string
	ARN   string
	State string // OK, ALARM or INSUFFICIENT_DATA
	// StateTime is when the state was last updated (StateUpdatedTimestamp).
	StateTime time.Time
	// Value is the most recent of the datapoints the state was decided on
	// (StateReasonData's recentDatapoints); HasValue says whether there was
	// one.
	Value    float64
	HasValue bool
	// Threshold is StateReasonData's threshold, else the alarm's.
	Threshold float64
}

// Alarms returns the named alarms, metric and composite, sorted by name
// (CloudWatch answers each batch of names with its metric alarms, then its
// composite ones). Names that match no alarm are left out.
func (r *Reader) Alarms(ctx context.Context, names []string) ([]Alarm, error) {
	parts := batches(unique(names), alarmNamesPerCall)
	found := make([][]Alarm, len(parts))
	err := r.each(ctx, len(parts), func(ctx context.Context, i int) error {
		p := cloudwatch.NewDescribeAlarmsPaginator(r.cw, &cloudwatch.DescribeAlarmsInput{
			AlarmNames: parts[i],
			AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm, cwtypes.AlarmTypeCompositeAlarm},
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("describe alarms %v: %w", parts[i], err)
			}
			for _, a := range page.MetricAlarms {
				found[i] = append(found[i], convertMetricAlarm(a))
			}
			for _, a := range page.CompositeAlarms {
				found[i] = append(found[i], Alarm{
					Name:      aws.ToString(a.AlarmName),
					ARN:       aws.ToString(a.AlarmArn),
					State:     string(a.StateValue),
					StateTime: aws.ToTime(a.StateUpdatedTimestamp).UTC(),
				})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := slices.Concat(found...)
	slices.SortStableFunc(out, func(a, b Alarm) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func convertMetricAlarm(a cwtypes.MetricAlarm) Alarm {
	out := Alarm{
		Name:      aws.ToString(a.AlarmName),
		ARN:       aws.ToString(a.AlarmArn),
		State:     string(a.StateValue),
		StateTime: aws.ToTime(a.StateUpdatedTimestamp).UTC(),
		Threshold: aws.ToFloat64(a.Threshold),
	}
	reason := reasonData(aws.ToString(a.StateReasonData))
	if n := len(reason.RecentDatapoints); n > 0 {
		// CloudWatch lists them oldest first (from startDate on).
		out.Value, out.HasValue = reason.RecentDatapoints[n-1], true
	}
	if reason.Threshold != nil {
		out.Threshold = *reason.Threshold
	}
	return out
}

// stateReasonData is the part of an alarm's StateReasonData JSON read here.
type stateReasonData struct {
	RecentDatapoints []float64 `json:"recentDatapoints"`
	Threshold        *float64  `json:"threshold"`
}

// reasonData decodes StateReasonData; what does not decode (it is free-form
// for states set by SetAlarmState) counts as empty.
func reasonData(s string) stateReasonData {
	var d stateReasonData
	if s == "" || json.Unmarshal([]byte(s), &d) != nil {
		return stateReasonData{}
	}
	return d
}
