package tandemcdk

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsautoscaling"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/customresources"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/tandem-ecs/tandem/internal/config"
)

// lifecycleHookName names the termination lifecycle hook on every pool:
// the one the scaler acts on. The lifecycle rule matches its actions only,
// not other tools' hooks.
const lifecycleHookName = config.TerminationHook

// The heartbeat timeouts EC2 Auto Scaling accepts for a lifecycle hook.
const (
	minHeartbeatTimeout = 30 * time.Second
	maxHeartbeatTimeout = 7200 * time.Second
)

// heartbeatTimeout returns the hook's heartbeat timeout in seconds: the
// configuration's scaleIn.hookHeartbeatTimeout (default 5m), the value the
// scaler times its heartbeats by. It is how long a terminating instance
// waits for tandem before Auto Scaling goes on; tandem drains it and
// records heartbeats while tasks move.
func heartbeatTimeout(c *config.Cluster) (float64, error) {
	d := c.HookHeartbeatTimeout()
	if d < minHeartbeatTimeout || d > maxHeartbeatTimeout || d%time.Second != 0 {
		return 0, fmt.Errorf("clusters[0].scaleIn.hookHeartbeatTimeout: %s is not a lifecycle hook heartbeat timeout: EC2 Auto Scaling takes whole seconds from %.0fs to %.0fs (2h)",
			d, minHeartbeatTimeout.Seconds(), maxHeartbeatTimeout.Seconds())
	}
	return d.Seconds(), nil
}

// preparePools makes every pool safe for tandem: a termination lifecycle
// hook, so that an instance is drained before it goes; AZRebalance
// suspended, so that Auto Scaling does not terminate busy instances to even
// out zones; and new instances protected from scale-in, so that no instance
// is unprotected before tandem first sees it.
//
// CloudFormation can do the first for any group, by name, and the last for
// a group this app defines. It cannot suspend processes at all (an
// AutoScalingRollingUpdate's SuspendProcesses lasts only for the update), so
// an AwsCustomResource calls SuspendProcesses for every pool, and
// UpdateAutoScalingGroup for the protection of groups this app does not
// define. Deleting the construct resumes AZRebalance and turns the
// protection of new instances off again. It returns the resources that
// apply these settings, by pool name.
func preparePools(scope constructs.Construct, c cluster, pools []pool, stack env, heartbeatSeconds float64) map[string][]constructs.IConstruct {
	settings := map[string][]constructs.IConstruct{}
	for i, p := range pools {
		id := fmt.Sprintf("Pool%d", i)
		hook := awsautoscaling.NewCfnLifecycleHook(scope, jsii.String(id+"TerminateHook"), &awsautoscaling.CfnLifecycleHookProps{
			AutoScalingGroupName: jsii.String(p.ref),
			LifecycleHookName:    jsii.String(lifecycleHookName),
			LifecycleTransition:  jsii.String("autoscaling:EC2_INSTANCE_TERMINATING"),
			HeartbeatTimeout:     jsii.Number(heartbeatSeconds),
			DefaultResult:        jsii.String("CONTINUE"),
		})
		suspend := poolCall(scope, id, c, p, stack, sdkCall{
			name:   "SuspendAZRebalance",
			create: "SuspendProcesses", delete: "ResumeProcesses",
			params: map[string]interface{}{"ScalingProcesses": []string{"AZRebalance"}},
		})
		settings[p.name] = []constructs.IConstruct{hook, suspend}
		if p.defined != nil {
			p.defined.SetNewInstancesProtectedFromScaleIn(jsii.Bool(true))
		} else {
			protect := poolCall(scope, id, c, p, stack, sdkCall{
				name:   "ProtectNewInstances",
				create: "UpdateAutoScalingGroup", delete: "UpdateAutoScalingGroup",
				params:       map[string]interface{}{"NewInstancesProtectedFromScaleIn": true},
				deleteParams: map[string]interface{}{"NewInstancesProtectedFromScaleIn": false},
			})
			settings[p.name] = append(settings[p.name], protect)
		}
	}
	return settings
}

// sdkCall is an Auto Scaling API call on a pool when the custom resource is
// created or updated, and its undoing when it is deleted.
type sdkCall struct {
	// name names the setting, in construct IDs and the resource type.
	name           string
	create, delete string
	params         map[string]interface{}
	// deleteParams replace params on delete when set.
	deleteParams map[string]interface{}
}

