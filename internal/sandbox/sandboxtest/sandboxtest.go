// Package sandboxtest gives a test binary one moto_server and each test a
// fresh Sandbox in front of it: the setup every package that tests against
// moto shares.
//
//	func TestMain(m *testing.M) { sandboxtest.Main(m, "awsread") }
//
//	func TestSomething(t *testing.T) {
//		sb := sandboxtest.New(t) // moto reset, a new proxy, closed with the test
//		...
//	}
//
// Tests that use it must not run in parallel: they share one moto.
package sandboxtest

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/tandem-ecs/tandem/internal/sandbox"
)

// moto is the test binary's moto_server, started by Main.
var moto *sandbox.Moto

// Main starts moto_server, runs the tests, stops it, and exits with the
// tests' status. Without moto_server it fails, never skips: the message
// names the package and says how to install moto.
func Main(m *testing.M, pkg string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	var err error
	moto, err = sandbox.StartMoto(ctx)
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s tests need moto_server: %v\n", pkg, err)
		os.Exit(1)
	}
	code := m.Run()
	moto.Close()
	os.Exit(code)
}

// New resets moto and returns a new Sandbox in front of it, closed when the
// test ends.
func New(tb testing.TB) *sandbox.Sandbox {
	tb.Helper()
	if moto == nil {
		tb.Fatal("sandboxtest.New: call sandboxtest.Main from TestMain")
	}
	ctx := context.Background()
	if err := moto.Reset(ctx); err != nil {
		tb.Fatal(err)
	}
	sb, err := sandbox.New(ctx, moto.Endpoint(), sandbox.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { sb.Close() })
	return sb
}
