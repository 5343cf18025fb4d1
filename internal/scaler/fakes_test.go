package scaler

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandem-ecs/tandem/internal/awsread"
	"github.com/tandem-ecs/tandem/internal/config"
	"github.com/tandem-ecs/tandem/internal/snapshot"
	"github.com/tandem-ecs/tandem/internal/state"
)

var _ reader = (*fakeAWS)(nil)
var _ writer = (*fakeAWS)(nil)
var _ store = (*state.Memory)(nil)

// fakeAWS is the cluster as AWS would hold it: reads return it, writes
// change it, and every write is recorded.
type fakeAWS struct {
	mu     sync.Mutex
	snap   *snapshot.Snapshot
	alarms []awsread.Alarm
	read   awsread.Cluster // extras: launch times, conflicts, activities
	calls  []string
	// failNext makes the next call of an operation fail.
	failNext map[string]error
	// readDelay slows reads, to make concurrent invocations overlap.
	readDelay time.Duration
}

func (f *fakeAWS) fail(op string) error {
	if err, ok := f.failNext[op]; ok {
		delete(f.failNext, op)
		return err
	}
	return nil
}

func (f *fakeAWS) Cluster(ctx context.Context, cluster string, pools []string) (*awsread.Cluster, error) {
	time.Sleep(f.readDelay)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail("Cluster"); err != nil {
		return nil, err
	}
	data, _ := json.Marshal(f.snap)
	var copy snapshot.Snapshot
	if err := json.Unmarshal(data, &copy); err != nil {
		return nil, err
	}
	c := f.read
	c.Snapshot = &copy
	return &c, nil
}

func (f *fakeAWS) Alarms(ctx context.Context, names []string) ([]awsread.Alarm, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]awsread.Alarm(nil), f.alarms...), f.fail("Alarms")
}

func (f *fakeAWS) PoolOf(ctx context.Context, instanceID string) (string, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, g := range f.snap.AutoScalingGroups {
		for _, i := range g.Instances {
			if i.InstanceID == instanceID {
				return g.AutoScalingGroupName, true, nil
			}
		}
	}
	return "", false, nil
}

func (f *fakeAWS) record(op string, args ...any) error {
	if err := f.fail(op); err != nil {
		return err
	}
	f.calls = append(f.calls, strings.TrimSpace(op+" "+fmt.Sprint(args...)))
	return nil
}

func (f *fakeAWS) SetDesiredCapacity(ctx context.Context, pool string, desired int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.record("SetDesiredCapacity", pool, " ", desired); err != nil {
		return err
	}
	for i := range f.snap.AutoScalingGroups {
		if f.snap.AutoScalingGroups[i].AutoScalingGroupName == pool {
			f.snap.AutoScalingGroups[i].DesiredCapacity = desired
		}
	}
	return nil
}

func (f *fakeAWS) SetServiceDesiredCount(ctx context.Context, cluster, service string, desired int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.record("UpdateService", service, " ", desired); err != nil {
		return err
	}
	for i := range f.snap.Services {
		if f.snap.Services[i].ServiceName == service {
			// The scheduler starts (or stops) the tasks at once.
			f.snap.Services[i].DesiredCount = desired
			f.snap.Services[i].RunningCount = desired
		}
	}
	return nil
}

func (f *fakeAWS) SetInstancesState(ctx context.Context, cluster string, arns []string, status string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.record("UpdateContainerInstancesState", strings.Join(arns, ","), " ", status); err != nil {
		return err
	}
	for i := range f.snap.ContainerInstances {
		for _, a := range arns {
			if f.snap.ContainerInstances[i].ContainerInstanceARN == a {
				f.snap.ContainerInstances[i].Status = status
			}
		}
	}
	return nil
}

func (f *fakeAWS) TerminateInstance(ctx context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.record("TerminateInstanceInAutoScalingGroup", id); err != nil {
		return err
	}
	for gi := range f.snap.AutoScalingGroups {
		g := &f.snap.AutoScalingGroups[gi]
		for i := range g.Instances {
			if g.Instances[i].InstanceID == id {
				g.Instances = append(g.Instances[:i], g.Instances[i+1:]...)
				g.DesiredCapacity--
				break
			}
		}
	}
	for i := range f.snap.ContainerInstances {
		if f.snap.ContainerInstances[i].EC2InstanceID == id {
			f.snap.ContainerInstances = append(f.snap.ContainerInstances[:i], f.snap.ContainerInstances[i+1:]...)
			break
		}
	}
	return nil
}

func (f *fakeAWS) SetProtection(ctx context.Context, pool string, ids []string, protected bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.record("SetInstanceProtection", pool, " ", strings.Join(ids, ","), " ", protected); err != nil {
		return err
	}
	for gi := range f.snap.AutoScalingGroups {
		for i, inst := range f.snap.AutoScalingGroups[gi].Instances {
			for _, id := range ids {
				if inst.InstanceID == id {
					f.snap.AutoScalingGroups[gi].Instances[i].ProtectedFromScaleIn = protected
				}
			}
		}
	}
	return nil
}

func (f *fakeAWS) CompleteLifecycleAction(ctx context.Context, pool, hook, token, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.record("CompleteLifecycleAction", pool, " ", id)
}

func (f *fakeAWS) RecordHeartbeat(ctx context.Context, pool, hook, token, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.record("RecordLifecycleActionHeartbeat", pool, " ", id)
}

func (f *fakeAWS) PutEvent(ctx context.Context, bus, detailType string, detail any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.record("PutEvents", detailType)
}

func (f *fakeAWS) Publish(ctx context.Context, topic, subject, message string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.record("Publish", subject)
}

func (f *fakeAWS) writes() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// harness is a Scaler over the fakes, its clock, and what it logged.
type harness struct {
	s       *Scaler
	aws     *fakeAWS
	store   *state.Memory
	now     time.Time
	log     *bytes.Buffer
	metrics *bytes.Buffer
	mu      sync.Mutex
}

func newHarness(t *testing.T, cfg string, snap *snapshot.Snapshot) *harness {
	t.Helper()
	doc, err := config.Parse("test config", []byte(cfg))
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	h := &harness{
		aws:     &fakeAWS{snap: snap, failNext: map[string]error{}},
		store:   state.NewMemory(),
		now:     time.Date(2026, 11, 26, 10, 6, 0, 0, time.UTC),
		log:     &bytes.Buffer{},
		metrics: &bytes.Buffer{},
	}
	var logMu sync.Mutex
	h.s = New(Deps{
		Config: doc, Reader: h.aws, Writer: h.aws, Store: h.store,
		Now:     h.clock,
		Log:     slog.New(slog.NewJSONHandler(lockedWriter{&logMu, h.log}, nil)),
		Metrics: lockedWriter{&logMu, h.metrics},
		RequestID: func(ctx context.Context) string {
			if id, ok := ctx.Value(requestIDKey{}).(string); ok {
				return id
			}
			return "req"
		},
	})
	h.s.LockWait = 5 * time.Second
	return h
}

type requestIDKey struct{}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (h *harness) clock() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.now
}

func (h *harness) setNow(t time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.now = t
}

func (h *harness) advance(d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.now = h.now.Add(d)
}

// state returns the saved state of cluster demo.
func (h *harness) state(t *testing.T) *clusterState {
	t.Helper()
	doc, _, err := h.store.Load(t.Context(), "cluster#demo")
	if err != nil {
		t.Fatal(err)
	}
	st, err := decodeState(doc)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// decisions returns the decision log lines.
func (h *harness) decisions(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(h.log.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if m["msg"] == "decision" {
			out = append(out, m)
		}
	}
	return out
}
