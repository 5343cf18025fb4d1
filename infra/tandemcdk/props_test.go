package tandemcdk_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsautoscaling"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/jsii-runtime-go"
	"github.com/google/go-cmp/cmp"

	"github.com/tandem-ecs/tandem/infra/tandemcdk"
	"github.com/tandem-ecs/tandem/internal/config"
)

// newStack returns a stack in a fresh app whose output goes to a temporary
// directory, and a code directory with a stand-in bootstrap.
func newStack(t *testing.T) (awscdk.Stack, string) {
	t.Helper()
	dir := t.TempDir()
	code, err := fakeCode(dir)
	if err != nil {
		t.Fatal(err)
	}
	a := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(filepath.Join(dir, "cdk.out"))})
	return awscdk.NewStack(a, jsii.String("Test"), nil), code
}

func web(maxTasks int) map[string]tandemcdk.ServicePolicy {
	return map[string]tandemcdk.ServicePolicy{"web": {MinTasks: 1, MaxTasks: maxTasks}}
}

func TestNewAutoscalerRejectsBadProps(t *testing.T) {
	tests := []struct {
		name  string
		props func(stack awscdk.Stack, code string) *tandemcdk.AutoscalerProps
		want  string
	}{
		{"no cluster", func(_ awscdk.Stack, code string) *tandemcdk.AutoscalerProps {
			return &tandemcdk.AutoscalerProps{CodeDir: code}
		}, "cluster: required"},
		{"not an ECS cluster ARN", func(_ awscdk.Stack, code string) *tandemcdk.AutoscalerProps {
			return &tandemcdk.AutoscalerProps{Cluster: "arn:aws:s3:::bucket", CodeDir: code}
		}, "want a name or arn:<partition>:ecs:<region>:<account>:cluster/<name>"},
		{"invalid service policy", func(_ awscdk.Stack, code string) *tandemcdk.AutoscalerProps {
			return &tandemcdk.AutoscalerProps{Cluster: "c", PoolNames: []string{"p"}, Services: web(0), CodeDir: code}
		}, "clusters[0].services.web.maxTasks: required, at least 1"},
		{"invalid alarm metric", func(_ awscdk.Stack, code string) *tandemcdk.AutoscalerProps {
			return &tandemcdk.AutoscalerProps{Cluster: "c", PoolNames: []string{"p"}, CodeDir: code, Services: map[string]tandemcdk.ServicePolicy{"web": {
				MaxTasks: 2,
				Alarms: map[string]tandemcdk.AlarmPolicy{"hot": {
					AdjustmentType: tandemcdk.ChangeInCapacity,
					Steps:          []tandemcdk.Step{{LowerBound: jsii.Number(0), Adjustment: 1}},
					Metric:         &tandemcdk.AlarmMetric{Name: "CPUUtilization", Threshold: 60, Comparison: "Above"},
				}},
			}}}
		}, "clusters[0].services.web.alarms.hot.metric.comparison"},
		{"no pools", func(_ awscdk.Stack, code string) *tandemcdk.AutoscalerProps {
			return &tandemcdk.AutoscalerProps{Cluster: "c", Services: web(2), CodeDir: code}
		}, "pools: none; set Pools or PoolNames"},
		{"negative reserved concurrency", func(_ awscdk.Stack, code string) *tandemcdk.AutoscalerProps {
			return &tandemcdk.AutoscalerProps{Cluster: "c", PoolNames: []string{"p"}, ReservedConcurrency: -1, CodeDir: code}
		}, "reservedConcurrency: -1"},
		{"pool listed twice", func(_ awscdk.Stack, code string) *tandemcdk.AutoscalerProps {
			return &tandemcdk.AutoscalerProps{Cluster: "c", PoolNames: []string{"p", "p"}, CodeDir: code}
		}, `pool "p" is listed twice`},
		{"group without a name", func(stack awscdk.Stack, code string) *tandemcdk.AutoscalerProps {
			vpc := awsec2.NewVpc(stack, jsii.String("Vpc"), nil)
			asg := awsautoscaling.NewAutoScalingGroup(stack, jsii.String("Pool"), &awsautoscaling.AutoScalingGroupProps{
				Vpc:          vpc,
				InstanceType: awsec2.NewInstanceType(jsii.String("t4g.small")),
				MachineImage: awsec2.MachineImage_LatestAmazonLinux2023(nil),
			})
			return &tandemcdk.AutoscalerProps{Cluster: "c", Pools: []awsautoscaling.IAutoScalingGroup{asg}, CodeDir: code}
		}, "set autoScalingGroupName"},
		{"no bootstrap", func(_ awscdk.Stack, _ string) *tandemcdk.AutoscalerProps {
			return &tandemcdk.AutoscalerProps{Cluster: "c", PoolNames: []string{"p"}, CodeDir: t.TempDir()}
		}, `run "make build" first?`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stack, code := newStack(t)
			_, err := tandemcdk.NewAutoscaler(stack, "Tandem", tt.props(stack, code))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewAutoscaler: got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestClusterByARN checks that a cluster given by ARN keeps its own
// partition, Region and account in patterns and permissions.
func TestClusterByARN(t *testing.T) {
	stack, code := newStack(t)
	const clusterARN = "arn:aws:ecs:eu-west-1:111122223333:cluster/prod"
	a, err := tandemcdk.NewAutoscaler(stack, "Tandem", &tandemcdk.AutoscalerProps{
		Cluster: clusterARN, PoolNames: []string{"prod-pool"}, Services: web(4), CodeDir: code,
		Notifications: tandemcdk.Notifications{EventBus: tandemcdk.NoEventBus},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Config.Clusters[0].Name; got != "prod" {
		t.Errorf("tandem.json names cluster %q, want prod", got)
	}
	if a.Topic != nil {
		t.Error("notifications are off, but there is a topic")
	}
	tpl := assertions.Template_FromStack(stack, nil)
	tpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]any{
		"EventPattern": map[string]any{"detail": map[string]any{"clusterArn": []any{clusterARN}}},
	})
	tpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{map[string]any{
			"Sid":       "ScaleServices",
			"Action":    "ecs:UpdateService",
			"Resource":  "arn:aws:ecs:eu-west-1:111122223333:service/prod/*",
			"Condition": map[string]any{"ArnEquals": map[string]any{"ecs:cluster": clusterARN}},
			"Effect":    "Allow",
		}})},
	})
	for _, r := range resources(*tpl.ToJSON(), "AWS::IAM::Policy") {
		for _, st := range statements(props(r)["PolicyDocument"]) {
			if contains(strs(st["Action"]), "events:PutEvents") {
				t.Error("notifications are off, but the scaler may put events")
			}
		}
	}
}

