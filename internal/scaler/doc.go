// Package scaler orchestrates one invocation of the scaler Lambda: decode
// the event, read the cluster, decide (step policies, the placement
// estimator, scale-in), apply the writes, and write one decision log line
// with its metrics. All AWS reads go through one interface and all writes
// through another; the decisions in between are pure.
package scaler
