package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/tandem-ecs/tandem/infra/tandemcdk"
	"github.com/tandem-ecs/tandem/internal/config"
)

// TandemStackProps configure the tandem stack.
type TandemStackProps struct {
	awscdk.StackProps
	// ConfigFile is tandem's configuration document: one autoscaler per
	// cluster in it, for pools named there (they must exist).
	ConfigFile string
	// CodeDir holds the scaler's bootstrap.
	CodeDir string
	// ReservedConcurrency is each scaler Lambda's reserved concurrency;
	// 0 reserves none.
	ReservedConcurrency int
}

// NewTandemStack deploys tandem for the existing clusters that a
// configuration file describes.
func NewTandemStack(scope constructs.Construct, id string, props *TandemStackProps) (awscdk.Stack, error) {
	doc, err := config.ReadFile(props.ConfigFile)
	if err != nil {
		return nil, err
	}
	sp := props.StackProps
	if sp.Description == nil {
		sp.Description = jsii.String("tandem: event-driven autoscaler for existing ECS clusters on EC2")
	}
	stack := awscdk.NewStack(scope, jsii.String(id), &sp)
	for _, c := range doc.Clusters {
		p, err := tandemcdk.PropsFromDocument(doc, c.Name)
		if err != nil {
			return nil, err
		}
		p.CodeDir = props.CodeDir
		p.ReservedConcurrency = props.ReservedConcurrency
		a, err := tandemcdk.NewAutoscaler(stack, "Autoscaler-"+c.Name, &p)
		if err != nil {
			return nil, err
		}
		output(stack, "Autoscaler-"+c.Name, a)
	}
	return stack, nil
}

// output exports what an operator looks for after a deployment.
func output(stack awscdk.Stack, prefix string, a *tandemcdk.Autoscaler) {
	awscdk.NewCfnOutput(stack, jsii.String(prefix+"-Function"), &awscdk.CfnOutputProps{
		Description: jsii.String(fmt.Sprintf("scaler Lambda of cluster %s", a.Config.Clusters[0].Name)),
		Value:       a.Function.FunctionName(),
	})
	if a.Topic != nil {
		awscdk.NewCfnOutput(stack, jsii.String(prefix+"-Topic"), &awscdk.CfnOutputProps{
			Description: jsii.String("SNS topic of tandem's notifications: subscribe to it"),
			Value:       a.Topic.TopicArn(),
		})
	}
}
