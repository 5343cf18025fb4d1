package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/tandem-ecs/tandem/internal/awsread"
)

// loadAWSConfig loads the SDK's default configuration (environment, shared
// config and credentials files, AWS_ENDPOINT_URL for emulators) and checks
// that it names a region and finds credentials, so that a missing one is
// reported as such rather than as a failed call.
func loadAWSConfig(ctx context.Context) (aws.Config, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return aws.Config{}, errors.New("no AWS region: set AWS_REGION, or a region in the profile AWS_PROFILE names")
	}
	if cfg.Credentials == nil {
		return aws.Config{}, errors.New("no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return aws.Config{}, fmt.Errorf("no AWS credentials (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY): %w", err)
	}
	return cfg, nil
}

// readLive reads a live cluster and its pools (discovered when none are
// named).
func readLive(ctx context.Context, cluster string, pools []string) (*awsread.Cluster, error) {
	cfg, err := loadAWSConfig(ctx)
	if err != nil {
		return nil, err
	}
	// awsread's errors name the cluster and what was being read.
	return awsread.New(cfg).Cluster(ctx, cluster, pools)
}

// defaultReadTimeout bounds the read of a live cluster: a large cluster
// takes seconds, and a read that hangs should not hang the command.
const defaultReadTimeout = 2 * time.Minute

// readLiveWithin is readLive given at most timeout; flag names the flag
// that sets it, for the message when it runs out.
func readLiveWithin(ctx context.Context, timeout time.Duration, flag, cluster string, pools []string) (*awsread.Cluster, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c, err := readLive(ctx, cluster, pools)
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return nil, fmt.Errorf("read cluster %s: gave up after %v (%s): %w", cluster, timeout, flag, err)
	}
	return c, err
}

// namesFlag is a flag that may repeat (--asg a --asg b); a value may also
// list several names separated by commas.
type namesFlag []string

func (f *namesFlag) String() string { return strings.Join(*f, ",") }

func (f *namesFlag) Set(v string) error {
	for _, name := range strings.Split(v, ",") {
		if name = strings.TrimSpace(name); name != "" {
			*f = append(*f, name)
		}
	}
	return nil
}
