package config_test

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/tandem-ecs/tandem/internal/config"
	"github.com/tandem-ecs/tandem/internal/placement"
)

// example is the documented example configuration.
const example = "../../testdata/config/tandem.json"

func ptr[T any](v T) *T { return &v }

func dur(d time.Duration) config.Duration { return config.Duration{Duration: d} }

func TestParseMinimal(t *testing.T) {
	doc, err := config.Parse("tandem.json", []byte(`{"clusters": [{"name": "prod"}]}`))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := &config.Document{Clusters: []config.Cluster{{Name: "prod"}}}
	if diff := cmp.Diff(want, doc); diff != "" {
		t.Errorf("Parse() mismatch (-want +got):\n%s", diff)
	}
	if !doc.IsEnabled() {
		t.Errorf("IsEnabled() = false, want true when enabled is unset")
	}
	c, ok := doc.Cluster("prod")
	if !ok {
		t.Fatalf("Cluster(prod) not found")
	}
	if got := c.RegistrationTimeoutOrDefault(); got != config.DefaultRegistrationTimeout {
		t.Errorf("RegistrationTimeoutOrDefault() = %v, want the default %v", got, config.DefaultRegistrationTimeout)
	}
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	if diff := cmp.Diff(placement.Options{Now: now}, c.PlacementOptions(now)); diff != "" {
		t.Errorf("PlacementOptions() (-want +got):\n%s", diff)
	}
	if _, ok := doc.Cluster("staging"); ok {
		t.Errorf("Cluster(staging) found, want none")
	}
}

// TestParseExample reads testdata/config/tandem.json and checks every value.
func TestParseExample(t *testing.T) {
	doc, err := config.ReadFile(example)
	if err != nil {
		t.Fatalf("ReadFile(%s): %v", example, err)
	}
	want := &config.Document{
		Enabled:    ptr(true),
		StateTable: "tandem-decisions",
		Notifications: config.Notifications{
			EventBus:    "default",
			SNSTopicARN: "arn:aws:sns:ap-northeast-1:123456789012:tandem-capacity-shortages",
			RepeatAfter: dur(time.Hour),
		},
		Clusters: []config.Cluster{
			{
				Name:   "field-report",
				Pools:  []config.Pool{{Name: "field-report-ecs"}},
				DryRun: false,
				Placement: config.Placement{
					Surge:                     "batch",
					HeadroomPercent:           0,
					NewInstanceMemoryOverhead: &config.MemoryOverhead{MiB: 128, Percent: 4},
				},
				Limits: config.Limits{MaxNewInstancesPerPool: 3, MaxNewInstancesPerCluster: 3},
				ScaleIn: config.ScaleIn{
					Delay: dur(15 * time.Minute), DisruptionBudget: "1", MaxDrainTime: dur(30 * time.Minute),
					OptOutTag: "tandem:scale-in=never", HookHeartbeatTimeout: dur(5 * time.Minute),
				},
				RegistrationTimeout: dur(10 * time.Minute),
				Cooldowns:           config.Cooldowns{ScaleOut: dur(time.Minute), ScaleIn: dur(5 * time.Minute)},
				OnConflict:          "skip",
				Services: map[string]config.Service{"web": {
					MinTasks: 1, MaxTasks: 4,
					Cooldowns: config.Cooldowns{ScaleOut: dur(30 * time.Second), ScaleIn: dur(10 * time.Minute)},
					Alarms: map[string]config.AlarmPolicy{
						"field-report-web-cpu-high": {
							AdjustmentType: config.ChangeInCapacity,
							Steps: []config.Step{
								{LowerBound: ptr(0.0), UpperBound: ptr(15.0), Adjustment: 1},
								{LowerBound: ptr(15.0), Adjustment: 2},
							},
							Metric: &config.AlarmMetric{
								Name: "CPUUtilization", Statistic: "Average", Period: dur(time.Minute), EvaluationPeriods: 3,
								Threshold: 70, Comparison: "GreaterThanOrEqualToThreshold",
							},
						},
						"field-report-web-cpu-low": {
							AdjustmentType:         config.PercentChangeInCapacity,
							MinAdjustmentMagnitude: 1,
							Steps:                  []config.Step{{UpperBound: ptr(0.0), Adjustment: -25}},
							Metric: &config.AlarmMetric{
								Name: "CPUUtilization", Period: dur(5 * time.Minute), EvaluationPeriods: 3,
								Threshold: 20, Comparison: "LessThanThreshold",
							},
						},
					},
				}},
			},
			{
				Name:      "batch",
				Pools:     []config.Pool{{Name: "batch-workers"}},
				DryRun:    true,
				Placement: config.Placement{Surge: "one", HeadroomPercent: 10},
				Limits:    config.Limits{MaxNewInstancesPerPool: 10, MaxNewInstancesPerCluster: 10},
				ScaleIn: config.ScaleIn{
					Delay: dur(30 * time.Minute), DisruptionBudget: "25%", MaxDrainTime: dur(2 * time.Hour), OptOutTag: "batch:keep",
				},
				RegistrationTimeout: dur(15 * time.Minute),
				OnConflict:          "proceed",
				Services: map[string]config.Service{"worker": {
					MinTasks: 2, MaxTasks: 40,
					Alarms: map[string]config.AlarmPolicy{
						"batch-queue-backlog": {
							AdjustmentType: config.ExactCapacity,
							Steps: []config.Step{
								{LowerBound: ptr(0.0), UpperBound: ptr(1000.0), Adjustment: 8},
								{LowerBound: ptr(1000.0), UpperBound: ptr(5000.0), Adjustment: 20},
								{LowerBound: ptr(5000.0), Adjustment: 40},
							},
						},
						"batch-queue-empty": {
							AdjustmentType: config.ExactCapacity,
							Steps:          []config.Step{{UpperBound: ptr(0.0), Adjustment: 2}},
						},
					},
				}},
			},
		},
	}
	if diff := cmp.Diff(want, doc); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", example, diff)
	}

	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	batch, _ := doc.Cluster("batch")
	wantOpts := placement.Options{Surge: placement.SurgeOne, HeadroomPercent: 10, Now: now}
	if diff := cmp.Diff(wantOpts, batch.PlacementOptions(now)); diff != "" {
		t.Errorf("batch: PlacementOptions() (-want +got):\n%s", diff)
	}
	fr, _ := doc.Cluster("field-report")
	wantOpts = placement.Options{Surge: placement.SurgeBatch, MemoryOverhead: &placement.MemoryOverhead{MiB: 128, Percent: 4}, Now: now}
	if diff := cmp.Diff(wantOpts, fr.PlacementOptions(now)); diff != "" {
		t.Errorf("field-report: PlacementOptions() (-want +got):\n%s", diff)
	}
	if got := batch.RegistrationTimeoutOrDefault(); got != 15*time.Minute {
		t.Errorf("batch: RegistrationTimeoutOrDefault() = %v, want 15m", got)
	}
}

