// Package config defines tandem's configuration document: one JSON document
// that is both the scaler Lambda's configuration (CDK writes it) and what
// "tandem plan --config" reads. Unknown fields are rejected, and every error
// names the field at fault by its path, such as
// clusters[0].services.web.alarms.web-cpu-high.steps[1].lowerBound.
//
// README.md ("Configuration") documents every key with its default.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// TerminationHook is the name of the termination lifecycle hook tandem
// drains on: the CDK construct creates it on every pool, and the scaler
// acts on no other hook.
const TerminationHook = "tandem-terminate"

// Document is the whole configuration.
type Document struct {
	// Enabled is the kill switch: false turns every AWS write off at once
	// (tandem still reads, decides and logs). Default true.
	Enabled *bool `json:"enabled,omitempty"`
	// Clusters are the clusters tandem scales; the schedule reconciles all.
	Clusters []Cluster `json:"clusters"`
	// Notifications say where shortage reports go.
	Notifications Notifications `json:"notifications,omitzero"`
	// StateTable is the DynamoDB table that keeps decision state between
	// invocations (cooldowns, seen events, scale-in timers). The Lambda
	// requires it; "tandem plan" ignores it.
	StateTable string `json:"stateTable,omitempty"`
}

// Cluster configures one ECS cluster.
type Cluster struct {
	// Name is the cluster's name.
	Name string `json:"name"`
	// Pools are the Auto Scaling groups that provide its instances.
	Pools []Pool `json:"pools,omitempty"`
	// DryRun makes tandem decide and log for this cluster, but write nothing.
	DryRun    bool      `json:"dryRun,omitempty"`
	Placement Placement `json:"placement,omitzero"`
	Limits    Limits    `json:"limits,omitzero"`
	ScaleIn   ScaleIn   `json:"scaleIn,omitzero"`
	// RegistrationTimeout is how long a launched instance may take to
	// register with ECS before it stops counting as capacity and is
	// reported. Default 10m.
	RegistrationTimeout Duration `json:"registrationTimeout,omitzero"`
	// Cooldowns are the defaults of the services' cooldowns.
	Cooldowns Cooldowns `json:"cooldowns,omitzero"`
	// OnConflict says what to do when another autoscaler drives a resource
	// tandem drives: "skip" (default) warns and leaves that resource alone,
	// "proceed" warns and goes on.
	OnConflict string `json:"onConflict,omitempty"`
	// Services holds the scaling policies of services, by service name.
	Services map[string]Service `json:"services,omitempty"`
}

// Pool is an Auto Scaling group of a cluster.
type Pool struct {
	Name string `json:"name"`
}

// Placement holds the estimator's options.
type Placement struct {
	// Surge is "batch" (default: room for the whole batch a rolling
	// deployment may start) or "one" (room for one task at a time).
	Surge string `json:"surge,omitempty"`
	// HeadroomPercent keeps spare room for this share of each service's
	// desired count, rounded up. Default 0.
	HeadroomPercent int `json:"headroomPercent,omitempty"`
	// NewInstanceMemoryOverhead is the memory a new instance of a type that
	// no registered instance shows does not offer to tasks. Default: learned
	// from registered instances, else 6%.
	NewInstanceMemoryOverhead *MemoryOverhead `json:"newInstanceMemoryOverhead,omitempty"`
}

// MemoryOverhead is a fixed part plus a share of the instance's memory.
type MemoryOverhead struct {
	MiB     int64 `json:"mib,omitempty"`
	Percent int64 `json:"percent,omitempty"`
}

// Limits are safety caps on scale-out.
type Limits struct {
	// MaxNewInstancesPerPool caps the instances one decision adds to one
	// pool. Default 10.
	MaxNewInstancesPerPool int `json:"maxNewInstancesPerPool,omitempty"`
	// MaxNewInstancesPerCluster caps the instances one decision adds to the
	// cluster's pools together. Default 20.
	MaxNewInstancesPerCluster int `json:"maxNewInstancesPerCluster,omitempty"`
}

// ScaleIn configures how capacity follows demand down.
type ScaleIn struct {
	// Disabled turns scale-in off for the cluster.
	Disabled bool `json:"disabled,omitempty"`
	// Delay is how long a pool must have unneeded capacity before tandem
	// drains it. Default 10m.
	Delay Duration `json:"delay,omitzero"`
	// DisruptionBudget caps the busy instances drained at once per pool:
	// a count ("2") or a percentage of the pool's instances ("10%", rounded
	// down, at least 1). Default "1".
	DisruptionBudget string `json:"disruptionBudget,omitempty"`
	// MaxDrainTime is how long an instance may drain before tandem reports
	// it and puts it back to ACTIVE. Default 1h.
	MaxDrainTime Duration `json:"maxDrainTime,omitzero"`
	// OptOutTag is "key=value": instances with this EC2 tag are never
	// drained. Default "tandem:scale-in=never".
	OptOutTag string `json:"optOutTag,omitempty"`
	// HookHeartbeatTimeout is the heartbeat timeout of the pools'
	// termination lifecycle hook, which the CDK construct creates with it:
	// tandem extends the hook while tasks move, and completes it before its
	// global timeout (100 heartbeats or 48 h). Default 5m, from 3m to 2h.
	HookHeartbeatTimeout Duration `json:"hookHeartbeatTimeout,omitzero"`
}

