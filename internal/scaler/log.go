package scaler

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/tandem-ecs/tandem/internal/awsread"
	"github.com/tandem-ecs/tandem/internal/placement"
)

// record is the decision log line: one per invocation, written by Handle.
type record struct {
	RequestID string          `json:"requestId,omitempty"`
	Trigger   Trigger         `json:"trigger"`
	Clusters  []clusterRecord `json:"clusters,omitempty"`
	DryRun    bool            `json:"dryRun"`
	Outcome   string          `json:"outcome"`
	Error     string          `json:"error,omitempty"`
}

// clusterRecord is what one cluster's reconcile read, decided and wrote.
type clusterRecord struct {
	Cluster  string          `json:"cluster"`
	DryRun   bool            `json:"dryRun"`
	Read     readSummary     `json:"read"`
	Services []serviceChange `json:"services,omitempty"`
	Pools    []poolChange    `json:"pools,omitempty"`
	ScaleIn  scaleInWrites   `json:"scaleIn"`
	Plan     planSummary     `json:"plan"`
	Notices  []string        `json:"notices,omitempty"`
	Skipped  []string        `json:"skipped,omitempty"`
	Notes    []string        `json:"notes,omitempty"`
	// Writes are the AWS writes made, in order.
	Writes []string `json:"writes"`

	plan placement.Plan
}

// readSummary counts what was read.
type readSummary struct {
	Services           int `json:"services"`
	TaskDefinitions    int `json:"taskDefinitions"`
	ContainerInstances int `json:"containerInstances"`
	Tasks              int `json:"tasks"`
	Pools              int `json:"pools"`
	Conflicts          int `json:"conflicts,omitempty"`
}

// planSummary is the estimator's answer, in short.
type planSummary struct {
	Pools       []placement.PoolPlan    `json:"pools"`
	Unplaceable []placement.Unplaceable `json:"unplaceable,omitempty"`
	Drain       []placement.Drain       `json:"drain,omitempty"`
	Warnings    []string                `json:"warnings,omitempty"`
	Partial     bool                    `json:"partial,omitempty"`
}

func readCounts(r *awsread.Cluster) readSummary {
	s := r.Snapshot
	return readSummary{Services: len(s.Services), TaskDefinitions: len(s.TaskDefinitions), ContainerInstances: len(s.ContainerInstances),
		Tasks: len(s.Tasks), Pools: len(s.AutoScalingGroups), Conflicts: len(r.Conflicts)}
}

func (cr *clusterRecord) setDecision(d decision) {
	cr.Services, cr.Pools, cr.Skipped, cr.Notes, cr.ScaleIn = d.Services, d.Pools, d.Skipped, d.Notes, d.ScaleIn
	cr.plan = d.Plan
	cr.Plan = planSummary{Pools: d.Plan.Pools, Unplaceable: d.Plan.Unplaceable, Drain: d.Plan.Drain, Warnings: d.Plan.Warnings, Partial: d.Plan.Partial}
	for _, n := range d.Notices {
		cr.Notices = append(cr.Notices, n.DetailType+": "+n.Subject)
	}
	if cr.Writes == nil {
		cr.Writes = []string{}
	}
}

// logDecision writes the decision line and the metrics.
func (s *Scaler) logDecision(ctx context.Context, rec *record, start time.Time) {
	elapsed := s.Now().Sub(start)
	level := slog.LevelInfo
	if rec.Outcome == "error" || rec.Outcome == "malformed" {
		level = slog.LevelError
	}
	s.Log.LogAttrs(ctx, level, "decision",
		slog.String("requestId", rec.RequestID),
		slog.String("outcome", rec.Outcome),
		slog.Any("trigger", rec.Trigger),
		slog.Bool("dryRun", rec.DryRun),
		slog.Any("clusters", rec.Clusters),
		slog.String("error", rec.Error),
		slog.Int64("durationMs", elapsed.Milliseconds()),
	)
	s.emitMetrics(rec, elapsed)
}

// emitMetrics writes CloudWatch Embedded Metric Format documents: per pool
// desired and in-service instances, per service desired, running and
// pending tasks, and per cluster decisions, errors, unplaceable tasks and
// new instances. Namespace Tandem.
func (s *Scaler) emitMetrics(rec *record, elapsed time.Duration) {
	ts := s.Now().UnixMilli()
	doc := func(dims []string, values map[string]any, metrics ...string) {
		var defs []map[string]string
		for _, m := range metrics {
			unit := "Count"
			if m == "DurationMs" {
				unit = "Milliseconds"
			}
			defs = append(defs, map[string]string{"Name": m, "Unit": unit})
		}
		values["_aws"] = map[string]any{
			"Timestamp": ts,
			"CloudWatchMetrics": []map[string]any{{
				"Namespace": "Tandem", "Dimensions": [][]string{dims}, "Metrics": defs,
			}},
		}
		if b, err := json.Marshal(values); err == nil {
			fmt.Fprintln(s.Metrics, string(b))
		}
	}
	errorsCount := 0
	if rec.Outcome == "error" || rec.Outcome == "malformed" {
		errorsCount = 1
	}
	if len(rec.Clusters) == 0 {
		doc([]string{"Cluster"}, map[string]any{"Cluster": "-", "Decisions": 1, "Errors": errorsCount, "DurationMs": elapsed.Milliseconds()},
			"Decisions", "Errors", "DurationMs")
		return
	}
	for _, cr := range rec.Clusters {
		unplaceable, added := 0, 0
		for _, u := range cr.plan.Unplaceable {
			unplaceable += u.Count
		}
		for _, p := range cr.Pools {
			added += p.To - p.From
		}
		doc([]string{"Cluster"}, map[string]any{"Cluster": cr.Cluster, "Decisions": 1, "Errors": errorsCount,
			"UnplaceableTasks": unplaceable, "NewInstances": added, "DurationMs": elapsed.Milliseconds()},
			"Decisions", "Errors", "UnplaceableTasks", "NewInstances", "DurationMs")
		for _, p := range cr.plan.Pools {
			desired := p.CurrentDesiredCapacity
			for _, w := range cr.Pools {
				if w.Pool == p.Name && len(cr.Writes) > 0 {
					desired = w.To
				}
			}
			doc([]string{"Cluster", "AutoScalingGroup"}, map[string]any{"Cluster": cr.Cluster, "AutoScalingGroup": p.Name,
				"DesiredCapacity": desired, "InServiceInstances": p.InService}, "DesiredCapacity", "InServiceInstances")
		}
		for _, sp := range cr.plan.Services {
			desired := sp.DesiredCount
			doc([]string{"Cluster", "Service"}, map[string]any{"Cluster": cr.Cluster, "Service": sp.Name,
				"DesiredTasks": desired, "RunningTasks": sp.Placed, "PendingTasks": sp.Unplaced, "UnplaceableTasks": sp.Unplaceable},
				"DesiredTasks", "RunningTasks", "PendingTasks", "UnplaceableTasks")
		}
	}
}