// TestExampleUsesEveryKey fails when the configuration gains a key that the
// example does not show.
func TestExampleUsesEveryKey(t *testing.T) {
	data, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	var generic any
	if err := json.Unmarshal(data, &generic); err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	var walkValue func(v any, path string)
	walkValue = func(v any, path string) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				used[path+"."+k] = true
				walkValue(e, path+"."+k)
			}
		case []any:
			for _, e := range x {
				walkValue(e, path+"[]")
			}
		}
	}
	walkValue(generic, "")

	var missing []string
	var walkType func(typ reflect.Type, path string)
	walkType = func(typ reflect.Type, path string) {
		for typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}
		switch typ.Kind() {
		case reflect.Slice:
			walkType(typ.Elem(), path+"[]")
		case reflect.Map:
			// Map keys are names (services, alarms): look under any of them.
			walkType(typ.Elem(), path+".*")
		case reflect.Struct:
			if typ == reflect.TypeFor[config.Duration]() {
				return
			}
			for i := range typ.NumField() {
				name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
				if !keyUsed(used, path+"."+name) {
					missing = append(missing, path+"."+name)
				}
				walkType(typ.Field(i).Type, path+"."+name)
			}
		}
	}
	walkType(reflect.TypeFor[config.Document](), "")
	if len(missing) > 0 {
		t.Errorf("%s does not use these keys: %s", example, strings.Join(missing, ", "))
	}
}

