package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os/signal"
	"syscall"
	"time"

	"github.com/tandem-ecs/tandem/internal/demo"
)

const demoUsage = `Usage: tandem demo [--bootstrap FILE]

Plays tandem's story with no AWS account: moto_server stands in for AWS, a
harness plays the ECS agent and scheduler, and the scaler Lambda runs under
the Lambda Runtime Interface Emulator (bin/aws-lambda-rie, or $TANDEM_RIE).
Run it from the repository with "make demo", which builds what it needs.

Flags:
`

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	var opts demo.Options
	fs.StringVar(&opts.Bootstrap, "bootstrap", "", "a native build of the scaler `file` (built from the source when empty)")
	if status, done := parseFlags(fs, demoUsage, args, stdout, stderr); done {
		return status
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "tandem demo: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	if err := demo.Run(ctx, stdout, opts); err != nil {
		fmt.Fprintf(stderr, "tandem demo: %v\n", err)
		return 1
	}
	return 0
}
