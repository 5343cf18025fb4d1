// Package cli implements the tandem command line: it parses arguments, calls
// the packages that do the work, and turns their results into text or JSON.
// It holds no decision logic of its own.
package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
)

// usage is printed by "tandem help" and after a usage error.
const usage = `tandem: an event-driven autoscaler for Amazon ECS on EC2

Usage:
  tandem <command> [flags]

Commands:
  demo      play tandem's story on a local stand-in for AWS (needs moto_server)
  plan      plan a cluster's capacity from a saved snapshot or a live cluster
  snapshot  write a live cluster as a snapshot folder
  version   print the build version
  help      print this help
`

// Run executes the command named by args[0] and returns the process exit
// status: 0 on success, 1 when the command failed, 2 on a usage error.
func Run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	case "demo":
		return runDemo(context.Background(), args[1:], stdout, stderr)
	case "plan":
		return runPlan(context.Background(), args[1:], stdout, stderr)
	case "snapshot":
		return runSnapshot(context.Background(), args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "tandem", version())
		return 0
	default:
		fmt.Fprintf(stderr, "tandem: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}

// version reports the main module version recorded by the Go toolchain, or
// "devel" for a build from a working tree.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok || info.Main.Version == "" || info.Main.Version == "(devel)" {
		return "devel"
	}
	return info.Main.Version
}

// parseFlags parses a command's flags. Help (-h, -help, --help) prints the
// command's usage to stdout with exit status 0, as "tandem help" does; a
// flag error prints the error and the usage to stderr with exit status 2.
// done says the command should return status now. Afterwards fs.Usage
// prints to stderr, for the command's own usage errors.
func parseFlags(fs *flag.FlagSet, usage string, args []string, stdout, stderr io.Writer) (status int, done bool) {
	var msg bytes.Buffer
	fs.SetOutput(&msg)
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.Usage = func() { printUsage(fs, usage, stderr) }
	switch {
	case err == nil:
		return 0, false
	case errors.Is(err, flag.ErrHelp):
		printUsage(fs, usage, stdout)
		return 0, true
	default:
		io.Copy(stderr, &msg)
		fs.Usage()
		return 2, true
	}
}

// printUsage prints a command's usage and its flags to w.
func printUsage(fs *flag.FlagSet, usage string, w io.Writer) {
	fmt.Fprint(w, usage)
	fs.SetOutput(w)
	fs.PrintDefaults()
}
