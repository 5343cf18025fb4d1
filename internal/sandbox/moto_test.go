package sandbox

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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

// stopGroup asks first: SIGTERM to the whole group, SIGKILL only to what
// is still there after the grace period. The shell traps SIGTERM, notes it
// and carries on, so only SIGKILL ends it.
func TestStopGroupTermsThenKills(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "got-term")
	cmd := exec.Command("sh", "-c", `trap 'echo term > "$MARKER"' TERM; while :; do sleep 0.05; done`)
	cmd.Env = append(os.Environ(), "MARKER="+marker)
	cmd.SysProcAttr = childProcAttr()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	time.Sleep(100 * time.Millisecond) // let the shell set its trap

	start := time.Now()
	stopGroup(cmd.Process.Pid, done, 500*time.Millisecond)
	if took := time.Since(start); took < 500*time.Millisecond {
		t.Errorf("stopGroup returned after %v, before the grace period: the shell ignores SIGTERM", took)
	}
	if got, err := os.ReadFile(marker); err != nil || strings.TrimSpace(string(got)) != "term" {
		t.Errorf("the shell did not get SIGTERM first (marker: %q, %v)", got, err)
	}
	// The shell's last sleep dies with it, but its new parent may reap it
	// only later: a zombie counts as gone. SIGKILL takes effect when the
	// process next runs, so allow a moment on a loaded machine.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		live := liveInGroup(cmd.Process.Pid)
		if len(live) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after stopGroup, processes %v of group %d still run", live, cmd.Process.Pid)
		}
	}
}

// liveInGroup lists the processes of process group pgid that are not
// zombies, from /proc (none where there is no /proc).
func liveInGroup(pgid int) []string {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var live []string
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil {
			continue // gone meanwhile
		}
		// pid (comm) state ppid pgrp ...; comm may hold anything.
		rest := string(b[strings.LastIndexByte(string(b), ')')+1:])
		f := strings.Fields(rest)
		if len(f) >= 3 && f[0] != "Z" && f[2] == strconv.Itoa(pgid) {
			live = append(live, filepath.Base(filepath.Dir(path)))
		}
	}
	return live
}
