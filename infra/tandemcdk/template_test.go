package tandemcdk_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/google/go-cmp/cmp"

	"github.com/tandem-ecs/tandem/infra/stacks"
	"github.com/tandem-ecs/tandem/internal/config"
)

var bothStacks = []string{stacks.TandemStackName, stacks.DemoStackName}

// scaler returns the scaler Lambda of a stack: the provided.al2023 function.
func scaler(t *testing.T, tpl map[string]any) (string, map[string]any) {
	t.Helper()
	return only(t, tpl, "AWS::Lambda::Function", func(p map[string]any) bool { return p["Runtime"] == "provided.al2023" })
}

func TestScalerFunction(t *testing.T) {
	s := synth(t)
	for _, name := range bothStacks {
		t.Run(name, func(t *testing.T) {
			s.templates[name].HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
				"Runtime":                      "provided.al2023",
				"Architectures":                []any{"arm64"},
				"Handler":                      "bootstrap",
				"MemorySize":                   512,
				"Timeout":                      60,
				"ReservedConcurrentExecutions": assertions.Match_Absent(),
				"Environment":                  map[string]any{"Variables": map[string]any{"TANDEM_CONFIG_FILE": "tandem.json"}},
			})
			_, fn := scaler(t, s.json[name])
			logs := flat(fn["LoggingConfig"]).(map[string]any)["LogGroup"].(string)
			group := props(resources(s.json[name], "AWS::Logs::LogGroup")[strings.Trim(logs, "<>")])
			if got := group["RetentionInDays"]; got != 30.0 {
				t.Errorf("log group %s keeps logs %v days, want 30", logs, got)
			}
		})
	}
}

// The app's context key reserves concurrency for the scaler in both stacks.
func TestReservedConcurrencyContext(t *testing.T) {
	dir := t.TempDir()
	code, err := fakeCode(dir)
	if err != nil {
		t.Fatal(err)
	}
	a := awscdk.NewApp(&awscdk.AppProps{
		Outdir: jsii.String(filepath.Join(dir, "cdk.out")),
		Context: &map[string]any{
			stacks.CodeDirContext:             code,
			stacks.ConfigContext:              filepath.Join("..", "tandem.sample.json"),
			stacks.ReservedConcurrencyContext: "2",
		},
	})
	if err := stacks.Build(a); err != nil {
		t.Fatal(err)
	}
	for _, name := range bothStacks {
		stack := a.Node().FindChild(jsii.String(name)).(awscdk.Stack)
		_, fn := scaler(t, *assertions.Template_FromStack(stack, nil).ToJSON())
		if got := fn["ReservedConcurrentExecutions"]; got != 2.0 {
			t.Errorf("%s: ReservedConcurrentExecutions %v, want 2", name, got)
		}
	}

	bad := awscdk.NewApp(&awscdk.AppProps{
		Outdir:  jsii.String(filepath.Join(dir, "bad.out")),
		Context: &map[string]any{stacks.CodeDirContext: code, stacks.ReservedConcurrencyContext: "one"},
	})
	if err := stacks.Build(bad); err == nil || !strings.Contains(err.Error(), stacks.ReservedConcurrencyContext) {
		t.Errorf("Build with %s=one: got error %v, want one naming the key", stacks.ReservedConcurrencyContext, err)
	}
}

func TestAsyncInvocationsGoToAnEncryptedFailureQueue(t *testing.T) {
	s := synth(t)
	for _, name := range bothStacks {
		t.Run(name, func(t *testing.T) {
			tpl := s.json[name]
			fnID, _ := scaler(t, tpl)
			_, cfg := only(t, tpl, "AWS::Lambda::EventInvokeConfig", func(p map[string]any) bool {
				return flat(p["FunctionName"]) == "<"+fnID+">"
			})
			if cfg["MaximumRetryAttempts"] != 2.0 || cfg["MaximumEventAgeInSeconds"] != 360.0 {
				t.Errorf("retries %v, max event age %v; want 2 and 360", cfg["MaximumRetryAttempts"], cfg["MaximumEventAgeInSeconds"])
			}
			dest := flat(cfg["DestinationConfig"]).(map[string]any)["OnFailure"].(map[string]any)["Destination"].(string)
			queueID := strings.TrimSuffix(strings.TrimPrefix(dest, "<"), ".Arn>")
			checkEncryptedTLSQueue(t, tpl, queueID)
		})
	}
}