func TestPropsFromDocument(t *testing.T) {
	doc, err := config.ReadFile(filepath.Join("..", "tandem.sample.json"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := tandemcdk.PropsFromDocument(doc, "sample-cluster")
	if err != nil {
		t.Fatal(err)
	}
	if p.Cluster != "sample-cluster" || !cmp.Equal(p.PoolNames, []string{"sample-cluster-pool"}) || len(p.Services) != 2 {
		t.Errorf("props: cluster %q, pools %v, %d services; want sample-cluster, [sample-cluster-pool], 2", p.Cluster, p.PoolNames, len(p.Services))
	}
	if _, err := tandemcdk.PropsFromDocument(doc, "other"); err == nil {
		t.Error("PropsFromDocument found a cluster the document does not have")
	}
}

// The hook's heartbeat timeout is the configuration's, which the scaler
// times its heartbeats by.
func TestHookHeartbeatTimeoutFromConfiguration(t *testing.T) {
	heartbeat := func(d time.Duration) tandemcdk.ScaleIn {
		return tandemcdk.ScaleIn{HookHeartbeatTimeout: tandemcdk.Duration{Duration: d}}
	}
	t.Run("configured", func(t *testing.T) {
		stack, code := newStack(t)
		a, err := tandemcdk.NewAutoscaler(stack, "Tandem", &tandemcdk.AutoscalerProps{
			Cluster: "c", PoolNames: []string{"p"}, ScaleIn: heartbeat(10 * time.Minute), CodeDir: code,
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := a.Config.Clusters[0].HookHeartbeatTimeout(); got != 10*time.Minute {
			t.Errorf("tandem.json: hook heartbeat timeout %s, want 10m", got)
		}
		_, hook := only(t, *assertions.Template_FromStack(stack, nil).ToJSON(), "AWS::AutoScaling::LifecycleHook", nil)
		if hook["HeartbeatTimeout"] != 600.0 {
			t.Errorf("lifecycle hook HeartbeatTimeout %v, want 600", hook["HeartbeatTimeout"])
		}
	})
	for _, d := range []time.Duration{10 * time.Second, 3 * time.Hour, 200500 * time.Millisecond} {
		t.Run("rejects "+d.String(), func(t *testing.T) {
			stack, code := newStack(t)
			_, err := tandemcdk.NewAutoscaler(stack, "Tandem", &tandemcdk.AutoscalerProps{
				Cluster: "c", PoolNames: []string{"p"}, ScaleIn: heartbeat(d), CodeDir: code,
			})
			if err == nil || !strings.Contains(err.Error(), "hookHeartbeatTimeout") {
				t.Errorf("NewAutoscaler: got error %v, want one naming hookHeartbeatTimeout", err)
			}
		})
	}
}

func TestReservedConcurrency(t *testing.T) {
	stack, code := newStack(t)
	if _, err := tandemcdk.NewAutoscaler(stack, "Tandem", &tandemcdk.AutoscalerProps{
		Cluster: "c", PoolNames: []string{"p"}, ReservedConcurrency: 1, CodeDir: code,
	}); err != nil {
		t.Fatal(err)
	}
	_, fn := scaler(t, *assertions.Template_FromStack(stack, nil).ToJSON())
	if got := fn["ReservedConcurrentExecutions"]; got != 1.0 {
		t.Errorf("ReservedConcurrentExecutions %v, want 1", got)
	}
}
