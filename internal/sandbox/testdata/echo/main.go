// Command echo is a tiny Lambda for the sandbox's RIE tests: it echoes its
// payload, fails with a typed error on request, writes a JSON log line on
// request, and can sleep, to show that one RIE serves one invocation at a
// time.
package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

type request struct {
	Echo    json.RawMessage `json:"echo,omitempty"`
	Fail    string          `json:"fail,omitempty"`
	Log     string          `json:"log,omitempty"`
	SleepMS int             `json:"sleepMs,omitempty"`
	Env     string          `json:"env,omitempty"`
}

type response struct {
	Echo json.RawMessage `json:"echo,omitempty"`
	Env  string          `json:"env,omitempty"`
	PID  int             `json:"pid"`
}

// EchoError is the typed error the handler returns when asked to fail.
type EchoError struct{ Reason string }

func (e *EchoError) Error() string { return "echo failed: " + e.Reason }

func handle(ctx context.Context, req request) (response, error) {
	if req.Log != "" {
		slog.New(slog.NewJSONHandler(os.Stdout, nil)).InfoContext(ctx, "decision", "msg_text", req.Log)
	}
	if req.SleepMS > 0 {
		time.Sleep(time.Duration(req.SleepMS) * time.Millisecond)
	}
	if req.Fail != "" {
		return response{}, &EchoError{Reason: req.Fail}
	}
	return response{Echo: req.Echo, Env: os.Getenv(req.Env), PID: os.Getpid()}, nil
}

func main() { lambda.Start(handle) }
