// Command app is tandem's CDK app: cdk.json runs it. It synthesizes the
// tandem stack (from -c tandemConfig=<file>, default
// infra/tandem.sample.json) and the demo stack.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/tandem-ecs/tandem/infra/stacks"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "tandem infra:", err)
		os.Exit(1)
	}
}

func run() error {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	if err := stacks.Build(app); err != nil {
		return err
	}
	app.Synth(nil)
	return nil
}
