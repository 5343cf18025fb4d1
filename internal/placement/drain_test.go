package placement

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

func drained(p Plan) []string {
	var out []string
	for _, d := range p.Drain {
		out = append(out, d.EC2InstanceID)
	}
	slices.Sort(out)
	return out
}

func budget(n int) Options {
	return Options{ScaleIn: ScaleIn{BusyBudget: map[string]int{"pool-a": n}}}
}

func TestDrainRules(t *testing.T) {
	light := func(w *world) (string, string) {
		// Two instances, each with one small task of a movable service.
		a := w.instance("us-east-1a")
		b := w.instance("us-east-1b")
		w.service("api", 2, w.td("api", cpu(256), mem(512)))
		w.run("api", a)
		w.run("api", b)
		return a, b
	}
	tests := []struct {
		name  string
		build func(w *world)
		opts  Options
		want  []string
	}{
		{
			name: "empty instances are drained down to MinSize",
			build: func(w *world) {
				w.pool("pool-a").MinSize = 1
				w.instance("us-east-1a")
				w.instance("us-east-1b")
				w.instance("us-east-1a")
			},
			want: []string{"i-0001", "i-0003"},
		},
		{
			name: "an empty instance that pending tasks need is kept",
			build: func(w *world) {
				w.instance("us-east-1a")
				w.service("api", 1, w.td("api"))
			},
		},
		{
			name: "a scale-out need cancels scale-in",
			build: func(w *world) {
				w.instance("us-east-1a")
				w.instance("us-east-1b")
				w.service("big", 3, w.td("big", cpu(2048), mem(512)))
			},
		},
		{
			name: "only daemons run: the instance is empty",
			build: func(w *world) {
				ci := w.instance("us-east-1a")
				w.service("agent", 1, w.td("agent"), daemonService)
				w.run("agent", ci)
			},
			want: []string{"i-0001"},
		},
		{
			name:  "a busy instance whose tasks fit elsewhere is consolidated, within the budget",
			build: func(w *world) { light(w) },
			opts:  budget(1),
			want:  []string{"i-0001"},
		},
		{
			name:  "no budget, no consolidation",
			build: func(w *world) { light(w) },
		},
		{
			name: "the least used instance goes first",
			build: func(w *world) {
				a, b := light(w)
				_ = a
				w.service("more", 1, w.td("more", cpu(512), mem(512)))
				w.run("more", b)
				w.c.Services[0].DesiredCount = 2
				// i-0001 runs one api task, i-0002 an api and a "more" task.
			},
			opts: budget(1),
			want: []string{"i-0001"},
		},
		{
			name: "tasks that cannot move keep their instance: maximum and minimum at 100",
			build: func(w *world) {
				light(w)
				w.c.Services[0].MaximumPercent = 100
			},
			opts: budget(5),
		},
		{
			name: "ECS rounds the percentages: desired 1 within 125 and 75 can neither start first nor stop first",
			build: func(w *world) {
				a := w.instance("us-east-1a")
				b := w.instance("us-east-1b")
				w.instance("us-east-1b")
				w.service("one", 1, w.td("one", cpu(128), mem(256)), func(s *Service) {
					s.MaximumPercent, s.MinimumHealthyPercent = 125, 75
				})
				w.service("two", 2, w.td("two", cpu(512), mem(1024)))
				w.run("one", a)
				w.run("two", b)
				w.run("two", b)
			},
			// i-0001 is the least used, but its task cannot move: ⌊1 × 1.25⌋
			// is 1 and ⌈1 × 0.75⌉ is 1. i-0002's tasks move to it instead.
			opts: budget(1),
			want: []string{"i-0002", "i-0003"},
		},
		{
			name: "a static host port taken everywhere keeps the instance",
			build: func(w *world) {
				a := w.instance("us-east-1a")
				b := w.instance("us-east-1b")
				w.service("web", 2, w.td("web", hostPort(80)))
				w.run("web", a)
				w.run("web", b)
			},
			opts: budget(5),
		},
		{
			name: "distinctInstance keeps its instances",
			build: func(w *world) {
				a := w.instance("us-east-1a")
				b := w.instance("us-east-1b")
				w.service("ha", 2, w.td("ha"), constraint(Constraint{Type: DistinctInstance}))
				w.run("ha", a)
				w.run("ha", b)
			},
			opts: budget(5),
		},
		{
			name: "a task outside services keeps its instance",
			build: func(w *world) {
				a := w.instance("us-east-1a")
				b := w.instance("us-east-1b")
				w.service("batch", 0, w.td("batch"))
				w.run("batch", a, func(t *Task) { t.Group = "family:batch" })
				w.service("api", 1, w.td("api"))
				w.run("api", b)
			},
			// i-0001 runs a standalone task ECS never moves; i-0002's api
			// task moves to it.
			opts: budget(5),
			want: []string{"i-0002"},
		},
		{
			name: "a service mid-deployment keeps its instances",
			build: func(w *world) {
				light(w)
				w.c.Services[0].Deployments[0].RolloutState = "IN_PROGRESS"
			},
			opts: budget(5),
		},
		{
			name: "the opt-out tag keeps an instance",
			build: func(w *world) {
				w.instance("us-east-1a")
				w.instance("us-east-1b")
			},
			opts: Options{ScaleIn: ScaleIn{Keep: map[string]string{"i-0001": "tag tandem:scale-in=never"}}},
			want: []string{"i-0002"},
		},
		{
			name: "zones stay balanced: the fullest zone loses first",
			build: func(w *world) {
				w.pool("pool-a").MinSize = 2
				w.instance("us-east-1b")
				w.instance("us-east-1a")
				w.instance("us-east-1a")
				w.instance("us-east-1a")
			},
			want: []string{"i-0002", "i-0003"},
		},
		{
			name: "a registered instance the pools' packing leaves unused is empty",
			build: func(w *world) {
				// First-fit puts two s1 tasks on each of two instances and
				// needs a sixth instance for the last s0 task; the kept
				// packing pairs one s0 with one s1 on four instances and
				// stops there, so i-0005 gets no bin at all.
				w.pool("pool-a").MaxSize = 6
				for _, z := range []string{"us-east-1a", "us-east-1b", "us-east-1a", "us-east-1b", "us-east-1a"} {
					w.instance(z)
				}
				w.service("s0", 4, w.td("s0", cpu(1152), mem(1024)))
				w.service("s1", 4, w.td("s1", cpu(512), mem(3840)))
			},
			want: []string{"i-0005"},
		},
		{
			name: "scale-in can be turned off",
			build: func(w *world) {
				w.instance("us-east-1a")
			},
			opts: Options{ScaleIn: ScaleIn{Disabled: true}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld()
			tt.build(w)
			p := w.estimate(t, tt.opts)
			if diff := cmp.Diff(tt.want, drained(p)); diff != "" {
				t.Errorf("drained (-want +got):\n%s\n%+v", diff, p.Drain)
			}
		})
	}
}

