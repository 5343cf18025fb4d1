// Package tandemcdk is a reusable AWS CDK construct that deploys tandem, the
// event-driven autoscaler for Amazon ECS on EC2, for one cluster.
//
// NewAutoscaler creates the scaler Lambda (provided.al2023, arm64; no
// reserved concurrency unless the props ask for it), the EventBridge rules
// that wake it (configured alarms, the cluster's ECS events, termination
// lifecycle actions of its pools, Spot interruption warnings and a
// one-minute schedule), the alarms of service policies that name a metric,
// a termination lifecycle hook and AZRebalance suspension on every pool, the
// DynamoDB table that keeps decision state (and the lease that serializes
// decisions on the cluster), an SNS topic fed with tandem's notifications, a
// dashboard, and an IAM role scoped to exactly the calls the Lambda makes.
//
// The props are tandem's configuration document (package internal/config),
// typed: the aliases in this package (ServicePolicy, AlarmPolicy, Step, ...)
// are the configuration's own types. The construct validates the document
// with the Lambda's own parser and ships it to the Lambda as tandem.json in
// the code asset.
//
// The construct marks the findings of cdk-nag's AwsSolutions and Serverless
// packs that it accepts with cdk-nag's documented "cdk_nag" resource
// metadata, each with its reason, so this package does not depend on cdk-nag.
package tandemcdk
