package tandemcdk

import (
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Autoscaler is tandem deployed for one ECS cluster.
type Autoscaler struct {
	constructs.Construct
	// Function is the scaler Lambda.
	Function awslambda.Function
	// Role is the scaler's execution role.
	Role awsiam.Role
	// StateTable keeps decision state between invocations.
	StateTable awsdynamodb.Table
	// FailureQueue receives asynchronous invocations that failed for good.
	FailureQueue awssqs.Queue
	// DeadLetterQueue receives events the rules could not deliver.
	DeadLetterQueue awssqs.Queue
	// Topic receives tandem's notifications; nil when they are off.
	Topic awssns.Topic
	// Alarms are the alarms the construct created for service policies.
	Alarms []awscloudwatch.Alarm
	// Dashboard shows what tandem decides.
	Dashboard awscloudwatch.Dashboard
	// Config is the configuration document the Lambda reads.
	Config *Document
	// PoolSettings are the resources that put tandem's settings on each
	// pool (its termination lifecycle hook, and the custom resources that
	// suspend AZRebalance and protect new instances), by pool name. Their
	// deletion undoes the settings while the group still exists: a stack
	// that deletes a group itself (as the demo force-deletes its pool)
	// makes them depend on that resource, so that they go first.
	PoolSettings map[string][]constructs.IConstruct
}

// NewAutoscaler deploys tandem for the cluster that props describe. It
// returns the configuration's validation error, or a problem staging the
// Lambda's code, without creating the Lambda.
func NewAutoscaler(scope constructs.Construct, id string, props *AutoscalerProps) (*Autoscaler, error) {
	// Children take the embedded construct as their scope: jsii knows it,
	// not the Go struct around it.
	self := constructs.NewConstruct(scope, jsii.String(id))
	a := &Autoscaler{Construct: self}
	stack := stackEnv(self)
	c, err := parseCluster(props.Cluster, stack)
	if err != nil {
		return nil, fmt.Errorf("tandem %s: %w", id, err)
	}
	if props.ReservedConcurrency < 0 {
		return nil, fmt.Errorf("tandem %s: reservedConcurrency: %d; want 0 (none reserved) or more", id, props.ReservedConcurrency)
	}
	pools, err := resolvePools(props)
	if err != nil {
		return nil, fmt.Errorf("tandem %s: %w", id, err)
	}
	tableName := *awscdk.Names_UniqueResourceName(self, &awscdk.UniqueResourceNameOptions{MaxLength: jsii.Number(200), Separator: jsii.String("-")}) + "-state"
	doc, data, err := props.document(c, pools, tableName)
	if err != nil {
		return nil, fmt.Errorf("tandem %s: %w", id, err)
	}
	a.Config = doc
	heartbeat, err := heartbeatTimeout(&doc.Clusters[0])
	if err != nil {
		return nil, fmt.Errorf("tandem %s: %w", id, err)
	}
	codePath, err := stageCode(self, props.codeDir(), data)
	if err != nil {
		return nil, fmt.Errorf("tandem %s: %w", id, err)
	}

	a.StateTable = newStateTable(self, tableName)
	a.FailureQueue = newDeadLetterQueue(self, "FailureQueue")
	a.DeadLetterQueue = newDeadLetterQueue(self, "DeadLetterQueue")
	logs := newLogGroup(self, "Logs", props.logRetention())
	a.Role = newRole(self, "Role", "tandem: the scaler Lambda of cluster "+c.name, logs)
	a.Function = newFunction(self, "Scaler", functionProps{
		codePath:  codePath,
		role:      a.Role,
		logs:      logs,
		onFailure: a.FailureQueue,
		memoryMiB: props.memorySizeMiB(),
		timeout:   awscdk.Duration_Seconds(jsii.Number(props.timeout().Seconds())),

		reservedConcurrency: props.ReservedConcurrency,
	})

	alarms := alarmNames(props.Services)
	addTriggers(self, triggers(c, pools, alarms), a.Function, a.DeadLetterQueue)
	a.Alarms = newAlarms(self, c, props.Services)
	a.PoolSettings = preparePools(self, c, pools, stack, heartbeat)
	acceptProviderFindings(self)

	bus := doc.Notifications.EventBus
	if bus == NoEventBus {
		bus = ""
	} else {
		a.Topic = newNotifications(self, bus, a.DeadLetterQueue)
	}
	st := access{
		stack: stack, cluster: c, pools: pools, alarms: alarms, eventBus: bus,
		topicARN: doc.Notifications.SNSTopicARN, tableARN: *a.StateTable.TableArn(),
	}.statements()
	acceptWildcards(a.Role.Node().FindChild(jsii.String("DefaultPolicy")), c, grant(a.Role, st, c.arn()))

	a.Dashboard = newDashboard(self, dashboardProps{
		cluster: c, pools: pools, services: slices.Sorted(maps.Keys(props.Services)), fn: a.Function,
		queues: []awssqs.Queue{a.FailureQueue, a.DeadLetterQueue},
	})
	return a, nil
}

// newStateTable returns the table of decision state: one item per key pk,
// expired by DynamoDB at expiresAt (epoch seconds). The name is fixed at
// synth time because the Lambda reads it from tandem.json. Losing the table
// loses only cooldown and scale-in timers, so it goes with the stack.
func newStateTable(scope constructs.Construct, name string) awsdynamodb.Table {
	return awsdynamodb.NewTable(scope, jsii.String("State"), &awsdynamodb.TableProps{
		TableName:           jsii.String(name),
		PartitionKey:        &awsdynamodb.Attribute{Name: jsii.String("pk"), Type: awsdynamodb.AttributeType_STRING},
		TimeToLiveAttribute: jsii.String("expiresAt"),
		BillingMode:         awsdynamodb.BillingMode_PAY_PER_REQUEST,
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		Encryption:    awsdynamodb.TableEncryption_AWS_MANAGED,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
}