func TestMovable(t *testing.T) {
	tests := []struct {
		desired, max, min int
		want              bool
	}{
		{desired: 2, max: 200, min: 100, want: true},  // start first
		{desired: 2, max: 100, min: 50, want: true},   // stop first
		{desired: 2, max: 100, min: 100, want: false}, // neither
		{desired: 1, max: 125, min: 75, want: false},  // ⌊1.25⌋ = 1, ⌈0.75⌉ = 1
		{desired: 1, max: 199, min: 100, want: false}, // ⌊1.99⌋ = 1
		{desired: 1, max: 200, min: 100, want: true},
		{desired: 1, max: 100, min: 0, want: true},
		{desired: 4, max: 125, min: 100, want: true}, // ⌊5⌋ = 5
		{desired: 3, max: 125, min: 100, want: false},
		{desired: 4, max: 100, min: 80, want: false}, // ⌈3.2⌉ = 4
		{desired: 5, max: 100, min: 80, want: true},  // ⌈4⌉ = 4
		{desired: 2, max: 0, min: 100, want: true},   // unset maximumPercent is 200
		// Desired 0: the scheduler stops the tasks; the instance waits for it.
		{desired: 0, max: 200, min: 100, want: false},
	}
	for _, tt := range tests {
		s := &Service{DesiredCount: tt.desired, MaximumPercent: tt.max, MinimumHealthyPercent: tt.min}
		if got := movable(s); got != tt.want {
			t.Errorf("movable(desired %d, maximum %d%%, minimum %d%%) = %v, want %v", tt.desired, tt.max, tt.min, got, tt.want)
		}
	}
}

