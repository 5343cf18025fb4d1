package sandbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// RIEHint is the error text when the Runtime Interface Emulator is missing.
const RIEHint = "run make test (it builds bin/aws-lambda-rie), or set TANDEM_RIE to an aws-lambda-rie binary"

// FindRIE returns the aws-lambda-rie binary: $TANDEM_RIE, else
// bin/aws-lambda-rie under the module root (the first directory upwards from
// the working directory that holds go.mod).
func FindRIE() (string, error) {
	if p := os.Getenv("TANDEM_RIE"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("TANDEM_RIE=%s: %w; %s", p, err, RIEHint)
		}
		return p, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find aws-lambda-rie: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(dir, "bin", "aws-lambda-rie")
			if _, err := os.Stat(p); err != nil {
				return "", fmt.Errorf("aws-lambda-rie not found at %s: %s", p, RIEHint)
			}
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("aws-lambda-rie not found (no go.mod above the working directory): %s", RIEHint)
		}
		dir = parent
	}
}

// BuildBootstrap builds the Lambda in package pkgPath (a path relative to the
// working directory, or an import path) to outDir/bootstrap with exactly the
// production flags (CGO_ENABLED=0, -tags lambda.norpc, -trimpath, -ldflags
// "-s -w"), but for this machine's OS and architecture, which is what RIE
// runs. It returns the binary's path.
func BuildBootstrap(ctx context.Context, pkgPath, outDir string) (string, error) {
	out := filepath.Join(outDir, "bootstrap")
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags", "-s -w", "-o", out, pkgPath)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build bootstrap of %s: %w\n%s", pkgPath, err, msg)
	}
	return out, nil
}

// LambdaConfig says what StartLambda runs.
type LambdaConfig struct {
	RIEPath       string // default FindRIE()
	BootstrapPath string // from BuildBootstrap
	// Env is the function's whole environment (plus PATH and HOME): RIE
	// hands its own environment to the function. Sandbox.LambdaEnv has the
	// AWS part.
	Env map[string]string
	// Timeout is the function timeout (AWS_LAMBDA_FUNCTION_TIMEOUT);
	// default 30 s.
	Timeout time.Duration
}

// Lambda is a function running under the Runtime Interface Emulator. RIE
// serves one invocation at a time; start one Lambda per concurrent caller.
type Lambda struct {
	cmd      *exec.Cmd
	url      string
	logs     *lockedBuffer
	done     chan struct{}
	waitErr  error
	http     *http.Client
	closeMux sync.Once

	mu            sync.Mutex
	lastRequestID string
}

// StartLambda runs aws-lambda-rie with the bootstrap on two free loopback
// ports and waits until it accepts connections. The function itself starts
// lazily, on the first Invoke.
//
// The ports are free when chosen but not held (RIE takes addresses, not
// listeners), so another process can take one first. RIE then exits at
// start-up, or, on Linux, the port is seen to be another process's; either
// way StartLambda tries again with new ports, up to startAttempts times.
func StartLambda(ctx context.Context, cfg LambdaConfig) (*Lambda, error) {
	rie := cfg.RIEPath
	if rie == "" {
		var err error
		if rie, err = FindRIE(); err != nil {
			return nil, err
		}
	}
	if _, err := os.Stat(cfg.BootstrapPath); err != nil {
		return nil, fmt.Errorf("start lambda: bootstrap: %w", err)
	}
	bootstrap, err := filepath.Abs(cfg.BootstrapPath)
	if err != nil {
		return nil, fmt.Errorf("start lambda: %w", err)
	}
	var lastErr error
	for range startAttempts {
		ports, err := pickPorts(ctx, 2)
		if err != nil {
			return nil, fmt.Errorf("start lambda: %w", err)
		}
		l, err := startRIE(ctx, rie, bootstrap, cfg, ports)
		if err == nil {
			return l, nil
		}
		var busy *portTakenError
		if !errors.As(err, &busy) {
			return nil, err
		}
		lastErr = err
	}
	return nil, fmt.Errorf("start lambda: %d attempts: %w", startAttempts, lastErr)
}

// startAttempts bounds StartLambda's tries with fresh ports.
const startAttempts = 5

// pickPorts chooses the ports for one attempt; tests replace it.
var pickPorts = freePorts

// portTakenError says RIE could not have its ports: it exited before it
// listened, or another process answers on its address.
type portTakenError struct{ msg string }

func (e *portTakenError) Error() string { return e.msg }