// Cooldowns are per-direction cooldowns of service scaling.
type Cooldowns struct {
	// ScaleOut: after a scale-out, a further one only adds what a larger
	// alarm step asks beyond it. Default 60s.
	ScaleOut Duration `json:"scaleOut,omitzero"`
	// ScaleIn: after any scaling, no scale-in. Default 300s.
	ScaleIn Duration `json:"scaleIn,omitzero"`
}

// Service is the scaling policy of one service.
type Service struct {
	MinTasks  int       `json:"minTasks"`
	MaxTasks  int       `json:"maxTasks"`
	Cooldowns Cooldowns `json:"cooldowns,omitzero"`
	// Alarms are step policies by CloudWatch alarm name.
	Alarms map[string]AlarmPolicy `json:"alarms,omitempty"`
}

// The adjustment types of Application Auto Scaling step scaling.
const (
	ChangeInCapacity        = "ChangeInCapacity"
	PercentChangeInCapacity = "PercentChangeInCapacity"
	ExactCapacity           = "ExactCapacity"
)

// AlarmPolicy is a step scaling policy applied when its alarm goes to
// ALARM, with the semantics of Application Auto Scaling step scaling.
type AlarmPolicy struct {
	AdjustmentType string `json:"adjustmentType"`
	Steps          []Step `json:"steps"`
	// MinAdjustmentMagnitude is the smallest change a
	// PercentChangeInCapacity step makes.
	MinAdjustmentMagnitude int `json:"minAdjustmentMagnitude,omitempty"`
	// Metric, when set, makes the CDK construct create the alarm; without
	// it the alarm must exist already.
	Metric *AlarmMetric `json:"metric,omitempty"`
}

// Step is one step adjustment. Bounds are relative to the alarm threshold;
// a nil bound is unbounded. Above the threshold the lower bound is inclusive
// and the upper exclusive; below it the other way round.
type Step struct {
	LowerBound *float64 `json:"lowerBound,omitempty"`
	UpperBound *float64 `json:"upperBound,omitempty"`
	Adjustment int      `json:"adjustment"`
}

// AlarmMetric describes an alarm for the CDK construct to create.
type AlarmMetric struct {
	// Name is CPUUtilization or MemoryUtilization of the service (AWS/ECS,
	// dimensions ClusterName and ServiceName).
	Name              string   `json:"name"`
	Statistic         string   `json:"statistic,omitempty"` // default Average
	Period            Duration `json:"period,omitzero"`     // default 60s
	EvaluationPeriods int      `json:"evaluationPeriods,omitempty"`
	Threshold         float64  `json:"threshold"`
	// Comparison is a CloudWatch comparison operator, such as
	// GreaterThanOrEqualToThreshold.
	Comparison string `json:"comparison"`
}

// Notifications say where shortage reports go.
type Notifications struct {
	// EventBus receives "Tandem Capacity Shortage" events (source "tandem").
	// Default "default"; "" in JSON means the default, "none" turns it off.
	EventBus string `json:"eventBus,omitempty"`
	// SNSTopicARN, when set, also receives a readable message.
	SNSTopicARN string `json:"snsTopicArn,omitempty"`
	// RepeatAfter is how long the same shortage stays quiet. Default 1h.
	RepeatAfter Duration `json:"repeatAfter,omitzero"`
}

// Duration is a time.Duration written as a Go duration string ("90s",
// "10m").
type Duration struct{ time.Duration }

// UnmarshalJSON reads a duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("want a duration such as \"90s\" or \"10m\", got %s", b)
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return fmt.Errorf("want a duration such as \"90s\" or \"10m\", got %q", s)
	}
	d.Duration = v
	return nil
}

// MarshalJSON writes a duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// IsZero reports an unset duration: omitzero leaves it out of JSON.
func (d Duration) IsZero() bool { return d.Duration == 0 }

// Error is a configuration problem; Field is the path of the field at fault.
type Error struct {
	Source string // file name, or "configuration"
	Field  string
	Msg    string
}

