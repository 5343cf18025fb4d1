package sandbox

import (
	"context"
	"encoding/json"
	"errors"
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
		Echo map[string]int `json:"echo"`
		Env  string         `json:"env"`
	}
	if err := json.Unmarshal(res.Payload, &got); err != nil {
		t.Fatalf("decode %s: %v", res.Payload, err)
	}
	if got.Echo["n"] != 1 || got.Env != "hello" {
		t.Errorf("payload = %s, want the echo and GREETING=hello", res.Payload)
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

// RIE serves one invocation at a time; two processes serve two at once.
func TestLambdaConcurrentInvokes(t *testing.T) {
	ctx := t.Context()
	lambdas := []*Lambda{startEcho(t, nil), startEcho(t, nil)}
	start := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, len(lambdas))
	pids := make([]int, len(lambdas))
	for i, l := range lambdas {
		wg.Go(func() {
			res, err := l.Invoke(ctx, []byte(`{"sleepMs":700}`))
			if err != nil {
				errs[i] = err
				return
			}
			var got struct{ PID int }
			errs[i] = json.Unmarshal(res.Payload, &got)
			pids[i] = got.PID
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("invoke %d: %v", i, err)
		}
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("two 700 ms invocations took %v, want them to run at once", elapsed)
	}
	if pids[0] == pids[1] {
		t.Errorf("both invocations ran in process %d, want two functions", pids[0])
	}
}