func poolCall(scope constructs.Construct, poolID string, c cluster, p pool, stack env, call sdkCall) customresources.AwsCustomResource {
	role, logs := customResourceProvider(scope)
	apply := autoScalingCall(call.create, p, call.params, p.name+"/"+call.name)
	undoParams := call.params
	if call.deleteParams != nil {
		undoParams = call.deleteParams
	}
	undo := autoScalingCall(call.delete, p, undoParams, p.name+"/"+call.name)
	// The group may be gone before the stack (an imported one): then there
	// is nothing to undo.
	undo.IgnoreErrorCodesMatching = jsii.String("ValidationError")
	actions := []string{"autoscaling:" + call.create}
	if call.delete != call.create {
		actions = append(actions, "autoscaling:"+call.delete)
	}
	cr := customresources.NewAwsCustomResource(scope, jsii.String(poolID+call.name), &customresources.AwsCustomResourceProps{
		ResourceType: jsii.String("Custom::Tandem" + call.name),
		OnCreate:     apply,
		OnUpdate:     apply,
		OnDelete:     undo,
		Policy: customresources.AwsCustomResourcePolicy_FromStatements(&[]awsiam.PolicyStatement{
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Actions:   jsii.Strings(actions...),
				Resources: jsii.Strings(p.arn(stack)),
			}),
		}),
		InstallLatestAwsSdk: jsii.Bool(false),
		Role:                role,
		LogGroup:            logs,
		MemorySize:          jsii.Number(256),
		Timeout:             awscdk.Duration_Minutes(jsii.Number(2)),
	})
	acceptWildcards(cr.Node().FindChild(jsii.String("CustomResourcePolicy")), c, []string{p.arn(stack)})
	return cr
}

func autoScalingCall(action string, p pool, params map[string]interface{}, physicalID string) *customresources.AwsSdkCall {
	all := map[string]interface{}{"AutoScalingGroupName": p.ref}
	for k, v := range params {
		all[k] = v
	}
	return &customresources.AwsSdkCall{
		Service:            jsii.String("AutoScaling"),
		Action:             jsii.String(action),
		Parameters:         all,
		PhysicalResourceId: customresources.PhysicalResourceId_Of(jsii.String(physicalID)),
	}
}

// providerID names the construct that holds the role and log group of the
// stack's AwsCustomResource provider function.
const providerID = "TandemAwsCustomResourceProvider"

// customResourceProvider returns the role and log group for the stack's
// AwsCustomResource provider, a function CDK creates once per stack: a role
// without managed policies, writing to a log group with retention. Where
// another AwsCustomResource in the stack created the provider first, its own
// role stays in use and gets the pool permissions.
func customResourceProvider(scope constructs.Construct) (awsiam.IRole, awslogs.ILogGroup) {
	stack := awscdk.Stack_Of(scope)
	if holder := stack.Node().TryFindChild(jsii.String(providerID)); holder != nil {
		return holder.Node().FindChild(jsii.String("Role")).(awsiam.IRole),
			holder.Node().FindChild(jsii.String("Logs")).(awslogs.ILogGroup)
	}
	holder := constructs.NewConstruct(stack, jsii.String(providerID))
	logs := newLogGroup(holder, "Logs", DefaultLogRetention)
	role := newRole(holder, "Role", "tandem: AwsCustomResource provider that applies pool settings", logs)
	return role, logs
}

// acceptProviderFindings records why the stack's AwsCustomResource provider
// function (created by CDK, outside this construct) may differ from cdk-nag's
// Serverless defaults.
func acceptProviderFindings(scope constructs.Construct) {
	stack := awscdk.Stack_Of(scope)
	id := "AWS" + strings.ReplaceAll(*customresources.AwsCustomResource_PROVIDER_FUNCTION_UUID(), "-", "")
	fn, ok := stack.Node().TryFindChild(jsii.String(id)).(awslambda.Function)
	if !ok {
		return
	}
	if role := fn.Role(); role != nil {
		dependOnPolicyOnly(fn, role)
	}
	accept(fn.Node().DefaultChild(),
		accepted{rule: "Serverless-LambdaDLQ", reason: "CloudFormation invokes the custom resource provider synchronously and records its failures on the stack event; there is no asynchronous invocation to dead-letter."},
		accepted{rule: "Serverless-LambdaTracing", reason: "The provider makes one Auto Scaling call per deployment and logs it; X-Ray would need xray:PutTraceSegments on Resource *."},
	)
}
