// Package demo plays tandem's story on a local stage, with no AWS account:
// moto stands in for AWS, a harness plays the ECS agent and scheduler, and
// the real scaler Lambda runs under the Lambda Runtime Interface Emulator.
// It prints a timeline (event, decision, AWS calls, cluster state) and a
// summary table. "make demo" runs it through "tandem demo".
package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"

	"github.com/tandem-ecs/tandem/internal/sandbox"
	"github.com/tandem-ecs/tandem/internal/stage"
)

const (
	cluster = "demo"
	pool    = "demo-asg"
)

// config is the scaler's configuration in the demo: the api service
// scales on its CPU alarms; cooldowns last 1 s and scale-in waits 3 s
// instead of minutes, so that the story fits in a minute.
const config = `{
  "clusters": [{
    "name": "demo",
    "pools": [{"name": "demo-asg"}],
    "scaleIn": {"delay": "3s", "disruptionBudget": "1"},
    "cooldowns": {"scaleOut": "1s", "scaleIn": "1s"},
    "services": {
      "api": {"minTasks": 2, "maxTasks": 12, "alarms": {
        "demo-api-cpu-high": {"adjustmentType": "ChangeInCapacity",
          "steps": [{"lowerBound": 0, "upperBound": 20, "adjustment": 1}, {"lowerBound": 20, "adjustment": 3}]},
        "demo-api-cpu-low": {"adjustmentType": "ChangeInCapacity", "steps": [{"upperBound": 0, "adjustment": -4}]}
      }}
    }
  }]
}`

// Options of a demo run.
type Options struct {
	// Bootstrap is a native build of the scaler; built when empty.
	Bootstrap string
}

