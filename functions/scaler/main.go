// Command scaler is tandem's scaler Lambda: it reacts to CloudWatch alarms,
// ECS events, Auto Scaling lifecycle actions, spot warnings and a one-minute
// schedule, and scales services and their EC2 Auto Scaling groups together.
// This file only wires the pieces; internal/scaler does the work.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/tandem-ecs/tandem/internal/awsread"
	"github.com/tandem-ecs/tandem/internal/awswrite"
	"github.com/tandem-ecs/tandem/internal/scaler"
	"github.com/tandem-ecs/tandem/internal/state"
)

func main() {
	doc, err := scaler.LoadConfig(os.Getenv)
	if err != nil {
		scaler.Fatal("tandem cannot start: bad configuration", err)
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		scaler.Fatal("tandem cannot start: no AWS configuration", err)
	}
	s := scaler.New(scaler.Deps{
		Config:  doc,
		Reader:  awsread.New(cfg),
		Writer:  awswrite.New(cfg),
		Store:   state.New(cfg, doc.StateTable),
		Log:     slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: scaler.LogLevel(os.Getenv)})),
		Metrics: os.Stdout,
		RequestID: func(ctx context.Context) string {
			if lc, ok := lambdacontext.FromContext(ctx); ok {
				return lc.AwsRequestID
			}
			return ""
		},
	})
	lambda.Start(s.Handle)
}
