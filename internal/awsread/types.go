// Package awsread is a temporary stub of the contract (not committed).
package awsread

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/tandem-ecs/tandem/internal/snapshot"
)

type Reader struct{}

func New(cfg aws.Config) *Reader { return &Reader{} }
func (r *Reader) Cluster(ctx context.Context, cluster string, pools []string) (*Cluster, error) {
	return nil, nil
}
func (r *Reader) Alarms(ctx context.Context, names []string) ([]Alarm, error) { return nil, nil }
func (r *Reader) PoolOf(ctx context.Context, instanceID string) (string, bool, error) {
	return "", false, nil
}

type Cluster struct {
	Snapshot     *snapshot.Snapshot
	LaunchTimes  map[string]time.Time
	InstanceTags map[string]map[string]string
	Activities   []Activity
	Conflicts    []Conflict
}
type Activity struct {
	Pool, ID, Status, Description, Message string
	Start                                  time.Time
}
type Conflict struct{ Kind, Resource, Detail string }
type Alarm struct {
	Name, ARN, State string
	StateTime        time.Time
	Value, Threshold float64
	HasValue         bool
}
