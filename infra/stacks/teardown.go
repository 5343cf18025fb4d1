package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsautoscaling"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// poolTeardownID names the custom resource that force-deletes the demo's
// pool, and its function.
const poolTeardownID = "PoolTeardown"

// poolTeardownCode is the custom resource's handler (Node.js; the runtime
// bundles the AWS SDK for JavaScript v3). On Delete, and only when the
// stack itself goes (its deletion, or the rollback of its creation; an
// update's rollback also deletes what the update created, and must leave
// the group alone), it deletes the group with ForceDelete, which terminates
// its instances whatever their scale-in protection and drops pending
// lifecycle actions, and looks every 10 s until the group is gone, asking
// again while a scaling activity holds the deletion up. CloudFormation's
// own deletion of the group then finds nothing to do. Create and Update do
// nothing and keep the physical ID, so that no update ever asks to delete
// the old resource.
const poolTeardownCode = `const asg = require("@aws-sdk/client-auto-scaling");
const cfn = require("@aws-sdk/client-cloudformation");

const autoscaling = new asg.AutoScalingClient({});
const cloudformation = new cfn.CloudFormationClient({});
const stackGoes = ["DELETE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS"];

async function tearDown(event, context) {
  const group = event.ResourceProperties.AutoScalingGroupName;
  const stack = await cloudformation.send(new cfn.DescribeStacksCommand({ StackName: event.StackId }));
  const status = stack.Stacks[0].StackStatus;
  if (!stackGoes.includes(status)) {
    return "stack " + status + ": " + group + " stays";
  }
  while (context.getRemainingTimeInMillis() > 60000) {
    const out = await autoscaling.send(new asg.DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }));
    if (out.AutoScalingGroups.length === 0) return "deleted " + group + " and its instances";
    if (out.AutoScalingGroups[0].Status !== "Delete in progress") {
      try {
        await autoscaling.send(new asg.DeleteAutoScalingGroupCommand({ AutoScalingGroupName: group, ForceDelete: true }));
      } catch (err) {
        // A scaling activity under way, or the group gone meanwhile: look again.
        if (!/in progress|in use|pending delete|not found/i.test(String(err.message))) throw err;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 10000));
  }
  throw new Error(group + " is still being deleted; delete the stack again");
}

exports.handler = async (event, context) => {
  let status = "SUCCESS";
  let reason = event.RequestType;
  try {
    if (event.RequestType === "Delete") reason = await tearDown(event, context);
  } catch (err) {
    status = "FAILED";
    reason = String(err.message || err);
  }
  console.log(JSON.stringify({ requestType: event.RequestType, status: status, reason: reason }));
  const response = await fetch(event.ResponseURL, {
    method: "PUT",
    headers: { "content-type": "" },
    body: JSON.stringify({
      Status: status,
      Reason: reason,
      PhysicalResourceId: event.PhysicalResourceId || "force-delete-" + event.ResourceProperties.AutoScalingGroupName,
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
    }),
  });
  if (!response.ok) throw new Error("CloudFormation refused the response: HTTP " + response.status);
};
`

