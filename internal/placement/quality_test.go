package placement

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
)

// The quality benchmark: random mixes of dozens of task shapes (CPU 128 to
// 2048 units, memory 256 to 4096 MiB) onto c5.xlarge-sized instances
// (4096 CPU units, 7482 MiB registered) that are partly filled already.

const (
	c5CPU = 4096
	c5Mem = 7482
)

// mix is one random workload: the cluster, and what first-fit decreasing
// and a lower bound make of it.
type mix struct {
	w          *world
	ffd        int // new instances first-fit decreasing opens
	lowerBound int // new instances no packing can do without
}

// newMix builds a cluster of `instances` c5.xlarge instances, each partly
// filled with small tasks, and `shapes` services with unplaced demand.
func newMix(r *rand.Rand, instances, shapes, maxDesired int) mix {
	w := newWorld()
	w.c.LaunchTemplateVersions[0].InstanceType = "c5.xlarge"
	w.pool("pool-a").MaxSize = 100000
	type bin struct{ cpu, mem int64 }
	var bins []bin
	filler := w.td("filler", cpu(256), mem(512))
	w.service("filler", 0, filler)
	for range instances {
		ci := w.instance("us-east-1a", ofType("c5.xlarge", c5CPU, c5Mem))
		for range r.IntN(9) {
			w.run("filler", ci)
		}
	}
	for _, ci := range w.c.ContainerInstances {
		bins = append(bins, bin{ci.RemainingCPUUnits, ci.RemainingMemoryMiB})
	}
	w.c.Services[0].DesiredCount = len(w.c.Tasks)

	type item struct{ cpu, mem int64 }
	var items []item
	for i := range shapes {
		c := 128 + 64*r.Int64N(31)  // 128 to 2048
		m := 256 + 128*r.Int64N(31) // 256 to 4096
		n := 1 + r.IntN(maxDesired)
		w.service(fmt.Sprintf("s%02d", i), n, w.td(fmt.Sprintf("s%02d", i), cpu(c), mem(m)))
		for range n {
			items = append(items, item{c, m})
		}
	}

	// First-fit decreasing, by the sum of the normalized dimensions, onto
	// the existing instances, then onto new ones.
	sort.SliceStable(items, func(i, j int) bool {
		return float64(items[i].cpu)/c5CPU+float64(items[i].mem)/c5Mem > float64(items[j].cpu)/c5CPU+float64(items[j].mem)/c5Mem
	})
	existing := len(bins)
	var needCPU, needMem, freeCPU, freeMem int64
	for _, b := range bins {
		freeCPU += b.cpu
		freeMem += b.mem
	}
	for _, it := range items {
		needCPU += it.cpu
		needMem += it.mem
		placed := false
		for i := range bins {
			if bins[i].cpu >= it.cpu && bins[i].mem >= it.mem {
				bins[i].cpu -= it.cpu
				bins[i].mem -= it.mem
				placed = true
				break
			}
		}
		if !placed {
			bins = append(bins, bin{c5CPU - it.cpu, c5Mem - it.mem})
		}
	}
	ceil := func(a, b int64) int64 { return (max(a, 0) + b - 1) / b }
	lb := max(ceil(needCPU-freeCPU, c5CPU), ceil(needMem-freeMem, c5Mem))
	return mix{w: w, ffd: len(bins) - existing, lowerBound: int(lb)}
}

func TestQualityAgainstFirstFitDecreasing(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var ours, ffd, lb int
	for i := range 30 {
		m := newMix(r, 50, 24+r.IntN(24), 60)
		p, err := Estimate(context.Background(), m.w.c, Options{})
		if err != nil {
			t.Fatal(err)
		}
		n := poolPlan(t, p, "pool-a").NewInstances
		if n > m.ffd {
			t.Errorf("mix %d: %d new instances, more than first-fit decreasing's %d", i, n, m.ffd)
		}
		if len(p.Unplaceable) > 0 {
			t.Errorf("mix %d: unplaceable tasks %+v", i, p.Unplaceable)
		}
		ours += n
		ffd += m.ffd
		lb += m.lowerBound
	}
	saving := 1 - float64(ours)/float64(ffd)
	t.Logf("30 mixes: tandem %d new instances (%.3f x lower bound), first-fit decreasing %d (%.3f x), lower bound %d; %.1f%% fewer than FFD",
		ours, float64(ours)/float64(lb), ffd, float64(ffd)/float64(lb), lb, 100*saving)
	if saving < 0.05 {
		t.Errorf("tandem opens %d instances, first-fit decreasing %d: %.1f%% fewer, want at least 5%%", ours, ffd, 100*saving)
	}
}

func TestSingleShapeIsExact(t *testing.T) {
	// On one shape the count is exactly ceil(n/k).
	for _, tc := range []struct {
		cpu, mem int64
		n        int
	}{{512, 1024, 37}, {1024, 512, 9}, {100, 3000, 11}, {2048, 7680, 5}, {700, 700, 100}} {
		t.Run(fmt.Sprintf("%dx%d cpu=%d mem=%d", tc.n, 1, tc.cpu, tc.mem), func(t *testing.T) {
			w := newWorld()
			w.pool("pool-a").MaxSize = 1000
			w.service("api", tc.n, w.td("api", cpu(tc.cpu), mem(tc.mem)))
			p := w.estimate(t, Options{MemoryOverhead: &MemoryOverhead{MiB: 512}}) // 8192 - 512 = 7680 MiB
			k := min(m5LargeCPU/tc.cpu, m5LargeMem/tc.mem)
			want := (int64(tc.n) + k - 1) / k
			if got := poolPlan(t, p, "pool-a").NewInstances; int64(got) != want {
				t.Errorf("%d tasks, %d per instance: %d new instances, want %d", tc.n, k, got, want)
			}
		})
	}
}
