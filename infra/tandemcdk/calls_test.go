package tandemcdk_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"

	"github.com/tandem-ecs/tandem/infra/tandemcdk"
)

// scalerPackage is the Lambda whose calls the role must allow.
const scalerPackage = "github.com/tandem-ecs/tandem/functions/scaler"

// iamPrefixes maps the AWS SDK for Go v2 service packages to their IAM
// action prefixes. A package missing here fails the test: add it.
var iamPrefixes = map[string]string{
	"applicationautoscaling": "application-autoscaling",
	"autoscaling":            "autoscaling",
	"cloudwatch":             "cloudwatch",
	"dynamodb":               "dynamodb",
	"ec2":                    "ec2",
	"ecs":                    "ecs",
	"eventbridge":            "events",
	"sns":                    "sns",
}

// linkedNotCalled are calls whose input the scaler's binary builds
// somewhere but that the scaler never makes, each with the reason.
var linkedNotCalled = map[string]string{
	"dynamodb:CreateTable":        "state.CreateTable, for tests, the demo and local use: the stack creates the table",
	"dynamodb:DescribeTable":      "state.CreateTable's waiter",
	"dynamodb:DescribeTimeToLive": "state.CreateTable",
	"dynamodb:UpdateTimeToLive":   "state.CreateTable",
}

// lambdaPlumbing are granted for the Lambda service, not for tandem's code:
// its logs and its on-failure destination.
var lambdaPlumbing = map[string]bool{
	"logs:CreateLogStream":   true,
	"logs:PutLogEvents":      true,
	"sqs:SendMessage":        true,
	"sqs:GetQueueAttributes": true,
	"sqs:GetQueueUrl":        true,
}

// scalerCalls returns the AWS actions whose request the scaler's code
// builds, with where each first appears: every use of an SDK operation's
// input type (ecs.DescribeClustersInput is ecs:DescribeClusters) in the
// non-test files of the module's packages that the Lambda links, as
// "make build" builds it. Every SDK call, paginator and waiter takes its
// operation's input, so none escapes.
func scalerCalls(t *testing.T) map[string]string {
	t.Helper()
	// go test puts its own go first on the PATH.
	cmd := exec.Command("go", "list", "-deps", "-tags", "lambda.norpc",
		"-f", "{{.ImportPath}}\t{{.Dir}}\t{{range .GoFiles}}{{.}} {{end}}", scalerPackage)
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list the scaler's packages: %v", err)
	}
	fset := token.NewFileSet()
	calls := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.SplitN(line, "\t", 3)
		if len(fields) != 3 || !strings.HasPrefix(fields[0], "github.com/tandem-ecs/tandem/") {
			continue
		}
		for _, name := range strings.Fields(fields[2]) {
			path := filepath.Join(fields[1], name)
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			for action, pos := range inputsIn(t, f) {
				if _, ok := calls[action]; !ok {
					calls[action] = fset.Position(pos).String()
				}
			}
		}
	}
	if len(calls) == 0 {
		t.Fatal("found no AWS calls in the scaler's packages")
	}
	return calls
}

// inputsIn returns the actions of the SDK input types a file names.
func inputsIn(t *testing.T, f *ast.File) map[string]token.Pos {
	t.Helper()
	const sdk = "github.com/aws/aws-sdk-go-v2/service/"
	services := map[string]string{} // local name -> IAM prefix
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		pkg, ok := strings.CutPrefix(path, sdk)
		if !ok || strings.Contains(pkg, "/") {
			continue // not an SDK service, or its types subpackage
		}
		prefix, ok := iamPrefixes[pkg]
		if !ok {
			t.Fatalf("%s imports %s: add its IAM prefix to iamPrefixes", f.Name.Name, path)
		}
		local := pkg
		if imp.Name != nil {
			local = imp.Name.Name
		}
		services[local] = prefix
	}
	found := map[string]token.Pos{}
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		x, ok := sel.X.(*ast.Ident)
		if !ok || services[x.Name] == "" {
			return true
		}
		if op, ok := strings.CutSuffix(sel.Sel.Name, "Input"); ok && op != "" {
			found[services[x.Name]+":"+op] = sel.Pos()
		}
		return true
	})
	return found
}

// TestRoleAllowsExactlyTheScalersCalls holds the role to the code, both
// ways: every call the scaler's code can make is allowed, and nothing else
// is. The stack configures every optional call (an alarm, the default bus,
// an SNS topic).
func TestRoleAllowsExactlyTheScalersCalls(t *testing.T) {
	calls := scalerCalls(t)
	for action, why := range linkedNotCalled {
		if _, ok := calls[action]; !ok {
			t.Errorf("linkedNotCalled lists %s (%s), but no code builds its input any more: remove it", action, why)
		}
		delete(calls, action)
	}

	stack, code := newStack(t)
	_, err := tandemcdk.NewAutoscaler(stack, "Tandem", &tandemcdk.AutoscalerProps{
		Cluster:   "c",
		PoolNames: []string{"p"},
		Services: map[string]tandemcdk.ServicePolicy{"web": {MaxTasks: 2, Alarms: map[string]tandemcdk.AlarmPolicy{
			"web-backlog": {AdjustmentType: tandemcdk.ExactCapacity, Steps: []tandemcdk.Step{{LowerBound: ptr(0.0), Adjustment: 2}}},
		}}},
		Notifications: tandemcdk.Notifications{SNSTopicARN: "arn:aws:sns:us-east-1:111122223333:ops"},
		CodeDir:       code,
	})
	if err != nil {
		t.Fatal(err)
	}
	granted := scalerGrants(t, *assertions.Template_FromStack(stack, nil).ToJSON())

	var missing, unused []string
	for action, where := range calls {
		if _, ok := granted[action]; !ok {
			missing = append(missing, fmt.Sprintf("%s (%s)", action, where))
		}
	}
	for action := range granted {
		if _, ok := calls[action]; !ok && !lambdaPlumbing[action] {
			unused = append(unused, action)
		}
	}
	sort.Strings(missing)
	sort.Strings(unused)
	if len(missing) > 0 {
		t.Errorf("the scaler calls these, but its role does not allow them:\n  %s", strings.Join(missing, "\n  "))
	}
	if len(unused) > 0 {
		t.Errorf("the role allows these, but the scaler never calls them:\n  %s", strings.Join(unused, "\n  "))
	}
}

func ptr[T any](v T) *T { return &v }
