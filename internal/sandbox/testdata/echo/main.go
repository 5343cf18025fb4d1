// Command echo is a tiny Lambda for the sandbox's RIE tests: it echoes its
// payload, fails with a typed error on request, writes a JSON log line on
// request, and can sleep, to show that one RIE serves one invocation at a
// time. It reports its process, its invocation's request ID, and when the
// handler started and ended (Unix nanoseconds), so that a test can tell
// that two invocations overlapped without timing them from outside.
package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type request struct {
	Echo    json.RawMessage `json:"echo,omitempty"`
	Fail    string          `json:"fail,omitempty"`
	Log     string          `json:"log,omitempty"`
	SleepMS int             `json:"sleepMs,omitempty"`
	// Rendezvous is a directory: the handler leaves a file there, then
	// waits (at most 30 s) until Parties handlers have.
	Rendezvous string `json:"rendezvous,omitempty"`
	Parties    int    `json:"parties,omitempty"`
	Env        string `json:"env,omitempty"`
}

type response struct {
	Echo      json.RawMessage `json:"echo,omitempty"`
	Env       string          `json:"env,omitempty"`
	PID       int             `json:"pid"`
	RequestID string          `json:"requestId"`
	StartNs   int64           `json:"startNs"`
	EndNs     int64           `json:"endNs"`
}

// EchoError is the typed error the handler returns when asked to fail.
type EchoError struct{ Reason string }

func (e *EchoError) Error() string { return "echo failed: " + e.Reason }

func handle(ctx context.Context, req request) (response, error) {
	start := time.Now()
	if req.Log != "" {
		slog.New(slog.NewJSONHandler(os.Stdout, nil)).InfoContext(ctx, "decision", "msg_text", req.Log)
	}
	if req.SleepMS > 0 {
		time.Sleep(time.Duration(req.SleepMS) * time.Millisecond)
	}
	if req.Rendezvous != "" {
		if err := rendezvous(req.Rendezvous, req.Parties); err != nil {
			return response{}, err
		}
	}
	if req.Fail != "" {
		return response{}, &EchoError{Reason: req.Fail}
	}
	res := response{Echo: req.Echo, Env: os.Getenv(req.Env), PID: os.Getpid(), StartNs: start.UnixNano(), EndNs: time.Now().UnixNano()}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		res.RequestID = lc.AwsRequestID
	}
	return res, nil
}

// rendezvous waits until parties handlers have reached dir, or 30 s.
func rendezvous(dir string, parties int) error {
	if err := os.WriteFile(filepath.Join(dir, strconv.Itoa(os.Getpid())), nil, 0o644); err != nil {
		return err
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		if len(entries) >= parties {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}

func main() { lambda.Start(handle) }
