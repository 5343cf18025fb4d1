package stacks

import (
	"fmt"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

// Context keys the app reads (cdk synth -c key=value).
const (
	// ConfigContext names tandem's configuration file for the tandem stack.
	ConfigContext = "tandemConfig"
	// CodeDirContext names the directory with the scaler's bootstrap.
	CodeDirContext = "tandemCodeDir"
	// ReservedConcurrencyContext is the scaler Lambda's reserved
	// concurrency in both stacks; default none (see
	// tandemcdk.AutoscalerProps.ReservedConcurrency).
	ReservedConcurrencyContext = "tandemReservedConcurrency"
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
	reserved, err := contextInt(app, ReservedConcurrencyContext)
	if err != nil {
		return err
	}
	if _, err := NewTandemStack(app, TandemStackName, &TandemStackProps{
		ConfigFile:          contextString(app, ConfigContext, DefaultConfigFile),
		CodeDir:             codeDir,
		ReservedConcurrency: reserved,
	}); err != nil {
		return fmt.Errorf("stack %s: %w", TandemStackName, err)
	}
	if _, err := NewDemoStack(app, DemoStackName, &DemoStackProps{CodeDir: codeDir, ReservedConcurrency: reserved}); err != nil {
		return fmt.Errorf("stack %s: %w", DemoStackName, err)
	}
	return nil
}

// contextInt reads a whole number from the context: a string from
// "-c key=value", or a number from cdk.json. Absent is 0.
func contextInt(app awscdk.App, key string) (int, error) {
	switch v := app.Node().TryGetContext(jsii.String(key)).(type) {
	case nil:
		return 0, nil
	case string:
		if v == "" {
			return 0, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, fmt.Errorf("context %s: want a whole number, got %q", key, v)
		}
		return n, nil
	case float64:
		if v != float64(int(v)) {
			return 0, fmt.Errorf("context %s: want a whole number, got %v", key, v)
		}
		return int(v), nil
	default:
		return 0, fmt.Errorf("context %s: want a whole number, got %v", key, v)
	}
}

func contextString(app awscdk.App, key, def string) string {
	if v, ok := app.Node().TryGetContext(jsii.String(key)).(string); ok && v != "" {
		return v
	}
	return def
}
