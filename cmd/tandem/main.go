// Command tandem is the command-line face of the tandem autoscaler: it plans
// the capacity of an Amazon ECS cluster from a saved snapshot or a live
// cluster, and writes a live cluster as a snapshot.
//
// "tandem plan" shares with the scaler Lambda the AWS reads
// (internal/awsread, read-only), the model (internal/snapshot), the
// configuration (internal/config: the cluster's pools, placement and
// scale-in options), the estimator (internal/placement, whose drains respect
// the disruption budget and the opt-out tag) and the scale-out safety limits
// (policy.CapNewInstances). It leaves out the rest of a scaler decision:
// alarm step policies on desired counts and their cooldowns, the scale-in
// delay and the drains in flight (kept in the scaler's state), instances
// that never registered, putting drained instances back, skipping pools and
// services another autoscaler drives, notifications, and every write.
package main

import (
	"os"

	"github.com/tandem-ecs/tandem/internal/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr))
}
