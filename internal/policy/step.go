// Package policy holds tandem's pure scaling rules: service step scaling
// with the semantics of Application Auto Scaling, cooldowns, bounds, and the
// safety caps on new instances. Like placement, it does no I/O, reads no
// clock (callers pass now) and does not log: it returns decisions as data,
// each with the reason a person would want to read.
package policy

import (
	"fmt"
	"math"
	"time"
)

// Adjustment types of a step policy.
const (
	ChangeInCapacity        = "ChangeInCapacity"
	PercentChangeInCapacity = "PercentChangeInCapacity"
	ExactCapacity           = "ExactCapacity"
)

// StepPolicy is a step scaling policy.
type StepPolicy struct {
	AdjustmentType         string
	Steps                  []Step
	MinAdjustmentMagnitude int
}

// Step is one step adjustment. Bounds are relative to the alarm threshold;
// nil is unbounded.
type Step struct {
	LowerBound *float64
	UpperBound *float64
	Adjustment int
}

// Breach is what the alarm saw: the breaching datapoint and the threshold.
type Breach struct {
	Value     float64
	Threshold float64
}

// Direction is which way a decision moves a service.
type Direction string

// The directions.
const (
	Out  Direction = "out"
	In   Direction = "in"
	Hold Direction = "none"
)

// Service is what a step decision knows about a service.
type Service struct {
	Desired  int
	Running  int
	MinTasks int
	MaxTasks int
	// LastScaleOut is when tandem last raised the service, and
	// LastScaleOutBase the running count that scale-out started from.
	LastScaleOut     time.Time
	LastScaleOutBase int
	// LastScaleIn is when tandem last lowered the service.
	LastScaleIn time.Time
}

// Cooldowns are per direction.
type Cooldowns struct {
	// ScaleOut: during it, a further scale-out starts from the base of the
	// last one, so it only adds what a larger step asks beyond it.
	ScaleOut time.Duration
	// ScaleIn: after any change, no scale-in until it has passed.
	ScaleIn time.Duration
}

// Result is a step decision.
type Result struct {
	Desired   int
	Direction Direction
	// Base is the running count the change started from; a scale-out
	// records it for its cooldown.
	Base   int
	Reason string
}

// Changed reports whether the decision moves the service.
func (r Result) Changed(current int) bool { return r.Desired != current }

