package tandemcdk

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
)

// access is what the scaler may touch.
type access struct {
	stack    env
	cluster  cluster
	pools    []pool
	alarms   []string
	eventBus string // "" when notifications are off
	topicARN string // "" unless the configuration names one
	tableARN string
}

// statement is one IAM policy statement.
type statement struct {
	sid       string
	actions   []string
	resources []string
	// inCluster adds ArnEquals ecs:cluster = the cluster's ARN.
	inCluster bool
}

// statements returns the scaler's permissions: exactly the calls it makes
// (internal/awsread, internal/awswrite and internal/state; iam_test.go reads
// their source to keep the two in step). Writes name their resources; reads
// do too where the API has resource-level permissions, and otherwise use "*".
// Instance tags come with DescribeContainerInstances (include TAGS) and
// DescribeInstances, so the scaler never calls ecs:ListTagsForResource.
func (a access) statements() []statement {
	c := a.cluster
	st := []statement{
		{sid: "ReadCluster", actions: []string{"ecs:DescribeClusters", "ecs:ListContainerInstances"}, resources: []string{c.arn()}},
		{sid: "ReadServices", actions: []string{"ecs:DescribeServices"}, resources: []string{c.in("service")}},
		{sid: "ReadContainerInstances", actions: []string{"ecs:DescribeContainerInstances"}, resources: []string{c.in("container-instance")}},
		{sid: "ReadTasks", actions: []string{"ecs:DescribeTasks"}, resources: []string{c.in("task")}},
		// ListServices and ListTasks have no resource type; the ecs:cluster
		// condition keeps them to this cluster.
		{sid: "ListInCluster", actions: []string{"ecs:ListServices", "ecs:ListTasks"}, resources: []string{"*"}, inCluster: true},
		// The cluster's capacity providers are not known at synth time.
		{sid: "ReadCapacityProviders", actions: []string{"ecs:DescribeCapacityProviders"}, resources: []string{c.env.arn("ecs", "capacity-provider/*")}},
		{sid: "ReadWithoutResourceLevelPermissions", actions: readsWithoutResourceTypes, resources: []string{"*"}},
		{sid: "ScaleServices", actions: []string{"ecs:UpdateService"}, resources: []string{c.in("service")}, inCluster: true},
		{sid: "DrainContainerInstances", actions: []string{"ecs:UpdateContainerInstancesState"}, resources: []string{c.in("container-instance")}, inCluster: true},
		{sid: "KeepDecisionState", actions: []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}, resources: []string{a.tableARN}},
	}
	if len(a.alarms) > 0 {
		arns := make([]string, len(a.alarms))
		for i, name := range a.alarms {
			arns[i] = a.stack.arn("cloudwatch", "alarm:"+name)
		}
		st = append(st, statement{sid: "ReadAlarms", actions: []string{"cloudwatch:DescribeAlarms"}, resources: arns})
	}
	if len(a.pools) > 0 {
		arns := make([]string, len(a.pools))
		for i, p := range a.pools {
			arns[i] = p.arn(a.stack)
		}
		st = append(st, statement{sid: "ScalePools", actions: poolWrites, resources: arns})
	}
	if a.eventBus != "" {
		st = append(st, statement{sid: "PutNotifications", actions: []string{"events:PutEvents"}, resources: []string{a.stack.arn("events", "event-bus/"+a.eventBus)}})
	}
	if a.topicARN != "" {
		st = append(st, statement{sid: "PublishNotifications", actions: []string{"sns:Publish"}, resources: []string{a.topicARN}})
	}
	return st
}

// readsWithoutResourceTypes are the scaler's reads whose APIs have no
// resource-level permissions (Service Authorization Reference): IAM only
// accepts "*" for them.
var readsWithoutResourceTypes = []string{
	"ecs:DescribeTaskDefinition",
	"autoscaling:DescribeAutoScalingGroups",
	// Which pool an instance is in: pool discovery, and Spot interruption
	// warnings, which name only the instance (awsread Reader.PoolOf).
	"autoscaling:DescribeAutoScalingInstances",
	"autoscaling:DescribeScalingActivities",
	"autoscaling:DescribePolicies",
	"ec2:DescribeInstanceTypes",
	"ec2:DescribeLaunchTemplateVersions",
	"ec2:DescribeInstances",
	"application-autoscaling:DescribeScalableTargets",
}

// poolWrites are the scaler's writes to its Auto Scaling groups.
var poolWrites = []string{
	"autoscaling:SetDesiredCapacity",
	"autoscaling:SetInstanceProtection",
	"autoscaling:TerminateInstanceInAutoScalingGroup",
	"autoscaling:CompleteLifecycleAction",
	"autoscaling:RecordLifecycleActionHeartbeat",
}

func (s statement) policyStatement(clusterARN string) awsiam.PolicyStatement {
	props := &awsiam.PolicyStatementProps{
		Sid:       jsii.String(s.sid),
		Actions:   jsii.Strings(s.actions...),
		Resources: jsii.Strings(s.resources...),
	}
	if s.inCluster {
		props.Conditions = &map[string]interface{}{
			"ArnEquals": map[string]interface{}{"ecs:cluster": clusterARN},
		}
	}
	return awsiam.NewPolicyStatement(props)
}

// grant adds the statements to role and returns the resources that hold a
// wildcard, for cdk-nag.
func grant(role awsiam.IRole, st []statement, clusterARN string) []string {
	var resources []string
	for _, s := range st {
		role.AddToPrincipalPolicy(s.policyStatement(clusterARN))
		resources = append(resources, s.resources...)
	}
	return resources
}
