package cli

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/tandem-ecs/tandem/internal/snapshot"
)

// bigSnapshot writes a snapshot of a 1,000-instance cluster: one pool of
// c5.xlarge, a daemon, 30 services with 6,000 tasks running and 3,000 more
// wanted.
func bigSnapshot(tb testing.TB, instances int) string {
	tb.Helper()
	r := rand.New(rand.NewPCG(3, 5))
	const cluster = "arn:aws:ecs:us-east-1:123456789012:cluster/big"
	s := &snapshot.Snapshot{}
	str := func(v string) *string { return &v }
	asg := snapshot.AutoScalingGroup{
		AutoScalingGroupName: "big-asg",
		AutoScalingGroupARN:  "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:autoScalingGroupName/big-asg",
		LaunchTemplate:       &snapshot.LaunchTemplateSpec{LaunchTemplateID: "lt-big", Version: "$Latest"},
		MinSize:              1, MaxSize: 3 * instances, DesiredCapacity: instances,
		AvailabilityZones: []string{"us-east-1a", "us-east-1b", "us-east-1c"},
	}
	s.LaunchTemplateVersions = []snapshot.LaunchTemplateVersion{{LaunchTemplateID: "lt-big", VersionNumber: 1, DefaultVersion: true,
		LaunchTemplateData: snapshot.LaunchTemplateData{InstanceType: "c5.xlarge", ImageID: "ami-0abc"}}}
	s.InstanceTypes = []snapshot.InstanceTypeInfo{{InstanceType: "c5.xlarge", VCPUInfo: snapshot.VCPUInfo{DefaultVCPUs: 4},
		MemoryInfo: snapshot.MemoryInfo{SizeInMiB: 8192}, NetworkInfo: snapshot.NetworkInfo{MaximumNetworkInterfaces: 4}}}
	type svc struct {
		name     string
		cpu, mem int64
	}
	var svcs []svc
	for i := range 30 {
		svcs = append(svcs, svc{fmt.Sprintf("svc-%02d", i), 128 + 64*r.Int64N(15), 256 + 128*r.Int64N(15)})
	}
	daemon := svc{"log-agent", 128, 256}
	for _, sv := range append(svcs, daemon) {
		arn := fmt.Sprintf("arn:aws:ecs:us-east-1:123456789012:task-definition/%s:1", sv.name)
		s.TaskDefinitions = append(s.TaskDefinitions, snapshot.TaskDefinition{TaskDefinitionARN: arn, Family: sv.name, Revision: 1,
			NetworkMode: "bridge", ContainerDefinitions: []snapshot.ContainerDefinition{{Name: sv.name, CPU: sv.cpu, MemoryReservation: sv.mem,
				PortMappings: []snapshot.PortMapping{{ContainerPort: 8080, Protocol: "tcp"}}}}})
	}
	running := map[string]int{}
	for i := range instances {
		id := fmt.Sprintf("i-%017x", i)
		ciARN := fmt.Sprintf("arn:aws:ecs:us-east-1:123456789012:container-instance/big/%032x", i)
		zone := asg.AvailabilityZones[i%3]
		asg.Instances = append(asg.Instances, snapshot.ASGInstance{InstanceID: id, InstanceType: "c5.xlarge", AvailabilityZone: zone, LifecycleState: "InService", HealthStatus: "Healthy"})
		cpu, mem := int64(4096), int64(7482)
		tasks := []svc{daemon}
		for range 6 {
			tasks = append(tasks, svcs[r.IntN(len(svcs))])
		}
		for j, t := range tasks {
			cpu -= t.cpu
			mem -= t.mem
			running[t.name]++
			s.Tasks = append(s.Tasks, snapshot.Task{
				TaskARN:              fmt.Sprintf("arn:aws:ecs:us-east-1:123456789012:task/big/%08x%02x", i, j),
				TaskDefinitionARN:    fmt.Sprintf("arn:aws:ecs:us-east-1:123456789012:task-definition/%s:1", t.name),
				ContainerInstanceARN: ciARN, Group: "service:" + t.name, StartedBy: "ecs-svc/1",
				LastStatus: "RUNNING", DesiredStatus: "RUNNING", LaunchType: "EC2",
			})
		}
		ports := []string{"22", "2375", "2376", "51678", "51679"}
		s.ContainerInstances = append(s.ContainerInstances, snapshot.ContainerInstance{
			ContainerInstanceARN: ciARN, EC2InstanceID: id, Status: "ACTIVE",
			VersionInfo: snapshot.VersionInfo{AgentVersion: "1.89.0"},
			RegisteredResources: []snapshot.Resource{{Name: "CPU", Type: "INTEGER", IntegerValue: 4096}, {Name: "MEMORY", Type: "INTEGER", IntegerValue: 7482},
				{Name: "PORTS", Type: "STRINGSET", StringSetValue: ports}, {Name: "PORTS_UDP", Type: "STRINGSET", StringSetValue: []string{}}},
			RemainingResources: []snapshot.Resource{{Name: "CPU", Type: "INTEGER", IntegerValue: cpu}, {Name: "MEMORY", Type: "INTEGER", IntegerValue: mem},
				{Name: "PORTS", Type: "STRINGSET", StringSetValue: ports}, {Name: "PORTS_UDP", Type: "STRINGSET", StringSetValue: []string{}}},
			RunningTasksCount: len(tasks),
			Attributes: []snapshot.Attribute{{Name: "ecs.instance-type", Value: str("c5.xlarge")}, {Name: "ecs.availability-zone", Value: str(zone)},
				{Name: "ecs.os-type", Value: str("linux")}, {Name: "ecs.cpu-architecture", Value: str("x86_64")},
				{Name: "com.amazonaws.ecs.capability.docker-remote-api.1.44"}},
			RegisteredAt: &snapshot.Time{Time: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
		})
	}
	for _, sv := range svcs {
		arn := fmt.Sprintf("arn:aws:ecs:us-east-1:123456789012:task-definition/%s:1", sv.name)
		s.Services = append(s.Services, snapshot.Service{ServiceName: sv.name, ClusterARN: cluster, Status: "ACTIVE",
			DesiredCount: running[sv.name] + 100, RunningCount: running[sv.name], LaunchType: "EC2", TaskDefinition: arn,
			Deployments: []snapshot.Deployment{{ID: "ecs-svc/1", Status: "PRIMARY", TaskDefinition: arn, DesiredCount: running[sv.name] + 100, RunningCount: running[sv.name]}}})
	}
	s.Services = append(s.Services, snapshot.Service{ServiceName: daemon.name, ClusterARN: cluster, Status: "ACTIVE", SchedulingStrategy: "DAEMON",
		DesiredCount: instances, RunningCount: instances, LaunchType: "EC2", TaskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/log-agent:1"})
	s.AutoScalingGroups = []snapshot.AutoScalingGroup{asg}
	dir := tb.TempDir()
	if err := s.WriteDir(dir); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// A whole plan, from reading the files to the answer, on a 1,000-instance
// snapshot: target 1 s.
func BenchmarkPlan1kInstances(b *testing.B) {
	dir := bigSnapshot(b, 1000)
	f := planFlags{snapshot: dir, timeout: time.Minute}
	for b.Loop() {
		p, err := planSnapshot(context.Background(), f)
		if err != nil {
			b.Fatal(err)
		}
		if p.Pools[0].NewInstances == 0 {
			b.Fatal("the benchmark cluster should need new instances")
		}
	}
}
