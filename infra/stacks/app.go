package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

// Context keys the app reads (cdk synth -c key=value).
const (
	// ConfigContext names tandem's configuration file for the tandem stack.
	ConfigContext = "tandemConfig"
	// CodeDirContext names the directory with the scaler's bootstrap.
	CodeDirContext = "tandemCodeDir"
)

// Defaults of the context keys, relative to the repository root, where
// cdk.json runs the app.
const (
	DefaultConfigFile = "infra/tandem.sample.json"
	DefaultCodeDir    = "dist/scaler"
)

// Stack names.
const (
	TandemStackName = "Tandem"
	DemoStackName   = "TandemDemo"
)

// Build adds both stacks to app. Neither has an environment: they
// synthesize without credentials or lookups, and ARNs take the account and
// Region at deploy time.
func Build(app awscdk.App) error {
	codeDir := contextString(app, CodeDirContext, DefaultCodeDir)
	if _, err := NewTandemStack(app, TandemStackName, &TandemStackProps{
		ConfigFile: contextString(app, ConfigContext, DefaultConfigFile),
		CodeDir:    codeDir,
	}); err != nil {
		return fmt.Errorf("stack %s: %w", TandemStackName, err)
	}
	if _, err := NewDemoStack(app, DemoStackName, &DemoStackProps{CodeDir: codeDir}); err != nil {
		return fmt.Errorf("stack %s: %w", DemoStackName, err)
	}
	return nil
}

func contextString(app awscdk.App, key, def string) string {
	if v, ok := app.Node().TryGetContext(jsii.String(key)).(string); ok && v != "" {
		return v
	}
	return def
}
