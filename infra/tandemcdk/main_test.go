package tandemcdk_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/tandem-ecs/tandem/infra/stacks"
)

// silenceNode keeps jsii's banner about Node 20's end of life out of the
// test output ("make test" exports it too).
const silenceNode = "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"

func TestMain(m *testing.M) {
	if os.Getenv(silenceNode) == "" {
		// jsii fixes the environment of its Node process when the CDK
		// packages register their types, before TestMain runs (it starts
		// the process later, on first use): run the tests again with the
		// variable set.
		os.Exit(rerun(silenceNode + "=20"))
	}
	dir, err := os.MkdirTemp("", "tandem-infra-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	workDir = dir
	code := m.Run()
	jsii.Close()
	os.RemoveAll(dir)
	os.Exit(code)
}

// workDir holds the synthesized app; TestMain sets it before the tests run
// and removes it after.
var workDir string

func rerun(env string) int {
	cmd := exec.Command(os.Args[0], os.Args[1:]...)
	cmd.Env = append(os.Environ(), env)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		fmt.Fprintln(os.Stderr, "rerun the tests:", err)
		return 1
	}
	return 0
}

// synthesized is the app as "make synth" builds it (both stacks, the sample
// configuration), with cdk-nag's AwsSolutions and Serverless checks,
// synthesized once per test binary: jsii is slow.
type synthesized struct {
	outdir    string
	stacks    map[string]awscdk.Stack
	templates map[string]assertions.Template
	json      map[string]map[string]any
}

var app = sync.OnceValues(func() (*synthesized, error) {
	dir := workDir
	code, err := fakeCode(dir)
	if err != nil {
		return nil, err
	}
	a := awscdk.NewApp(&awscdk.AppProps{
		Outdir: jsii.String(filepath.Join(dir, "cdk.out")),
		Context: &map[string]any{
			stacks.CodeDirContext: code,
			stacks.ConfigContext:  filepath.Join("..", "tandem.sample.json"),
		},
	})
	awscdk.Aspects_Of(a).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	awscdk.Aspects_Of(a).Add(cdknag.NewServerlessChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	if err := stacks.Build(a); err != nil {
		return nil, err
	}
	s := &synthesized{
		outdir:    *a.Outdir(),
		stacks:    map[string]awscdk.Stack{},
		templates: map[string]assertions.Template{},
		json:      map[string]map[string]any{},
	}
	for _, name := range []string{stacks.TandemStackName, stacks.DemoStackName} {
		stack, ok := a.Node().FindChild(jsii.String(name)).(awscdk.Stack)
		if !ok {
			return nil, fmt.Errorf("app has no stack %s", name)
		}
		s.stacks[name] = stack
		s.templates[name] = assertions.Template_FromStack(stack, nil)
		s.json[name] = *s.templates[name].ToJSON()
	}
	return s, nil
})

// fakeCode writes a stand-in for the scaler's bootstrap: the templates do not
// depend on the binary, so the tests do not depend on "make build".
func fakeCode(dir string) (string, error) {
	code := filepath.Join(dir, "scaler")
	if err := os.MkdirAll(code, 0o755); err != nil {
		return "", err
	}
	return code, os.WriteFile(filepath.Join(code, "bootstrap"), []byte("#!/bin/sh\nexit 1\n"), 0o755)
}

func synth(t *testing.T) *synthesized {
	t.Helper()
	s, err := app()
	if err != nil {
		t.Fatalf("synthesize the app: %v", err)
	}
	return s
}

// resources returns the template's resources of a type, by logical ID.
func resources(tpl map[string]any, typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range tpl["Resources"].(map[string]any) {
		res := r.(map[string]any)
		if res["Type"] == typ {
			out[id] = res
		}
	}
	return out
}

// only returns the one resource of a type that match wants, failing
// otherwise.
func only(t *testing.T, tpl map[string]any, typ string, match func(props map[string]any) bool) (string, map[string]any) {
	t.Helper()
	var ids []string
	for id, r := range resources(tpl, typ) {
		if match == nil || match(props(r)) {
			ids = append(ids, id)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("want one matching %s, found %d: %v", typ, len(ids), ids)
	}
	return ids[0], props(resources(tpl, typ)[ids[0]])
}

func props(r map[string]any) map[string]any {
	p, _ := r["Properties"].(map[string]any)
	return p
}

// flat replaces CloudFormation references by readable strings, as cdk-nag
// writes them: {"Ref": "AWS::Region"} is "<AWS::Region>", a Fn::GetAtt is
// "<Logical.Attr>", and a Fn::Join is joined.
func flat(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := x["Ref"].(string); ok && len(x) == 1 {
			return "<" + ref + ">"
		}
		if att, ok := x["Fn::GetAtt"].([]any); ok && len(x) == 1 {
			return fmt.Sprintf("<%v.%v>", att[0], att[1])
		}
		if join, ok := x["Fn::Join"].([]any); ok && len(x) == 1 {
			var parts []string
			for _, p := range join[1].([]any) {
				parts = append(parts, fmt.Sprint(flat(p)))
			}
			return strings.Join(parts, join[0].(string))
		}
		out := map[string]any{}
		for k, e := range x {
			out[k] = flat(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = flat(e)
		}
		return out
	}
	return v
}

// strs returns a string or a list of strings as a sorted list.
func strs(v any) []string {
	switch x := flat(v).(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, fmt.Sprint(e))
		}
		sort.Strings(out)
		return out
	}
	return nil
}

// arn is how a stack's ARN of an environment-agnostic stack reads once
// flattened.
func arn(service, resource string) string {
	return "arn:<AWS::Partition>:" + service + ":<AWS::Region>:<AWS::AccountId>:" + resource
}
