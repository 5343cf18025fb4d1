package config

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tandem-ecs/tandem/internal/placement"
)

// Defaults of optional keys.
const (
	DefaultRegistrationTimeout       = 10 * time.Minute
	DefaultScaleInDelay              = 10 * time.Minute
	DefaultMaxDrainTime              = time.Hour
	DefaultDisruptionBudget          = "1"
	DefaultOptOutTag                 = "tandem:scale-in=never"
	DefaultHookHeartbeatTimeout      = 5 * time.Minute
	MinHookHeartbeatTimeout          = 3 * time.Minute
	MaxHookHeartbeatTimeout          = 2 * time.Hour
	DefaultScaleOutCooldown          = 60 * time.Second
	DefaultScaleInCooldown           = 300 * time.Second
	DefaultMaxNewInstancesPerPool    = 10
	DefaultMaxNewInstancesPerCluster = 20
	DefaultRepeatAfter               = time.Hour
	DefaultEventBus                  = "default"
)

func (d *Document) validate() error {
	if len(d.Clusters) == 0 {
		return &Error{Field: "clusters", Msg: "name at least one cluster"}
	}
	names := map[string]bool{}
	alarms := map[string]string{}
	poolOwner := map[string]string{}
	for i := range d.Clusters {
		c := &d.Clusters[i]
		path := fmt.Sprintf("clusters[%d]", i)
		if c.Name == "" {
			return &Error{Field: path + ".name", Msg: "required"}
		}
		if names[c.Name] {
			return &Error{Field: path + ".name", Msg: fmt.Sprintf("cluster %q is configured twice", c.Name)}
		}
		names[c.Name] = true
		if err := c.validate(path, alarms); err != nil {
			return err
		}
		// A group's lifecycle and Spot events go to one cluster.
		for j, p := range c.Pools {
			if other, ok := poolOwner[p.Name]; ok {
				return &Error{Field: fmt.Sprintf("%s.pools[%d].name", path, j), Msg: fmt.Sprintf("pool %q belongs to cluster %q already", p.Name, other)}
			}
			poolOwner[p.Name] = c.Name
		}
	}
	if arn := d.Notifications.SNSTopicARN; arn != "" && !strings.HasPrefix(arn, "arn:") {
		return &Error{Field: "notifications.snsTopicArn", Msg: fmt.Sprintf("want a topic ARN, got %q", arn)}
	}
	return nil
}