// keyUsed reports whether a path, whose "*" parts match any map key, is in
// used.
func keyUsed(used map[string]bool, pattern string) bool {
	parts := strings.Split(pattern, ".")
	for path := range used {
		got := strings.Split(path, ".")
		if len(got) != len(parts) {
			continue
		}
		match := true
		for i := range parts {
			if parts[i] != "*" && parts[i] != got[i] {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

// configErr parses doc and returns its *config.Error.
func configErr(t *testing.T, doc string) *config.Error {
	t.Helper()
	_, err := config.Parse("tandem.json", []byte(doc))
	if err == nil {
		t.Fatalf("Parse succeeded, want an error")
	}
	var ce *config.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T), want a *config.Error", err, err)
	}
	if ce.Source != "tandem.json" {
		t.Errorf("error source %q, want tandem.json", ce.Source)
	}
	return ce
}

func TestParseUnknownFields(t *testing.T) {
	tests := []struct {
		name, doc, field string
	}{
		{"at the top", `{"clusters": [{"name": "a"}], "enable": false}`, "enable"},
		{"in a cluster", `{"clusters": [{"name": "a", "dry-run": true}]}`, "clusters[0].dry-run"},
		{"in the second cluster", `{"clusters": [{"name": "a"}, {"name": "b", "nmae": "c"}]}`, "clusters[1].nmae"},
		{"in placement", `{"clusters": [{"name": "a", "placement": {"surges": "one"}}]}`, "clusters[0].placement.surges"},
		{"in a pool", `{"clusters": [{"name": "a", "pools": [{"name": "p"}, {"name": "q", "type": "m5.large"}]}]}`, "clusters[0].pools[1].type"},
		{"in an alarm policy", `{"clusters": [{"name": "a", "services": {"web": {"maxTasks": 4, "alarms": {"cpu-high": {"adjustmentType": "ChangeInCapacity", "stepz": []}}}}}]}`,
			"clusters[0].services.web.alarms.cpu-high.stepz"},
		{"in a step", `{"clusters": [{"name": "a", "services": {"web": {"maxTasks": 4, "alarms": {"cpu-high": {"adjustmentType": "ChangeInCapacity",
			"steps": [{"lowerBound": 0, "upperBound": 10, "adjustment": 1}, {"lower": 10, "adjustment": 2}]}}}}}]}`,
			"clusters[0].services.web.alarms.cpu-high.steps[1].lower"},
		{"in a metric", `{"clusters": [{"name": "a", "services": {"web": {"maxTasks": 4, "alarms": {"cpu-high": {"adjustmentType": "ChangeInCapacity",
			"steps": [{"lowerBound": 0, "adjustment": 1}], "metric": {"name": "CPUUtilization", "dimensions": {}}}}}}}]}`,
			"clusters[0].services.web.alarms.cpu-high.metric.dimensions"},
		{"in notifications", `{"clusters": [{"name": "a"}], "notifications": {"sns": "arn:aws:sns:us-east-1:123456789012:t"}}`, "notifications.sns"},
		{"the first in key order", `{"clusters": [{"name": "a", "zeta": 1, "alpha": 2}]}`, "clusters[0].alpha"},
		{"not a known key in other capitals", `{"clusters": [{"Name": "a", "zeta": 1}]}`, "clusters[0].zeta"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ce := configErr(t, tt.doc)
			if ce.Field != tt.field || ce.Msg != "unknown field" {
				t.Errorf("error field %q, message %q; want %q, \"unknown field\"", ce.Field, ce.Msg, tt.field)
			}
			if want := "tandem.json: " + tt.field + ": unknown field"; ce.Error() != want {
				t.Errorf("Error() = %q, want %q", ce.Error(), want)
			}
		})
	}
}

func TestParseTypeErrors(t *testing.T) {
	tests := []struct {
		name, doc, field, msg string
	}{
		{"a boolean as a string", `{"clusters": [{"name": "a"}], "enabled": "yes"}`, "enabled", "want bool, got string"},
		{"a number for a string", `{"clusters": [{"name": "a"}], "stateTable": 5}`, "stateTable", "want string, got number"},
		{"an object for a list", `{"clusters": {}}`, "clusters", "want slice, got object"},
		{"a string for a count in a service", `{"clusters": [{"name": "a", "services": {"web": {"minTasks": "one", "maxTasks": 2}}}]}`,
			"clusters[0].services.web.minTasks", "got string"},
		{"a string for a bound", `{"clusters": [{"name": "a", "services": {"web": {"maxTasks": 2, "alarms": {"cpu-high": {"adjustmentType": "ChangeInCapacity", "steps": [{"lowerBound": "0", "adjustment": 1}]}}}}}]}`,
			"clusters[0].services.web.alarms.cpu-high.steps[0].lowerBound", "got string"},
		{"a duration that does not parse", `{"clusters": [{"name": "a", "registrationTimeout": "ten minutes"}]}`,
			"clusters[0].registrationTimeout", `want a duration such as "90s" or "10m", got "ten minutes"`},
		{"a duration as a number", `{"clusters": [{"name": "a"}], "notifications": {"repeatAfter": 3600}}`,
			"notifications.repeatAfter", `want a duration such as "90s" or "10m", got 3600`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ce := configErr(t, tt.doc)
			if ce.Field != tt.field || !strings.Contains(ce.Msg, tt.msg) {
				t.Errorf("error %q: field %q, message %q; want field %q and a message with %q", ce, ce.Field, ce.Msg, tt.field, tt.msg)
			}
		})
	}
}

// TestParseTypeErrorsToday checks what the type errors inside lists, maps
// and durations say whatever their field (see the skipped cases above): the
// fault, and the value.
func TestParseTypeErrorsToday(t *testing.T) {
	ce := configErr(t, `{"clusters": [{"name": "a", "services": {"web": {"minTasks": "one", "maxTasks": 2}}}]}`)
	if !strings.HasSuffix(ce.Field, "minTasks") || !strings.Contains(ce.Msg, "got string") {
		t.Errorf("error %q, want it to name minTasks and the kind of value", ce)
	}
	ce = configErr(t, `{"clusters": [{"name": "a", "registrationTimeout": "ten minutes"}]}`)
	if !strings.Contains(ce.Msg, `"ten minutes"`) {
		t.Errorf("error %q, want it to quote the value", ce)
	}
}