// Run plays the story and prints it to w.
func Run(ctx context.Context, w io.Writer, opts Options) error {
	start := time.Now()
	p := &printer{w: w, start: start}
	p.title("tandem demo: a local ECS cluster on moto, the scaler Lambda under the emulator, no AWS account")

	moto, err := sandbox.StartMoto(ctx)
	if err != nil {
		return err
	}
	defer moto.Close()
	if opts.Bootstrap == "" {
		dir, err := os.MkdirTemp("", "tandem-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		p.line("build", "the scaler's bootstrap, with the production flags, for this machine")
		if opts.Bootstrap, err = sandbox.BuildBootstrap(ctx, "github.com/tandem-ecs/tandem/functions/scaler", dir); err != nil {
			return err
		}
	}
	st, err := stage.Start(ctx, moto.Endpoint(), opts.Bootstrap, stage.Spec{
		Cluster: cluster,
		Pool:    sandbox.Pool{Name: pool, Cluster: cluster, MinSize: 1, MaxSize: 3, Desired: 1, TerminationHook: "tandem-terminate"},
		Services: []stage.Service{
			{Name: "web", CPU: 256, MemoryMiB: 512, HostPort: 80, Desired: 1},
			{Name: "api", CPU: 1024, MemoryMiB: 3072, HostPort: 0, Desired: 2},
			{Name: "log-agent", CPU: 128, MemoryMiB: 128, HostPort: -1, Daemon: true},
		},
		Config: config,
		Steps:  3,
	})
	if err != nil {
		return err
	}
	defer st.Close()
	d := &director{st: st, p: p, ctx: ctx}
	p.line("setup", "cluster demo, pool demo-asg: c5.xlarge (4096 CPU units, 7482 MiB), 1 to 3 instances")
	p.line("", "services: web (host port 80, 1 task), api (1024 units, 3072 MiB, 2 tasks), log-agent (daemon)")
	if err := d.state(); err != nil {
		return err
	}
	for _, scene := range []func() error{d.deploy, d.burst, d.beyondMax, d.calm} {
		if err := scene(); err != nil {
			return err
		}
	}
	if v := st.SB.Violations(); len(v) > 0 {
		return fmt.Errorf("an instance was terminated while it ran service tasks: %v", v)
	}
	d.summary(time.Since(start))
	return nil
}

// director plays the scenes.
type director struct {
	st    *stage.Stage
	p     *printer
	ctx   context.Context
	calls int
	rows  []row
}

// row is one line of the summary.
type row struct {
	scene, writes, instances, services, notified string
}

// invoke delivers an event to the scaler and prints what it decided and
// wrote.
func (d *director) invoke(label string, payload []byte) error {
	d.p.line("event", label)
	if _, err := d.st.Invoke(d.ctx, payload); err != nil {
		return fmt.Errorf("the scaler failed on %s: %w", label, err)
	}
	dec, err := d.st.Decision(0)
	if err != nil {
		return err
	}
	d.p.decision(dec)
	return d.awsCalls()
}

// awsCalls prints the scaling writes since the last look.
func (d *director) awsCalls() error {
	calls := d.st.SB.Calls()
	first := true
	for _, c := range calls[d.calls:] {
		if c.Service == "dynamodb" || c.Service == "monitoring" {
			continue // state and the demo's own alarm setup
		}
		label := ""
		if first {
			label = "AWS"
			first = false
		}
		d.p.line(label, describeCall(c))
	}
	if first {
		d.p.line("AWS", "no write")
	}
	d.calls = len(calls)
	return nil
}

// steps lets the harness's ECS agent and scheduler act.
func (d *director) steps(n int) error {
	for range n {
		if err := d.st.Step(d.ctx); err != nil {
			return err
		}
	}
	return nil
}

// state prints the cluster as it is now.
func (d *director) state() error {
	inst, svc, err := d.snapshot()
	if err != nil {
		return err
	}
	d.p.line("cluster", inst+" · "+svc)
	return nil
}

func (d *director) snapshot() (instances, services string, err error) {
	out, err := d.st.ASG.DescribeAutoScalingGroups(d.ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{pool}})
	if err != nil || len(out.AutoScalingGroups) == 0 {
		return "", "", fmt.Errorf("describe %s: %w", pool, err)
	}
	g := out.AutoScalingGroups[0]
	instances = fmt.Sprintf("%d instances (desired %d)", len(g.Instances), aws.ToInt32(g.DesiredCapacity))
	if len(g.Instances) == 1 {
		instances = fmt.Sprintf("1 instance (desired %d)", aws.ToInt32(g.DesiredCapacity))
	}
	var parts []string
	for _, name := range []string{"web", "api", "log-agent"} {
		s, ok := d.st.SB.Service(cluster, name)
		if !ok {
			continue
		}
		part := fmt.Sprintf("%s %d/%d", name, s.Running, s.Desired)
		if len(s.Deployments) > 1 {
			part += " (deploying)"
		}
		parts = append(parts, part)
	}
	return instances, strings.Join(parts, " · "), nil
}

func (d *director) record(scene string, from int, notified string) error {
	var ws []string
	for _, c := range d.st.SB.Calls()[from:] {
		switch c.Operation {
		case "SetDesiredCapacity", "UpdateService", "UpdateContainerInstancesState", "TerminateInstanceInAutoScalingGroup", "CompleteLifecycleAction":
			ws = append(ws, c.Operation)
		}
	}
	inst, svc, err := d.snapshot()
	if err != nil {
		return err
	}
	d.rows = append(d.rows, row{scene: scene, writes: countWrites(ws), instances: inst, services: svc, notified: notified})
	return nil
}

func countWrites(ws []string) string {
	if len(ws) == 0 {
		return "-"
	}
	counts := map[string]int{}
	for _, w := range ws {
		counts[w]++
	}
	var keys []string
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		out = append(out, fmt.Sprintf("%s×%d", k, counts[k]))
	}
	return strings.Join(out, ", ")
}