func (c *Cluster) validate(path string, alarms map[string]string) error {
	pools := map[string]bool{}
	for j, p := range c.Pools {
		f := fmt.Sprintf("%s.pools[%d].name", path, j)
		if p.Name == "" {
			return &Error{Field: f, Msg: "required"}
		}
		if pools[p.Name] {
			return &Error{Field: f, Msg: fmt.Sprintf("pool %q is listed twice", p.Name)}
		}
		pools[p.Name] = true
	}
	switch c.Placement.Surge {
	case "", string(placement.SurgeBatch), string(placement.SurgeOne):
	default:
		return &Error{Field: path + ".placement.surge", Msg: fmt.Sprintf("want \"batch\" or \"one\", got %q", c.Placement.Surge)}
	}
	if h := c.Placement.HeadroomPercent; h < 0 || h > 1000 {
		return &Error{Field: path + ".placement.headroomPercent", Msg: fmt.Sprintf("want 0 to 1000, got %d", h)}
	}
	if o := c.Placement.NewInstanceMemoryOverhead; o != nil {
		if o.MiB < 0 {
			return &Error{Field: path + ".placement.newInstanceMemoryOverhead.mib", Msg: "cannot be negative"}
		}
		if o.Percent < 0 || o.Percent > 90 {
			return &Error{Field: path + ".placement.newInstanceMemoryOverhead.percent", Msg: fmt.Sprintf("want 0 to 90, got %d", o.Percent)}
		}
	}
	if c.Limits.MaxNewInstancesPerPool < 0 {
		return &Error{Field: path + ".limits.maxNewInstancesPerPool", Msg: "cannot be negative"}
	}
	if c.Limits.MaxNewInstancesPerCluster < 0 {
		return &Error{Field: path + ".limits.maxNewInstancesPerCluster", Msg: "cannot be negative"}
	}
	if _, err := ParseBudget(c.ScaleIn.DisruptionBudget); err != nil {
		return &Error{Field: path + ".scaleIn.disruptionBudget", Msg: err.Error()}
	}
	if h := c.ScaleIn.HookHeartbeatTimeout.Duration; h != 0 && (h < MinHookHeartbeatTimeout || h > MaxHookHeartbeatTimeout) {
		// tandem extends the hook from the one-minute schedule at half the
		// timeout: below 3 minutes a late tick lets it expire under busy
		// tasks. Auto Scaling allows at most two hours.
		return &Error{Field: path + ".scaleIn.hookHeartbeatTimeout",
			Msg: fmt.Sprintf("want between %s and %s, got %s", MinHookHeartbeatTimeout, MaxHookHeartbeatTimeout, h)}
	}
	if t := c.ScaleIn.OptOutTag; t != "" {
		if k, _, _ := strings.Cut(t, "="); k == "" {
			return &Error{Field: path + ".scaleIn.optOutTag", Msg: fmt.Sprintf("want \"key=value\" or \"key\", got %q", t)}
		}
	}
	switch c.OnConflict {
	case "", "skip", "proceed":
	default:
		return &Error{Field: path + ".onConflict", Msg: fmt.Sprintf("want \"skip\" or \"proceed\", got %q", c.OnConflict)}
	}
	for _, name := range slices.Sorted(maps.Keys(c.Services)) {
		s := c.Services[name]
		if err := s.validate(fmt.Sprintf("%s.services.%s", path, name), name, alarms); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) validate(path, name string, alarms map[string]string) error {
	if s.MinTasks < 0 {
		return &Error{Field: path + ".minTasks", Msg: "cannot be negative"}
	}
	if s.MaxTasks < 1 {
		return &Error{Field: path + ".maxTasks", Msg: "required, at least 1"}
	}
	if s.MaxTasks < s.MinTasks {
		return &Error{Field: path + ".maxTasks", Msg: fmt.Sprintf("%d is below minTasks (%d)", s.MaxTasks, s.MinTasks)}
	}
	for _, alarm := range slices.Sorted(maps.Keys(s.Alarms)) {
		p := s.Alarms[alarm]
		f := path + ".alarms." + alarm
		if other, ok := alarms[alarm]; ok {
			return &Error{Field: f, Msg: fmt.Sprintf("alarm %q already drives service %s", alarm, other)}
		}
		alarms[alarm] = name
		if err := p.validate(f); err != nil {
			return err
		}
	}
	return nil
}

func (p *AlarmPolicy) validate(path string) error {
	switch p.AdjustmentType {
	case ChangeInCapacity, PercentChangeInCapacity, ExactCapacity:
	default:
		return &Error{Field: path + ".adjustmentType", Msg: fmt.Sprintf("want ChangeInCapacity, PercentChangeInCapacity or ExactCapacity, got %q", p.AdjustmentType)}
	}
	if p.MinAdjustmentMagnitude < 0 {
		return &Error{Field: path + ".minAdjustmentMagnitude", Msg: "cannot be negative"}
	}
	if p.MinAdjustmentMagnitude > 0 && p.AdjustmentType != PercentChangeInCapacity {
		return &Error{Field: path + ".minAdjustmentMagnitude", Msg: "applies to PercentChangeInCapacity only"}
	}
	if err := validateSteps(path, p.AdjustmentType, p.Steps); err != nil {
		return err
	}
	if m := p.Metric; m != nil {
		switch m.Name {
		case "CPUUtilization", "MemoryUtilization":
		default:
			return &Error{Field: path + ".metric.name", Msg: fmt.Sprintf("want CPUUtilization or MemoryUtilization, got %q", m.Name)}
		}
		switch m.Statistic {
		case "", "Average", "Maximum", "Minimum", "Sum", "SampleCount":
		default:
			return &Error{Field: path + ".metric.statistic", Msg: fmt.Sprintf("want Average, Maximum, Minimum, Sum or SampleCount, got %q", m.Statistic)}
		}
		switch m.Comparison {
		case "GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold":
		default:
			return &Error{Field: path + ".metric.comparison", Msg: fmt.Sprintf("want GreaterThanOrEqualToThreshold, GreaterThanThreshold, LessThanThreshold or LessThanOrEqualToThreshold, got %q", m.Comparison)}
		}
		if m.EvaluationPeriods < 0 {
			return &Error{Field: path + ".metric.evaluationPeriods", Msg: "cannot be negative"}
		}
		switch p := m.Period.Duration; {
		case p == 0, p == 10*time.Second, p == 20*time.Second, p == 30*time.Second, p > 0 && p%time.Minute == 0:
		default:
			return &Error{Field: path + ".metric.period", Msg: "want 10s, 20s, 30s or a multiple of 60s"}
		}
	}
	return nil
}

// validateSteps checks step adjustments as Application Auto Scaling does:
// no overlap and no gap, at most one step without a lower bound and one
// without an upper bound, and a step reaching each side's infinity when
// bounds go that way.
func validateSteps(path, adjustmentType string, steps []Step) error {
	if len(steps) == 0 {
		return &Error{Field: path + ".steps", Msg: "give at least one step"}
	}
	type span struct {
		lo, hi float64
		i      int
	}
	var spans []span
	noLower, noUpper := 0, 0
	for i, st := range steps {
		f := fmt.Sprintf("%s.steps[%d]", path, i)
		if st.LowerBound == nil && st.UpperBound == nil {
			return &Error{Field: f, Msg: "a step needs a lower or an upper bound"}
		}
		lo, hi := math.Inf(-1), math.Inf(1)
		if st.LowerBound != nil {
			lo = *st.LowerBound
		} else {
			noLower++
		}
		if st.UpperBound != nil {
			hi = *st.UpperBound
		} else {
			noUpper++
		}
		if lo >= hi {
			return &Error{Field: f, Msg: fmt.Sprintf("lowerBound %v is not below upperBound %v", lo, hi)}
		}
		if adjustmentType == ExactCapacity && st.Adjustment < 0 {
			return &Error{Field: f + ".adjustment", Msg: "an exact capacity cannot be negative"}
		}
		spans = append(spans, span{lo, hi, i})
	}
	if noLower > 1 {
		return &Error{Field: path + ".steps", Msg: "at most one step may omit lowerBound"}
	}
	if noUpper > 1 {
		return &Error{Field: path + ".steps", Msg: "at most one step may omit upperBound"}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].lo < spans[j].lo })
	for i := 1; i < len(spans); i++ {
		prev, cur := spans[i-1], spans[i]
		switch {
		case cur.lo < prev.hi:
			return &Error{Field: fmt.Sprintf("%s.steps[%d]", path, cur.i), Msg: fmt.Sprintf("overlaps steps[%d]", prev.i)}
		case cur.lo > prev.hi:
			return &Error{Field: fmt.Sprintf("%s.steps[%d]", path, cur.i), Msg: fmt.Sprintf("leaves a gap after steps[%d] (%v to %v)", prev.i, prev.hi, cur.lo)}
		}
	}
	if spans[0].lo < 0 && !math.IsInf(spans[0].lo, -1) {
		return &Error{Field: path + ".steps", Msg: "steps below the threshold need one without lowerBound"}
	}
	if last := spans[len(spans)-1]; last.hi > 0 && !math.IsInf(last.hi, 1) {
		return &Error{Field: path + ".steps", Msg: "steps above the threshold need one without upperBound"}
	}
	return nil
}

