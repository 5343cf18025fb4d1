package policy

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

func f(v float64) *float64 { return &v }

var (
	t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	cd = Cooldowns{ScaleOut: time.Minute, ScaleIn: 5 * time.Minute}

	// Scale out by 1 when 0-10 above the threshold, by 3 beyond.
	outSteps = StepPolicy{AdjustmentType: ChangeInCapacity, Steps: []Step{
		{LowerBound: f(0), UpperBound: f(10), Adjustment: 1},
		{LowerBound: f(10), Adjustment: 3},
	}}
	// Scale in by 1 when 0-10 below, by 2 beyond.
	inSteps = StepPolicy{AdjustmentType: ChangeInCapacity, Steps: []Step{
		{UpperBound: f(-10), Adjustment: -2},
		{LowerBound: f(-10), UpperBound: f(0), Adjustment: -1},
	}}
)

func TestApplyStep(t *testing.T) {
	tests := []struct {
		name   string
		policy StepPolicy
		breach Breach
		svc    Service
		now    time.Time
		want   int
		dir    Direction
		reason string
	}{
		{
			name: "the datapoint's distance to the threshold picks the step", policy: outSteps,
			breach: Breach{Value: 75, Threshold: 70}, svc: Service{Desired: 4, Running: 4, MaxTasks: 10},
			want: 5, dir: Out,
		},
		{
			name: "above the threshold a lower bound is inclusive", policy: outSteps,
			breach: Breach{Value: 80, Threshold: 70}, svc: Service{Desired: 4, Running: 4, MaxTasks: 10},
			want: 7, dir: Out,
		},
		{
			name: "below the threshold an upper bound is inclusive", policy: inSteps,
			breach: Breach{Value: 20, Threshold: 30}, svc: Service{Desired: 6, Running: 6, MinTasks: 1, MaxTasks: 10},
			want: 4, dir: In,
		},
		{
			name: "below the threshold a lower bound is exclusive", policy: inSteps,
			breach: Breach{Value: 25, Threshold: 30}, svc: Service{Desired: 6, Running: 6, MinTasks: 1, MaxTasks: 10},
			want: 5, dir: In,
		},
		{
			name: "the change starts from the running count", policy: outSteps,
			breach: Breach{Value: 90, Threshold: 70}, svc: Service{Desired: 6, Running: 4, MaxTasks: 10},
			want: 7, dir: Out,
		},
		{
			name: "a scale-out never lowers the desired count", policy: outSteps,
			breach: Breach{Value: 75, Threshold: 70}, svc: Service{Desired: 8, Running: 4, MaxTasks: 10},
			want: 8, dir: Out, reason: "never against the alarm",
		},
		{
			name: "a scale-in never raises the desired count", policy: inSteps,
			breach: Breach{Value: 25, Threshold: 30}, svc: Service{Desired: 3, Running: 5, MinTasks: 1, MaxTasks: 10},
			want: 3, dir: In,
		},
		{
			name: "maxTasks caps a scale-out", policy: outSteps,
			breach: Breach{Value: 99, Threshold: 70}, svc: Service{Desired: 9, Running: 9, MaxTasks: 10},
			want: 10, dir: Out, reason: "bounded to [0, 10]",
		},
		{
			name: "minTasks floors a scale-in", policy: inSteps,
			breach: Breach{Value: 1, Threshold: 30}, svc: Service{Desired: 3, Running: 3, MinTasks: 2, MaxTasks: 10},
			want: 2, dir: In,
		},
		{
			name:   "percent change rounds toward zero",
			policy: StepPolicy{AdjustmentType: PercentChangeInCapacity, Steps: []Step{{LowerBound: f(0), Adjustment: 25}}},
			breach: Breach{Value: 71, Threshold: 70}, svc: Service{Desired: 10, Running: 10, MaxTasks: 100},
			want: 12, dir: Out,
		},
		{
			name:   "percent change between 0 and 1 is 1",
			policy: StepPolicy{AdjustmentType: PercentChangeInCapacity, Steps: []Step{{LowerBound: f(0), Adjustment: 10}}},
			breach: Breach{Value: 71, Threshold: 70}, svc: Service{Desired: 2, Running: 2, MaxTasks: 100},
			want: 3, dir: Out,
		},
		{
			name:   "percent change honours the minimum magnitude",
			policy: StepPolicy{AdjustmentType: PercentChangeInCapacity, MinAdjustmentMagnitude: 3, Steps: []Step{{LowerBound: f(0), Adjustment: 10}}},
			breach: Breach{Value: 71, Threshold: 70}, svc: Service{Desired: 10, Running: 10, MaxTasks: 100},
			want: 13, dir: Out,
		},
		{
			name:   "negative percent between -1 and 0 is -1",
			policy: StepPolicy{AdjustmentType: PercentChangeInCapacity, Steps: []Step{{UpperBound: f(0), Adjustment: -10}}},
			breach: Breach{Value: 10, Threshold: 30}, svc: Service{Desired: 4, Running: 4, MaxTasks: 100},
			want: 3, dir: In,
		},
		{
			name:   "exact capacity sets the count",
			policy: StepPolicy{AdjustmentType: ExactCapacity, Steps: []Step{{LowerBound: f(0), Adjustment: 8}}},
			breach: Breach{Value: 71, Threshold: 70}, svc: Service{Desired: 2, Running: 2, MaxTasks: 100},
			want: 8, dir: Out,
		},
		{
			name: "during the scale-out cooldown the capacity already added counts", policy: outSteps,
			// The last scale-out went from 4 by +1; now a +3 step adds 2 more: 4+3.
			breach: Breach{Value: 90, Threshold: 70}, now: t0.Add(30 * time.Second),
			svc:  Service{Desired: 5, Running: 5, MaxTasks: 10, LastScaleOut: t0, LastScaleOutBase: 4},
			want: 7, dir: Out, reason: "scale-out cooldown",
		},
		{
			name: "after the scale-out cooldown the running count is the base again", policy: outSteps,
			breach: Breach{Value: 90, Threshold: 70}, now: t0.Add(2 * time.Minute),
			svc:  Service{Desired: 5, Running: 5, MaxTasks: 10, LastScaleOut: t0, LastScaleOutBase: 4},
			want: 8, dir: Out,
		},
		{
			name: "no scale-in during the scale-in cooldown after a scale-out", policy: inSteps,
			breach: Breach{Value: 25, Threshold: 30}, now: t0.Add(time.Minute),
			svc:  Service{Desired: 5, Running: 5, MaxTasks: 10, LastScaleOut: t0},
			want: 5, dir: Hold, reason: "scale-in cooldown",
		},
		{
			name:   "no step covers the datapoint",
			policy: StepPolicy{AdjustmentType: ChangeInCapacity, Steps: []Step{{LowerBound: f(0), UpperBound: f(5), Adjustment: 1}}},
			breach: Breach{Value: 90, Threshold: 70}, svc: Service{Desired: 5, Running: 5, MaxTasks: 10},
			want: 5, dir: Hold, reason: "no step covers",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := tt.now
			if now.IsZero() {
				now = t0.Add(time.Hour)
			}
			got := ApplyStep(tt.policy, tt.breach, tt.svc, cd, now)
			if got.Desired != tt.want || got.Direction != tt.dir {
				t.Errorf("ApplyStep() = %d (%s), want %d (%s); reason %q", got.Desired, got.Direction, tt.want, tt.dir, got.Reason)
			}
			if !strings.Contains(got.Reason, tt.reason) {
				t.Errorf("reason %q, want it to mention %q", got.Reason, tt.reason)
			}
		})
	}
}

