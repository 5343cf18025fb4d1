package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/tandem-ecs/tandem/internal/snapshot"
)

const snapshotUsage = `Usage: tandem snapshot --cluster NAME [--asg NAME ...] --out DIR

Reads a live cluster and writes it as a snapshot folder: the JSON files the
AWS CLI prints for the same calls, which "tandem plan --snapshot DIR" reads
back. Without --asg the Auto Scaling groups are discovered: those of the
cluster's container instances and those behind its capacity providers.

The AWS SDK's usual configuration applies (AWS_PROFILE, AWS_REGION,
credentials, AWS_ENDPOINT_URL for an emulator). Only read calls are made.

--out DIR is replaced as a whole: the files are written to a new folder
beside it (.DIR.tandem-*), which then takes its place, so DIR holds exactly
this snapshot (no file of an earlier one) and a failed write leaves DIR as it
was. DIR may be missing, empty, or an earlier snapshot; if it holds anything
else (a file or folder that is not a snapshot file) tandem refuses and
changes nothing.

Flags:
`

func runSnapshot(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("snapshot", flag.ContinueOnError)
	var (
		cluster, out string
		pools        namesFlag
		timeout      time.Duration
	)
	fs.StringVar(&cluster, "cluster", "", "ECS cluster `name` or ARN to read")
	fs.Var(&pools, "asg", "Auto Scaling group `name` of the cluster (repeat for several); discovered when absent")
	fs.StringVar(&out, "out", "", "`folder` to write the snapshot to: created, or replaced if it holds only an earlier snapshot")
	fs.DurationVar(&timeout, "timeout", defaultReadTimeout, "give up reading after this `duration`")
	if status, done := parseFlags(fs, snapshotUsage, args, stdout, stderr); done {
		return status
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "tandem snapshot: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	if cluster == "" || out == "" {
		fmt.Fprintln(stderr, "tandem snapshot: --cluster and --out are required")
		fs.Usage()
		return 2
	}
	if timeout <= 0 {
		fmt.Fprintf(stderr, "tandem snapshot: --timeout must be a positive duration, such as 2m, not %v\n", timeout)
		return 2
	}
	// Refuse a folder WriteDir would refuse before the read, not after it.
	if err := snapshot.CheckDir(out); err != nil {
		fmt.Fprintf(stderr, "tandem snapshot: %v\n", err)
		return 1
	}
	c, err := readLiveWithin(ctx, timeout, "--timeout", cluster, pools)
	if err != nil {
		fmt.Fprintf(stderr, "tandem snapshot: %v\n", err)
		return 1
	}
	if err := c.Snapshot.WriteDir(out); err != nil {
		fmt.Fprintf(stderr, "tandem snapshot: %v\n", err)
		return 1
	}
	s := c.Snapshot
	fmt.Fprintf(stdout, "Wrote cluster %s to %s: %d services, %d task definitions, %d container instances, %d tasks, %d Auto Scaling groups.\n",
		cluster, out, len(s.Services), len(s.TaskDefinitions), len(s.ContainerInstances), len(s.Tasks), len(s.AutoScalingGroups))
	for _, cf := range c.Conflicts {
		fmt.Fprintf(stdout, "Note: another autoscaler drives %s: %s.\n", cf.Resource, cf.Detail)
	}
	for _, a := range c.Activities {
		fmt.Fprintf(stdout, "Note: scaling activity of %s %s at %s: %s %s\n", a.Pool, a.Status, a.Start.Format(time.RFC3339), a.Description, a.Message)
	}
	return 0
}