// burst: a CPU alarm wants three more api tasks; there is room for one.
func (d *director) burst() error {
	d.p.scene("2. A CPU alarm bursts the API")
	from := d.calls
	alarm, err := d.st.Alarm(d.ctx, "demo-api-cpu-high", "api", "93.5", 70, "ALARM")
	if err != nil {
		return err
	}
	d.calls = len(d.st.SB.Calls())
	if err := d.invoke("CloudWatch alarm demo-api-cpu-high → ALARM (93.5% against 70%)", alarm); err != nil {
		return err
	}
	if err := d.steps(3); err != nil {
		return err
	}
	d.p.line("", "the new instance registers; ECS places the api tasks")
	if err := d.state(); err != nil {
		return err
	}
	return d.record("CPU alarm bursts the API", from, "-")
}

// deploy: a new web revision needs port 80 on instances that have it
// free, while the old tasks keep theirs.
func (d *director) deploy() error {
	d.p.scene("1. A new web revision deploys on a one-instance cluster (the field report's trap)")
	if err := d.st.Deploy(d.ctx, "web"); err != nil {
		return err
	}
	if err := d.steps(1); err != nil {
		return err
	}
	// The deployment's own calls are not tandem's: count from here on.
	d.calls = len(d.st.SB.Calls())
	from := d.calls
	d.p.line("", "the new task needs host port 80; the old task holds it and may not stop first (minimumHealthyPercent 100)")
	for _, ev := range d.st.SB.TakeEvents() {
		if !strings.Contains(string(ev.JSON()), "SERVICE_DEPLOYMENT_IN_PROGRESS") && !strings.Contains(string(ev.JSON()), "SERVICE_TASK_PLACEMENT_FAILURE") {
			continue
		}
		if err := d.invoke(describeEvent(ev.JSON()), ev.JSON()); err != nil {
			return err
		}
	}
	if err := d.steps(4); err != nil {
		return err
	}
	d.st.SB.TakeEvents()
	d.p.line("", "the surge instance registers; the new task starts there, the old one stops")
	if err := d.state(); err != nil {
		return err
	}
	return d.record("web deploys on port 80", from, "-")
}

// beyondMax: the alarm fires again; the pool is at its maximum.
func (d *director) beyondMax() error {
	d.p.scene("3. A burst beyond the pool's maximum (3 instances)")
	from := d.calls
	time.Sleep(1100 * time.Millisecond) // the scale-out cooldown (1 s in the demo)
	if _, err := d.st.Alarm(d.ctx, "demo-api-cpu-high", "api", "50", 70, "OK"); err != nil {
		return err
	}
	alarm, err := d.st.Alarm(d.ctx, "demo-api-cpu-high", "api", "99", 70, "ALARM")
	if err != nil {
		return err
	}
	d.calls = len(d.st.SB.Calls())
	if err := d.invoke("CloudWatch alarm demo-api-cpu-high → ALARM again (99%)", alarm); err != nil {
		return err
	}
	if err := d.steps(3); err != nil {
		return err
	}
	notes, err := d.st.Notifications(d.ctx)
	if err != nil {
		return err
	}
	notified := "-"
	for _, n := range notes {
		d.p.line("notified", n.DetailType)
		var detail struct {
			Shortages []struct {
				Service, Reason, Advice string
				Count                   int
			}
		}
		if json.Unmarshal(n.Detail, &detail) == nil {
			for _, s := range detail.Shortages {
				d.p.line("", fmt.Sprintf("%d %s tasks: %s. What to do: %s", s.Count, s.Service, s.Reason, s.Advice))
			}
		}
		notified = n.DetailType
	}
	if err := d.state(); err != nil {
		return err
	}
	return d.record("burst beyond the maximum", from, notified)
}