// checkEncryptedTLSQueue checks that a queue is encrypted and that its policy
// refuses requests without TLS.
func checkEncryptedTLSQueue(t *testing.T, tpl map[string]any, queueID string) {
	t.Helper()
	q, ok := resources(tpl, "AWS::SQS::Queue")[queueID]
	if !ok {
		t.Fatalf("%s is not a queue of the stack", queueID)
	}
	if props(q)["SqsManagedSseEnabled"] != true {
		t.Errorf("queue %s: want SQS-managed encryption, got %v", queueID, props(q))
	}
	for _, qp := range resources(tpl, "AWS::SQS::QueuePolicy") {
		if !contains(strs(props(qp)["Queues"]), "<"+queueID+">") {
			continue
		}
		for _, st := range statements(props(qp)["PolicyDocument"]) {
			if st["Effect"] == "Deny" && strings.Contains(string(mustJSON(st["Condition"])), `"aws:SecureTransport":"false"`) {
				return
			}
		}
	}
	t.Errorf("queue %s: no policy denies requests without TLS", queueID)
}

func TestTriggerPatternsAreExact(t *testing.T) {
	s := synth(t)
	ecsArn := func(r string) string { return arn("ecs", r) }
	tests := []struct {
		stack string
		want  map[string]any // description prefix -> pattern or schedule
	}{
		{stacks.TandemStackName, map[string]any{
			"tandem: task and container instance state changes": map[string]any{
				"source": []any{"aws.ecs"}, "detail-type": []any{"ECS Task State Change", "ECS Container Instance State Change"},
				"detail": map[string]any{"clusterArn": []any{ecsArn("cluster/sample-cluster")}},
			},
			"tandem: service actions and deployment state changes": map[string]any{
				"source": []any{"aws.ecs"}, "detail-type": []any{"ECS Service Action", "ECS Deployment State Change"},
				"resources": []any{map[string]any{"prefix": ecsArn("service/sample-cluster/")}},
			},
			"tandem: instance-terminate lifecycle actions": map[string]any{
				"source": []any{"aws.autoscaling"}, "detail-type": []any{"EC2 Instance-terminate Lifecycle Action"},
				"detail": map[string]any{"AutoScalingGroupName": []any{"sample-cluster-pool"}, "LifecycleHookName": []any{"tandem-terminate"}},
			},
			"tandem: EC2 Spot interruption warnings": map[string]any{
				"source": []any{"aws.ec2"}, "detail-type": []any{"EC2 Spot Instance Interruption Warning"},
			},
			"tandem: state changes of the alarms": map[string]any{
				"source": []any{"aws.cloudwatch"}, "detail-type": []any{"CloudWatch Alarm State Change"},
				"detail": map[string]any{"alarmName": []any{"sample-queue-backlog", "sample-web-cpu-high", "sample-web-cpu-low"}},
			},
			"tandem: reconcile cluster":                   "rate(1 minute)",
			"tandem: forwards the scaler's notifications": map[string]any{"source": []any{"tandem"}},
		}},
		{stacks.DemoStackName, map[string]any{
			"tandem: task and container instance state changes": map[string]any{
				"source": []any{"aws.ecs"}, "detail-type": []any{"ECS Task State Change", "ECS Container Instance State Change"},
				"detail": map[string]any{"clusterArn": []any{ecsArn("cluster/tandem-demo")}},
			},
			"tandem: service actions and deployment state changes": map[string]any{
				"source": []any{"aws.ecs"}, "detail-type": []any{"ECS Service Action", "ECS Deployment State Change"},
				"resources": []any{map[string]any{"prefix": ecsArn("service/tandem-demo/")}},
			},
			"tandem: instance-terminate lifecycle actions": map[string]any{
				"source": []any{"aws.autoscaling"}, "detail-type": []any{"EC2 Instance-terminate Lifecycle Action"},
				"detail": map[string]any{"AutoScalingGroupName": []any{"tandem-demo-pool"}, "LifecycleHookName": []any{"tandem-terminate"}},
			},
			"tandem: EC2 Spot interruption warnings": map[string]any{
				"source": []any{"aws.ec2"}, "detail-type": []any{"EC2 Spot Instance Interruption Warning"},
			},
			"tandem: state changes of the alarms": map[string]any{
				"source": []any{"aws.cloudwatch"}, "detail-type": []any{"CloudWatch Alarm State Change"},
				"detail": map[string]any{"alarmName": []any{"tandem-demo-api-memory-high", "tandem-demo-web-cpu-high", "tandem-demo-web-cpu-low"}},
			},
			"tandem: reconcile cluster":                   "rate(1 minute)",
			"tandem: forwards the scaler's notifications": map[string]any{"source": []any{"tandem"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.stack, func(t *testing.T) {
			got := map[string]any{}
			for id, r := range resources(s.json[tt.stack], "AWS::Events::Rule") {
				p := props(r)
				key := matchingKey(tt.want, p["Description"])
				if key == "" {
					t.Errorf("rule %s (%v) is not expected", id, p["Description"])
					continue
				}
				if p["ScheduleExpression"] != nil {
					got[key] = p["ScheduleExpression"]
				} else {
					got[key] = flat(p["EventPattern"])
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rules (-want +got):\n%s", diff)
			}
		})
	}
}

func matchingKey(want map[string]any, description any) string {
	d, _ := description.(string)
	for k := range want {
		if strings.HasPrefix(d, k) {
			return k
		}
	}
	return ""
}

func TestEveryTriggerHasADeadLetterQueueAndBoundedRetries(t *testing.T) {
	s := synth(t)
	for _, name := range bothStacks {
		t.Run(name, func(t *testing.T) {
			tpl := s.json[name]
			for id, r := range resources(tpl, "AWS::Events::Rule") {
				for _, target := range props(r)["Targets"].([]any) {
					tg := flat(target).(map[string]any)
					dlq, _ := tg["DeadLetterConfig"].(map[string]any)
					if dlq == nil {
						t.Errorf("rule %s: target without a dead-letter queue", id)
						continue
					}
					checkEncryptedTLSQueue(t, tpl, strings.TrimSuffix(strings.TrimPrefix(dlq["Arn"].(string), "<"), ".Arn>"))
					retry, _ := tg["RetryPolicy"].(map[string]any)
					if retry["MaximumRetryAttempts"] == nil || retry["MaximumEventAgeInSeconds"] == nil {
						t.Errorf("rule %s: want a retry policy with attempts and event age, got %v", id, retry)
					}
				}
			}
		})
	}
}

func TestLifecycleHookOnEveryPool(t *testing.T) {
	s := synth(t)
	asgID, _ := only(t, s.json[stacks.DemoStackName], "AWS::AutoScaling::AutoScalingGroup", nil)
	for name, group := range map[string]string{
		stacks.TandemStackName: "sample-cluster-pool",
		stacks.DemoStackName:   "<" + asgID + ">",
	} {
		t.Run(name, func(t *testing.T) {
			_, hook := only(t, s.json[name], "AWS::AutoScaling::LifecycleHook", nil)
			want := map[string]any{
				"AutoScalingGroupName": group,
				"LifecycleHookName":    "tandem-terminate",
				"LifecycleTransition":  "autoscaling:EC2_INSTANCE_TERMINATING",
				"HeartbeatTimeout":     300.0,
				"DefaultResult":        "CONTINUE",
			}
			if diff := cmp.Diff(want, flat(hook)); diff != "" {
				t.Errorf("lifecycle hook (-want +got):\n%s", diff)
			}
		})
	}
}

// sdkCall reads an AwsCustomResource's call (Create, Delete) as JSON.
func sdkCall(t *testing.T, res map[string]any, key string) map[string]any {
	t.Helper()
	var call map[string]any
	if err := json.Unmarshal([]byte(flat(props(res)[key]).(string)), &call); err != nil {
		t.Fatalf("%s call: %v", key, err)
	}
	return call
}

func TestPoolSettings(t *testing.T) {
	s := synth(t)
	t.Run("imported pool: custom resources", func(t *testing.T) {
		tpl := s.json[stacks.TandemStackName]
		_, suspend := only(t, tpl, "Custom::TandemSuspendAZRebalance", nil)
		checkCall(t, sdkCall(t, map[string]any{"Properties": suspend}, "Create"), "SuspendProcesses",
			map[string]any{"AutoScalingGroupName": "sample-cluster-pool", "ScalingProcesses": []any{"AZRebalance"}})
		checkCall(t, sdkCall(t, map[string]any{"Properties": suspend}, "Delete"), "ResumeProcesses",
			map[string]any{"AutoScalingGroupName": "sample-cluster-pool", "ScalingProcesses": []any{"AZRebalance"}})
		_, protect := only(t, tpl, "Custom::TandemProtectNewInstances", nil)
		checkCall(t, sdkCall(t, map[string]any{"Properties": protect}, "Create"), "UpdateAutoScalingGroup",
			map[string]any{"AutoScalingGroupName": "sample-cluster-pool", "NewInstancesProtectedFromScaleIn": true})
	})
	t.Run("pool the app defines: set on the group", func(t *testing.T) {
		tpl := s.json[stacks.DemoStackName]
		asgID, asg := only(t, tpl, "AWS::AutoScaling::AutoScalingGroup", nil)
		if asg["NewInstancesProtectedFromScaleIn"] != true {
			t.Errorf("demo pool: NewInstancesProtectedFromScaleIn is %v, want true", asg["NewInstancesProtectedFromScaleIn"])
		}
		if _, ok := asg["DesiredCapacity"]; ok {
			t.Errorf("demo pool sets DesiredCapacity %v: every deployment would reset what tandem decided", asg["DesiredCapacity"])
		}
		_, suspend := only(t, tpl, "Custom::TandemSuspendAZRebalance", nil)
		checkCall(t, sdkCall(t, map[string]any{"Properties": suspend}, "Create"), "SuspendProcesses",
			map[string]any{"AutoScalingGroupName": "<" + asgID + ">", "ScalingProcesses": []any{"AZRebalance"}})
		if n := len(resources(tpl, "Custom::TandemProtectNewInstances")); n != 0 {
			t.Errorf("demo: %d ProtectNewInstances custom resources, want none (the template sets it)", n)
		}
	})
}

func checkCall(t *testing.T, call map[string]any, action string, params map[string]any) {
	t.Helper()
	if call["service"] != "AutoScaling" || call["action"] != action {
		t.Errorf("call %v.%v, want AutoScaling.%s", call["service"], call["action"], action)
	}
	if diff := cmp.Diff(params, call["parameters"]); diff != "" {
		t.Errorf("%s parameters (-want +got):\n%s", action, diff)
	}
}

func TestStateTable(t *testing.T) {
	s := synth(t)
	for _, name := range bothStacks {
		t.Run(name, func(t *testing.T) {
			s.templates[name].HasResourceProperties(jsii.String("AWS::DynamoDB::Table"), map[string]any{
				"KeySchema":                        []any{map[string]any{"AttributeName": "pk", "KeyType": "HASH"}},
				"AttributeDefinitions":             []any{map[string]any{"AttributeName": "pk", "AttributeType": "S"}},
				"TimeToLiveSpecification":          map[string]any{"AttributeName": "expiresAt", "Enabled": true},
				"BillingMode":                      "PAY_PER_REQUEST",
				"PointInTimeRecoverySpecification": map[string]any{"PointInTimeRecoveryEnabled": true},
				"SSESpecification":                 map[string]any{"SSEEnabled": true},
			})
			s.templates[name].ResourceCountIs(jsii.String("AWS::DynamoDB::Table"), jsii.Number(1))
		})
	}
}

func TestConfigurationShipsWithTheCode(t *testing.T) {
	s := synth(t)
	for _, name := range bothStacks {
		t.Run(name, func(t *testing.T) {
			tpl := s.json[name]
			_, fn := scaler(t, tpl)
			key := fn["Code"].(map[string]any)["S3Key"].(string)
			asset := filepath.Join(s.outdir, "asset."+strings.TrimSuffix(key, ".zip"))
			if info, err := os.Stat(filepath.Join(asset, "bootstrap")); err != nil || info.Mode()&0o111 == 0 {
				t.Errorf("asset %s: want an executable bootstrap (%v)", asset, err)
			}
			doc, err := config.ReadFile(filepath.Join(asset, "tandem.json"))
			if err != nil {
				t.Fatalf("the Lambda's tandem.json does not parse: %v", err)
			}
			_, table := only(t, tpl, "AWS::DynamoDB::Table", nil)
			if doc.StateTable != table["TableName"] {
				t.Errorf("stateTable %q, want the table's name %q", doc.StateTable, table["TableName"])
			}
			if doc.Notifications.EventBus != config.DefaultEventBus {
				t.Errorf("notifications.eventBus %q, want %q", doc.Notifications.EventBus, config.DefaultEventBus)
			}
		})
	}
}

func TestNotificationsTopic(t *testing.T) {
	s := synth(t)
	for _, name := range bothStacks {
		t.Run(name, func(t *testing.T) {
			tpl := s.json[name]
			topicID, topic := only(t, tpl, "AWS::SNS::Topic", nil)
			keyID := strings.TrimSuffix(strings.TrimPrefix(flat(topic["KmsMasterKeyId"]).(string), "<"), ".Arn>")
			if k := props(resources(tpl, "AWS::KMS::Key")[keyID]); k["EnableKeyRotation"] != true {
				t.Errorf("topic key %s: want rotation, got %v", keyID, k)
			}
			_, policy := only(t, tpl, "AWS::SNS::TopicPolicy", nil)
			tlsOnly := false
			for _, st := range statements(policy["PolicyDocument"]) {
				if st["Effect"] == "Deny" && contains(strs(st["Action"]), "sns:Publish") &&
					strings.Contains(string(mustJSON(st["Condition"])), `"aws:SecureTransport":"false"`) {
					tlsOnly = true
				}
			}
			if !tlsOnly {
				t.Error("topic policy does not deny publishing without TLS")
			}
			_, rule := only(t, tpl, "AWS::Events::Rule", func(p map[string]any) bool {
				return strings.Contains(string(mustJSON(p["EventPattern"])), `"source":["tandem"]`)
			})
			target := flat(rule["Targets"].([]any)[0]).(map[string]any)
			if target["Arn"] != "<"+topicID+">" || target["InputTransformer"] == nil {
				t.Errorf("notifications rule target %v: want the topic, with an input transformer", target)
			}
		})
	}
}

func TestServicePolicyAlarms(t *testing.T) {
	s := synth(t)
	got := map[string]any{}
	for _, r := range resources(s.json[stacks.TandemStackName], "AWS::CloudWatch::Alarm") {
		p := props(r)
		if p["AlarmActions"] != nil || p["OKActions"] != nil {
			t.Errorf("alarm %v has actions; the alarm rule routes its state changes", p["AlarmName"])
		}
		got[p["AlarmName"].(string)] = map[string]any{
			"metric":     []any{p["Namespace"], p["MetricName"], p["Statistic"], p["Period"]},
			"dimensions": p["Dimensions"],
			"rule":       []any{p["ComparisonOperator"], p["Threshold"], p["EvaluationPeriods"]},
		}
	}
	dims := []any{
		map[string]any{"Name": "ClusterName", "Value": "sample-cluster"},
		map[string]any{"Name": "ServiceName", "Value": "sample-web"},
	}
	want := map[string]any{
		"sample-web-cpu-high": map[string]any{
			"metric": []any{"AWS/ECS", "CPUUtilization", "Average", 60.0}, "dimensions": dims,
			"rule": []any{"GreaterThanOrEqualToThreshold", 60.0, 3.0},
		},
		"sample-web-cpu-low": map[string]any{
			"metric": []any{"AWS/ECS", "CPUUtilization", "Average", 60.0}, "dimensions": dims,
			"rule": []any{"LessThanOrEqualToThreshold", 20.0, 10.0},
		},
		// sample-queue-backlog names no metric: its alarm exists already.
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("alarms (-want +got):\n%s", diff)
	}
}

func TestDashboard(t *testing.T) {
	s := synth(t)
	_, dash := only(t, s.json[stacks.TandemStackName], "AWS::CloudWatch::Dashboard", nil)
	var body struct {
		Widgets []struct {
			Properties struct {
				Title   string
				Metrics [][]any
			}
		}
	}
	if err := json.Unmarshal([]byte(flat(dash["DashboardBody"]).(string)), &body); err != nil {
		t.Fatalf("dashboard body: %v", err)
	}
	got := map[string]bool{}
	for _, w := range body.Widgets {
		for _, m := range w.Properties.Metrics {
			if m[0] == "Tandem" {
				got[metricKey(m)] = true
			}
		}
	}
	for _, want := range []string{
		"DesiredCapacity AutoScalingGroup sample-cluster-pool Cluster sample-cluster",
		"InServiceInstances AutoScalingGroup sample-cluster-pool Cluster sample-cluster",
		"DesiredTasks Cluster sample-cluster Service sample-web",
		"RunningTasks Cluster sample-cluster Service sample-web",
		"PendingTasks Cluster sample-cluster Service sample-web",
		"DesiredTasks Cluster sample-cluster Service sample-worker",
		"Decisions Cluster sample-cluster",
		"UnplaceableTasks Cluster sample-cluster",
		"Errors Cluster sample-cluster",
		"NewInstances Cluster sample-cluster",
	} {
		if !got[want] {
			t.Errorf("dashboard has no graph of Tandem %s; it has %v", want, got)
		}
	}
}

// metricKey writes a dashboard metric ([namespace, name, dim, value, ...,
// {options}]) as "name dim value ...", dimensions sorted by name.
func metricKey(m []any) string {
	var dims []string
	for i := 2; i+1 < len(m); i += 2 {
		k, _ := m[i].(string)
		v, _ := m[i+1].(string)
		dims = append(dims, k+" "+v)
	}
	sort.Strings(dims)
	return strings.Join(append([]string{fmt.Sprint(m[1])}, dims...), " ")
}

// TestAssertionsPackage keeps one check in the CDK assertions package's own
// matchers, so a change of the template format shows up here first.
func TestAssertionsPackage(t *testing.T) {
	s := synth(t)
	s.templates[stacks.DemoStackName].HasResourceProperties(jsii.String("AWS::ECS::Service"), map[string]any{
		"ServiceName":  "web",
		"DesiredCount": assertions.Match_Absent(),
	})
}

func statements(doc any) []map[string]any {
	d, _ := doc.(map[string]any)
	var out []map[string]any
	switch st := d["Statement"].(type) {
	case []any:
		for _, s := range st {
			out = append(out, s.(map[string]any))
		}
	case map[string]any:
		out = append(out, st)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(flat(v))
	return b
}

// TestDemoPoolTeardown checks the wiring that makes "cdk destroy TandemDemo"
// work: a custom resource force-deletes the pool (its instances are
// protected from scale-in) before CloudFormation deletes the group, after
// tandem's hook and AZRebalance setting are undone; its function may do
// that and nothing else. infra/stacks tests the function's code.
func TestDemoPoolTeardown(t *testing.T) {
	s := synth(t)
	tpl := s.json[stacks.DemoStackName]
	asgID, _ := only(t, tpl, "AWS::AutoScaling::AutoScalingGroup", nil)
	teardownID, teardown := only(t, tpl, "Custom::TandemDemoPoolTeardown", nil)
	if got := flat(teardown["AutoScalingGroupName"]); got != "<"+asgID+">" {
		t.Errorf("teardown names group %v, want a Ref to %s (which orders its deletion before the group's)", got, asgID)
	}
	for _, typ := range []string{"AWS::AutoScaling::LifecycleHook", "Custom::TandemSuspendAZRebalance"} {
		for id, r := range resources(tpl, typ) {
			if !contains(strs(r["DependsOn"]), teardownID) {
				t.Errorf("%s %s does not depend on %s: it could be undone after the group is gone", typ, id, teardownID)
			}
		}
	}

	fnARN := flat(teardown["ServiceToken"]).(string)
	fnID := strings.TrimSuffix(strings.TrimPrefix(fnARN, "<"), ".Arn>")
	fn := props(resources(tpl, "AWS::Lambda::Function")[fnID])
	role := strings.TrimSuffix(strings.TrimPrefix(flat(fn["Role"]).(string), "<"), ".Arn>")
	got := map[string][]string{}
	for _, d := range policyDocs(tpl) {
		if !d.identity || !attachedTo(tpl, d.where, role) {
			continue
		}
		for _, st := range statements(d.doc) {
			for _, a := range strs(st["Action"]) {
				got[a] = append(got[a], strs(st["Resource"])...)
			}
		}
	}
	logs := strings.TrimSuffix(flat(fn["LoggingConfig"]).(map[string]any)["LogGroup"].(string), ">") + ".Arn>"
	want := map[string][]string{
		"autoscaling:DeleteAutoScalingGroup":    {arn("autoscaling", "autoScalingGroup:*:autoScalingGroupName/tandem-demo-pool")},
		"autoscaling:DescribeAutoScalingGroups": {"*"},
		"cloudformation:DescribeStacks":         {"<AWS::StackId>"},
		"logs:CreateLogStream":                  {logs},
		"logs:PutLogEvents":                     {logs},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("teardown permissions (-want +got):\n%s", diff)
	}
	if len(resources(s.json[stacks.TandemStackName], "Custom::TandemDemoPoolTeardown")) != 0 {
		t.Error("the Tandem stack force-deletes a pool: its pools are not its own")
	}
}
