package tandemcdk

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/tandem-ecs/tandem/internal/config"
)

// notificationSource is the source of the events the scaler puts.
const notificationSource = "tandem"

// newNotifications returns an SNS topic, encrypted with its own rotating KMS
// key and accepting only TLS, that receives every event the scaler puts on
// bus (source "tandem": capacity shortages, busy instances terminated,
// instances that never registered, conflicts with other scalers). Subscribe
// to it to be told.
func newNotifications(scope constructs.Construct, bus string, dlq awssqs.IQueue) awssns.Topic {
	key := awskms.NewKey(scope, jsii.String("NotificationsKey"), &awskms.KeyProps{
		Description:       jsii.String("tandem: encrypts the notifications topic"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_DESTROY,
		PendingWindow:     awscdk.Duration_Days(jsii.Number(7)),
	})
	topic := awssns.NewTopic(scope, jsii.String("Notifications"), &awssns.TopicProps{
		DisplayName: jsii.String("tandem notifications"),
		MasterKey:   key,
		EnforceSSL:  jsii.Bool(true),
	})
	rule := awsevents.NewRule(scope, jsii.String("NotificationsRule"), &awsevents.RuleProps{
		Description:  jsii.String("tandem: forwards the scaler's notifications to the topic"),
		EventBus:     eventBus(scope, bus),
		EventPattern: &awsevents.EventPattern{Source: jsii.Strings(notificationSource)},
	})
	rule.AddTarget(awseventstargets.NewSnsTopic(topic, &awseventstargets.SnsTopicProps{
		Message:         notificationMessage(),
		DeadLetterQueue: dlq,
		RetryAttempts:   jsii.Number(targetRetryAttempts),
		// A notification stays worth delivering for longer than a trigger.
		MaxEventAge: awscdk.Duration_Hours(jsii.Number(24)),
	}))
	return topic
}

// notificationMessage is a readable summary line, then the event's detail.
func notificationMessage() awsevents.RuleTargetInput {
	return awsevents.RuleTargetInput_FromObject(map[string]interface{}{
		"summary": "tandem: " + *awsevents.EventField_FromPath(jsii.String("$.detail-type")) +
			" (" + *awsevents.EventField_FromPath(jsii.String("$.region")) +
			", " + *awsevents.EventField_FromPath(jsii.String("$.time")) + ")",
		"detail": awsevents.EventField_FromPath(jsii.String("$.detail")),
	})
}

func eventBus(scope constructs.Construct, name string) awsevents.IEventBus {
	if name == config.DefaultEventBus {
		return nil
	}
	return awsevents.EventBus_FromEventBusName(scope, jsii.String("EventBus"), jsii.String(name))
}
