package placement

import (
	"context"
	"math/rand/v2"
	"testing"
)

// benchWorld is a cluster of `instances` partly filled c5.xlarge instances
// and `tasks` unplaced tasks of 50 shapes.
func benchWorld(instances, tasks int) *world {
	r := rand.New(rand.NewPCG(7, 11))
	w := newWorld()
	w.c.LaunchTemplateVersions[0].InstanceType = "c5.xlarge"
	w.pool("pool-a").MaxSize = 100000
	w.service("filler", 0, w.td("filler", cpu(256), mem(512)))
	for range instances {
		ci := w.instance("us-east-1a", ofType("c5.xlarge", c5CPU, c5Mem))
		for range r.IntN(9) {
			w.run("filler", ci)
		}
	}
	w.c.Services[0].DesiredCount = len(w.c.Tasks)
	const shapes = 50
	for i := range shapes {
		c := 128 + 64*r.Int64N(31)
		m := 256 + 128*r.Int64N(31)
		n := tasks / shapes
		w.service("svc"+string(rune('A'+i/26))+string(rune('a'+i%26)), n, w.td("td"+string(rune('A'+i/26))+string(rune('a'+i%26)), cpu(c), mem(m)))
	}
	return w
}

func benchmarkEstimate(b *testing.B, instances, tasks int) {
	w := benchWorld(instances, tasks)
	var p Plan
	for b.Loop() {
		var err error
		p, err = Estimate(context.Background(), w.c, Options{})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(p.Pools[0].NewInstances), "new-instances")
}

// 10,000 unplaced tasks onto 1,000 partly filled instances: target 50 ms.
func BenchmarkEstimate10kTasks1kInstances(b *testing.B) { benchmarkEstimate(b, 1000, 10000) }

// 50,000 unplaced tasks onto 5,000 partly filled instances: target 300 ms.
func BenchmarkEstimate50kTasks5kInstances(b *testing.B) { benchmarkEstimate(b, 5000, 50000) }

func TestEstimateStopsAtTheDeadline(t *testing.T) {
	w := benchWorld(200, 2000)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	p, err := Estimate(ctx, w.c, Options{})
	if err != nil {
		t.Fatalf("Estimate with an expired context: %v, want a partial plan", err)
	}
	if !p.Partial {
		t.Errorf("Partial = false, want true when the deadline has passed")
	}
	for _, pp := range p.Pools {
		if pp.DesiredCapacity < pp.CurrentDesiredCapacity {
			t.Errorf("pool %s: desired %d below current %d", pp.Name, pp.DesiredCapacity, pp.CurrentDesiredCapacity)
		}
	}
	full, err := Estimate(t.Context(), w.c, Options{})
	if err != nil || full.Partial {
		t.Fatalf("Estimate without deadline: partial %v, err %v", full.Partial, err)
	}
}
