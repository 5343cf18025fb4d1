package tandemcdk_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/google/go-cmp/cmp"

	"github.com/tandem-ecs/tandem/infra/tandemcdk"
	"github.com/tandem-ecs/tandem/internal/config"
)

// matches tells whether an EventBridge event matches a pattern, for the
// part of the pattern syntax the construct uses: a key maps to a list of
// values, any of which the event's value (or, for a list such as resources,
// any of its elements) must equal, or to a nested pattern for an object.
// A value in the list is a literal or {"prefix": "..."}. Anything else is
// an error, so that a new operator in a rule cannot go untested.
func matches(pattern, event map[string]any) (bool, error) {
	for key, want := range pattern {
		got, ok := event[key]
		if !ok {
			return false, nil
		}
		switch w := want.(type) {
		case map[string]any:
			sub, ok := got.(map[string]any)
			if !ok {
				return false, nil
			}
			if m, err := matches(w, sub); err != nil || !m {
				return false, err
			}
		case []any:
			values, ok := got.([]any)
			if !ok {
				values = []any{got}
			}
			m, err := anyMatches(w, values)
			if err != nil {
				return false, fmt.Errorf("%s: %w", key, err)
			}
			if !m {
				return false, nil
			}
		default:
			return false, fmt.Errorf("%s: a pattern value is a list or an object, got %v", key, want)
		}
	}
	return true, nil
}

func anyMatches(rules, values []any) (bool, error) {
	for _, r := range rules {
		for _, v := range values {
			switch rule := r.(type) {
			case map[string]any:
				prefix, ok := rule["prefix"].(string)
				if !ok || len(rule) != 1 {
					return false, fmt.Errorf("the matcher supports literals and prefix, not %v", rule)
				}
				if s, ok := v.(string); ok && strings.HasPrefix(s, prefix) {
					return true, nil
				}
			case []any:
				return false, fmt.Errorf("a list inside a pattern list: %v", rule)
			default:
				if rule == v {
					return true, nil
				}
			}
		}
	}
	return false, nil
}

func TestMatcher(t *testing.T) {
	event := map[string]any{
		"source":    "aws.ecs",
		"resources": []any{"arn:aws:ecs:us-east-1:1:service/demo/web"},
		"detail":    map[string]any{"clusterArn": "arn:c", "count": 2.0},
	}
	for _, tt := range []struct {
		pattern string
		want    bool
	}{
		{`{"source": ["aws.ecs"]}`, true},
		{`{"source": ["aws.ec2", "aws.ecs"]}`, true},
		{`{"source": ["aws.ec2"]}`, false},
		{`{"detail-type": ["x"]}`, false},
		{`{"resources": [{"prefix": "arn:aws:ecs:us-east-1:1:service/demo/"}]}`, true},
		{`{"resources": [{"prefix": "arn:aws:ecs:us-east-1:1:service/other/"}]}`, false},
		{`{"detail": {"clusterArn": ["arn:c"], "count": [2]}}`, true},
		{`{"detail": {"clusterArn": ["arn:c"], "count": [3]}}`, false},
		{`{"detail": {"missing": ["arn:c"]}}`, false},
		{`{"source": {"clusterArn": ["aws.ecs"]}}`, false},
	} {
		var p map[string]any
		if err := json.Unmarshal([]byte(tt.pattern), &p); err != nil {
			t.Fatal(err)
		}
		if got, err := matches(p, event); err != nil || got != tt.want {
			t.Errorf("matches(%s) = %v, %v; want %v", tt.pattern, got, err, tt.want)
		}
	}
	var p map[string]any
	_ = json.Unmarshal([]byte(`{"source": [{"anything-but": "aws.ec2"}]}`), &p)
	if _, err := matches(p, event); err == nil {
		t.Error("matches accepted an operator it does not implement")
	}
}

// readEvent reads a sample from the repository's events/ directory.
func readEvent(t *testing.T, name string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "events", name))
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return ev
}