// Properties of the instances chosen for draining: the pool never goes below
// MinSize, the budget is never exceeded, zones stay balanced, and once the
// chosen instances drain, their tasks find room without a new instance.
func TestPropertyDrains(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := genWorld(t, 2)
		for _, name := range []string{"pool-a", "pool-b"} {
			for i := range w.c.Pools {
				if w.c.Pools[i].Name == name {
					w.c.Pools[i].MinSize = rapid.IntRange(0, 3).Draw(t, name+"Min")
				}
			}
		}
		if rapid.IntRange(0, 9).Draw(t, "satisfied") < 7 {
			// Mostly, the services run what they want: then there is
			// capacity to give back.
			running := map[string]int{}
			for _, tk := range w.c.Tasks {
				running[tk.Group]++
			}
			for i := range w.c.Services {
				s := &w.c.Services[i]
				if s.SchedulingStrategy == Replica {
					s.DesiredCount = running["service:"+s.Name]
					s.Deployments = s.Deployments[len(s.Deployments)-1:]
					s.Deployments[0].Status = "PRIMARY"
					s.Deployments[0].RolloutState = "COMPLETED"
					s.TaskDefinitionARN = s.Deployments[0].TaskDefinitionARN
				}
			}
		}
		b := rapid.IntRange(0, 3).Draw(t, "budget")
		opts := Options{ScaleIn: ScaleIn{BusyBudget: map[string]int{"pool-a": b, "pool-b": b}}}
		p := w.estimateRapid(t, opts)
		byPool := map[string][]Drain{}
		for _, d := range p.Drain {
			byPool[d.AutoScalingGroup] = append(byPool[d.AutoScalingGroup], d)
		}
		busy := map[string]bool{}
		for _, tk := range w.c.Tasks {
			if tk.DesiredStatus == "RUNNING" && tk.Group != "service:agent" {
				busy[tk.ContainerInstanceARN] = true
			}
		}
		for _, pool := range w.c.Pools {
			ds := byPool[pool.Name]
			live, leaving := 0, 0
			zones := map[string]int{}
			for _, inst := range pool.Instances {
				if isLive(inst.LifecycleState) {
					live++
					zones[inst.Zone]++
				}
			}
			for _, ci := range w.c.ContainerInstances {
				if ci.Status == "DRAINING" && slices.ContainsFunc(pool.Instances, func(pi PoolInstance) bool { return pi.ID == ci.EC2InstanceID }) {
					leaving++
				}
			}
			if len(ds) > 0 && live-leaving-len(ds) < pool.MinSize {
				t.Fatalf("pool %s: %d live, %d leaving, %d drained: below MinSize %d", pool.Name, live, leaving, len(ds), pool.MinSize)
			}
			nBusy := 0
			spreadBefore := zoneSpread(zones)
			for _, d := range ds {
				if busy[d.ContainerInstanceARN] {
					nBusy++
				}
				for _, inst := range pool.Instances {
					if inst.ID == d.EC2InstanceID {
						zones[inst.Zone]--
					}
				}
			}
			if nBusy > b {
				t.Fatalf("pool %s: %d busy instances drained, budget %d", pool.Name, nBusy, b)
			}
			if after := zoneSpread(zones); after > 1 && after > spreadBefore {
				t.Fatalf("pool %s: zones %v unbalanced after draining (spread %d, was %d)", pool.Name, zones, after, spreadBefore)
			}
		}
		if len(p.Drain) == 0 {
			return
		}
		before := totalNew(p)
		for i := range w.c.ContainerInstances {
			for _, d := range p.Drain {
				if w.c.ContainerInstances[i].ARN == d.ContainerInstanceARN {
					w.c.ContainerInstances[i].Status = "DRAINING"
				}
			}
		}
		after := w.estimateRapid(t, Options{})
		if totalNew(after) > before {
			t.Fatalf("after draining %v the plan needs %d new instances, before %d:\n%+v", drained(p), totalNew(after), before, after.Pools)
		}
	})
}