// Whatever the step and the service, the decision stays within the bounds
// (or where it was), never goes against the alarm's direction, and a
// scale-out during its cooldown never adds more than after it.
func TestApplyStepProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		minT := rapid.IntRange(0, 5).Draw(t, "min")
		maxT := rapid.IntRange(minT, 50).Draw(t, "max")
		s := Service{
			Desired:  rapid.IntRange(0, 60).Draw(t, "desired"),
			Running:  rapid.IntRange(0, 60).Draw(t, "running"),
			MinTasks: minT, MaxTasks: maxT,
			LastScaleOut:     t0,
			LastScaleOutBase: rapid.IntRange(0, 60).Draw(t, "base"),
		}
		adj := rapid.IntRange(-20, 20).Draw(t, "adjustment")
		typ := rapid.SampledFrom([]string{ChangeInCapacity, PercentChangeInCapacity, ExactCapacity}).Draw(t, "type")
		if typ == ExactCapacity {
			adj = max(adj, 0)
		}
		p := StepPolicy{AdjustmentType: typ, Steps: []Step{{LowerBound: f(0), Adjustment: adj}, {UpperBound: f(0), Adjustment: adj}}}
		b := Breach{Value: rapid.Float64Range(-100, 100).Draw(t, "value"), Threshold: 0}
		now := t0.Add(time.Duration(rapid.IntRange(0, 600).Draw(t, "seconds")) * time.Second)
		r := ApplyStep(p, b, s, cd, now)
		switch r.Direction {
		case Out:
			if r.Desired < s.Desired {
				t.Fatalf("scale-out lowered %d to %d", s.Desired, r.Desired)
			}
			if r.Desired > max(s.Desired, maxT) {
				t.Fatalf("scale-out to %d beyond max %d", r.Desired, maxT)
			}
		case In:
			if r.Desired > s.Desired {
				t.Fatalf("scale-in raised %d to %d", s.Desired, r.Desired)
			}
			if r.Desired < min(s.Desired, minT) {
				t.Fatalf("scale-in to %d below min %d", r.Desired, minT)
			}
		case Hold:
			if r.Desired != s.Desired {
				t.Fatalf("hold changed %d to %d", s.Desired, r.Desired)
			}
		}
	})
}

func TestCapNewInstances(t *testing.T) {
	pools := []PoolChange{{"a", 2, 10}, {"b", 1, 4}, {"c", 3, 3}}
	got, notes := CapNewInstances(pools, 5, 7)
	want := []PoolChange{{"a", 2, 7}, {"b", 1, 3}, {"c", 3, 3}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CapNewInstances (-want +got):\n%s", diff)
	}
	if len(notes) != 2 {
		t.Errorf("notes %q, want one per capped pool", notes)
	}
	uncapped, notes := CapNewInstances(pools, 0, 0)
	if diff := cmp.Diff(pools, uncapped); diff != "" || notes != nil {
		t.Errorf("without caps (-want +got):\n%s notes %q", diff, notes)
	}
}
