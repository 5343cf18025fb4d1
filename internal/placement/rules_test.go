package placement

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// ruleCase is one named ECS rule the estimator models: a cluster, and what
// the plan must say about it.
type ruleCase struct {
	name  string
	build func(w *world)
	opts  Options
	// newInstances by pool; pools not listed must add none.
	newInstances map[string]int
	// unplaced demand by service (services not listed: not checked).
	unplaced map[string]int
	// reasons of unplaceable groups as service:count:reason.
	reasons []string
	check   func(t *testing.T, p Plan)
}

func runRules(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld()
			tc.build(w)
			p := w.estimate(t, tc.opts)
			gotNew := map[string]int{}
			for _, pp := range p.Pools {
				if pp.NewInstances != 0 {
					gotNew[pp.Name] = pp.NewInstances
				}
			}
			want := tc.newInstances
			if want == nil {
				want = map[string]int{}
			}
			if diff := cmp.Diff(want, gotNew); diff != "" {
				t.Errorf("new instances by pool (-want +got):\n%s\npools: %+v", diff, p.Pools)
			}
			for svc, n := range tc.unplaced {
				if got := servicePlan(t, p, svc).Unplaced; got != n {
					t.Errorf("service %s: unplaced = %d, want %d", svc, got, n)
				}
			}
			if diff := cmp.Diff(tc.reasons, reasons(p)); diff != "" {
				t.Errorf("unplaceable (-want +got):\n%s\n%+v", diff, p.Unplaceable)
			}
			for _, sp := range p.Services {
				if sum := sp.OnExisting + sp.OnUpcoming + sp.OnNew + sp.Unplaceable; sum != sp.Unplaced {
					t.Errorf("service %s: existing %d + upcoming %d + new %d + unplaceable %d = %d, want unplaced %d",
						sp.Name, sp.OnExisting, sp.OnUpcoming, sp.OnNew, sp.Unplaceable, sum, sp.Unplaced)
				}
			}
			if tc.check != nil {
				tc.check(t, p)
			}
		})
	}
}

func TestDemandRules(t *testing.T) {
	runRules(t, []ruleCase{
		{
			name: "a task counts as placed when it should run on an ACTIVE instance",
			build: func(w *world) {
				td := w.td("api")
				w.service("api", 3, td)
				ci := w.instance("us-east-1a")
				w.run("api", ci)
				w.run("api", ci)
				w.run("api", ci, func(t *Task) { t.DesiredStatus = "STOPPED" })
			},
			unplaced: map[string]int{"api": 1},
			check: func(t *testing.T, p Plan) {
				if got := servicePlan(t, p, "api").Placed; got != 2 {
					t.Errorf("placed = %d, want 2: a task whose desired status is STOPPED is not placed", got)
				}
			},
		},
		{
			name: "tasks on a disconnected agent count as placed and its instance offers nothing",
			build: func(w *world) {
				td := w.td("api", cpu(1024), mem(1024))
				w.service("api", 3, td)
				ci := w.instance("us-east-1a", disconnected)
				w.run("api", ci)
			},
			unplaced:     map[string]int{"api": 2},
			newInstances: map[string]int{"pool-a": 1},
			check: func(t *testing.T, p Plan) {
				if sp := servicePlan(t, p, "api"); sp.Placed != 1 || sp.OnExisting != 0 {
					t.Errorf("placed %d, on existing %d; want 1 placed and nothing more on the disconnected instance", sp.Placed, sp.OnExisting)
				}
			},
		},
		{
			name: "tasks on a DRAINING instance need replacements elsewhere",
			build: func(w *world) {
				td := w.td("api", cpu(1024), mem(1024))
				w.service("api", 2, td)
				ci := w.instance("us-east-1a", draining)
				w.run("api", ci)
				w.run("api", ci)
			},
			unplaced:     map[string]int{"api": 2},
			newInstances: map[string]int{"pool-a": 1},
			check: func(t *testing.T, p Plan) {
				pp := poolPlan(t, p, "pool-a")
				if pp.Leaving != 1 || pp.InService != 0 {
					t.Errorf("leaving %d, in service %d; want the draining instance leaving", pp.Leaving, pp.InService)
				}
			},
		},
		{
			name: "PROVISIONING tasks without an instance are unplaced",
			build: func(w *world) {
				td := w.td("api")
				w.service("api", 2, td)
				w.run("api", "")
				w.run("api", "")
			},
			unplaced:     map[string]int{"api": 2},
			newInstances: map[string]int{"pool-a": 1},
		},
		{
			name: "tasks belong to the service by group and to deployments by startedBy",
			build: func(w *world) {
				old := w.td("web")
				w.service("web", 2, old)
				ci := w.instance("us-east-1a")
				w.run("web", ci)
				w.run("web", ci)
				w.deploy("web", w.td("web-v2"))
				// A task of another group does not count.
				w.service("other", 0, old)
				w.run("other", ci)
			},
			// desired 2, max 200%: min(2 - 0 primary, 4 - 2 placed) = 2.
			unplaced: map[string]int{"web": 2},
		},
		{
			name: "a task matching no deployment counts for the PRIMARY one",
			build: func(w *world) {
				td := w.td("web")
				w.service("web", 2, td)
				ci := w.instance("us-east-1a")
				w.run("web", ci, startedBy("someone"))
				w.run("web", ci)
			},
			unplaced: map[string]int{"web": 0},
		},
		{
			name: "DAEMON services are not demand",
			build: func(w *world) {
				w.service("agent", 5, w.td("agent"), daemonService)
			},
		},
		{
			name: "CODE_DEPLOY services are skipped with a warning",
			build: func(w *world) {
				w.service("blue", 5, w.td("blue"), func(s *Service) { s.DeploymentController = "CODE_DEPLOY" })
			},
			check: func(t *testing.T, p Plan) {
				if len(p.Services) != 0 || !strings.Contains(strings.Join(p.Warnings, "\n"), "CODE_DEPLOY") {
					t.Errorf("services %+v, warnings %q; want the service skipped with a warning", p.Services, p.Warnings)
				}
			},
		},
		{
			name: "EXTERNAL deployment controllers and Fargate services are skipped",
			build: func(w *world) {
				w.service("ext", 5, w.td("ext"), func(s *Service) { s.DeploymentController = "EXTERNAL" })
				w.service("far", 5, w.td("far"), func(s *Service) { s.LaunchType = "FARGATE" })
			},
			check: func(t *testing.T, p Plan) {
				if len(p.Services) != 0 || len(p.Warnings) != 2 {
					t.Errorf("services %+v, warnings %q; want both skipped with a warning each", p.Services, p.Warnings)
				}
			},
		},
	})
}

