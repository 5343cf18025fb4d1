package scaler

import (
	"fmt"
	"strings"
	"time"

	"github.com/tandem-ecs/tandem/internal/placement"
)

// notice is a notification: an EventBridge event (source "tandem") and,
// when a topic is configured, an SNS message.
type notice struct {
	// Key identifies what the notice is about: the same key stays quiet
	// for the configured repeat interval.
	Key        string `json:"key"`
	DetailType string `json:"detailType"`
	Subject    string `json:"subject"`
	Message    string `json:"-"`
	Detail     any    `json:"-"`
	// Keys are the keys a combined notice marks as sent.
	Keys []string `json:"-"`
	// Once makes the notice go out once, however long its subject lasts:
	// for events that happened, not conditions that hold.
	Once bool `json:"-"`
}

// keys returns the keys the notice marks as sent.
func (n notice) keys() []string {
	if len(n.Keys) > 0 {
		return n.Keys
	}
	return []string{n.Key}
}

// shortage is one unplaceable group in a shortage notice.
type shortage struct {
	Service string `json:"service"`
	Count   int    `json:"count"`
	Reason  string `json:"reason"`
	Detail  string `json:"detail"`
	Advice  string `json:"advice"`
}

// shortageNotices reports tasks that no scaling will place: one notice for
// the cluster listing every shortage, sent when one of them is new or due
// again.
func shortageNotices(in decideInput, plan placement.Plan) []notice {
	if len(plan.Unplaceable) == 0 {
		return nil
	}
	var items []shortage
	var keys []string
	due := false
	for _, u := range plan.Unplaceable {
		key := "shortage:" + u.Service + ":" + string(u.Reason)
		keys = append(keys, key)
		if last, ok := in.State.Notified[key]; !ok || in.Now.Sub(last) >= in.RepeatAfter {
			due = true
		}
		items = append(items, shortage{Service: u.Service, Count: u.Count, Reason: string(u.Reason), Detail: u.Detail, Advice: advice(u.Reason, plan)})
	}
	if !due {
		return nil
	}
	var lines []string
	total := 0
	for _, it := range items {
		total += it.Count
		lines = append(lines, fmt.Sprintf("- %s: %d tasks cannot be placed (%s). %s\n  What to do: %s", it.Service, it.Count, it.Reason, it.Detail, it.Advice))
	}
	return []notice{{
		Key:        keys[0],
		Keys:       keys,
		DetailType: "Tandem Capacity Shortage",
		Subject:    fmt.Sprintf("tandem: %d tasks of cluster %s cannot be placed", total, in.Cluster.Name),
		Message: fmt.Sprintf("Cluster %s has tasks that adding instances will not place:\n%s\n",
			in.Cluster.Name, strings.Join(lines, "\n")),
		Detail: map[string]any{"cluster": in.Cluster.Name, "shortages": items},
	}}
}

// advice says what a person can do about a shortage.
func advice(r placement.Reason, plan placement.Plan) string {
	switch r {
	case placement.ReasonMaxCapacity:
		var at []string
		for _, p := range plan.Pools {
			if p.DesiredCapacity >= p.MaxSize {
				at = append(at, fmt.Sprintf("%s (MaxSize %d)", p.Name, p.MaxSize))
			}
		}
		return "raise the MaxSize of " + orText(strings.Join(at, ", "), "the pools") + ", or lower the service's desired count or maxTasks"
	case placement.ReasonCPU, placement.ReasonMemory, placement.ReasonGPU:
		return "use a bigger instance type in a pool, or make the task smaller"
	case placement.ReasonPorts:
		return "use dynamic host ports (hostPort 0) behind a load balancer, or free the port a daemon takes"
	case placement.ReasonENI:
		return "use an instance type with more network interfaces, or turn on awsvpcTrunking"
	case placement.ReasonConstraint:
		return "fix the placement constraint, or add a pool whose instances satisfy it"
	}
	return "see the detail"
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// oomNotice reports containers killed for lack of memory.
func oomNotice(cluster string, t *TaskChange) notice {
	containers := t.OOMKilled()
	service := strings.TrimPrefix(t.Group, "service:")
	return notice{
		Key:        "oom:" + t.ARN,
		DetailType: "Tandem Task Out Of Memory",
		Subject:    fmt.Sprintf("tandem: %s of %s was killed for memory", strings.Join(containers, ", "), service),
		Message: fmt.Sprintf("In cluster %s, service %s, task definition %s: container %s ran out of memory and was killed (task %s). "+
			"Raise the container's memory limit or fix its memory use; memoryReservation alone does not protect it.",
			cluster, service, t.TaskDefinitionARN, strings.Join(containers, ", "), t.ARN),
		Detail: map[string]any{"cluster": cluster, "service": service, "taskDefinitionArn": t.TaskDefinitionARN,
			"containers": containers, "taskArn": t.ARN, "stoppedReason": t.StoppedReason},
	}
}

// dueNotices keeps the notices not sent within repeatAfter (a Once notice:
// not sent before), and marks them sent in the state.
func dueNotices(all []notice, st *clusterState, now time.Time, repeatAfter time.Duration) []notice {
	var out []notice
	for _, n := range all {
		if len(n.Keys) == 0 {
			if last, ok := st.Notified[n.Key]; ok && (n.Once || now.Sub(last) < repeatAfter) {
				continue
			}
		}
		for _, k := range n.keys() {
			st.Notified[k] = now
		}
		out = append(out, n)
	}
	return out
}