// ApplyStep decides a service's desired count when an alarm of the policy is
// in ALARM, with Application Auto Scaling's step scaling semantics:
//   - the step is chosen by the breaching datapoint relative to the
//     threshold: above it, lower bounds are inclusive and upper bounds
//     exclusive; below it, the other way round;
//   - the change starts from the running count, not the desired count, so
//     that tasks that cannot be placed do not make scaling run away;
//   - PercentChangeInCapacity rounds as Auto Scaling does (values between 0
//     and 1 become 1, others round toward zero) and then honours
//     MinAdjustmentMagnitude;
//   - the result stays within [MinTasks, MaxTasks] and never moves the
//     desired count against the alarm's direction;
//   - during the scale-out cooldown a scale-out starts from the last
//     scale-out's base; during the scale-in cooldown, which follows any
//     change, there is no scale-in.
func ApplyStep(p StepPolicy, b Breach, s Service, cd Cooldowns, now time.Time) Result {
	delta := b.Value - b.Threshold
	step, ok := chooseStep(p.Steps, delta)
	if !ok {
		return Result{Desired: s.Desired, Direction: Hold, Base: s.Running,
			Reason: fmt.Sprintf("no step covers %g (threshold %g)", b.Value, b.Threshold)}
	}
	dir := Out
	switch {
	case p.AdjustmentType == ExactCapacity && step.Adjustment < s.Desired,
		p.AdjustmentType != ExactCapacity && step.Adjustment < 0:
		dir = In
	case p.AdjustmentType == ExactCapacity && step.Adjustment == s.Desired,
		p.AdjustmentType != ExactCapacity && step.Adjustment == 0:
		return Result{Desired: s.Desired, Direction: Hold, Base: s.Running, Reason: "the step's adjustment is no change"}
	}

	base := s.Running
	note := ""
	if dir == Out && now.Before(s.LastScaleOut.Add(cd.ScaleOut)) {
		base = s.LastScaleOutBase
		note = fmt.Sprintf(" (scale-out cooldown until %s: from the last scale-out's base %d)", s.LastScaleOut.Add(cd.ScaleOut).Format(time.RFC3339), base)
	}
	if dir == In {
		last := s.LastScaleIn
		if s.LastScaleOut.After(last) {
			last = s.LastScaleOut
		}
		if until := last.Add(cd.ScaleIn); now.Before(until) {
			return Result{Desired: s.Desired, Direction: Hold, Base: base,
				Reason: fmt.Sprintf("scale-in cooldown until %s", until.Format(time.RFC3339))}
		}
	}

	var target int
	var how string
	switch p.AdjustmentType {
	case ExactCapacity:
		target, how = step.Adjustment, fmt.Sprintf("exactly %d", step.Adjustment)
	case PercentChangeInCapacity:
		change := percentChange(base, step.Adjustment, p.MinAdjustmentMagnitude)
		target, how = base+change, fmt.Sprintf("%+d%% of %d is %+d", step.Adjustment, base, change)
	default:
		target, how = base+step.Adjustment, fmt.Sprintf("%d %+d", base, step.Adjustment)
	}
	bounded := min(max(target, s.MinTasks), s.MaxTasks)
	desired := bounded
	if dir == Out {
		desired = max(s.Desired, bounded)
	} else {
		desired = min(s.Desired, bounded)
	}
	reason := fmt.Sprintf("scale %s: %g against threshold %g, step %s: %s = %d", dir, b.Value, b.Threshold, stepText(step), how, target)
	if bounded != target {
		reason += fmt.Sprintf(", bounded to [%d, %d]: %d", s.MinTasks, s.MaxTasks, bounded)
	}
	if desired != bounded {
		reason += fmt.Sprintf(", kept at %d (never against the alarm)", desired)
	}
	return Result{Desired: desired, Direction: dir, Base: base, Reason: reason + note}
}

// chooseStep returns the step whose interval holds delta.
func chooseStep(steps []Step, delta float64) (Step, bool) {
	for _, st := range steps {
		lo, hi := math.Inf(-1), math.Inf(1)
		if st.LowerBound != nil {
			lo = *st.LowerBound
		}
		if st.UpperBound != nil {
			hi = *st.UpperBound
		}
		if delta >= 0 && lo <= delta && delta < hi {
			return st, true
		}
		if delta < 0 && lo < delta && delta <= hi {
			return st, true
		}
	}
	return Step{}, false
}

// percentChange rounds a percentage of base as Auto Scaling does (a change
// between 0 and 1, or from nothing, is 1; between -1 and 0 is -1; others
// round toward zero), then raises its magnitude to at least minMagnitude.
func percentChange(base, percent, minMagnitude int) int {
	raw := float64(base) * float64(percent) / 100
	var change int
	switch {
	case percent > 0 && raw < 1:
		change = 1
	case raw < 0 && raw > -1:
		change = -1
	default:
		change = int(raw) // toward zero
	}
	if change > 0 && change < minMagnitude {
		change = minMagnitude
	}
	if change < 0 && -change < minMagnitude {
		change = -minMagnitude
	}
	return change
}

func stepText(st Step) string {
	lo, hi := "-inf", "+inf"
	if st.LowerBound != nil {
		lo = fmt.Sprintf("%g", *st.LowerBound)
	}
	if st.UpperBound != nil {
		hi = fmt.Sprintf("%g", *st.UpperBound)
	}
	return fmt.Sprintf("[%s, %s) %+d", lo, hi, st.Adjustment)
}