// newPoolTeardown makes the demo stack deletable. Its instances are
// protected from scale-in (tandem protects busy instances, and new ones
// start protected), and CloudFormation deletes a group by scaling it to
// zero and waiting: it would wait for an hour and fail. This custom
// resource force-deletes the group first, and waits until it is gone. It
// names the group by Ref, so CloudFormation deletes it before the group;
// settings (tandem's hook and custom resources on the pool) must depend on
// it, so that they are undone while the group still exists.
func newPoolTeardown(stack awscdk.Stack, asg awsautoscaling.AutoScalingGroup, settings []constructs.IConstruct) awscdk.CustomResource {
	scope := constructs.NewConstruct(stack, jsii.String(poolTeardownID))
	logs := awslogs.NewLogGroup(scope, jsii.String("Logs"), &awslogs.LogGroupProps{
		Retention:     awslogs.RetentionDays_ONE_WEEK,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	role := awsiam.NewRole(scope, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("tandem demo: force-deletes the demo's pool when the stack is deleted"),
	})
	logs.GrantWrite(role)
	for _, s := range []*awsiam.PolicyStatementProps{
		{
			Sid:       jsii.String("ForceDeleteThePool"),
			Actions:   jsii.Strings("autoscaling:DeleteAutoScalingGroup"),
			Resources: jsii.Strings(demoPoolARN(stack)),
		},
		{
			// DescribeAutoScalingGroups has no resource-level permissions.
			Sid:       jsii.String("WaitForThePool"),
			Actions:   jsii.Strings("autoscaling:DescribeAutoScalingGroups"),
			Resources: jsii.Strings("*"),
		},
		{
			Sid:       jsii.String("ReadTheStacksStatus"),
			Actions:   jsii.Strings("cloudformation:DescribeStacks"),
			Resources: jsii.Strings(*stack.StackId()),
		},
	} {
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(s))
	}
	fn := awslambda.NewFunction(scope, jsii.String("Function"), &awslambda.FunctionProps{
		Description:  jsii.String("tandem demo: force-deletes the demo's pool, whose instances are protected from scale-in, when the stack is deleted"),
		Runtime:      awslambda.Runtime_NODEJS_LATEST(),
		Architecture: awslambda.Architecture_ARM_64(),
		Handler:      jsii.String("index.handler"),
		Code:         awslambda.Code_FromInline(jsii.String(poolTeardownCode)),
		MemorySize:   jsii.Number(256),
		// Terminating instances takes a few minutes; Lambda's limit is 15.
		Timeout:  awscdk.Duration_Minutes(jsii.Number(15)),
		Role:     role,
		LogGroup: logs,
	})
	// CDK makes the function depend on its role and the role's policy; the
	// Fn::GetAtt of the role orders that one already (cfn-lint W3005).
	policy := role.Node().FindChild(jsii.String("DefaultPolicy")).Node().DefaultChild().(awscdk.CfnResource)
	fn.Node().DefaultChild().(awscdk.CfnResource).AddOverride(jsii.String("DependsOn"), []interface{}{policy.LogicalId()})
	cr := awscdk.NewCustomResource(scope, jsii.String("Resource"), &awscdk.CustomResourceProps{
		ServiceToken: fn.FunctionArn(),
		ResourceType: jsii.String("Custom::TandemDemoPoolTeardown"),
		Properties:   &map[string]interface{}{"AutoScalingGroupName": asg.AutoScalingGroupName()},
	})
	for _, s := range settings {
		s.Node().AddDependency(cr)
	}
	suppress(fn, "Serverless-LambdaDLQ", "CloudFormation invokes the function synchronously, once per stack operation, and shows a failure as the custom resource's stack event; there is no asynchronous invocation to dead-letter.")
	suppress(fn, "Serverless-LambdaTracing", "The function makes a handful of Auto Scaling calls when the stack is deleted and logs the outcome; X-Ray would need xray:PutTraceSegments on Resource *.")
	suppress(role, "AwsSolutions-IAM5", "autoscaling:DescribeAutoScalingGroups, a read, has no resource-level permissions.", "Resource::*")
	suppress(role, "AwsSolutions-IAM5", "The demo pool's ARN holds a UUID assigned when the group is created; the name is fixed.",
		"Resource::arn:<AWS::Partition>:autoscaling:<AWS::Region>:<AWS::AccountId>:autoScalingGroup:*:autoScalingGroupName/"+DemoPool)
	return cr
}

// demoPoolARN matches the demo pool's ARN, whose UUID segment is unknown
// before the group exists.
func demoPoolARN(stack awscdk.Stack) string {
	return *stack.FormatArn(&awscdk.ArnComponents{
		Service:      jsii.String("autoscaling"),
		Resource:     jsii.String("autoScalingGroup"),
		ResourceName: jsii.String("*:autoScalingGroupName/" + DemoPool),
		ArnFormat:    awscdk.ArnFormat_COLON_RESOURCE_NAME,
	})
}