func TestParseSyntaxErrors(t *testing.T) {
	tests := []struct {
		name, doc, msg string
	}{
		{"invalid JSON", "{\n  \"clusters\": [\n    {\"name\": 'a'}\n  ]\n}", "invalid JSON at line 3"},
		{"truncated", `{"clusters": [`, "unexpected EOF"},
		{"empty", ``, "empty document"},
		{"two documents", `{"clusters": [{"name": "a"}]} {"clusters": []}`, "extra data after the JSON document"},
		{"an array", `[{"clusters": []}]`, "want struct, got array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ce := configErr(t, tt.doc)
			if !strings.Contains(ce.Msg, tt.msg) {
				t.Errorf("error %q, want it to contain %q", ce, tt.msg)
			}
		})
	}
}

// validDoc builds a document with one cluster "a"; cluster holds more keys
// of the cluster, as JSON members.
func validDoc(cluster string) string {
	if cluster != "" {
		cluster = ", " + cluster
	}
	return `{"clusters": [{"name": "a"` + cluster + `}]}`
}

// alarmDoc builds a document with a service "web" with one alarm policy.
func alarmDoc(policy string) string {
	return validDoc(`"services": {"web": {"maxTasks": 10, "alarms": {"cpu-high": ` + policy + `}}}`)
}

// steps builds an alarm policy with the given steps.
func steps(adjustmentType, steps string) string {
	return alarmDoc(`{"adjustmentType": "` + adjustmentType + `", "steps": [` + steps + `]}`)
}

