package tandemcdk

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// metricNamespace is the namespace of the metrics the scaler writes in
// CloudWatch embedded metric format.
const metricNamespace = "Tandem"

type dashboardProps struct {
	cluster  cluster
	pools    []pool
	services []string
	fn       awslambda.Function
	queues   []awssqs.Queue
}

// newDashboard shows what tandem decides: desired against in-service
// instances per pool; desired, running and pending tasks per service; the
// cluster's decisions, unplaceable tasks, new instances and errors; and the
// health of the Lambda and its dead-letter queues.
func newDashboard(scope constructs.Construct, p dashboardProps) awscloudwatch.Dashboard {
	c := p.cluster.name
	var pools, services []awscloudwatch.IWidget
	for _, pl := range p.pools {
		dims := map[string]*string{"Cluster": jsii.String(c), "AutoScalingGroup": jsii.String(pl.name)}
		pools = append(pools, graph("Pool "+pl.name+": instances",
			tandemMetric("DesiredCapacity", dims, "Maximum"),
			tandemMetric("InServiceInstances", dims, "Maximum")))
	}
	for _, s := range p.services {
		dims := map[string]*string{"Cluster": jsii.String(c), "Service": jsii.String(s)}
		services = append(services, graph("Service "+s+": tasks",
			tandemMetric("DesiredTasks", dims, "Maximum"),
			tandemMetric("RunningTasks", dims, "Maximum"),
			tandemMetric("PendingTasks", dims, "Maximum")))
	}
	dims := map[string]*string{"Cluster": jsii.String(c)}
	cluster := []awscloudwatch.IWidget{
		graph("Cluster "+c+": decisions and errors",
			tandemMetric("Decisions", dims, "Sum"),
			tandemMetric("Errors", dims, "Sum")),
		graph("Cluster "+c+": unplaceable tasks and new instances",
			tandemMetric("UnplaceableTasks", dims, "Maximum"),
			tandemMetric("NewInstances", dims, "Sum")),
		graph("Scaler Lambda",
			p.fn.MetricInvocations(sum()),
			p.fn.MetricErrors(sum()),
			p.fn.MetricThrottles(sum())),
		graph("Dead-letter queues: messages", queueDepths(p.queues)...),
	}
	var rows []*[]awscloudwatch.IWidget
	for _, row := range [][]awscloudwatch.IWidget{pools, services, cluster} {
		if len(row) > 0 {
			rows = append(rows, &row)
		}
	}
	return awscloudwatch.NewDashboard(scope, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
		DefaultInterval: awscdk.Duration_Hours(jsii.Number(3)),
		Widgets:         &rows,
	})
}

func tandemMetric(name string, dims map[string]*string, statistic string) awscloudwatch.IMetric {
	return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace:     jsii.String(metricNamespace),
		MetricName:    jsii.String(name),
		DimensionsMap: &dims,
		Statistic:     jsii.String(statistic),
		Period:        awscdk.Duration_Minutes(jsii.Number(1)),
	})
}

func sum() *awscloudwatch.MetricOptions {
	return &awscloudwatch.MetricOptions{Statistic: jsii.String("Sum"), Period: awscdk.Duration_Minutes(jsii.Number(1))}
}

func queueDepths(queues []awssqs.Queue) []awscloudwatch.IMetric {
	var ms []awscloudwatch.IMetric
	for _, q := range queues {
		ms = append(ms, q.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{Statistic: jsii.String("Maximum")}))
	}
	return ms
}

func graph(title string, metrics ...awscloudwatch.IMetric) awscloudwatch.IWidget {
	return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
		Title: jsii.String(title),
		Left:  &metrics,
		Width: jsii.Number(12),
	})
}