// TestRulesMatchTheSampleEvents checks each rule's pattern against the
// samples in events/: every sample wakes exactly the rules it should, and
// events about other clusters, pools or hooks wake none. The stack is
// configured for the samples' cluster (demo), pool (demo-asg) and alarm
// (demo-api-cpu-high), in their account and Region.
func TestRulesMatchTheSampleEvents(t *testing.T) {
	stack, code := newStack(t)
	_, err := tandemcdk.NewAutoscaler(stack, "Tandem", &tandemcdk.AutoscalerProps{
		Cluster:   "demo",
		PoolNames: []string{"demo-asg"},
		Services: map[string]tandemcdk.ServicePolicy{"api": {MaxTasks: 8, Alarms: map[string]tandemcdk.AlarmPolicy{
			"demo-api-cpu-high": {AdjustmentType: tandemcdk.ChangeInCapacity, Steps: []tandemcdk.Step{{LowerBound: ptr(0.0), Adjustment: 1}}},
		}}},
		CodeDir: code,
	})
	if err != nil {
		t.Fatal(err)
	}
	// The stack is environment-agnostic: its ARNs hold the partition,
	// Region and account as references, which deployment resolves.
	resolve := strings.NewReplacer("<AWS::Partition>", "aws", "<AWS::Region>", "us-east-1", "<AWS::AccountId>", "123456789012")
	rules := map[string]map[string]any{} // by the first words of the description
	for id, r := range resources(*assertions.Template_FromStack(stack, nil).ToJSON(), "AWS::Events::Rule") {
		p := props(r)
		if p["EventPattern"] == nil {
			continue // the schedule
		}
		pattern, ok := replaceStrings(flat(p["EventPattern"]), resolve).(map[string]any)
		if !ok {
			t.Fatalf("rule %s: pattern %v is not an object", id, p["EventPattern"])
		}
		name, _, _ := strings.Cut(strings.TrimPrefix(p["Description"].(string), "tandem: "), " of")
		rules[name] = pattern
	}
	const (
		tasksAndInstances = "task and container instance state changes"
		servicesRule      = "service actions and deployment state changes"
		lifecycle         = "instance-terminate lifecycle actions"
		spot              = "EC2 Spot interruption warnings (the scaler ignores instances outside its pools)"
		alarms            = "state changes"
		notifications     = "forwards the scaler's notifications to the topic"
	)
	var names []string
	for n := range rules {
		names = append(names, n)
	}
	sort.Strings(names)
	if want := []string{spot, lifecycle, notifications, servicesRule, alarms, tasksAndInstances}; !cmp.Equal(names, sortedCopy(want)) {
		t.Fatalf("rules %q, want %q", names, sortedCopy(want))
	}

	withHook := func(name string) map[string]any {
		ev := readEvent(t, "autoscaling-terminate-lifecycle-action.json")
		ev["detail"].(map[string]any)["LifecycleHookName"] = name
		return ev
	}
	otherCluster := readEvent(t, "ecs-task-provisioning.json")
	otherCluster["detail"].(map[string]any)["clusterArn"] = "arn:aws:ecs:us-east-1:123456789012:cluster/demo-2"
	otherService := readEvent(t, "ecs-deployment-in-progress.json")
	otherService["resources"] = []any{"arn:aws:ecs:us-east-1:123456789012:service/demo-2/web"}
	otherPool := withHook(config.TerminationHook)
	otherPool["detail"].(map[string]any)["AutoScalingGroupName"] = "demo-asg-2"
	otherAlarm := readEvent(t, "cloudwatch-alarm-state-change.json")
	otherAlarm["detail"].(map[string]any)["alarmName"] = "someone-elses-alarm"

	for _, tt := range []struct {
		name  string
		event map[string]any
		want  []string // the rules it wakes
	}{
		{"ecs-task-provisioning.json", readEvent(t, "ecs-task-provisioning.json"), []string{tasksAndInstances}},
		{"ecs-task-stopped-oom.json", readEvent(t, "ecs-task-stopped-oom.json"), []string{tasksAndInstances}},
		{"ecs-container-instance-registered.json", readEvent(t, "ecs-container-instance-registered.json"), []string{tasksAndInstances}},
		{"ecs-container-instance-agent-disconnected.json", readEvent(t, "ecs-container-instance-agent-disconnected.json"), []string{tasksAndInstances}},
		{"ecs-service-action-placement-failure.json", readEvent(t, "ecs-service-action-placement-failure.json"), []string{servicesRule}},
		{"ecs-service-action-steady-state.json", readEvent(t, "ecs-service-action-steady-state.json"), []string{servicesRule}},
		{"ecs-deployment-in-progress.json", readEvent(t, "ecs-deployment-in-progress.json"), []string{servicesRule}},
		{"ecs-deployment-completed.json", readEvent(t, "ecs-deployment-completed.json"), []string{servicesRule}},
		{"ecs-deployment-failed.json", readEvent(t, "ecs-deployment-failed.json"), []string{servicesRule}},
		{"ec2-spot-interruption-warning.json", readEvent(t, "ec2-spot-interruption-warning.json"), []string{spot}},
		{"cloudwatch-alarm-state-change.json", readEvent(t, "cloudwatch-alarm-state-change.json"), []string{alarms}},
		{"autoscaling-terminate-lifecycle-action.json", readEvent(t, "autoscaling-terminate-lifecycle-action.json"), []string{lifecycle}},
		{"another tool's lifecycle hook", withHook("flush-logs"), nil},
		{"another cluster's task", otherCluster, nil},
		{"another cluster's deployment", otherService, nil},
		{"another pool's lifecycle action", otherPool, nil},
		{"another alarm", otherAlarm, nil},
		// Not EventBridge events: the schedule rule has no pattern, and an
		// alarm's Lambda action invokes the function directly.
		{"scheduled-event.json", readEvent(t, "scheduled-event.json"), nil},
		{"cloudwatch-alarm-lambda-action.json", readEvent(t, "cloudwatch-alarm-lambda-action.json"), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, name := range names {
				m, err := matches(rules[name], tt.event)
				if err != nil {
					t.Fatalf("rule %q: %v", name, err)
				}
				if m {
					got = append(got, name)
				}
			}
			if !cmp.Equal(got, sortedCopy(tt.want)) {
				t.Errorf("wakes rules %q, want %q", got, tt.want)
			}
		})
	}
}

// replaceStrings applies r to every string in v.
func replaceStrings(v any, r *strings.Replacer) any {
	switch x := v.(type) {
	case string:
		return r.Replace(x)
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = replaceStrings(e, r)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = replaceStrings(e, r)
		}
		return out
	}
	return v
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