func TestShape(t *testing.T) {
	tests := []struct {
		name string
		td   TaskDefinition
		want Shape
	}{
		{
			name: "task-level cpu and memory win over the containers'",
			td: TaskDefinition{CPUUnits: 1024, MemoryMiB: 2048, Containers: []ContainerDefinition{
				{CPUUnits: 128, MemoryMiB: 256}, {CPUUnits: 128, MemoryMiB: 256}}},
			want: Shape{CPUUnits: 1024, MemoryMiB: 2048},
		},
		{
			name: "containers add up, memoryReservation before memory",
			td: TaskDefinition{Containers: []ContainerDefinition{
				{CPUUnits: 256, MemoryMiB: 1024, MemoryReservationMiB: 512},
				{CPUUnits: 128, MemoryMiB: 300}}},
			want: Shape{CPUUnits: 384, MemoryMiB: 812},
		},
		{
			name: "bridge: hostPort above zero is static, 0 or absent is dynamic",
			td: TaskDefinition{NetworkMode: Bridge, Containers: []ContainerDefinition{{PortMappings: []PortMapping{
				{ContainerPort: 80, HostPort: 80}, {ContainerPort: 8080, HostPort: 0}, {ContainerPort: 9090}}}}},
			want: Shape{PortsTCP: []int{80}},
		},
		{
			name: "an unset network mode is bridge",
			td:   TaskDefinition{Containers: []ContainerDefinition{{PortMappings: []PortMapping{{ContainerPort: 80, HostPort: 8000}}}}},
			want: Shape{PortsTCP: []int{8000}},
		},
		{
			name: "host mode takes the container port",
			td: TaskDefinition{NetworkMode: Host, Containers: []ContainerDefinition{{PortMappings: []PortMapping{
				{ContainerPort: 443}, {ContainerPort: 80, HostPort: 80}}}}},
			want: Shape{PortsTCP: []int{80, 443}},
		},
		{
			name: "TCP and UDP are separate sets",
			td: TaskDefinition{Containers: []ContainerDefinition{{PortMappings: []PortMapping{
				{ContainerPort: 53, HostPort: 53, Protocol: UDP}, {ContainerPort: 53, HostPort: 53, Protocol: TCP}}}}},
			want: Shape{PortsTCP: []int{53}, PortsUDP: []int{53}},
		},
		{
			name: "awsvpc takes an ENI and no host port",
			td: TaskDefinition{NetworkMode: AWSVPC, Containers: []ContainerDefinition{{CPUUnits: 256, MemoryMiB: 512, PortMappings: []PortMapping{
				{ContainerPort: 80, HostPort: 80}}}}},
			want: Shape{CPUUnits: 256, MemoryMiB: 512, ENIs: 1},
		},
		{
			name: "GPUs add up over containers",
			td:   TaskDefinition{Containers: []ContainerDefinition{{GPUs: 1}, {GPUs: 2}}},
			want: Shape{GPUs: 3},
		},
		{
			name: "the same static port in two containers is one port",
			td: TaskDefinition{Containers: []ContainerDefinition{
				{PortMappings: []PortMapping{{ContainerPort: 80, HostPort: 80}}},
				{PortMappings: []PortMapping{{ContainerPort: 80, HostPort: 80}}}}},
			want: Shape{PortsTCP: []int{80}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.td.Shape()); diff != "" {
				t.Errorf("Shape() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResourceRules(t *testing.T) {
	runRules(t, []ruleCase{
		{
			name: "static host port forces one task per instance",
			build: func(w *world) {
				td := w.td("web", hostPort(80))
				w.service("web", 4, td)
				w.instance("us-east-1a")
			},
			newInstances: map[string]int{"pool-a": 3},
		},
		{
			name: "dynamic host ports never conflict",
			build: func(w *world) {
				td := w.td("api", func(td *TaskDefinition) {
					td.Containers[0].PortMappings = []PortMapping{{ContainerPort: 8080}}
				})
				w.service("api", 4, td)
				w.instance("us-east-1a")
			},
		},
		{
			name: "PORTS lists the ports taken, not the free ones",
			build: func(w *world) {
				td := w.td("web", hostPort(8080))
				w.service("web", 1, td)
				w.instance("us-east-1a", func(ci *ContainerInstance, _ *PoolInstance) { ci.PortsTCP = append(ci.PortsTCP, 8080) })
			},
			newInstances: map[string]int{"pool-a": 1},
		},
		{
			name: "awsvpc tasks take ENIs up to MaximumNetworkInterfaces - 1",
			build: func(w *world) {
				td := w.td("vpc", network(AWSVPC))
				w.service("vpc", 5, td)
				w.instance("us-east-1a")
			},
			// An m5.large has 3 interfaces: 2 tasks per instance.
			newInstances: map[string]int{"pool-a": 2},
		},
		{
			name: "ENI trunking uses the per-type limit of container-instance-eni.md",
			build: func(w *world) {
				td := w.td("vpc", network(AWSVPC), cpu(64), mem(128))
				w.service("vpc", 10, td)
				w.instance("us-east-1a", withAttr("ecs.awsvpc-trunk-id", "eni-trunk"))
			},
			// An m5.large with trunking runs 10 awsvpc tasks.
		},
		{
			name: "GPUs are a count",
			build: func(w *world) {
				w.addPool("gpu", "g4dn.xlarge", 0, 10)
				td := w.td("ml", gpus(1), cpu(1024), mem(2048))
				w.service("ml", 3, td)
			},
			newInstances: map[string]int{"gpu": 3},
		},
		{
			name: "remaining resources of ACTIVE connected instances take tasks",
			build: func(w *world) {
				td := w.td("api", cpu(512), mem(1024))
				w.service("api", 6, td)
				ci := w.instance("us-east-1a")
				w.run("api", ci)
				w.run("api", ci)
			},
			// 2048 CPU units take 4 tasks; 2 run, 2 more fit; 2 need a new instance.
			newInstances: map[string]int{"pool-a": 1},
			check: func(t *testing.T, p Plan) {
				if sp := servicePlan(t, p, "api"); sp.OnExisting != 2 || sp.OnNew != 2 {
					t.Errorf("on existing %d, on new %d; want 2 and 2", sp.OnExisting, sp.OnNew)
				}
			},
		},
		{
			name: "requiresAttributes behave like exists constraints",
			build: func(w *world) {
				td := w.td("needs", requires("stack"))
				w.service("needs", 1, td)
				w.instance("us-east-1a")
			},
			reasons: []string{"needs:1:CONSTRAINT"},
		},
		{
			name: "a required agent capability is assumed on pools without registered instances",
			build: func(w *world) {
				td := w.td("needs", requires("com.amazonaws.ecs.capability.docker-remote-api.1.44"))
				w.service("needs", 1, td)
			},
			newInstances: map[string]int{"pool-a": 1},
		},
		{
			name: "a required agent capability the pool's instances lack is not assumed",
			build: func(w *world) {
				td := w.td("needs", requires("com.amazonaws.ecs.capability.docker-remote-api.1.99"))
				w.service("needs", 1, td)
				w.instance("us-east-1a", func(ci *ContainerInstance, _ *PoolInstance) { ci.RemainingCPUUnits = 0 })
			},
			reasons: []string{"needs:1:CONSTRAINT"},
		},
	})
}

func TestSupplyRules(t *testing.T) {
	runRules(t, []ruleCase{
		{
			name: "a DRAINING instance offers nothing",
			build: func(w *world) {
				w.service("api", 1, w.td("api"))
				w.instance("us-east-1a", draining)
			},
			newInstances: map[string]int{"pool-a": 1},
		},
		{
			name: "a pending Auto Scaling instance counts as empty capacity",
			build: func(w *world) {
				w.service("api", 4, w.td("api", cpu(1024), mem(1024)))
				w.upcoming("us-east-1a", "Pending")
				w.upcoming("us-east-1b", "Pending:Wait")
			},
			check: func(t *testing.T, p Plan) {
				if sp := servicePlan(t, p, "api"); sp.OnUpcoming != 4 {
					t.Errorf("on upcoming = %d, want 4", sp.OnUpcoming)
				}
			},
		},
		{
			name: "an InService instance without a container instance is upcoming",
			build: func(w *world) {
				w.service("api", 2, w.td("api", cpu(1024), mem(1024)))
				w.upcoming("us-east-1a", "InService")
			},
		},
		{
			name: "desired capacity without instances is upcoming",
			build: func(w *world) {
				w.service("api", 4, w.td("api", cpu(1024), mem(1024)))
				w.pool("pool-a").DesiredCapacity = 2
			},
			check: func(t *testing.T, p Plan) {
				pp := poolPlan(t, p, "pool-a")
				if pp.DesiredCapacity != 2 || pp.Upcoming != 2 {
					t.Errorf("desired %d, upcoming %d; want 2 and 2", pp.DesiredCapacity, pp.Upcoming)
				}
			},
		},
		{
			name: "terminating instances are not capacity",
			build: func(w *world) {
				w.service("api", 2, w.td("api", cpu(1024), mem(1024)))
				w.upcoming("us-east-1a", "Terminating:Wait")
				w.pool("pool-a").DesiredCapacity = 0
			},
			newInstances: map[string]int{"pool-a": 1},
		},
		{
			name: "upcoming capacity is charged the daemons' footprint",
			build: func(w *world) {
				w.service("agent", 1, w.td("agent", cpu(1024), mem(512)), daemonService)
				w.service("api", 2, w.td("api", cpu(1024), mem(1024)))
				w.upcoming("us-east-1a", "Pending")
			},
			// 2048 - 1024 for the daemon leaves room for one api task.
			newInstances: map[string]int{"pool-a": 1},
		},
		{
			name: "an ignored instance that never registered stops counting",
			opts: Options{IgnoreInstances: map[string]string{"i-0001": "launched 15m ago and never registered"}},
			build: func(w *world) {
				w.service("api", 2, w.td("api", cpu(1024), mem(1024)))
				w.upcoming("us-east-1a", "InService")
			},
			newInstances: map[string]int{"pool-a": 1},
			check: func(t *testing.T, p Plan) {
				if !strings.Contains(strings.Join(p.Warnings, "\n"), "never registered") {
					t.Errorf("warnings %q: want the ignored instance reported", p.Warnings)
				}
			},
		},
	})
}

func TestNewInstanceRules(t *testing.T) {
	runRules(t, []ruleCase{
		{
			name: "the launch template's $Latest version gives the type",
			build: func(w *world) {
				w.c.LaunchTemplateVersions = append(w.c.LaunchTemplateVersions,
					LaunchTemplateVersion{TemplateID: "lt-pool-a", VersionNumber: 2, InstanceType: "m5.xlarge"})
				w.service("api", 3, w.td("api", cpu(1024), mem(1024)))
			},
			newInstances: map[string]int{"pool-a": 1},
			check: func(t *testing.T, p Plan) {
				if got := poolPlan(t, p, "pool-a").InstanceType; got != "m5.xlarge" {
					t.Errorf("instance type %s, want m5.xlarge", got)
				}
			},
		},
		{
			name: "the launch template's $Default version gives the type",
			build: func(w *world) {
				w.c.LaunchTemplateVersions = append(w.c.LaunchTemplateVersions,
					LaunchTemplateVersion{TemplateID: "lt-pool-a", VersionNumber: 2, InstanceType: "m5.xlarge"})
				w.pool("pool-a").LaunchTemplate.Version = "$Default"
				w.service("api", 3, w.td("api", cpu(1024), mem(1024)))
			},
			newInstances: map[string]int{"pool-a": 2},
		},
		{
			name: "a numbered launch template version gives the type",
			build: func(w *world) {
				w.c.LaunchTemplateVersions = append(w.c.LaunchTemplateVersions,
					LaunchTemplateVersion{TemplateID: "lt-pool-a", VersionNumber: 2, InstanceType: "m5.xlarge"},
					LaunchTemplateVersion{TemplateID: "lt-pool-a", VersionNumber: 3, InstanceType: "t3.small"})
				w.pool("pool-a").LaunchTemplate.Version = "2"
				w.service("api", 3, w.td("api", cpu(1024), mem(1024)))
			},
			newInstances: map[string]int{"pool-a": 1},
		},
		{
			name: "mixed instances: new instances are sized as the smallest override and named by the first",
			build: func(w *world) {
				// Spot or lowest-price allocation may launch the m5.large:
				// two tasks each, not four.
				p := w.pool("pool-a")
				p.MixedInstances = &MixedInstances{LaunchTemplate: *p.LaunchTemplate, Overrides: []InstanceOverride{
					{InstanceType: "m5.xlarge"}, {InstanceType: "m5.large"}}}
				p.LaunchTemplate = nil
				w.service("api", 4, w.td("api", cpu(1024), mem(1024)))
			},
			newInstances: map[string]int{"pool-a": 2},
			check: func(t *testing.T, p Plan) {
				if got := poolPlan(t, p, "pool-a").InstanceType; got != "m5.xlarge" {
					t.Errorf("instance type %s, want m5.xlarge", got)
				}
			},
		},
		{
			name: "mixed instances: the smallest override is the least of each dimension",
			build: func(w *world) {
				// c5.xlarge has the CPU, r5.large the memory; a new instance
				// may be either, so it is counted with 2048 CPU units and
				// 8192 - 6% = 7700 MiB.
				w.c.InstanceTypes["r5.large"] = InstanceType{Name: "r5.large", VCPUs: 2, MemoryMiB: 16384, MaximumNetworkInterfaces: 3, Architectures: []string{"x86_64"}}
				p := w.pool("pool-a")
				p.MixedInstances = &MixedInstances{LaunchTemplate: *p.LaunchTemplate, Overrides: []InstanceOverride{
					{InstanceType: "c5.xlarge"}, {InstanceType: "r5.large"}}}
				p.LaunchTemplate = nil
				w.service("cpu", 1, w.td("cpu", cpu(3072), mem(512)))
				w.service("memory", 1, w.td("memory", cpu(256), mem(12288)))
				w.service("both", 2, w.td("both", cpu(1024), mem(3840)))
			},
			newInstances: map[string]int{"pool-a": 1},
			reasons:      []string{"cpu:1:RESOURCE:CPU", "memory:1:RESOURCE:MEMORY"},
			check: func(t *testing.T, p Plan) {
				want := "a new instance (the least of c5.xlarge, r5.large) of pool pool-a in us-east-1a offers 2048 CPU units, 7700 MiB"
				if u := p.Unplaceable[0]; !strings.Contains(u.Detail, want) {
					t.Errorf("detail %q, want it to say %q", u.Detail, want)
				}
			},
		},
		{
			name: "registered capacity comes from an instance of the same type",
			build: func(w *world) {
				// The registered m5.large offers 1024 CPU units only.
				ci := w.instance("us-east-1a", ofType("m5.large", 1024, 7680))
				w.service("api", 3, w.td("api", cpu(1024), mem(1024)))
				w.run("api", ci)
			},
			newInstances: map[string]int{"pool-a": 2},
		},
		{
			name: "registered instances of the type that differ: a new one offers the least of each",
			build: func(w *world) {
				// i-0001 registered less CPU, i-0002 less memory (another
				// AMI); both run a small task.
				a := w.instance("us-east-1a", ofType("m5.large", 1536, 7680))
				b := w.instance("us-east-1b", ofType("m5.large", 2048, 7000))
				w.service("small", 2, w.td("small", cpu(128), mem(512)))
				w.run("small", a)
				w.run("small", b)
				// A new instance offers 1536 CPU units and 7000 MiB, whatever
				// the order of the snapshot: the big task would fit an
				// instance like i-0001, the wide one like i-0002; neither fits.
				w.service("big", 1, w.td("big", cpu(256), mem(7400)))
				w.service("wide", 1, w.td("wide", cpu(2048), mem(512)))
			},
			reasons: []string{"big:1:RESOURCE:MEMORY", "wide:1:RESOURCE:CPU"},
		},
		{
			name: "without a registered instance, capacity is vCPUs x 1024 and memory less the overhead",
			opts: Options{MemoryOverhead: &MemoryOverhead{MiB: 200}},
			build: func(w *world) {
				// 8192 - 200 = 7992 MiB: 7 tasks of 1024 MiB per instance.
				w.service("api", 14, w.td("api", cpu(128), mem(1024)))
			},
			newInstances: map[string]int{"pool-a": 2},
		},
		{
			name: "the default overhead keeps 6 percent of memory",
			build: func(w *world) {
				// 8192 - 492 = 7700 MiB: 7 tasks of 1100 MiB per instance.
				w.service("api", 14, w.td("api", cpu(128), mem(1100)))
			},
			newInstances: map[string]int{"pool-a": 2},
		},
		{
			name: "the overhead is learned from a registered instance of a known type",
			build: func(w *world) {
				// The registered m5.large shows 7680 of 8192 MiB (6.25% less);
				// the pool now launches m5.xlarge: 16384 - 1024 = 15360 MiB.
				w.c.LaunchTemplateVersions[0].InstanceType = "m5.xlarge"
				ci := w.instance("us-east-1a")
				w.service("big", 2, w.td("big", cpu(128), mem(7680)))
				w.run("big", ci)
			},
			newInstances: map[string]int{"pool-a": 1},
			check: func(t *testing.T, p Plan) {
				if got := servicePlan(t, p, "big").OnNew; got != 1 {
					t.Errorf("on new = %d, want 1", got)
				}
			},
		},
		{
			name: "the learned overhead is the largest share any registered instance keeps",
			build: func(w *world) {
				// m5.large keeps 512 of 8192 MiB (62.5‰), t3.small 148 of
				// 2048 (72.3‰, 73‰ rounded up). A new m5.xlarge offers
				// 16384 - 1197 = 15187 MiB, not 15360.
				w.c.LaunchTemplateVersions[0].InstanceType = "m5.xlarge"
				w.instance("us-east-1a")
				w.instance("us-east-1b", ofType("t3.small", 2048, 1900))
				w.service("big", 1, w.td("big", cpu(128), mem(15360)))
			},
			reasons: []string{"big:1:RESOURCE:MEMORY"},
		},
		{
			name: "every new instance runs the daemons, static ports included",
			build: func(w *world) {
				w.service("agent", 1, w.td("agent", cpu(256), mem(256), hostPort(80)), daemonService)
				w.service("web", 1, w.td("web", hostPort(80)))
			},
			reasons: []string{"web:1:RESOURCE:PORTS"},
		},
		{
			name: "a daemon whose constraint a new instance fails is not charged",
			build: func(w *world) {
				w.service("agent", 1, w.td("agent", cpu(1024), mem(256)), daemonService,
					constraint(Constraint{Type: MemberOf, Expression: "attribute:ecs.instance-type == c5.xlarge"}))
				w.service("api", 2, w.td("api", cpu(1024), mem(256)))
			},
			newInstances: map[string]int{"pool-a": 1},
		},
		{
			name: "new instances go to the zone with the fewest instances",
			build: func(w *world) {
				w.instance("us-east-1a", func(ci *ContainerInstance, _ *PoolInstance) { ci.RemainingCPUUnits = 0 })
				td := w.td("zonal", cpu(1024), mem(1024))
				w.service("zonal", 1, td, constraint(Constraint{Type: MemberOf, Expression: "attribute:ecs.availability-zone == us-east-1b"}))
			},
			newInstances: map[string]int{"pool-a": 1},
		},
		{
			name: "a zone-bound group opens slots until its zone comes up",
			build: func(w *world) {
				td := w.td("zonal", cpu(2048), mem(1024))
				w.service("zonal", 2, td, constraint(Constraint{Type: MemberOf, Expression: "attribute:ecs.availability-zone == us-east-1b"}))
			},
			// Slots alternate a, b, a, b: the two b slots are slots 2 and 4.
			newInstances: map[string]int{"pool-a": 4},
		},
		{
			name: "new instances run the newest agent of the pool's instances, compared by number",
			build: func(w *world) {
				full := func(ci *ContainerInstance, _ *PoolInstance) { ci.RemainingCPUUnits = 0 }
				agent := func(v string) func(*ContainerInstance, *PoolInstance) {
					return func(ci *ContainerInstance, _ *PoolInstance) { ci.AgentVersion = v }
				}
				w.instance("us-east-1a", full, agent("1.9.0"))
				w.instance("us-east-1b", full, agent("1.10.0"))
				w.service("api", 1, w.td("api"), constraint(Constraint{Type: MemberOf, Expression: "agentVersion >= 1.10.0"}))
			},
			newInstances: map[string]int{"pool-a": 1},
		},
		{
			name: "new instances carry the custom attributes all the pool's instances share",
			build: func(w *world) {
				w.instance("us-east-1a", withAttr("stack", "prod"), withAttr("team", "a"), func(ci *ContainerInstance, _ *PoolInstance) { ci.RemainingCPUUnits = 0 })
				w.instance("us-east-1b", withAttr("stack", "prod"), withAttr("team", "b"), func(ci *ContainerInstance, _ *PoolInstance) { ci.RemainingCPUUnits = 0 })
				w.service("prod", 1, w.td("prod"), constraint(Constraint{Type: MemberOf, Expression: "attribute:stack == prod"}))
				w.service("team", 1, w.td("team"), constraint(Constraint{Type: MemberOf, Expression: "attribute:team == a"}))
			},
			newInstances: map[string]int{"pool-a": 1},
			reasons:      []string{"team:1:CONSTRAINT"},
		},
	})
}

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1.10.0", "1.9.0", 1},
		{"1.9.0", "1.10.0", -1},
		{"1.89.0", "1.89.0", 0},
		{"1.89", "1.89.0", 0},
		{"1.89.1", "1.89", 1},
		{"01.2", "1.2", 0},
		{"1.0.0", "", 1},
		{"", "", 0},
	}
	for _, tt := range tests {
		if got := compareVersions(tt.a, tt.b); got != tt.want {
			t.Errorf("compareVersions(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestConstraintRules(t *testing.T) {
	runRules(t, []ruleCase{
		{
			name: "distinctInstance puts each task on its own instance",
			build: func(w *world) {
				w.service("ha", 3, w.td("ha"), constraint(Constraint{Type: DistinctInstance}))
			},
			newInstances: map[string]int{"pool-a": 3},
		},
		{
			name: "distinctInstance holds between a service's tasks and its headroom",
			opts: Options{HeadroomPercent: 50},
			build: func(w *world) {
				// 4 tasks and 2 of headroom, each on its own instance.
				w.service("web", 4, w.td("web"), constraint(Constraint{Type: DistinctInstance}))
			},
			newInstances: map[string]int{"pool-a": 6},
		},
		{
			name: "distinctInstance counts the service's tasks already running",
			build: func(w *world) {
				ci := w.instance("us-east-1a")
				w.service("ha", 2, w.td("ha"), constraint(Constraint{Type: DistinctInstance}))
				w.run("ha", ci)
			},
			newInstances: map[string]int{"pool-a": 1},
		},
		{
			name: "memberOf on the instance type",
			build: func(w *world) {
				w.addPool("pool-c", "c5.xlarge", 0, 10)
				w.service("cpu", 2, w.td("cpu"), constraint(Constraint{Type: MemberOf, Expression: "attribute:ecs.instance-type =~ c5.*"}))
			},
			newInstances: map[string]int{"pool-c": 1},
		},
		{
			name: "memberOf with a regex holding parentheses and alternation",
			build: func(w *world) {
				w.addPool("pool-c", "c5.xlarge", 0, 10)
				w.service("cpu", 2, w.td("cpu"), constraint(Constraint{Type: MemberOf, Expression: "(attribute:ecs.instance-type =~ (c5|m4).* and attribute:ecs.os-type == linux)"}))
			},
			newInstances: map[string]int{"pool-c": 1},
		},
		{
			name: "memberOf in the task definition counts too",
			build: func(w *world) {
				w.addPool("pool-c", "c5.xlarge", 0, 10)
				w.service("cpu", 1, w.td("cpu", tdConstraint(Constraint{Type: MemberOf, Expression: "attribute:ecs.instance-type == c5.xlarge"})))
			},
			newInstances: map[string]int{"pool-c": 1},
		},
		{
			name: "task:group affinity places next to the group's tasks",
			build: func(w *world) {
				ci := w.instance("us-east-1a")
				w.service("db", 1, w.td("db"))
				w.run("db", ci)
				w.service("cache", 2, w.td("cache"), constraint(Constraint{Type: MemberOf, Expression: "task:group == service:db"}))
			},
			check: func(t *testing.T, p Plan) {
				if got := servicePlan(t, p, "cache").OnExisting; got != 2 {
					t.Errorf("on existing = %d, want 2 next to db", got)
				}
			},
		},
		{
			name: "task:group anti-affinity keeps away from the group",
			build: func(w *world) {
				ci := w.instance("us-east-1a")
				w.service("db", 1, w.td("db"))
				w.run("db", ci)
				w.service("noisy", 1, w.td("noisy"), constraint(Constraint{Type: MemberOf, Expression: "not(task:group == service:db)"}))
			},
			newInstances: map[string]int{"pool-a": 1},
		},
		{
			name: "a constraint nothing satisfies is CONSTRAINT, never scaled for",
			build: func(w *world) {
				w.service("gpu", 2, w.td("gpu"), constraint(Constraint{Type: MemberOf, Expression: "attribute:ecs.instance-type == p4d.24xlarge"}))
			},
			reasons: []string{"gpu:2:CONSTRAINT"},
		},
		{
			name: "an expression that does not parse is CONSTRAINT with the error, and the plan goes on",
			build: func(w *world) {
				w.service("bad", 2, w.td("bad"), constraint(Constraint{Type: MemberOf, Expression: "attribute:x =~ (?=y)"}))
				w.service("good", 1, w.td("good"))
			},
			newInstances: map[string]int{"pool-a": 1},
			reasons:      []string{"bad:2:CONSTRAINT"},
			check: func(t *testing.T, p Plan) {
				if d := p.Unplaceable[0].Detail; !strings.Contains(d, "memberOf(attribute:x =~ (?=y))") {
					t.Errorf("detail %q: want the expression and its error", d)
				}
			},
		},
	})
}

func TestReasonRules(t *testing.T) {
	runRules(t, []ruleCase{
		{
			name: "RESOURCE:CPU when a task needs more CPU than a new instance offers",
			build: func(w *world) {
				w.service("big", 1, w.td("big", cpu(4096), mem(512)))
			},
			reasons: []string{"big:1:RESOURCE:CPU"},
		},
		{
			name: "RESOURCE:MEMORY when a task needs more memory than a new instance offers",
			build: func(w *world) {
				w.service("big", 2, w.td("big", cpu(256), mem(16000)))
			},
			reasons: []string{"big:2:RESOURCE:MEMORY"},
		},
		{
			name: "RESOURCE, not MAX_CAPACITY, when only a full registered instance of a larger type fits",
			build: func(w *world) {
				// The pool launches t3.small; one m5.large registered in it
				// earlier takes one task. A higher MaxSize would not help.
				w.c.LaunchTemplateVersions[0].InstanceType = "t3.small"
				w.instance("us-east-1a")
				w.service("big", 2, w.td("big", cpu(256), mem(4000)))
			},
			reasons: []string{"big:1:RESOURCE:MEMORY"},
			check: func(t *testing.T, p Plan) {
				if d := p.Unplaceable[0].Detail; !strings.Contains(d, "a new t3.small of pool pool-a") {
					t.Errorf("detail %q: want what a new instance offers", d)
				}
			},
		},
		{
			name: "CPU is checked before memory",
			build: func(w *world) {
				w.service("big", 1, w.td("big", cpu(9999), mem(99999)))
			},
			reasons: []string{"big:1:RESOURCE:CPU"},
		},
		{
			name: "RESOURCE:GPU when no pool's instances have enough GPUs",
			build: func(w *world) {
				w.service("ml", 1, w.td("ml", gpus(1)))
			},
			reasons: []string{"ml:1:RESOURCE:GPU"},
		},
		{
			name: "RESOURCE:ENI when the instance type has no spare interface",
			build: func(w *world) {
				w.c.InstanceTypes["m5.large"] = InstanceType{Name: "m5.large", VCPUs: 2, MemoryMiB: 8192, MaximumNetworkInterfaces: 1}
				w.service("vpc", 1, w.td("vpc", network(AWSVPC)))
			},
			reasons: []string{"vpc:1:RESOURCE:ENI"},
		},
		{
			name: "the reason names the pool where the task comes closest to fitting",
			build: func(w *world) {
				w.addPool("pool-small", "t3.small", 0, 10)
				// Too much memory for both; an m5.large passes the CPU check.
				w.service("big", 1, w.td("big", cpu(2048), mem(9000)))
			},
			reasons: []string{"big:1:RESOURCE:MEMORY"},
		},
		{
			name: "MAX_CAPACITY when it fits but the pool is at its maximum",
			build: func(w *world) {
				w.pool("pool-a").MaxSize = 1
				w.service("web", 3, w.td("web", hostPort(80)))
			},
			newInstances: map[string]int{"pool-a": 1},
			reasons:      []string{"web:2:MAX_CAPACITY"},
		},
		{
			name: "distinctInstance beyond the pools' total is MAX_CAPACITY",
			build: func(w *world) {
				w.pool("pool-a").MaxSize = 2
				w.service("ha", 5, w.td("ha"), constraint(Constraint{Type: DistinctInstance}))
			},
			newInstances: map[string]int{"pool-a": 2},
			reasons:      []string{"ha:3:MAX_CAPACITY"},
		},
	})
}

func TestDeploymentRules(t *testing.T) {
	runRules(t, []ruleCase{
		{
			name: "the field report's stuck deploy: one instance, static port 80, a new revision gets exactly one instance",
			build: func(w *world) {
				ci := w.instance("us-east-1a")
				w.service("web", 1, w.td("web", hostPort(80)))
				w.run("web", ci)
				w.deploy("web", w.td("web-v2", hostPort(80)))
			},
			unplaced:     map[string]int{"web": 1},
			newInstances: map[string]int{"pool-a": 1},
		},
		{
			name: "maximumPercent caps the surge across deployments",
			build: func(w *world) {
				ci1 := w.instance("us-east-1a")
				ci2 := w.instance("us-east-1b")
				w.service("web", 4, w.td("web", hostPort(80)), func(s *Service) { s.MaximumPercent = 150 })
				for _, ci := range []string{ci1, ci2, ci1, ci2} {
					_ = ci
				}
				w.run("web", ci1)
				w.run("web", ci2)
				w.instance("us-east-1a")
				w.instance("us-east-1b")
				w.run("web", w.c.ContainerInstances[2].ARN)
				w.run("web", w.c.ContainerInstances[3].ARN)
				w.deploy("web", w.td("web-v2", hostPort(80)))
			},
			// min(4 - 0, floor(4 x 150/100) - 4) = 2.
			unplaced:     map[string]int{"web": 2},
			newInstances: map[string]int{"pool-a": 2},
		},
		{
			name: "surge one asks for room for one task at a time",
			opts: Options{Surge: SurgeOne},
			build: func(w *world) {
				for range 4 {
					w.instance("us-east-1a")
				}
				w.service("web", 4, w.td("web", hostPort(80)))
				for _, ci := range w.c.ContainerInstances {
					w.run("web", ci.ARN)
				}
				w.deploy("web", w.td("web-v2", hostPort(80)))
			},
			unplaced:     map[string]int{"web": 1},
			newInstances: map[string]int{"pool-a": 1},
		},
		{
			name: "without a deployment, maximumPercent does not limit plain demand",
			build: func(w *world) {
				w.service("api", 5, w.td("api", cpu(1024), mem(1024)), func(s *Service) { s.MaximumPercent = 100 })
			},
			unplaced:     map[string]int{"api": 5},
			newInstances: map[string]int{"pool-a": 3},
		},
	})
}

func TestStrategyRules(t *testing.T) {
	// Instance a (us-east-1a) runs a tiny task; instance b (us-east-1b) is
	// half full. "early" fits either; "late" then fits only the instance
	// that "early" left alone if that is a.
	build := func(st ...Strategy) func(w *world) {
		return func(w *world) {
			a := w.instance("us-east-1a")
			b := w.instance("us-east-1b")
			w.service("tiny", 1, w.td("tiny", cpu(128), mem(128)))
			w.run("tiny", a)
			w.service("filler", 1, w.td("filler", cpu(1024), mem(1024)))
			w.run("filler", b)
			w.service("early", 1, w.td("early", cpu(1024), mem(3000)), strategy(st...))
			w.service("late", 1, w.td("late", cpu(1536), mem(1024)))
		}
	}
	runRules(t, []ruleCase{
		{
			name:  "binpack on memory picks the instance with the least memory left",
			build: build(Strategy{Type: Binpack, Field: "memory"}),
		},
		{
			name:  "binpack on cpu picks the instance with the least CPU left",
			build: build(Strategy{Type: Binpack, Field: "cpu"}),
		},
		{
			name:         "spread over instances picks one without the service's tasks, first by order",
			build:        build(Strategy{Type: Spread, Field: "instanceId"}),
			newInstances: map[string]int{"pool-a": 1},
		},
		{
			name:         "spread over zones picks the zone with the fewest of the service's tasks",
			build:        build(Strategy{Type: Spread, Field: "attribute:ecs.availability-zone"}, Strategy{Type: Binpack, Field: "memory"}),
			newInstances: map[string]int{"pool-a": 1},
		},
		{
			name: "spread over zones counts the service's tasks already in each zone",
			build: func(w *world) {
				a := w.instance("us-east-1a")
				c := w.instance("us-east-1a")
				b := w.instance("us-east-1b")
				zonal := Strategy{Type: Spread, Field: "attribute:ecs.availability-zone"}
				w.service("early", 2, w.td("early", cpu(1024), mem(1024)), strategy(zonal))
				w.run("early", a)
				w.service("tiny", 1, w.td("tiny", cpu(128), mem(128)))
				w.run("tiny", c)
				w.service("filler", 1, w.td("filler", cpu(1024), mem(1024)))
				w.run("filler", b)
				// "late" fits c only if the second early task goes to
				// us-east-1b, the zone without one.
				w.service("late", 1, w.td("late", cpu(1536), mem(1024)))
			},
		},
		{
			name:  "the default strategy of a service spreads over zones",
			build: build(),
			// As the explicit zone spread: us-east-1a first.
			newInstances: map[string]int{"pool-a": 1},
		},
	})
}

func TestPoolRules(t *testing.T) {
	runRules(t, []ruleCase{
		{
			name: "a group goes to the pool that needs the fewest new instances",
			build: func(w *world) {
				w.addPool("pool-big", "m5.xlarge", 0, 10)
				w.service("api", 4, w.td("api", cpu(1024), mem(1024)))
			},
			newInstances: map[string]int{"pool-big": 1},
		},
		{
			name: "ties go to the pool whose name sorts first",
			build: func(w *world) {
				w.addPool("pool-0", "m5.large", 0, 10)
				w.service("api", 2, w.td("api", cpu(1024), mem(1024)))
			},
			newInstances: map[string]int{"pool-0": 1},
		},
		{
			name: "when a pool's room runs out the rest moves to the next pool",
			build: func(w *world) {
				w.pool("pool-a").MaxSize = 2
				w.addPool("pool-b", "m5.large", 0, 10)
				w.service("web", 5, w.td("web", hostPort(80)))
			},
			newInstances: map[string]int{"pool-a": 2, "pool-b": 3},
		},
		{
			name: "a pool's room is MaxSize minus the larger of desired and live instances",
			build: func(w *world) {
				w.pool("pool-a").MaxSize = 3
				w.pool("pool-a").DesiredCapacity = 2
				w.service("web", 4, w.td("web", hostPort(80)))
			},
			newInstances: map[string]int{"pool-a": 1},
			reasons:      []string{"web:1:MAX_CAPACITY"},
		},
		{
			name: "a capacity provider strategy sends the base first, then by weight",
			build: func(w *world) {
				w.addPool("pool-b", "m5.large", 0, 10)
				w.c.CapacityProviders = []CapacityProvider{
					{Name: "cp-a", AutoScalingGroupARN: w.pool("pool-a").ARN},
					{Name: "cp-b", AutoScalingGroupARN: w.pool("pool-b").ARN},
				}
				w.service("web", 6, w.td("web", hostPort(80)), func(s *Service) {
					s.LaunchType = ""
					s.CapacityProviderStrategy = []CapacityProviderStrategyItem{
						{CapacityProvider: "cp-a", Base: 2, Weight: 1},
						{CapacityProvider: "cp-b", Weight: 3},
					}
				})
			},
			// Base 2 to cp-a, then 4 by weight 1:3 gives cp-a 1 and cp-b 3.
			newInstances: map[string]int{"pool-a": 3, "pool-b": 3},
		},
		{
			name: "the cluster's default strategy applies to services without a launch type",
			build: func(w *world) {
				w.addPool("pool-b", "m5.large", 0, 10)
				w.c.CapacityProviders = []CapacityProvider{{Name: "cp-b", AutoScalingGroupARN: w.pool("pool-b").ARN}}
				w.c.DefaultCapacityProviderStrategy = []CapacityProviderStrategyItem{{CapacityProvider: "cp-b", Weight: 1}}
				w.service("api", 2, w.td("api", cpu(1024), mem(1024)), func(s *Service) { s.LaunchType = "" })
			},
			newInstances: map[string]int{"pool-b": 1},
		},
	})
}

func TestUnsupportedPools(t *testing.T) {
	tests := []struct {
		name  string
		build func(w *world)
		want  string
	}{
		{"warm pool", func(w *world) { w.pool("pool-a").HasWarmPool = true }, "warm pool"},
		{"weighted overrides", func(w *world) {
			p := w.pool("pool-a")
			p.MixedInstances = &MixedInstances{LaunchTemplate: *p.LaunchTemplate, Overrides: []InstanceOverride{{InstanceType: "m5.xlarge", WeightedCapacity: "2"}}}
		}, "weighted capacity"},
		{"attribute-based overrides", func(w *world) {
			p := w.pool("pool-a")
			p.MixedInstances = &MixedInstances{LaunchTemplate: *p.LaunchTemplate, Overrides: []InstanceOverride{{HasInstanceRequirements: true}}}
		}, "InstanceRequirements"},
		{"attribute-based launch template", func(w *world) {
			w.c.LaunchTemplateVersions[0].InstanceType = ""
			w.c.LaunchTemplateVersions[0].HasInstanceRequirements = true
		}, "InstanceRequirements"},
		{"missing launch template version", func(w *world) {
			w.pool("pool-a").LaunchTemplate.Version = "7"
		}, "version \"7\" is not in launch-template-versions.json"},
		{"unknown instance type", func(w *world) { delete(w.c.InstanceTypes, "m5.large") }, "neither registered in the cluster nor described in instance-types.json"},
		{"mixed instances override of an unknown instance type", func(w *world) {
			p := w.pool("pool-a")
			p.MixedInstances = &MixedInstances{LaunchTemplate: *p.LaunchTemplate, Overrides: []InstanceOverride{{InstanceType: "m5.large"}, {InstanceType: "x9.large"}}}
			p.LaunchTemplate = nil
		}, "instance type x9.large is neither registered in the cluster nor described in instance-types.json; it is one of the group's mixed instances overrides"},
		{"missing task definition", func(w *world) {
			w.service("api", 1, "arn:aws:ecs:us-east-1:123456789012:task-definition/nope:1")
		}, "service api: task definition arn:aws:ecs:us-east-1:123456789012:task-definition/nope:1 is not in the snapshot"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld()
			tt.build(w)
			_, err := Estimate(t.Context(), w.c, Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Estimate() error = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}
