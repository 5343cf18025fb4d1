package sandbox

import (
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A moto of its own: start, reset keeps the task transition, close leaves no
// process of its group behind.
func TestMotoStartResetClose(t *testing.T) {
	ctx := t.Context()
	start := time.Now()
	m, err := StartMoto(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	t.Logf("moto_server ready in %v at %s", time.Since(start), m.Endpoint())
	if !strings.HasPrefix(m.Endpoint(), "http://127.0.0.1:") {
		t.Errorf("Endpoint() = %q, want a loopback URL", m.Endpoint())
	}

	start = time.Now()
	if err := m.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("reset in %v", time.Since(start))
	got, err := m.TaskTransition(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, `"times": 1000000`) {
		t.Errorf("ecs::task transition after reset = %s, want times 1000000", got)
	}

	pid := m.PID()
	start = time.Now()
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("closed in %v", time.Since(start))
	if err := syscall.Kill(-pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("after Close, process group %d: kill(0) = %v, want ESRCH (no process left)", pid, err)
	}
	if err := m.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
