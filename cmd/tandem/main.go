// Command tandem is the command-line face of the tandem autoscaler: it plans
// the capacity of an Amazon ECS cluster from a saved snapshot or a live cluster,
// using the same code path as the scaler Lambda minus the writes.
package main

import (
	"os"

	"github.com/tandem-ecs/tandem/internal/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr))
}