func (e *Error) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s: %s", e.Source, e.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", e.Source, e.Field, e.Msg)
}

// ReadFile reads and validates a configuration file.
func ReadFile(path string) (*Document, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read configuration: %w", err)
	}
	return Parse(path, data)
}

// Parse decodes and validates a configuration document. source names it in
// errors.
func Parse(source string, data []byte) (*Document, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var d Document
	if err := dec.Decode(&d); err != nil {
		return nil, decodeError(source, data, err)
	}
	if err := dec.Decode(new(json.RawMessage)); err != io.EOF {
		return nil, &Error{Source: source, Msg: "extra data after the JSON document"}
	}
	if err := d.validate(); err != nil {
		var ce *Error
		if errors.As(err, &ce) {
			ce.Source = source
		}
		return nil, err
	}
	return &d, nil
}

func decodeError(source string, data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off := min(int(se.Offset), len(data))
		line := 1 + bytes.Count(data[:off], []byte("\n"))
		return &Error{Source: source, Msg: fmt.Sprintf("invalid JSON at line %d: %v", line, se)}
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		var generic any
		if json.Unmarshal(data, &generic) == nil {
			if path := unknownField(generic, reflect.TypeOf(Document{}), ""); path != "" {
				return &Error{Source: source, Field: path, Msg: "unknown field"}
			}
		}
		return &Error{Source: source, Msg: strings.TrimPrefix(err.Error(), "json: ")}
	case errors.Is(err, io.EOF):
		return &Error{Source: source, Msg: "empty document"}
	}
	// A value of the wrong type, or a duration that does not parse: find
	// it by its path, as unknownField does (encoding/json's own path has no
	// list indexes or map keys).
	var generic any
	if json.Unmarshal(data, &generic) == nil {
		if path, verr := badValue(generic, reflect.TypeOf(Document{}), ""); path != "" {
			msg := verr.Error()
			if errors.As(verr, &te) {
				msg = fmt.Sprintf("want %s, got %s", te.Type.Kind(), te.Value)
			}
			return &Error{Source: source, Field: path, Msg: msg}
		}
	}
	if errors.As(err, &te) {
		return &Error{Source: source, Field: te.Field, Msg: fmt.Sprintf("want %s, got %s", te.Type.Kind(), te.Value)}
	}
	return &Error{Source: source, Msg: err.Error()}
}

// badValue returns the path of the first value in v (keys sorted) that does
// not decode into type t, and the decoding error.
func badValue(v any, t reflect.Type, path string) (string, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch x := v.(type) {
	case map[string]any:
		keys := slices.Sorted(maps.Keys(x))
		switch {
		case t.Kind() == reflect.Map:
			for _, k := range keys {
				if p, err := badValue(x[k], t.Elem(), join(path, k)); p != "" {
					return p, err
				}
			}
			return "", nil
		case t.Kind() == reflect.Struct && t != reflect.TypeOf(Duration{}):
			for _, k := range keys {
				if f, ok := fieldByTag(t, k); ok {
					if p, err := badValue(x[k], f.Type, join(path, k)); p != "" {
						return p, err
					}
				}
			}
			return "", nil
		}
	case []any:
		if t.Kind() == reflect.Slice {
			for i, e := range x {
				if p, err := badValue(e, t.Elem(), path+"["+strconv.Itoa(i)+"]"); p != "" {
					return p, err
				}
			}
			return "", nil
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", nil
	}
	if err := json.Unmarshal(b, reflect.New(t).Interface()); err != nil {
		return path, err
	}
	return "", nil
}

// unknownField returns the path of the first key in v (sorted) that type t
// has no field for.
func unknownField(v any, t reflect.Type, path string) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch x := v.(type) {
	case map[string]any:
		keys := slices.Sorted(maps.Keys(x))
		switch t.Kind() {
		case reflect.Map:
			for _, k := range keys {
				if p := unknownField(x[k], t.Elem(), join(path, k)); p != "" {
					return p
				}
			}
		case reflect.Struct:
			if t == reflect.TypeOf(Duration{}) {
				return ""
			}
			for _, k := range keys {
				f, ok := fieldByTag(t, k)
				if !ok {
					return join(path, k)
				}
				if p := unknownField(x[k], f.Type, join(path, k)); p != "" {
					return p
				}
			}
		}
	case []any:
		if t.Kind() == reflect.Slice {
			for i, e := range x {
				if p := unknownField(e, t.Elem(), path+"["+strconv.Itoa(i)+"]"); p != "" {
					return p
				}
			}
		}
	}
	return ""
}

func fieldByTag(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		// encoding/json matches keys regardless of case; so does this.
		if strings.EqualFold(name, key) || name == "" && strings.EqualFold(f.Name, key) {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
