package sandbox

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// MotoInstallHint is the error text when moto_server is not on PATH.
const MotoInstallHint = "moto_server not found on PATH; install it with: pip install 'moto[server]==5.2.1'"

// taskTransition keeps moto's ECS tasks RUNNING. By default moto 5.2.1's
// state manager starts a task RUNNING and moves it one state on every
// DescribeTasks that names it (RUNNING, DEACTIVATING, STOPPING,
// DEPROVISIONING, STOPPED), so a task stops after four reads; "manual"
// progression, advanced only after a million reads, keeps it RUNNING
// (README, deviation 2).
const taskTransition = `{"model_name":"ecs::task","transition":{"progression":"manual","times":1000000}}`

// motoTransport carries every request to moto_server on a connection of its
// own. moto's server can close a kept-alive connection just as a client
// reuses it; the client then reads "connection reset" or "use of closed
// network connection". The code under test makes one attempt per call, so a
// reused connection would turn into a spurious failure under load. Loopback
// connections are cheap.
var motoTransport = func() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DisableKeepAlives = true
	return t
}()

// Moto is a moto_server process listening on 127.0.0.1.
type Moto struct {
	cmd      *exec.Cmd
	endpoint string
	http     *http.Client
	logs     *tailBuffer
	waitOnce sync.Once
	waitErr  error
	done     chan struct{}
}

// StartMoto starts moto_server on a free loopback port, waits until it
// answers, and sets the ECS task state transition so that tasks stay RUNNING.
// The caller must Close it. ctx bounds the start only, not the server's life.
func StartMoto(ctx context.Context) (*Moto, error) {
	path, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, errors.New(MotoInstallHint)
	}
	// Not CommandContext: the server outlives ctx, and Close stops it.
	cmd := exec.Command(path, "-H", "127.0.0.1", "-p", "0")
	cmd.SysProcAttr = childProcAttr()
	cmd.Stdout = io.Discard
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, fmt.Errorf("start moto_server: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start moto_server: %w", err)
	}
	m := &Moto{
		cmd:  cmd,
		http: &http.Client{Transport: motoTransport, Timeout: 30 * time.Second},
		logs: &tailBuffer{max: 64 << 10},
		done: make(chan struct{}),
	}
	go func() { m.wait(); close(m.done) }()

	portc := make(chan string, 1)
	go scanMotoStderr(stderr, m.logs, portc)

	select {
	case m.endpoint = <-portc:
	case <-m.done:
		return nil, fmt.Errorf("start moto_server: exited before listening: %v\n%s", m.waitErr, m.logs)
	case <-ctx.Done():
		m.Close()
		return nil, fmt.Errorf("start moto_server: %w\n%s", ctx.Err(), m.logs)
	}
	if err := m.waitReady(ctx); err != nil {
		m.Close()
		return nil, err
	}
	if err := m.post(ctx, "/moto-api/state-manager/set-transition", taskTransition); err != nil {
		m.Close()
		return nil, fmt.Errorf("set ecs::task transition: %w", err)
	}
	return m, nil
}

var motoListening = regexp.MustCompile(`Running on (http://127\.0\.0\.1:\d+)`)

// scanMotoStderr sends the listening URL once, then keeps draining stderr
// (Werkzeug logs every request there) into a bounded buffer so that moto
// never blocks on a full pipe.
func scanMotoStderr(r io.Reader, logs *tailBuffer, portc chan<- string) {
	sc := bufio.NewScanner(r)
	sent := false
	for sc.Scan() {
		line := sc.Text()
		logs.WriteLine(line)
		if !sent {
			if m := motoListening.FindStringSubmatch(line); m != nil {
				portc <- m[1]
				sent = true
			}
		}
	}
	_, _ = io.Copy(io.Discard, r)
}

func (m *Moto) wait() {
	m.waitOnce.Do(func() { m.waitErr = m.cmd.Wait() })
}

func (m *Moto) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.endpoint+"/moto-api/", nil)
		if err != nil {
			return fmt.Errorf("wait for moto_server: %w", err)
		}
		resp, err := m.http.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("wait for moto_server at %s: not ready after 30s (last error: %v)\n%s", m.endpoint, err, m.logs)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for moto_server: %w", ctx.Err())
		case <-m.done:
			return fmt.Errorf("wait for moto_server: exited: %v\n%s", m.waitErr, m.logs)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Endpoint is moto's own URL, for example http://127.0.0.1:40123. SDK clients
// should talk to a Sandbox's proxy instead (Sandbox.URL).
func (m *Moto) Endpoint() string { return m.endpoint }

// Reset wipes every moto backend. The ECS task transition survives a reset.
func (m *Moto) Reset(ctx context.Context) error {
	if err := m.post(ctx, "/moto-api/reset", ""); err != nil {
		return fmt.Errorf("reset moto: %w", err)
	}
	return nil
}

// TaskTransition returns moto's state-manager transition for ecs::task, as
// JSON, for example {"progression": "manual", "times": 1000000}.
func (m *Moto) TaskTransition(ctx context.Context) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.endpoint+"/moto-api/state-manager/get-transition?model_name=ecs::task", nil)
	if err != nil {
		return "", fmt.Errorf("get ecs::task transition: %w", err)
	}
	resp, err := m.http.Do(req)
	if err != nil {
		return "", fmt.Errorf("get ecs::task transition: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", fmt.Errorf("get ecs::task transition: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("get ecs::task transition: HTTP %d: %s", resp.StatusCode, body)
	}
	return strings.TrimSpace(string(body)), nil
}

func (m *Moto) post(ctx context.Context, path, body string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.endpoint+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := m.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("POST %s: HTTP %d: %s", path, resp.StatusCode, bytes.TrimSpace(msg))
	}
	return nil
}

// PID is the process id of the moto_server process (the leader of its
// process group).
func (m *Moto) PID() int { return m.cmd.Process.Pid }

// Logs returns the tail of moto_server's stderr, for diagnosing failures.
func (m *Moto) Logs() string { return m.logs.String() }

// motoGrace is how long Close waits after SIGTERM before SIGKILL.
const motoGrace = 2 * time.Second

// Close stops moto_server and everything it started: SIGTERM to its process
// group, SIGKILL to what is left after motoGrace, and a wait for the
// server. Its state is in memory only, so nothing is lost either way.
// Calling it twice is fine.
func (m *Moto) Close() error {
	stopGroup(m.cmd.Process.Pid, m.done, motoGrace)
	return nil
}

// stopGroup signals the process group led by pid with SIGTERM, then SIGKILL
// if done has not closed within grace, and waits for done. Once the leader
// is gone it sends SIGKILL to the group anyway, for children that outlive
// it.
func stopGroup(pid int, done <-chan struct{}, grace time.Duration) {
	select {
	case <-done:
		// The leader is gone; make sure no child of it is left.
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		return
	default:
	}
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(grace):
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-done
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL)
}

// tailBuffer keeps the last max bytes written to it, line by line.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (b *tailBuffer) WriteLine(line string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, line...)
	b.buf = append(b.buf, '\n')
	if over := len(b.buf) - b.max; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}
