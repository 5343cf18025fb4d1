package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	// The echo Lambda in testdata imports it; go mod tidy does not look in
	// testdata, so this keeps the requirement in go.mod.
	_ "github.com/aws/aws-lambda-go/lambda"
)

// echoDir holds the echo bootstrap; TestMain removes it.
var echoDir string

// echoBootstrap builds testdata/echo once per test binary.
var echoBootstrap = sync.OnceValues(func() (string, error) {
	var err error
	if echoDir, err = os.MkdirTemp("", "sandbox-echo-"); err != nil {
		return "", err
	}
	return BuildBootstrap(context.Background(), "./testdata/echo", echoDir)
})

func startEcho(t *testing.T, env map[string]string) *Lambda {
	t.Helper()
	bootstrap, err := echoBootstrap()
	if err != nil {
		t.Fatal(err)
	}
	l, err := StartLambda(t.Context(), LambdaConfig{BootstrapPath: bootstrap, Env: env, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func TestLambdaEcho(t *testing.T) {
	l := startEcho(t, map[string]string{"GREETING": "hello"})
	ctx := t.Context()

	res, err := l.Invoke(ctx, []byte(`{"echo":{"n":1},"env":"GREETING","log":"scaled web to 3"}`))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Echo      map[string]int `json:"echo"`
		Env       string         `json:"env"`
		RequestID string         `json:"requestId"`
	}
	if err := json.Unmarshal(res.Payload, &got); err != nil {
		t.Fatalf("decode %s: %v", res.Payload, err)
	}
	if got.Echo["n"] != 1 || got.Env != "hello" {
		t.Errorf("payload = %s, want the echo and GREETING=hello", res.Payload)
	}
	// The function sees the request ID that Invoke chose.
	if res.RequestID == "" || got.RequestID != res.RequestID || l.LastRequestID() != res.RequestID {
		t.Errorf("request IDs: Result %q, function %q, LastRequestID %q; want one and the same", res.RequestID, got.RequestID, l.LastRequestID())
	}

	_, err = l.Invoke(ctx, []byte(`{"fail":"no capacity"}`))
	var fe *FunctionError
	if !errors.As(err, &fe) {
		t.Fatalf("Invoke error = %v, want a *FunctionError", err)
	}
	if fe.Type != "EchoError" || fe.Message != "echo failed: no capacity" {
		t.Errorf("FunctionError = %+v, want Type EchoError, Message %q", fe, "echo failed: no capacity")
	}

	// The function's stdout reaches Logs, one JSON line per log record.
	var line map[string]any
	for _, l := range strings.Split(l.Logs(), "\n") {
		if strings.Contains(l, `"msg":"decision"`) {
			if err := json.Unmarshal([]byte(l[strings.Index(l, "{"):]), &line); err != nil {
				t.Fatalf("decode log line %q: %v", l, err)
			}
		}
	}
	if line["msg_text"] != "scaled web to 3" {
		t.Errorf("decision log line = %v, want msg_text %q; logs:\n%s", line, "scaled web to 3", l.Logs())
	}
}

// RIE serves one invocation at a time; two processes serve two at once. Each
// handler waits (up to 30 s) until the other has started, and reports when
// it ran: if the two ran at once, the intervals overlap, however slowly a
// loaded machine starts them; one after the other, they cannot.
func TestLambdaConcurrentInvokes(t *testing.T) {
	ctx := t.Context()
	lambdas := []*Lambda{startEcho(t, nil), startEcho(t, nil)}
	type report struct {
		PID            int
		StartNs, EndNs int64
	}
	payload, _ := json.Marshal(map[string]any{"rendezvous": t.TempDir(), "parties": len(lambdas)})
	var wg sync.WaitGroup
	errs := make([]error, len(lambdas))
	reports := make([]report, len(lambdas))
	for i, l := range lambdas {
		wg.Go(func() {
			res, err := l.Invoke(ctx, payload)
			if err != nil {
				errs[i] = err
				return
			}
			errs[i] = json.Unmarshal(res.Payload, &reports[i])
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("invoke %d: %v", i, err)
		}
	}
	a, b := reports[0], reports[1]
	if a.StartNs >= b.EndNs || b.StartNs >= a.EndNs {
		t.Errorf("the handlers ran one after the other (%d..%d and %d..%d ns), want them at once", a.StartNs, a.EndNs, b.StartNs, b.EndNs)
	}
	if a.PID == b.PID {
		t.Errorf("both invocations ran in process %d, want two functions", a.PID)
	}
}

// A port another process takes between freePorts and RIE's start makes
// StartLambda try again with new ports: the Runtime API's, which makes RIE
// exit at start-up, or the emulator's, where the other process answers in
// RIE's place.
func TestStartLambdaRetriesTakenPorts(t *testing.T) {
	bootstrap, err := echoBootstrap()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		taken int // which of the two ports
	}{
		{"emulator port", 0},
		{"runtime API port", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			other, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			attempts := 0
			pickPorts = func(ctx context.Context, n int) ([]int, error) {
				attempts++
				ports, err := freePorts(ctx, n)
				if err == nil && attempts == 1 {
					ports[tt.taken] = other.Addr().(*net.TCPAddr).Port
				}
				return ports, err
			}
			defer func() { pickPorts = freePorts }()

			l, err := StartLambda(t.Context(), LambdaConfig{BootstrapPath: bootstrap, Timeout: 10 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			if attempts != 2 {
				t.Errorf("StartLambda chose ports %d times, want 2", attempts)
			}
			if l.URL() == "http://"+other.Addr().String() {
				t.Fatalf("StartLambda returned the other process's address %s", l.URL())
			}
			if _, err := l.Invoke(t.Context(), []byte(`{"echo":1}`)); err != nil {
				t.Errorf("invoke after the retry: %v", err)
			}
		})
	}
}