// Budget is a disruption budget: a count, or a percentage of a pool's
// instances.
type Budget struct {
	Count   int
	Percent int
}

// ParseBudget reads "2" or "10%"; "" is the default, one instance.
func ParseBudget(s string) (Budget, error) {
	if s == "" {
		s = DefaultDisruptionBudget
	}
	if p, ok := strings.CutSuffix(s, "%"); ok {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 100 {
			return Budget{}, fmt.Errorf("want a count such as \"2\" or a percentage such as \"10%%\", got %q", s)
		}
		return Budget{Percent: n}, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return Budget{}, fmt.Errorf("want a count such as \"2\" or a percentage such as \"10%%\", got %q", s)
	}
	return Budget{Count: n}, nil
}

// Instances returns how many busy instances the budget allows at once in a
// pool of the given size: the percentage rounded down, at least 1.
func (b Budget) Instances(poolSize int) int {
	if b.Percent > 0 {
		return max(poolSize*b.Percent/100, 1)
	}
	return b.Count
}

// IsEnabled reports whether tandem may write to AWS at all.
func (d *Document) IsEnabled() bool { return d.Enabled == nil || *d.Enabled }

// Cluster returns the configuration of the named cluster.
func (d *Document) Cluster(name string) (*Cluster, bool) {
	for i := range d.Clusters {
		if d.Clusters[i].Name == name {
			return &d.Clusters[i], true
		}
	}
	return nil, false
}

// PlacementOptions returns the estimator's options for the cluster.
func (c *Cluster) PlacementOptions(now time.Time) placement.Options {
	o := placement.Options{
		Surge:           placement.SurgeMode(c.Placement.Surge),
		HeadroomPercent: c.Placement.HeadroomPercent,
		Now:             now,
	}
	if m := c.Placement.NewInstanceMemoryOverhead; m != nil {
		o.MemoryOverhead = &placement.MemoryOverhead{MiB: m.MiB, Percent: m.Percent}
	}
	return o
}

// orDuration returns d, or def when d is unset.
func orDuration(d Duration, def time.Duration) time.Duration {
	if d.Duration == 0 {
		return def
	}
	return d.Duration
}

// ScaleInDelay returns how long a pool must have unneeded capacity.
func (c *Cluster) ScaleInDelay() time.Duration {
	return orDuration(c.ScaleIn.Delay, DefaultScaleInDelay)
}

// MaxDrainTime returns how long an instance may drain.
func (c *Cluster) MaxDrainTime() time.Duration {
	return orDuration(c.ScaleIn.MaxDrainTime, DefaultMaxDrainTime)
}

// HookHeartbeatTimeout returns the lifecycle hook's heartbeat timeout.
func (c *Cluster) HookHeartbeatTimeout() time.Duration {
	return orDuration(c.ScaleIn.HookHeartbeatTimeout, DefaultHookHeartbeatTimeout)
}

// OptOut returns the opt-out tag's key and value ("" matches any value).
func (c *Cluster) OptOut() (key, value string) {
	t := c.ScaleIn.OptOutTag
	if t == "" {
		t = DefaultOptOutTag
	}
	key, value, _ = strings.Cut(t, "=")
	return key, value
}

// Budget returns the disruption budget.
func (c *Cluster) Budget() Budget {
	b, err := ParseBudget(c.ScaleIn.DisruptionBudget)
	if err != nil { // validated at parse time
		return Budget{Count: 1}
	}
	return b
}

// RegistrationTimeoutOrDefault returns the registration timeout.
func (c *Cluster) RegistrationTimeoutOrDefault() time.Duration {
	return orDuration(c.RegistrationTimeout, DefaultRegistrationTimeout)
}
