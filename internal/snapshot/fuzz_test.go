package snapshot_test

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/tandem-ecs/tandem/internal/placement"
	"github.com/tandem-ecs/tandem/internal/snapshot"
)

// fuzzFile is one file of one base snapshot: the file the fuzzer rewrites.
type fuzzFile struct {
	base, name string
}

// fuzzBases returns every snapshot of testdata/snapshots, and tiny, in
// memory, and the list of their files in a fixed order.
func fuzzBases(tb testing.TB) (map[string]fstest.MapFS, []fuzzFile) {
	tb.Helper()
	bases := map[string]fstest.MapFS{"tiny": tiny()}
	dirs, err := filepath.Glob(filepath.Join(scenariosDir, "*"))
	if err != nil {
		tb.Fatal(err)
	}
	for _, dir := range dirs {
		if info, err := os.Stat(dir); err != nil || !info.IsDir() {
			continue
		}
		fsys := fstest.MapFS{}
		err := fs.WalkDir(os.DirFS(dir), ".", func(name string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(name, ".json") {
				return err
			}
			data, err := os.ReadFile(filepath.Join(dir, name))
			fsys[name] = &fstest.MapFile{Data: data}
			return err
		})
		if err != nil {
			tb.Fatal(err)
		}
		bases[filepath.Base(dir)] = fsys
	}
	var files []fuzzFile
	for _, base := range slices.Sorted(maps.Keys(bases)) {
		for _, name := range slices.Sorted(maps.Keys(bases[base])) {
			files = append(files, fuzzFile{base, name})
		}
	}
	if len(files) == 0 || len(files) > 256 {
		tb.Fatalf("%d seed files: want some, and no more than a byte can pick", len(files))
	}
	return bases, files
}

// FuzzLoad rewrites one file of one snapshot (which picks it) and runs what
// tandem plan runs: Load, Cluster and Estimate. None may panic; Load and
// Cluster fail only with a *snapshot.Error naming the file, and Estimate
// only with an error that points to the snapshot's content.
func FuzzLoad(f *testing.F) {
	bases, files := fuzzBases(f)
	for i, ff := range files {
		f.Add(byte(i), bases[ff.base][ff.name].Data)
	}
	f.Fuzz(func(t *testing.T, which byte, data []byte) {
		ff := files[int(which)%len(files)]
		fsys := maps.Clone(bases[ff.base])
		fsys[ff.name] = &fstest.MapFile{Data: data}

		s, err := snapshot.Load(fsys)
		if err != nil {
			checkSnapshotError(t, err)
			return
		}
		c, err := s.Cluster()
		if err != nil {
			checkSnapshotError(t, err)
			return
		}
		if huge(c) {
			// The estimator does not stop at its deadline while it places
			// one group (TestPlanHugeCountMeetsTheDeadline in
			// internal/cli): millions of tasks take seconds and gigabytes.
			return
		}
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		defer cancel()
		p, err := placement.Estimate(ctx, c, placement.Options{Now: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)})
		if err != nil {
			checkEstimateError(t, err, c)
			return
		}
		checkPlan(t, c, p)
	})
}

// huge reports whether the cluster asks for more tasks and instances than
// the fuzzer can afford to simulate.
func huge(c placement.Cluster) bool {
	const limit = 20000
	tasks := 0
	for _, s := range c.Services {
		tasks = min(tasks+min(max(s.DesiredCount, 0), limit+1), limit+1) // no overflow
	}
	for _, p := range c.Pools {
		if tasks > limit && (p.MaxSize > limit || p.DesiredCapacity > limit) {
			return true
		}
	}
	return false
}

func checkSnapshotError(t *testing.T, err error) {
	t.Helper()
	var se *snapshot.Error
	if !errors.As(err, &se) {
		if !strings.Contains(err.Error(), ".json") {
			t.Fatalf("error %q (%T) is not a *snapshot.Error and names no file", err, err)
		}
		return
	}
	if se.File == "" || se.Err == nil {
		t.Fatalf("error %#v names no file or no cause", se)
	}
}

// checkEstimateError checks that an estimator error is one that points the
// user to the snapshot: a setting tandem cannot model, or a message that
// names a file, or the pool or service at fault.
func checkEstimateError(t *testing.T, err error, c placement.Cluster) {
	t.Helper()
	var ue *placement.UnsupportedError
	if errors.As(err, &ue) {
		return
	}
	msg := err.Error()
	if strings.Contains(msg, ".json") {
		return
	}
	for _, p := range c.Pools {
		if p.Name != "" && (strings.Contains(msg, "pool "+p.Name+" ") || strings.Contains(msg, "pool "+p.Name+": ")) {
			return
		}
	}
	for _, s := range c.Services {
		if s.Name != "" && strings.Contains(msg, "service "+s.Name+": task definition ") {
			// A task definition that has no file (TestClusterMissingTaskDefinition).
			return
		}
	}
	t.Fatalf("Estimate error %q names no file, pool or service of the snapshot", msg)
}

// checkPlan checks what holds of every complete plan.
func checkPlan(t *testing.T, c placement.Cluster, p placement.Plan) {
	t.Helper()
	if _, err := json.Marshal(p); err != nil {
		t.Fatalf("the plan does not encode as JSON: %v", err)
	}
	if p.Partial {
		return
	}
	for _, s := range p.Services {
		if leftToProvider(p, s.Name) {
			// Tasks of a capacity provider without a pool are neither
			// placed nor unplaceable (TestPlanProviderWithoutGroup in
			// internal/cli).
			continue
		}
		if sum := s.OnExisting + s.OnUpcoming + s.OnNew + s.Unplaceable; sum != s.Unplaced {
			t.Fatalf("service %s: existing %d + upcoming %d + new %d + unplaceable %d = %d, want unplaced %d",
				s.Name, s.OnExisting, s.OnUpcoming, s.OnNew, s.Unplaceable, sum, s.Unplaced)
		}
	}
	for _, pp := range p.Pools {
		if pp.NewInstances != pp.DesiredCapacity-pp.CurrentDesiredCapacity {
			t.Fatalf("pool %s: %d new instances, but desired capacity goes %d → %d", pp.Name, pp.NewInstances, pp.CurrentDesiredCapacity, pp.DesiredCapacity)
		}
	}
	for _, u := range p.Unplaceable {
		if u.Count <= 0 || u.Reason == "" {
			t.Fatalf("unplaceable %+v: want a positive count and a reason", u)
		}
	}
}

// leftToProvider reports whether the plan warns that some of the service's
// tasks are left to a capacity provider without a pool.
func leftToProvider(p placement.Plan, service string) bool {
	for _, w := range p.Warnings {
		if strings.HasPrefix(w, "service "+service+": capacity provider ") && strings.Contains(w, "has no pool in the snapshot") {
			return true
		}
	}
	return false
}