// startRIE starts RIE on ports[0] (the emulator) and ports[1] (the Runtime
// API) and waits until it listens.
func startRIE(ctx context.Context, rie, bootstrap string, cfg LambdaConfig, ports []int) (*Lambda, error) {
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	emulator := "127.0.0.1:" + strconv.Itoa(ports[0])
	cmd := exec.Command(rie,
		"--runtime-interface-emulator-address", emulator,
		"--runtime-api-address", "127.0.0.1:"+strconv.Itoa(ports[1]),
		bootstrap)
	cmd.SysProcAttr = childProcAttr()
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"AWS_LAMBDA_FUNCTION_TIMEOUT=" + strconv.Itoa(int((timeout+time.Second-1)/time.Second))}
	for k, v := range cfg.Env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	l := &Lambda{
		cmd: cmd, url: "http://" + emulator, logs: &lockedBuffer{}, done: make(chan struct{}),
		http: &http.Client{Timeout: timeout + 30*time.Second},
	}
	cmd.Stdout, cmd.Stderr = l.logs, l.logs
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", rie, err)
	}
	go func() { l.waitErr = cmd.Wait(); close(l.done) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", emulator)
		if err == nil {
			conn.Close()
			// Something listens; make sure it is RIE.
			if mine, known := listensOn(cmd.Process.Pid, ports[0]); known && !mine {
				l.Close()
				return nil, &portTakenError{fmt.Sprintf("another process listens on %s\n%s", emulator, l.logs)}
			}
			return l, nil
		}
		select {
		case <-l.done:
			return nil, &portTakenError{fmt.Sprintf("aws-lambda-rie exited at start-up (ports %d, %d): %v\n%s", ports[0], ports[1], l.waitErr, l.logs)}
		case <-ctx.Done():
			l.Close()
			return nil, fmt.Errorf("start lambda: %w", ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			l.Close()
			return nil, fmt.Errorf("start lambda: aws-lambda-rie not listening on %s after 10s\n%s", emulator, l.logs)
		}
	}
}

// freePorts returns n loopback ports that were free a moment ago.
func freePorts(ctx context.Context, n int) ([]int, error) {
	var lc net.ListenConfig
	var ports []int
	for range n {
		l, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// URL is the emulator's address; invocations go to
// URL()+"/2015-03-31/functions/function/invocations".
func (l *Lambda) URL() string { return l.url }

// Result is a successful invocation's answer.
type Result struct {
	Payload  []byte
	Duration time.Duration
	// RequestID is the invocation's request ID, which the function sees
	// (lambdacontext's AwsRequestID) and logs.
	RequestID string
}

// FunctionError is an error the handler returned. RIE answers it with HTTP
// 200 and {"errorMessage","errorType"} (and no X-Amz-Function-Error header);
// Type is the handler error's Go type name, as aws-lambda-go reports it.
type FunctionError struct {
	Type    string
	Message string
}

func (e *FunctionError) Error() string { return e.Type + ": " + e.Message }

// Invoke sends payload to the function and waits for its answer. A handler
// error comes back as a *FunctionError. Each invocation gets a new request
// ID (RIE takes it from the X-Amzn-RequestId header), which Result and
// LastRequestID report, so that its log lines can be told from earlier ones.
func (l *Lambda) Invoke(ctx context.Context, payload []byte) (Result, error) {
	start := time.Now()
	id := newRequestID()
	l.mu.Lock()
	l.lastRequestID = id
	l.mu.Unlock()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.url+"/2015-03-31/functions/function/invocations", bytes.NewReader(payload))
	if err != nil {
		return Result{}, fmt.Errorf("invoke: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Amzn-RequestId", id)
	resp, err := l.http.Do(req)
	if err != nil {
		return Result{}, fmt.Errorf("invoke: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return Result{}, fmt.Errorf("invoke: read answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return Result{}, fmt.Errorf("invoke: HTTP %d: %s", resp.StatusCode, bytes.TrimSpace(body))
	}
	var fe struct {
		ErrorType    *string `json:"errorType"`
		ErrorMessage *string `json:"errorMessage"`
	}
	if json.Unmarshal(body, &fe) == nil && fe.ErrorType != nil && fe.ErrorMessage != nil {
		return Result{}, &FunctionError{Type: *fe.ErrorType, Message: *fe.ErrorMessage}
	}
	return Result{Payload: body, Duration: time.Since(start), RequestID: id}, nil
}

// LastRequestID is the request ID of the latest Invoke, "" before the first.
func (l *Lambda) LastRequestID() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lastRequestID
}

// newRequestID returns a random version 4 UUID, as Lambda's request IDs are.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// Logs returns everything RIE printed so far, which includes the function's
// stdout and stderr.
func (l *Lambda) Logs() string { return l.logs.String() }

// Close stops RIE and the function (SIGTERM, then SIGKILL after 2 s).
func (l *Lambda) Close() error {
	// RIE's exit status after a signal says nothing useful.
	l.closeMux.Do(func() { stopGroup(l.cmd.Process.Pid, l.done, 2*time.Second) })
	return nil
}

// lockedBuffer is a bytes.Buffer safe for a writer and concurrent readers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
