package tandemcdk

import (
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// trigger is one EventBridge rule that wakes the scaler.
type trigger struct {
	id          string
	description string
	pattern     *awsevents.EventPattern // nil for the schedule
	schedule    awsevents.Schedule
}

// triggers returns the rules for a cluster, its pools and its alarms. Each
// pattern matches only events about them, except Spot interruption warnings,
// which name only the instance; the scaler ignores instances it does not
// know.
func triggers(c cluster, pools []pool, alarms []string) []trigger {
	ts := []trigger{
		{
			id:          "EcsClusterEvents",
			description: "tandem: task and container instance state changes of cluster " + c.name,
			pattern: &awsevents.EventPattern{
				Source:     jsii.Strings("aws.ecs"),
				DetailType: jsii.Strings("ECS Task State Change", "ECS Container Instance State Change"),
				Detail:     &map[string]interface{}{"clusterArn": []string{c.arn()}},
			},
		},
		{
			// These events carry no cluster ARN; their resources are the
			// service's ARN, which names the cluster.
			id:          "EcsServiceEvents",
			description: "tandem: service actions and deployment state changes of cluster " + c.name,
			pattern: &awsevents.EventPattern{
				Source:     jsii.Strings("aws.ecs"),
				DetailType: jsii.Strings("ECS Service Action", "ECS Deployment State Change"),
				Resources:  awsevents.Match_Prefix(jsii.String(c.env.arn("ecs", "service/"+c.name+"/"))),
			},
		},
		{
			id:          "SpotInterruptions",
			description: "tandem: EC2 Spot interruption warnings (the scaler ignores instances outside its pools)",
			pattern: &awsevents.EventPattern{
				Source:     jsii.Strings("aws.ec2"),
				DetailType: jsii.Strings("EC2 Spot Instance Interruption Warning"),
			},
		},
		{
			id:          "Schedule",
			description: "tandem: reconcile cluster " + c.name + " every minute",
			schedule:    awsevents.Schedule_Rate(awscdk.Duration_Minutes(jsii.Number(1))),
		},
	}
	if len(pools) > 0 {
		names := make([]string, len(pools))
		for i, p := range pools {
			names[i] = p.name
		}
		ts = append(ts, trigger{
			id:          "TerminateLifecycleActions",
			description: "tandem: instance-terminate lifecycle actions of the pools of cluster " + c.name,
			pattern: &awsevents.EventPattern{
				Source:     jsii.Strings("aws.autoscaling"),
				DetailType: jsii.Strings("EC2 Instance-terminate Lifecycle Action"),
				// Only tandem's own hook: another tool's termination hook on
				// the same pool is that tool's to complete.
				Detail: &map[string]interface{}{
					"AutoScalingGroupName": names,
					"LifecycleHookName":    []string{lifecycleHookName},
				},
			},
		})
	}
	if len(alarms) > 0 {
		ts = append(ts, trigger{
			id:          "AlarmStateChanges",
			description: "tandem: state changes of the alarms of cluster " + c.name + "'s service policies",
			pattern: &awsevents.EventPattern{
				Source:     jsii.Strings("aws.cloudwatch"),
				DetailType: jsii.Strings("CloudWatch Alarm State Change"),
				Detail:     &map[string]interface{}{"alarmName": alarms},
			},
		})
	}
	return ts
}

// addTriggers creates the rules, each invoking fn asynchronously with
// bounded retries and a dead-letter queue.
func addTriggers(scope constructs.Construct, ts []trigger, fn awslambda.IFunction, dlq awssqs.IQueue) {
	for _, t := range ts {
		awsevents.NewRule(scope, jsii.String(t.id), &awsevents.RuleProps{
			Description:  jsii.String(t.description),
			EventPattern: t.pattern,
			Schedule:     t.schedule,
			Targets:      &[]awsevents.IRuleTarget{lambdaTarget(fn, dlq)},
		})
	}
}

func lambdaTarget(fn awslambda.IFunction, dlq awssqs.IQueue) awsevents.IRuleTarget {
	return awseventstargets.NewLambdaFunction(fn, &awseventstargets.LambdaFunctionProps{
		DeadLetterQueue: dlq,
		RetryAttempts:   jsii.Number(targetRetryAttempts),
		MaxEventAge:     awscdk.Duration_Seconds(jsii.Number(targetMaxEventAgeSeconds)),
	})
}

// alarmNames returns the names of all alarms of the service policies, sorted.
func alarmNames(services map[string]ServicePolicy) []string {
	var names []string
	for _, s := range services {
		for name := range s.Alarms {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}