// calm: the load falls, the service shrinks, capacity drains away.
func (d *director) calm() error {
	d.p.scene("4. Demand falls: drain, then terminate")
	from := d.calls
	time.Sleep(1100 * time.Millisecond) // no scale-in within the cooldown after a scale-out
	if _, err := d.st.Alarm(d.ctx, "demo-api-cpu-high", "api", "40", 70, "OK"); err != nil {
		return err
	}
	low, err := d.st.Alarm(d.ctx, "demo-api-cpu-low", "api", "12", 30, "ALARM")
	if err != nil {
		return err
	}
	d.calls = len(d.st.SB.Calls())
	if err := d.invoke("CloudWatch alarm demo-api-cpu-low → ALARM (12% against 30%)", low); err != nil {
		return err
	}
	if err := d.steps(2); err != nil {
		return err
	}
	d.st.SB.TakeEvents()
	if err := d.state(); err != nil {
		return err
	}
	// Each tick sleeps a second, so the scale-in delay (3 s) passes in
	// wall time; a slow machine needs fewer ticks, not more. About ten
	// suffice: a delay, a drain, a termination, twice.
	for tick := 1; ; tick++ {
		time.Sleep(time.Second)
		if err := d.invoke("schedule tick (every minute on AWS, every second here)", d.st.Schedule()); err != nil {
			return err
		}
		if err := d.steps(2); err != nil {
			return err
		}
		d.st.SB.TakeEvents()
		inst, svc, err := d.snapshot()
		if err != nil {
			return err
		}
		d.p.line("cluster", inst+" · "+svc)
		if inst == calmInstances && svc == calmServices {
			break
		}
		if tick == calmTicks {
			return fmt.Errorf("demand falls: after %d schedule ticks the cluster is %s · %s, want %s · %s",
				calmTicks, inst, svc, calmInstances, calmServices)
		}
	}
	return d.record("demand falls", from, "-")
}

// The cluster at the end of the story, and how many schedule ticks it may
// take to get there: about ten on an idle machine, so four times that.
const (
	calmInstances = "1 instance (desired 1)"
	calmServices  = "web 1/1 · api 2/2 · log-agent 1/1"
	calmTicks     = 40
)

func (d *director) summary(took time.Duration) {
	fmt.Fprintln(d.p.w)
	fmt.Fprintln(d.p.w, "Summary")
	tw := tabwriter.NewWriter(d.p.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENE\tTANDEM WROTE\tTHEN\tSERVICES\tNOTIFIED")
	for _, r := range d.rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.scene, r.writes, r.instances, r.services, r.notified)
	}
	tw.Flush()
	fmt.Fprintf(d.p.w, "\nNo instance was terminated while it ran tasks. The demo took %s.\n", took.Round(100*time.Millisecond))
}

// describeCall is a short line for an AWS call: the operation and its
// telling parameters.
func describeCall(c sandbox.Call) string {
	keys := []string{"AutoScalingGroupName", "DesiredCapacity", "service", "desiredCount", "status",
		"InstanceId", "ShouldDecrementDesiredCapacity", "ProtectedFromScaleIn", "DetailType", "Entries.member.1.DetailType", "Entries.0.DetailType"}
	var parts []string
	for _, k := range keys {
		if v, ok := c.Params[k]; ok {
			parts = append(parts, k+"="+v)
		}
	}
	var ids []string
	for i := 1; ; i++ {
		v, ok := c.Params[fmt.Sprintf("InstanceIds.member.%d", i)]
		if !ok {
			break
		}
		ids = append(ids, v)
	}
	for i := 0; ; i++ {
		v, ok := c.Params[fmt.Sprintf("containerInstances.%d", i)]
		if !ok {
			break
		}
		ids = append(ids, v[strings.LastIndex(v, "/")+1:])
	}
	if len(ids) > 0 {
		parts = append(parts, "instances="+strings.Join(ids, ","))
	}
	return c.Operation + " " + strings.Join(parts, " ")
}

// describeEvent names an ECS event for the timeline.
func describeEvent(payload []byte) string {
	var ev struct {
		DetailType string `json:"detail-type"`
		Detail     struct {
			EventName string `json:"eventName"`
			Reason    string `json:"reason"`
		} `json:"detail"`
		Resources []string `json:"resources"`
	}
	if json.Unmarshal(payload, &ev) != nil {
		return "an event"
	}
	what := ev.DetailType + " " + ev.Detail.EventName
	if ev.Detail.Reason != "" {
		what += " (" + ev.Detail.Reason + ")"
	}
	return what
}
