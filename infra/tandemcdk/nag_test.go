package tandemcdk_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

// TestNoUnsuppressedNagFindings fails on any error or warning of cdk-nag's
// AwsSolutions and Serverless packs that no suppression explains.
func TestNoUnsuppressedNagFindings(t *testing.T) {
	s := synth(t)
	for _, name := range bothStacks {
		annotations := assertions.Annotations_FromStack(s.stacks[name])
		for _, pack := range []string{"AwsSolutions-.*", "Serverless-.*"} {
			t.Run(name+"/"+strings.TrimSuffix(pack, "-.*"), func(t *testing.T) {
				finding := assertions.Match_StringLikeRegexp(jsii.String(pack))
				noneFound(t, "error", func() { annotations.HasNoError(jsii.String("*"), finding) })
				noneFound(t, "warning", func() { annotations.HasNoWarning(jsii.String("*"), finding) })
			})
		}
	}
}

// noneFound runs an assertion that throws, through jsii, when it finds
// messages; the panic lists them.
func noneFound(t *testing.T, level string, assert func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("unsuppressed %s findings:\n%v", level, r)
		}
	}()
	assert()
}