func TestParseValidation(t *testing.T) {
	const alarm = "clusters[0].services.web.alarms.cpu-high"
	tests := []struct {
		name, doc, field, msg string
	}{
		// Clusters.
		{"no cluster", `{"clusters": []}`, "clusters", "name at least one cluster"},
		{"no clusters key", `{}`, "clusters", "name at least one cluster"},
		{"a cluster without a name", `{"clusters": [{"dryRun": true}]}`, "clusters[0].name", "required"},
		{"a cluster twice", `{"clusters": [{"name": "a"}, {"name": "a"}]}`, "clusters[1].name", `cluster "a" is configured twice`},
		{"a pool without a name", validDoc(`"pools": [{"name": ""}]`), "clusters[0].pools[0].name", "required"},
		{"a pool twice", validDoc(`"pools": [{"name": "p"}, {"name": "p"}]`), "clusters[0].pools[1].name", `pool "p" is listed twice`},
		{"a bad surge", validDoc(`"placement": {"surge": "all"}`), "clusters[0].placement.surge", `want "batch" or "one", got "all"`},
		{"a surge in capitals", validDoc(`"placement": {"surge": "Batch"}`), "clusters[0].placement.surge", `got "Batch"`},
		{"negative headroom", validDoc(`"placement": {"headroomPercent": -1}`), "clusters[0].placement.headroomPercent", "want 0 to 1000, got -1"},
		{"headroom above 1000%", validDoc(`"placement": {"headroomPercent": 1001}`), "clusters[0].placement.headroomPercent", "want 0 to 1000, got 1001"},
		{"a negative overhead", validDoc(`"placement": {"newInstanceMemoryOverhead": {"mib": -1}}`), "clusters[0].placement.newInstanceMemoryOverhead.mib", "cannot be negative"},
		{"an overhead above 90%", validDoc(`"placement": {"newInstanceMemoryOverhead": {"percent": 91}}`), "clusters[0].placement.newInstanceMemoryOverhead.percent", "want 0 to 90, got 91"},
		{"a negative overhead percentage", validDoc(`"placement": {"newInstanceMemoryOverhead": {"percent": -5}}`), "clusters[0].placement.newInstanceMemoryOverhead.percent", "got -5"},
		{"a negative pool limit", validDoc(`"limits": {"maxNewInstancesPerPool": -1}`), "clusters[0].limits.maxNewInstancesPerPool", "cannot be negative"},
		{"a negative cluster limit", validDoc(`"limits": {"maxNewInstancesPerCluster": -1}`), "clusters[0].limits.maxNewInstancesPerCluster", "cannot be negative"},
		{"a budget of 0", validDoc(`"scaleIn": {"disruptionBudget": "0"}`), "clusters[0].scaleIn.disruptionBudget", `want a count such as "2" or a percentage such as "10%", got "0"`},
		{"a budget of 101%", validDoc(`"scaleIn": {"disruptionBudget": "101%"}`), "clusters[0].scaleIn.disruptionBudget", `got "101%"`},
		{"a budget of x", validDoc(`"scaleIn": {"disruptionBudget": "x"}`), "clusters[0].scaleIn.disruptionBudget", `got "x"`},
		{"a budget of 0%", validDoc(`"scaleIn": {"disruptionBudget": "0%"}`), "clusters[0].scaleIn.disruptionBudget", `got "0%"`},
		{"an opt-out tag without a key", validDoc(`"scaleIn": {"optOutTag": "=never"}`), "clusters[0].scaleIn.optOutTag", `want "key=value" or "key", got "=never"`},
		{"a hook timeout too short for the schedule", validDoc(`"scaleIn": {"hookHeartbeatTimeout": "2m"}`), "clusters[0].scaleIn.hookHeartbeatTimeout", "want between 3m0s and 2h0m0s, got 2m0s"},
		{"a hook timeout above Auto Scaling's", validDoc(`"scaleIn": {"hookHeartbeatTimeout": "3h"}`), "clusters[0].scaleIn.hookHeartbeatTimeout", "got 3h0m0s"},
		{"a pool in two clusters", `{"clusters": [{"name": "a", "pools": [{"name": "p"}]}, {"name": "b", "pools": [{"name": "q"}, {"name": "p"}]}]}`, "clusters[1].pools[1].name", `pool "p" belongs to cluster "a" already`},
		{"a bad onConflict", validDoc(`"onConflict": "abort"`), "clusters[0].onConflict", `want "skip" or "proceed", got "abort"`},
		// Services.
		{"negative minTasks", validDoc(`"services": {"web": {"minTasks": -1, "maxTasks": 2}}`), "clusters[0].services.web.minTasks", "cannot be negative"},
		{"no maxTasks", validDoc(`"services": {"web": {"minTasks": 1}}`), "clusters[0].services.web.maxTasks", "required, at least 1"},
		{"maxTasks below minTasks", validDoc(`"services": {"web": {"minTasks": 5, "maxTasks": 2}}`), "clusters[0].services.web.maxTasks", "2 is below minTasks (5)"},
		{"one alarm for two services", validDoc(`"services": {
			"web": {"maxTasks": 2, "alarms": {"cpu-high": {"adjustmentType": "ChangeInCapacity", "steps": [{"lowerBound": 0, "adjustment": 1}]}}},
			"api": {"maxTasks": 2, "alarms": {"cpu-high": {"adjustmentType": "ChangeInCapacity", "steps": [{"lowerBound": 0, "adjustment": 1}]}}}}`),
			"clusters[0].services.web.alarms.cpu-high", `alarm "cpu-high" already drives service api`},
		{"one alarm for services of two clusters", `{"clusters": [
			{"name": "a", "services": {"web": {"maxTasks": 2, "alarms": {"cpu-high": {"adjustmentType": "ChangeInCapacity", "steps": [{"lowerBound": 0, "adjustment": 1}]}}}}},
			{"name": "b", "services": {"web": {"maxTasks": 2, "alarms": {"cpu-high": {"adjustmentType": "ChangeInCapacity", "steps": [{"lowerBound": 0, "adjustment": 1}]}}}}}]}`,
			"clusters[1].services.web.alarms.cpu-high", `alarm "cpu-high" already drives service web`},
		// Alarm policies.
		{"a bad adjustment type", alarmDoc(`{"adjustmentType": "Exact", "steps": [{"lowerBound": 0, "adjustment": 1}]}`), alarm + ".adjustmentType",
			`want ChangeInCapacity, PercentChangeInCapacity or ExactCapacity, got "Exact"`},
		{"a negative minAdjustmentMagnitude", alarmDoc(`{"adjustmentType": "PercentChangeInCapacity", "minAdjustmentMagnitude": -1, "steps": [{"lowerBound": 0, "adjustment": 10}]}`),
			alarm + ".minAdjustmentMagnitude", "cannot be negative"},
		{"minAdjustmentMagnitude without percentages", alarmDoc(`{"adjustmentType": "ChangeInCapacity", "minAdjustmentMagnitude": 2, "steps": [{"lowerBound": 0, "adjustment": 1}]}`),
			alarm + ".minAdjustmentMagnitude", "applies to PercentChangeInCapacity only"},
		{"no steps", steps("ChangeInCapacity", ``), alarm + ".steps", "give at least one step"},
		{"both bounds missing", steps("ChangeInCapacity", `{"adjustment": 1}`), alarm + ".steps[0]", "a step needs a lower or an upper bound"},
		{"a step upside down", steps("ChangeInCapacity", `{"lowerBound": 10, "upperBound": 5, "adjustment": 1}, {"lowerBound": 5, "adjustment": 2}`),
			alarm + ".steps[0]", "lowerBound 10 is not below upperBound 5"},
		{"an empty step", steps("ChangeInCapacity", `{"lowerBound": 0, "upperBound": 0, "adjustment": 1}, {"lowerBound": 0, "adjustment": 2}`),
			alarm + ".steps[0]", "lowerBound 0 is not below upperBound 0"},
		{"a negative exact capacity", steps("ExactCapacity", `{"lowerBound": 0, "adjustment": -1}`), alarm + ".steps[0].adjustment", "an exact capacity cannot be negative"},
		{"two steps without lowerBound", steps("ChangeInCapacity", `{"upperBound": -10, "adjustment": -2}, {"upperBound": 0, "adjustment": -1}`),
			alarm + ".steps", "at most one step may omit lowerBound"},
		{"two steps without upperBound", steps("ChangeInCapacity", `{"lowerBound": 0, "adjustment": 1}, {"lowerBound": 10, "adjustment": 2}`),
			alarm + ".steps", "at most one step may omit upperBound"},
		{"steps that overlap", steps("ChangeInCapacity", `{"lowerBound": 0, "upperBound": 20, "adjustment": 1}, {"lowerBound": 10, "adjustment": 2}`),
			alarm + ".steps[1]", "overlaps steps[0]"},
		{"steps that overlap, listed out of order", steps("ChangeInCapacity", `{"lowerBound": 10, "adjustment": 2}, {"lowerBound": 0, "upperBound": 20, "adjustment": 1}`),
			alarm + ".steps[0]", "overlaps steps[1]"},
		{"a gap between steps", steps("ChangeInCapacity", `{"lowerBound": 0, "upperBound": 10, "adjustment": 1}, {"lowerBound": 20, "adjustment": 2}`),
			alarm + ".steps[1]", "leaves a gap after steps[0] (10 to 20)"},
		{"steps above the threshold without an open upper step", steps("ChangeInCapacity", `{"lowerBound": 0, "upperBound": 10, "adjustment": 1}`),
			alarm + ".steps", "steps above the threshold need one without upperBound"},
		{"negative bounds without an open lower step", steps("ChangeInCapacity", `{"lowerBound": -10, "upperBound": 0, "adjustment": -1}`),
			alarm + ".steps", "steps below the threshold need one without lowerBound"},
		// Metrics.
		{"a metric of another namespace", alarmDoc(`{"adjustmentType": "ChangeInCapacity", "steps": [{"lowerBound": 0, "adjustment": 1}], "metric": {"name": "RequestCount", "threshold": 1, "comparison": "GreaterThanThreshold"}}`),
			alarm + ".metric.name", `want CPUUtilization or MemoryUtilization, got "RequestCount"`},
		{"a bad statistic", alarmDoc(`{"adjustmentType": "ChangeInCapacity", "steps": [{"lowerBound": 0, "adjustment": 1}], "metric": {"name": "CPUUtilization", "statistic": "p99", "comparison": "GreaterThanThreshold"}}`),
			alarm + ".metric.statistic", `got "p99"`},
		{"no comparison", alarmDoc(`{"adjustmentType": "ChangeInCapacity", "steps": [{"lowerBound": 0, "adjustment": 1}], "metric": {"name": "CPUUtilization", "threshold": 70}}`),
			alarm + ".metric.comparison", `got ""`},
		{"negative evaluation periods", alarmDoc(`{"adjustmentType": "ChangeInCapacity", "steps": [{"lowerBound": 0, "adjustment": 1}], "metric": {"name": "CPUUtilization", "comparison": "GreaterThanThreshold", "evaluationPeriods": -1}}`),
			alarm + ".metric.evaluationPeriods", "cannot be negative"},
		{"a period below 10s", alarmDoc(`{"adjustmentType": "ChangeInCapacity", "steps": [{"lowerBound": 0, "adjustment": 1}], "metric": {"name": "CPUUtilization", "comparison": "GreaterThanThreshold", "period": "5s"}}`),
			alarm + ".metric.period", "want 10s, 20s, 30s or a multiple of 60s"},
		{"a period of 15s", alarmDoc(`{"adjustmentType": "ChangeInCapacity", "steps": [{"lowerBound": 0, "adjustment": 1}], "metric": {"name": "CPUUtilization", "comparison": "GreaterThanThreshold", "period": "15s"}}`),
			alarm + ".metric.period", "want 10s, 20s, 30s or a multiple of 60s"},
		{"a period of 90s", alarmDoc(`{"adjustmentType": "ChangeInCapacity", "steps": [{"lowerBound": 0, "adjustment": 1}], "metric": {"name": "CPUUtilization", "comparison": "GreaterThanThreshold", "period": "90s"}}`),
			alarm + ".metric.period", "want 10s, 20s, 30s or a multiple of 60s"},
		// Notifications.
		{"an SNS topic that is not an ARN", `{"clusters": [{"name": "a"}], "notifications": {"snsTopicArn": "tandem-shortages"}}`,
			"notifications.snsTopicArn", `want a topic ARN, got "tandem-shortages"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ce := configErr(t, tt.doc)
			if ce.Field != tt.field || !strings.Contains(ce.Msg, tt.msg) {
				t.Errorf("error %q:\nfield %q, want %q\nmessage %q, want it to contain %q", ce, ce.Field, tt.field, ce.Msg, tt.msg)
			}
		})
	}
}

func TestParseValidSteps(t *testing.T) {
	tests := []struct{ name, doc string }{
		{"one open step above", steps("ChangeInCapacity", `{"lowerBound": 0, "adjustment": 1}`)},
		{"one open step below", steps("ChangeInCapacity", `{"upperBound": 0, "adjustment": -1}`)},
		{"steps on both sides", steps("ChangeInCapacity", `{"upperBound": -10, "adjustment": -2}, {"lowerBound": -10, "upperBound": 0, "adjustment": -1}, {"lowerBound": 0, "upperBound": 10, "adjustment": 1}, {"lowerBound": 10, "adjustment": 3}`)},
		{"steps out of order", steps("ChangeInCapacity", `{"lowerBound": 10, "adjustment": 3}, {"lowerBound": 0, "upperBound": 10, "adjustment": 1}`)},
		{"fractional bounds", steps("PercentChangeInCapacity", `{"lowerBound": 0, "upperBound": 2.5, "adjustment": 10}, {"lowerBound": 2.5, "adjustment": 50}`)},
		{"an exact capacity of zero", steps("ExactCapacity", `{"upperBound": 0, "adjustment": 0}`)},
		{"periods CloudWatch takes", alarmDoc(`{"adjustmentType": "ChangeInCapacity", "steps": [{"lowerBound": 0, "adjustment": 1}], "metric": {"name": "MemoryUtilization", "statistic": "Maximum", "comparison": "GreaterThanThreshold", "period": "10s"}}`)},
		{"a budget percentage", validDoc(`"scaleIn": {"disruptionBudget": "100%"}`)},
		{"an opt-out tag without a value", validDoc(`"scaleIn": {"optOutTag": "keep"}`)},
		{"the largest headroom and overhead", validDoc(`"placement": {"headroomPercent": 1000, "newInstanceMemoryOverhead": {"percent": 90}}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := config.Parse("tandem.json", []byte(tt.doc)); err != nil {
				t.Errorf("Parse: %v", err)
			}
		})
	}
}

