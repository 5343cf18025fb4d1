package tandemcdk

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Defaults of an AlarmMetric.
const (
	defaultAlarmStatistic = "Average"
	defaultAlarmPeriod    = 60 * time.Second
	defaultAlarmPeriods   = 1
)

// newAlarms creates the alarms of the service policies that describe their
// metric. They have no actions: the alarm rule routes their state changes to
// the scaler.
func newAlarms(scope constructs.Construct, c cluster, services map[string]ServicePolicy) []awscloudwatch.Alarm {
	var alarms []awscloudwatch.Alarm
	for _, service := range slices.Sorted(maps.Keys(services)) {
		policies := services[service].Alarms
		for _, name := range slices.Sorted(maps.Keys(policies)) {
			if m := policies[name].Metric; m != nil {
				alarms = append(alarms, newAlarm(scope, c, service, name, m))
			}
		}
	}
	return alarms
}

func newAlarm(scope constructs.Construct, c cluster, service, name string, m *AlarmMetric) awscloudwatch.Alarm {
	statistic := m.Statistic
	if statistic == "" {
		statistic = defaultAlarmStatistic
	}
	period := m.Period.Duration
	if period == 0 {
		period = defaultAlarmPeriod
	}
	periods := m.EvaluationPeriods
	if periods == 0 {
		periods = defaultAlarmPeriods
	}
	return awscloudwatch.NewAlarm(scope, jsii.String("Alarm-"+strings.ReplaceAll(name, "/", "-")), &awscloudwatch.AlarmProps{
		AlarmName:        jsii.String(name),
		AlarmDescription: jsii.String("tandem: step scaling of service " + service + " in cluster " + c.name),
		Metric: awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace:  jsii.String("AWS/ECS"),
			MetricName: jsii.String(m.Name),
			DimensionsMap: &map[string]*string{
				"ClusterName": jsii.String(c.name),
				"ServiceName": jsii.String(service),
			},
			Statistic: jsii.String(statistic),
			Period:    awscdk.Duration_Seconds(jsii.Number(period.Seconds())),
		}),
		Threshold:          jsii.Number(m.Threshold),
		EvaluationPeriods:  jsii.Number(float64(periods)),
		ComparisonOperator: comparisons[m.Comparison],
	})
}

// comparisons maps CloudWatch's comparison operators, as the configuration
// writes them, to CDK's enum; config.Parse accepts no others.
var comparisons = map[string]awscloudwatch.ComparisonOperator{
	"GreaterThanOrEqualToThreshold": awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
	"GreaterThanThreshold":          awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
	"LessThanThreshold":             awscloudwatch.ComparisonOperator_LESS_THAN_THRESHOLD,
	"LessThanOrEqualToThreshold":    awscloudwatch.ComparisonOperator_LESS_THAN_OR_EQUAL_TO_THRESHOLD,
}
