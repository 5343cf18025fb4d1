package tandemcdk

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdadestinations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Retries. Every event only says "look now": a decision recomputes absolute
// desired counts and capacities from the whole cluster, and the one-minute
// schedule makes one anyway. A lost event therefore costs at most a minute,
// and an old one carries nothing a newer decision has not seen.
const (
	// asyncRetryAttempts is how often Lambda retries a failed invocation.
	// Two (the maximum, one minute and then two minutes later) rides out a
	// transient AWS error in the middle of a decision without waiting for
	// the schedule, and costs nothing when invocations succeed.
	asyncRetryAttempts = 2
	// asyncMaxEventAgeSeconds bounds how long an event waits in Lambda's
	// queue, through throttling (with a small reserved concurrency, bursts
	// of ECS events queue up; without one, an invocation that waited too
	// long for the cluster's lease fails with a BusyError and is retried)
	// and retries. Six minutes
	// is a first attempt that times out (60 s), both retries with their
	// backoff (1 + 2 min) and timeouts (2 x 60 s), and a minute of queueing;
	// by then six scheduled decisions have run, so older events are dropped
	// to the on-failure queue rather than replayed.
	asyncMaxEventAgeSeconds = 360
	// targetRetryAttempts and targetMaxEventAgeSeconds bound EventBridge's
	// retries of a delivery it could not make (Lambda's Invoke API failing,
	// throttled or denied), with the same horizon; then the event goes to
	// the rules' dead-letter queue. EventBridge's default would retry for
	// 24 hours, replaying stale events long after the schedule repaired them.
	targetRetryAttempts      = 8
	targetMaxEventAgeSeconds = 360
)

// queueRetentionDays is how long failed events stay for inspection.
const queueRetentionDays = 14

// newDeadLetterQueue returns an encrypted, TLS-only queue that receives what
// could not be delivered or processed.
func newDeadLetterQueue(scope constructs.Construct, id string) awssqs.Queue {
	q := awssqs.NewQueue(scope, jsii.String(id), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(queueRetentionDays)),
		RemovalPolicy:   awscdk.RemovalPolicy_DESTROY,
	})
	accept(q.Node().DefaultChild(),
		accepted{rule: "AwsSolutions-SQS3", reason: "This queue is itself a dead-letter queue (of EventBridge targets or of the Lambda's asynchronous invocations); nothing consumes it automatically, so it has no DLQ of its own."},
		accepted{rule: "Serverless-SQSRedrivePolicy", reason: "This queue is itself a dead-letter queue (of EventBridge targets or of the Lambda's asynchronous invocations); a redrive policy would be a DLQ of a DLQ."},
	)
	return q
}

// newLogGroup returns the Lambda's own log group, kept for retention.
func newLogGroup(scope constructs.Construct, id string, retention awslogs.RetentionDays) awslogs.LogGroup {
	return awslogs.NewLogGroup(scope, jsii.String(id), &awslogs.LogGroupProps{
		Retention:     retention,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
}

// newRole returns a role for a Lambda function that may write its logs to
// logs and nothing else yet: no managed policy.
func newRole(scope constructs.Construct, id, description string, logs awslogs.LogGroup) awsiam.Role {
	role := awsiam.NewRole(scope, jsii.String(id), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String(description),
	})
	logs.GrantWrite(role)
	return role
}

type functionProps struct {
	codePath  string
	role      awsiam.Role
	logs      awslogs.LogGroup
	onFailure awssqs.IQueue
	memoryMiB int
	timeout   awscdk.Duration
	// reservedConcurrency is the Lambda's reserved concurrency; 0 reserves
	// none.
	reservedConcurrency int
}

// newFunction returns the scaler Lambda.
func newFunction(scope constructs.Construct, id string, p functionProps) awslambda.Function {
	fn := awslambda.NewFunction(scope, jsii.String(id), &awslambda.FunctionProps{
		Description:  jsii.String("tandem: scales an ECS cluster's services and Auto Scaling groups together"),
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture: awslambda.Architecture_ARM_64(),
		Handler:      jsii.String("bootstrap"),
		Code:         awslambda.Code_FromAsset(jsii.String(p.codePath), nil),
		MemorySize:   jsii.Number(float64(p.memoryMiB)),
		Timeout:      p.timeout,
		// One decision at a time per cluster (each reads the whole cluster
		// and writes absolute values, so two at once could undo each other)
		// is the state table's lease, not reserved concurrency, which many
		// accounts cannot grant.
		ReservedConcurrentExecutions: reserved(p.reservedConcurrency),
		Role:                         p.role,
		LogGroup:                     p.logs,
		Environment: &map[string]*string{
			"TANDEM_CONFIG_FILE": jsii.String(configFile),
		},
		OnFailure:     awslambdadestinations.NewSqsDestination(p.onFailure),
		RetryAttempts: jsii.Number(asyncRetryAttempts),
		MaxEventAge:   awscdk.Duration_Seconds(jsii.Number(asyncMaxEventAgeSeconds)),
	})
	dependOnPolicyOnly(fn, p.role)
	accept(fn.Node().DefaultChild(),
		accepted{rule: "Serverless-LambdaDLQ", reason: "Failed asynchronous invocations go to an on-failure destination (an encrypted SQS queue), which records the error and the request context; a dead-letter queue as well would receive the same events twice."},
		accepted{rule: "Serverless-LambdaTracing", reason: "Each invocation writes one structured decision log line and embedded metrics; X-Ray would need xray:PutTraceSegments on Resource *, a write on all resources that tandem's least-privilege policy rules out."},
	)
	return fn
}

// reserved returns the ReservedConcurrentExecutions of n: none for 0.
func reserved(n int) *float64 {
	if n == 0 {
		return nil
	}
	return jsii.Number(float64(n))
}

// dependOnPolicyOnly keeps a function's DependsOn to its role's policy. CDK
// also lists the role, which Fn::GetAtt already orders before the function
// (cfn-lint W3005: obsolete DependsOn).
func dependOnPolicyOnly(fn awslambda.Function, role awsiam.IRole) {
	policy := role.Node().TryFindChild(jsii.String("DefaultPolicy"))
	if policy == nil {
		return
	}
	cfnPolicy := policy.Node().DefaultChild().(awscdk.CfnResource)
	fn.Node().DefaultChild().(awscdk.CfnResource).AddOverride(jsii.String("DependsOn"), []interface{}{cfnPolicy.LogicalId()})
}