func TestReadFileMissing(t *testing.T) {
	_, err := config.ReadFile("testdata/nope.json")
	if err == nil || !strings.Contains(err.Error(), "read configuration") || !strings.Contains(err.Error(), "nope.json") {
		t.Errorf("ReadFile(missing) error = %v, want it to name the file", err)
	}
}

func TestErrorMessage(t *testing.T) {
	tests := []struct {
		err  config.Error
		want string
	}{
		{config.Error{Source: "tandem.json", Field: "clusters[0].onConflict", Msg: "bad"}, "tandem.json: clusters[0].onConflict: bad"},
		{config.Error{Source: "configuration", Msg: "empty document"}, "configuration: empty document"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestIsEnabled(t *testing.T) {
	for _, tt := range []struct {
		enabled *bool
		want    bool
	}{{nil, true}, {ptr(true), true}, {ptr(false), false}} {
		d := config.Document{Enabled: tt.enabled}
		if got := d.IsEnabled(); got != tt.want {
			t.Errorf("IsEnabled() with enabled %v = %v, want %v", tt.enabled, got, tt.want)
		}
	}
}

func TestParseBudget(t *testing.T) {
	tests := []struct {
		in   string
		want config.Budget
	}{
		{"", config.Budget{Count: 1}},
		{"1", config.Budget{Count: 1}},
		{"3", config.Budget{Count: 3}},
		{"1%", config.Budget{Percent: 1}},
		{"25%", config.Budget{Percent: 25}},
		{"100%", config.Budget{Percent: 100}},
	}
	for _, tt := range tests {
		got, err := config.ParseBudget(tt.in)
		if err != nil {
			t.Errorf("ParseBudget(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseBudget(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
	for _, in := range []string{"0", "-1", "0%", "101%", "x", "1.5", "10 %", " 2", "%", "2%%"} {
		if got, err := config.ParseBudget(in); err == nil {
			t.Errorf("ParseBudget(%q) = %+v, want an error", in, got)
		}
	}
}

func TestBudgetInstances(t *testing.T) {
	tests := []struct {
		budget   config.Budget
		poolSize int
		want     int
	}{
		{config.Budget{Count: 2}, 10, 2},
		{config.Budget{Count: 2}, 1, 2},
		{config.Budget{Percent: 10}, 30, 3},
		{config.Budget{Percent: 10}, 39, 3}, // rounded down
		{config.Budget{Percent: 10}, 5, 1},  // at least one
		{config.Budget{Percent: 25}, 0, 1},
		{config.Budget{Percent: 100}, 7, 7},
	}
	for _, tt := range tests {
		if got := tt.budget.Instances(tt.poolSize); got != tt.want {
			t.Errorf("%+v.Instances(%d) = %d, want %d", tt.budget, tt.poolSize, got, tt.want)
		}
	}
}

func TestDurationJSON(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		out  string
	}{
		{`"90s"`, 90 * time.Second, `"1m30s"`},
		{`"10m"`, 10 * time.Minute, `"10m0s"`},
		{`"1h30m"`, 90 * time.Minute, `"1h30m0s"`},
		{`"250ms"`, 250 * time.Millisecond, `"250ms"`},
		{`"0s"`, 0, `"0s"`},
	}
	for _, tt := range tests {
		var d config.Duration
		if err := json.Unmarshal([]byte(tt.in), &d); err != nil {
			t.Errorf("Unmarshal(%s): %v", tt.in, err)
			continue
		}
		if d.Duration != tt.want {
			t.Errorf("Unmarshal(%s) = %v, want %v", tt.in, d.Duration, tt.want)
		}
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tt.out {
			t.Errorf("Marshal(%v) = %s, want %s", d.Duration, b, tt.out)
		}
		var back config.Duration
		if err := json.Unmarshal(b, &back); err != nil || back != d {
			t.Errorf("round trip of %s gives %v, %v", tt.in, back.Duration, err)
		}
		if d.IsZero() != (tt.want == 0) {
			t.Errorf("IsZero() of %v = %v", d.Duration, d.IsZero())
		}
	}
	for _, in := range []string{`90`, `"ninety"`, `"-5s"`, `"5"`, `true`, `{}`} {
		var d config.Duration
		if err := json.Unmarshal([]byte(in), &d); err == nil {
			t.Errorf("Unmarshal(%s) = %v, want an error", in, d.Duration)
		}
	}
}

// TestParseRoundTrip: a document that parses, written back as JSON, parses
// to the same document.
func TestParseRoundTrip(t *testing.T) {
	data, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	checkRoundTrip(t, data)
}

// Unset durations and sections stay out of a document written back: what
// CDK writes for the Lambda says only what the user set.
func TestMarshalLeavesOutWhatIsUnset(t *testing.T) {
	doc, err := config.Parse("in.json", []byte(`{"clusters": [{"name": "a"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"clusters":[{"name":"a"}]}`; string(out) != want {
		t.Errorf("Marshal = %s, want %s", out, want)
	}
}

func checkRoundTrip(t *testing.T, data []byte) {
	t.Helper()
	doc, err := config.Parse("in.json", data)
	if err != nil {
		return
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatalf("Marshal(%+v): %v", doc, err)
	}
	again, err := config.Parse("out.json", out)
	if err != nil {
		t.Fatalf("the document written back does not parse: %v\n%s", err, out)
	}
	// omitempty writes an empty list or map as nothing, which reads back
	// as nil: the same configuration.
	if diff := cmp.Diff(doc, again, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("round trip changed the document (-in +out):\n%s", diff)
	}
}

func FuzzParse(f *testing.F) {
	seeds := []string{
		`{"clusters": [{"name": "a"}]}`,
		validDoc(`"placement": {"surge": "one", "headroomPercent": 20}, "scaleIn": {"disruptionBudget": "10%"}`),
		steps("ChangeInCapacity", `{"upperBound": -10, "adjustment": -2}, {"lowerBound": -10, "upperBound": 0, "adjustment": -1}, {"lowerBound": 0, "adjustment": 1}`),
		alarmDoc(`{"adjustmentType": "ChangeInCapacity", "stepz": []}`),
		`{"clusters": [{"name": "a", "registrationTimeout": "ten minutes"}]}`,
		`{"clusters": [{"name": "a", "services": {"web": {"minTasks": "one"}}}]}`,
		`{"clusters": [`,
		`[]`,
		``,
	}
	if data, err := os.ReadFile(example); err == nil {
		seeds = append(seeds, string(data))
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := config.Parse("fuzz.json", data)
		if err != nil {
			var ce *config.Error
			if !errors.As(err, &ce) || ce.Source != "fuzz.json" || ce.Msg == "" {
				t.Fatalf("error %#v (%T), want a *config.Error with its source and a message", err, err)
			}
			return
		}
		if len(doc.Clusters) == 0 {
			t.Fatalf("a valid document without clusters")
		}
		checkRoundTrip(t, data)
	})
}
