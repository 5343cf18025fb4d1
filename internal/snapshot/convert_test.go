package snapshot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tandem-ecs/tandem/internal/placement"
	"github.com/tandem-ecs/tandem/internal/snapshot"
)

// cluster loads files over tiny and converts them.
func cluster(t *testing.T, files map[string]*string) placement.Cluster {
	t.Helper()
	s, err := snapshot.Load(tinyWith(files))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	c, err := s.Cluster()
	if err != nil {
		t.Fatalf("Cluster: %v", err)
	}
	return c
}

// clusterErr loads files over tiny and returns the error of Cluster.
func clusterErr(t *testing.T, files map[string]*string) error {
	t.Helper()
	s, err := snapshot.Load(tinyWith(files))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	_, err = s.Cluster()
	if err == nil {
		t.Fatal("Cluster succeeded, want an error")
	}
	return err
}

func TestClusterConvertsEveryFile(t *testing.T) {
	got := cluster(t, map[string]*string{
		snapshot.ClustersFile:          ptr(clustersJSON),
		snapshot.CapacityProvidersFile: ptr(capacityProvidersJSON),
	})
	want := placement.Cluster{
		Name: "tiny",
		Services: []placement.Service{{
			Name:                 "web",
			ARN:                  "arn:aws:ecs:us-east-1:123456789012:service/tiny/web",
			Status:               "ACTIVE",
			DesiredCount:         2,
			RunningCount:         1,
			SchedulingStrategy:   placement.Replica,
			LaunchType:           "EC2",
			DeploymentController: "ECS",
			TaskDefinitionARN:    tdARN,
			MaximumPercent:       150, MinimumHealthyPercent: 50,
			Deployments: []placement.Deployment{{
				ID: "ecs-svc/1234567890123456789", Status: "PRIMARY", TaskDefinitionARN: tdARN,
				DesiredCount: 2, RunningCount: 1, RolloutState: "COMPLETED",
				CreatedAt: time.Date(2026, 11, 25, 10, 0, 0, 123e6, time.UTC),
			}},
			PlacementConstraints: []placement.Constraint{{Type: placement.DistinctInstance}},
			PlacementStrategy:    []placement.Strategy{{Type: placement.Binpack, Field: "memory"}},
		}},
		TaskDefinitions: map[string]placement.TaskDefinition{tdARN: {
			ARN: tdARN, Family: "web", Revision: 3, NetworkMode: placement.Bridge,
			CPUUnits: 512, MemoryMiB: 1024,
			Containers: []placement.ContainerDefinition{{
				Name: "web", CPUUnits: 256, MemoryMiB: 512, MemoryReservationMiB: 256,
				PortMappings: []placement.PortMapping{{ContainerPort: 80, HostPort: 80, Protocol: placement.TCP}},
			}},
			PlacementConstraints: []placement.Constraint{{Type: placement.MemberOf, Expression: "attribute:ecs.instance-type =~ m5.*"}},
			RequiresAttributes: []placement.Attribute{
				{Name: "com.amazonaws.ecs.capability.docker-remote-api.1.21"},
				{Name: "ecs.capability.custom", Value: "yes"},
			},
		}},
		ContainerInstances: []placement.ContainerInstance{{
			ARN:            ciARN,
			EC2InstanceID:  "i-0123456789abcdef0",
			Status:         "ACTIVE",
			AgentConnected: true,
			AgentVersion:   "1.89.2",
			RegisteredAt:   time.Date(2026, 11, 20, 9, 0, 0, 263e6, time.UTC),
			Attributes: []placement.Attribute{
				{Name: "ecs.instance-type", Value: "m5.large"},
				{Name: "ecs.availability-zone", Value: "us-east-1a"},
				{Name: "com.amazonaws.ecs.capability.docker-remote-api.1.21"},
			},
			RegisteredCPUUnits: 2048, RegisteredMemoryMiB: 7680,
			ReservedPortsTCP: []int{22, 2375, 2376, 51678, 51679}, ReservedPortsUDP: []int{},
			RemainingCPUUnits: 1536, RemainingMemoryMiB: 6656,
			PortsTCP: []int{22, 2375, 2376, 51678, 51679, 80}, PortsUDP: []int{161},
			RunningTasksCount: 1,
		}},
		Tasks: []placement.Task{{
			ARN:                  "arn:aws:ecs:us-east-1:123456789012:task/tiny/00000000000000000000000000000001",
			TaskDefinitionARN:    tdARN,
			ContainerInstanceARN: ciARN,
			Group:                "service:web",
			StartedBy:            "ecs-svc/1234567890123456789",
			LastStatus:           "RUNNING",
			DesiredStatus:        "RUNNING",
		}},
		Pools: []placement.Pool{{
			Name: "tiny-asg", ARN: asgARN, MinSize: 1, MaxSize: 4, DesiredCapacity: 1,
			Zones: []string{"us-east-1a", "us-east-1b"},
			Instances: []placement.PoolInstance{{
				ID: "i-0123456789abcdef0", InstanceType: "m5.large", Zone: "us-east-1a",
				LifecycleState: "InService", HealthStatus: "Healthy", ProtectedFromScaleIn: true,
			}},
			LaunchTemplate: &placement.LaunchTemplateRef{ID: "lt-0123456789abcdef0", Name: "tiny", Version: "$Latest"},
			Tags:           map[string]string{"team": "web"},
		}},
		InstanceTypes: map[string]placement.InstanceType{"m5.large": {
			Name: "m5.large", VCPUs: 2, MemoryMiB: 8192, MaximumNetworkInterfaces: 3, Architectures: []string{"x86_64"},
		}},
		LaunchTemplateVersions: []placement.LaunchTemplateVersion{{
			TemplateID: "lt-0123456789abcdef0", TemplateName: "tiny", VersionNumber: 1, DefaultVersion: true,
			InstanceType: "m5.large", ImageID: "ami-0123456789abcdef0",
		}},
		CapacityProviders: []placement.CapacityProvider{
			{
				Name: "tiny-cp", AutoScalingGroupARN: asgARN,
				ManagedScaling: true, ManagedTermination: true, ManagedDrainingOn: true, ManagedScalingTarget: 90,
			},
			{Name: "FARGATE"},
		},
		DefaultCapacityProviderStrategy: []placement.CapacityProviderStrategyItem{{CapacityProvider: "tiny-cp", Base: 1, Weight: 1}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Cluster() mismatch (-want +got):\n%s", diff)
	}
}

func TestClusterServiceDefaults(t *testing.T) {
	type svc struct {
		Status                string
		Strategy              placement.SchedulingStrategy
		Controller            string
		MaxPercent, MinHealth int
	}
	service := func(fields string) *string {
		return ptr(`{"services": [{"serviceName": "web", "taskDefinition": "` + tdARN + `", "desiredCount": 1` + fields + `}]}`)
	}
	tests := []struct {
		name   string
		fields string
		want   svc
	}{
		{"a REPLICA service without a deployment configuration", "",
			svc{"ACTIVE", placement.Replica, "ECS", 200, 100}},
		{"a DAEMON service without a deployment configuration", `, "schedulingStrategy": "DAEMON"`,
			svc{"ACTIVE", placement.Daemon, "ECS", 100, 0}},
		{"only the circuit breaker", `, "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": true, "rollback": true}}`,
			svc{"ACTIVE", placement.Replica, "ECS", 200, 100}},
		{"only maximumPercent", `, "deploymentConfiguration": {"maximumPercent": 150}`,
			svc{"ACTIVE", placement.Replica, "ECS", 150, 100}},
		{"only minimumHealthyPercent", `, "deploymentConfiguration": {"minimumHealthyPercent": 50}`,
			svc{"ACTIVE", placement.Replica, "ECS", 200, 50}},
		{"an explicit zero is not a missing value", `, "deploymentConfiguration": {"maximumPercent": 100, "minimumHealthyPercent": 0}`,
			svc{"ACTIVE", placement.Replica, "ECS", 100, 0}},
		{"a DAEMON service's explicit values", `, "schedulingStrategy": "DAEMON", "deploymentConfiguration": {"maximumPercent": 100, "minimumHealthyPercent": 50}`,
			svc{"ACTIVE", placement.Daemon, "ECS", 100, 50}},
		{"null values are missing", `, "status": null, "deploymentConfiguration": {"maximumPercent": null}, "deploymentController": null`,
			svc{"ACTIVE", placement.Replica, "ECS", 200, 100}},
		{"a DRAINING service", `, "status": "DRAINING"`,
			svc{"DRAINING", placement.Replica, "ECS", 200, 100}},
		{"an empty deployment controller", `, "deploymentController": {}`,
			svc{"ACTIVE", placement.Replica, "ECS", 200, 100}},
		{"a CODE_DEPLOY service", `, "deploymentController": {"type": "CODE_DEPLOY"}`,
			svc{"ACTIVE", placement.Replica, "CODE_DEPLOY", 200, 100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cluster(t, map[string]*string{snapshot.ServicesFile: service(tt.fields)})
			s := c.Services[0]
			got := svc{s.Status, s.SchedulingStrategy, s.DeploymentController, s.MaximumPercent, s.MinimumHealthyPercent}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("service (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClusterOtherDefaults(t *testing.T) {
	c := cluster(t, map[string]*string{
		// No networkMode: an old task definition (ECS's default is bridge).
		"task-definitions/web-3.json": ptr(`{"taskDefinition": {"taskDefinitionArn": "` + tdARN + `", "containerDefinitions": [{"name": "web", "memory": 128}]}}`),
		// No agentConnected.
		snapshot.ContainerInstancesFile: ptr(`{"containerInstances": [{"containerInstanceArn": "` + ciARN + `", "status": "ACTIVE"}]}`),
	})
	if got := c.TaskDefinitions[tdARN].NetworkMode; got != placement.Bridge {
		t.Errorf("network mode %q, want bridge", got)
	}
	if got := c.TaskDefinitions[tdARN].Shape().MemoryMiB; got != 128 {
		t.Errorf("memory %d MiB, want the container's 128 when the task sets none", got)
	}
	if !c.ContainerInstances[0].AgentConnected {
		t.Errorf("agent connected = false, want true when the field is missing")
	}

	disconnected := cluster(t, map[string]*string{
		snapshot.ContainerInstancesFile: ptr(`{"containerInstances": [{"containerInstanceArn": "` + ciARN + `", "status": "ACTIVE", "agentConnected": false}]}`),
	})
	if disconnected.ContainerInstances[0].AgentConnected {
		t.Errorf("agent connected = true, want false as the file says")
	}
}

func TestClusterName(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]*string
		want  string
	}{
		{"from clusters.json", map[string]*string{snapshot.ClustersFile: ptr(`{"clusters": [{"clusterName": "named"}]}`)}, "named"},
		{"from a service's cluster ARN", nil, "tiny"},
		{"from a container instance ARN", map[string]*string{
			snapshot.ServicesFile:         ptr(`{"services": []}`),
			"task-definitions/web-3.json": nil,
		}, "tiny"},
		{"none", map[string]*string{
			snapshot.ServicesFile:           ptr(`{"services": []}`),
			snapshot.ContainerInstancesFile: ptr(`{"containerInstances": []}`),
			"task-definitions/web-3.json":   nil,
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cluster(t, tt.files).Name; got != tt.want {
				t.Errorf("cluster name %q, want %q", got, tt.want)
			}
		})
	}
}

func TestClusterDefaultStrategyOfNamedCluster(t *testing.T) {
	c := cluster(t, map[string]*string{snapshot.ClustersFile: ptr(`{"clusters": [
		{"clusterName": "other", "defaultCapacityProviderStrategy": [{"capacityProvider": "a", "weight": 1}]},
		{"clusterName": "tiny", "defaultCapacityProviderStrategy": [{"capacityProvider": "b", "weight": 2, "base": 1}]}
	]}`)})
	want := []placement.CapacityProviderStrategyItem{{CapacityProvider: "b", Base: 1, Weight: 2}}
	if diff := cmp.Diff(want, c.DefaultCapacityProviderStrategy); diff != "" {
		t.Errorf("default strategy (-want +got):\n%s", diff)
	}
}

// taskDefinition returns a task definition file with the given task-level
// cpu and memory and one container.
func taskDefinition(cpu, memory, container string) *string {
	return ptr(`{"taskDefinition": {"taskDefinitionArn": "` + tdARN + `", "cpu": "` + cpu + `", "memory": "` + memory + `", "containerDefinitions": [` + container + `]}}`)
}

func TestClusterTaskSize(t *testing.T) {
	tests := []struct {
		cpu, memory      string
		wantCPU, wantMiB int64
	}{
		{"1024", "2048", 1024, 2048},
		{"256", "512", 256, 512},
		{"1 vCPU", "2 GB", 1024, 2048},
		{"0.5 vcpu", "0.5GB", 512, 512},
		{"0.25 vCPU", "1 gb", 256, 1024},
		{"2vCPU", "16 GB", 2048, 16384},
		{"4 VCPU", "30 GB", 4096, 30720},
		{" 512 ", " 1024 ", 512, 1024},
		{"", "", 0, 0},
		{"0", "0", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.cpu+"/"+tt.memory, func(t *testing.T) {
			c := cluster(t, map[string]*string{"task-definitions/web-3.json": taskDefinition(tt.cpu, tt.memory, `{"name": "web"}`)})
			td := c.TaskDefinitions[tdARN]
			if td.CPUUnits != tt.wantCPU || td.MemoryMiB != tt.wantMiB {
				t.Errorf("cpu %q, memory %q: got %d CPU units, %d MiB; want %d, %d", tt.cpu, tt.memory, td.CPUUnits, td.MemoryMiB, tt.wantCPU, tt.wantMiB)
			}
		})
	}
}

func TestClusterTaskSizeErrors(t *testing.T) {
	tests := []struct {
		name, cpu, memory, field, msg string
	}{
		{"cpu in words", "lots", "512", "taskDefinition.cpu", `want CPU units or vCPUs, got "lots"`},
		{"negative cpu", "-1", "512", "taskDefinition.cpu", `got "-1"`},
		{"fractional cpu units", "1.5", "512", "taskDefinition.cpu", `got "1.5"`},
		{"negative vCPUs", "-1 vCPU", "512", "taskDefinition.cpu", `got "-1 vCPU"`},
		{"vCPUs without a number", "vCPU", "512", "taskDefinition.cpu", `got "vCPU"`},
		{"infinite vCPUs", "Inf vCPU", "512", "taskDefinition.cpu", `got "Inf vCPU"`},
		{"absurd vCPUs", "2000000 vCPU", "512", "taskDefinition.cpu", `got "2000000 vCPU"`},
		{"NaN vCPUs", "NaN vCPU", "512", "taskDefinition.cpu", `got "NaN vCPU"`},
		{"memory in words", "256", "plenty", "taskDefinition.memory", `want MiB or GB, got "plenty"`},
		{"memory in TB", "256", "1 TB", "taskDefinition.memory", `got "1 TB"`},
		{"negative memory", "256", "-2 GB", "taskDefinition.memory", `got "-2 GB"`},
		{"NaN GB", "256", "NaN GB", "taskDefinition.memory", `got "NaN GB"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := clusterErr(t, map[string]*string{"task-definitions/web-3.json": taskDefinition(tt.cpu, tt.memory, `{"name": "web"}`)})
			wantError(t, err, "task-definitions/web-3.json", tt.field, tt.msg)
		})
	}
}

func TestClusterGPUs(t *testing.T) {
	c := cluster(t, map[string]*string{
		"task-definitions/web-3.json": ptr(`{"taskDefinition": {"taskDefinitionArn": "` + tdARN + `", "containerDefinitions": [
			{"name": "train", "cpu": 1024, "memory": 4096, "resourceRequirements": [{"value": "2", "type": "GPU"}]},
			{"name": "infer", "cpu": 512, "memory": 2048, "resourceRequirements": [{"type": "GPU", "value": " 1 "}, {"type": "InferenceAccelerator", "value": "device_1"}]},
			{"name": "sidecar", "cpu": 128, "memory": 128}
		]}}`),
		snapshot.InstanceTypesFile: ptr(`{"InstanceTypes": [
			{"InstanceType": "g4dn.12xlarge", "VCpuInfo": {"DefaultVCpus": 48}, "MemoryInfo": {"SizeInMiB": 196608},
			 "NetworkInfo": {"MaximumNetworkInterfaces": 8},
			 "GpuInfo": {"Gpus": [{"Name": "T4", "Manufacturer": "NVIDIA", "Count": 4, "MemoryInfo": {"SizeInMiB": 16384}}], "TotalGpuMemoryInMiB": 65536}},
			{"InstanceType": "p3dn.24xlarge", "VCpuInfo": {"DefaultVCpus": 96}, "MemoryInfo": {"SizeInMiB": 786432},
			 "GpuInfo": {"Gpus": [{"Name": "V100", "Count": 6}, {"Name": "V100", "Count": 2}]}},
			{"InstanceType": "m5.large", "VCpuInfo": {"DefaultVCpus": 2}, "MemoryInfo": {"SizeInMiB": 8192}}
		]}`),
		snapshot.ContainerInstancesFile: ptr(`{"containerInstances": [{"containerInstanceArn": "` + ciARN + `", "status": "ACTIVE",
			"registeredResources": [
				{"name": "CPU", "type": "INTEGER", "integerValue": 49152},
				{"name": "GPU", "type": "STRINGSET", "doubleValue": 0.0, "longValue": 0, "integerValue": 0,
				 "stringSetValue": ["GPU-0a1b2c3d-0000-1111-2222-333344445555", "GPU-0a1b2c3d-0000-1111-2222-333344445556", "GPU-0a1b2c3d-0000-1111-2222-333344445557"]}
			]}]}`),
	})
	var containerGPUs []int64
	for _, ct := range c.TaskDefinitions[tdARN].Containers {
		containerGPUs = append(containerGPUs, ct.GPUs)
	}
	if diff := cmp.Diff([]int64{2, 1, 0}, containerGPUs); diff != "" {
		t.Errorf("container GPUs (-want +got):\n%s", diff)
	}
	if got := c.TaskDefinitions[tdARN].Shape().GPUs; got != 3 {
		t.Errorf("task GPUs %d, want 3", got)
	}
	typeGPUs := map[string]int64{}
	for name, it := range c.InstanceTypes {
		typeGPUs[name] = it.GPUs
	}
	if diff := cmp.Diff(map[string]int64{"g4dn.12xlarge": 4, "p3dn.24xlarge": 8, "m5.large": 0}, typeGPUs); diff != "" {
		t.Errorf("instance type GPUs (-want +got):\n%s", diff)
	}
	if got := c.ContainerInstances[0].RegisteredGPUs; got != 3 {
		t.Errorf("registered GPUs %d, want 3 (one per GPU ID)", got)
	}
}

func TestClusterPorts(t *testing.T) {
	c := cluster(t, map[string]*string{
		snapshot.ContainerInstancesFile: ptr(`{"containerInstances": [{"containerInstanceArn": "` + ciARN + `", "status": "ACTIVE",
			"registeredResources": [
				{"name": "PORTS", "type": "STRINGSET", "stringSetValue": ["22", "2375", "2376", "51678", "51679"]},
				{"name": "PORTS_UDP", "type": "STRINGSET", "stringSetValue": ["53"]}
			],
			"remainingResources": [
				{"name": "PORTS", "type": "STRINGSET", "stringSetValue": ["22", "2375", "2376", "51678", "51679", "80", " 443 ", "0", "65535"]},
				{"name": "PORTS_UDP", "type": "STRINGSET", "stringSetValue": ["53", "161"]}
			]}]}`),
	})
	ci := c.ContainerInstances[0]
	got := map[string][]int{"reserved tcp": ci.ReservedPortsTCP, "reserved udp": ci.ReservedPortsUDP, "tcp": ci.PortsTCP, "udp": ci.PortsUDP}
	want := map[string][]int{
		"reserved tcp": {22, 2375, 2376, 51678, 51679},
		"reserved udp": {53},
		"tcp":          {22, 2375, 2376, 51678, 51679, 80, 443, 0, 65535},
		"udp":          {53, 161},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ports (-want +got):\n%s", diff)
	}
}

func TestClusterPortMappings(t *testing.T) {
	c := cluster(t, map[string]*string{
		"task-definitions/web-3.json": ptr(`{"taskDefinition": {"taskDefinitionArn": "` + tdARN + `", "networkMode": "host", "containerDefinitions": [
			{"name": "dns", "portMappings": [{"containerPort": 53, "hostPort": 53, "protocol": "udp"}, {"containerPort": 53, "protocol": "TCP"}, {"containerPort": 8080}]}
		]}}`),
	})
	got := c.TaskDefinitions[tdARN].Containers[0].PortMappings
	want := []placement.PortMapping{
		{ContainerPort: 53, HostPort: 53, Protocol: placement.UDP},
		{ContainerPort: 53, Protocol: placement.TCP},
		{ContainerPort: 8080, Protocol: placement.TCP},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("port mappings (-want +got):\n%s", diff)
	}
}

func TestClusterErrors(t *testing.T) {
	service := func(fields string) map[string]*string {
		return map[string]*string{snapshot.ServicesFile: ptr(`{"services": [{"serviceName": "web", "taskDefinition": "` + tdARN + `"` + fields + `}]}`)}
	}
	td := func(fields, containers string) map[string]*string {
		return map[string]*string{"task-definitions/web-3.json": ptr(`{"taskDefinition": {"taskDefinitionArn": "` + tdARN + `"` + fields + `, "containerDefinitions": [` + containers + `]}}`)}
	}
	instance := func(resources string) map[string]*string {
		return map[string]*string{snapshot.ContainerInstancesFile: ptr(`{"containerInstances": [{"containerInstanceArn": "` + ciARN + `", "status": "ACTIVE", ` + resources + `}]}`)}
	}
	const tdFile = "task-definitions/web-3.json"
	tests := []struct {
		name             string
		files            map[string]*string
		file, field, msg string
	}{
		{"a service without a name", map[string]*string{snapshot.ServicesFile: ptr(`{"services": [{"taskDefinition": "` + tdARN + `"}]}`)},
			"services.json", "services[0].serviceName", "missing"},
		{"a service without a task definition", map[string]*string{snapshot.ServicesFile: ptr(`{"services": [{"serviceName": "web"}]}`)},
			"services.json", "services[0].taskDefinition", "missing"},
		{"an unknown scheduling strategy", service(`, "schedulingStrategy": "SINGLETON"`),
			"services.json", "services[0].schedulingStrategy", `want REPLICA or DAEMON, got "SINGLETON"`},
		{"a negative desired count", service(`, "desiredCount": -1`),
			"services.json", "services[0].desiredCount", "want a count, got -1"},
		{"a negative maximumPercent", service(`, "deploymentConfiguration": {"maximumPercent": -100}`),
			"services.json", "services[0].deploymentConfiguration", "percentages cannot be negative"},
		{"an unknown constraint type", service(`, "placementConstraints": [{"type": "distinctInstance"}, {"type": "sameHost"}]`),
			"services.json", "services[0].placementConstraints[1].type", `want distinctInstance or memberOf, got "sameHost"`},
		{"an unknown strategy type", service(`, "placementStrategy": [{"type": "pack", "field": "cpu"}]`),
			"services.json", "services[0].placementStrategy[0].type", `want binpack, spread or random, got "pack"`},
		{"an unknown network mode", td(`, "networkMode": "nat"`, `{"name": "web"}`),
			tdFile, "taskDefinition.networkMode", `want bridge, host, awsvpc or none, got "nat"`},
		{"a negative container memory", td(``, `{"name": "web"}, {"name": "sidecar", "memory": -1}`),
			tdFile, "taskDefinition.containerDefinitions[1]", "cpu and memory cannot be negative"},
		{"a port above 65535", td(``, `{"name": "web", "portMappings": [{"containerPort": 80, "hostPort": 80}, {"containerPort": 70000}]}`),
			tdFile, "taskDefinition.containerDefinitions[0].portMappings[1]", "ports must be in [0, 65535]"},
		{"an unknown protocol", td(``, `{"name": "web", "portMappings": [{"containerPort": 80, "protocol": "sctp"}]}`),
			tdFile, "taskDefinition.containerDefinitions[0].portMappings[0].protocol", `want tcp or udp, got "sctp"`},
		{"a GPU count in words", td(``, `{"name": "web", "resourceRequirements": [{"type": "InferenceAccelerator", "value": "device_1"}, {"type": "GPU", "value": "one"}]}`),
			tdFile, "taskDefinition.containerDefinitions[0].resourceRequirements[1].value", `want a GPU count, got "one"`},
		{"a negative GPU count", td(``, `{"name": "web", "resourceRequirements": [{"type": "GPU", "value": "-1"}]}`),
			tdFile, "taskDefinition.containerDefinitions[0].resourceRequirements[0].value", `got "-1"`},
		{"an unknown constraint type in a task definition", td(`, "placementConstraints": [{"type": "affinity"}]`, `{"name": "web"}`),
			tdFile, "taskDefinition.placementConstraints[0].type", `got "affinity"`},
		{"a container instance without an ARN", map[string]*string{snapshot.ContainerInstancesFile: ptr(`{"containerInstances": [{"ec2InstanceId": "i-0123456789abcdef0"}]}`)},
			"container-instances.json", "containerInstances[0].containerInstanceArn", "missing"},
		{"a registered port in words", instance(`"registeredResources": [{"name": "CPU", "integerValue": 2048}, {"name": "PORTS", "stringSetValue": ["22", "ssh"]}]`),
			"container-instances.json", "containerInstances[0].registeredResources[1].stringSetValue[1]", `want a port number, got "ssh"`},
		{"a registered UDP port out of range", instance(`"registeredResources": [{"name": "PORTS_UDP", "stringSetValue": ["65536"]}]`),
			"container-instances.json", "containerInstances[0].registeredResources[0].stringSetValue[0]", `got "65536"`},
		{"a remaining port in words", instance(`"remainingResources": [{"name": "PORTS", "stringSetValue": ["22", "eighty"]}]`),
			"container-instances.json", "containerInstances[0].remainingResources[0].stringSetValue[1]", `want a port number, got "eighty"`},
		{"a remaining UDP port that is negative", instance(`"remainingResources": [{"name": "CPU"}, {"name": "PORTS_UDP", "stringSetValue": ["-53"]}]`),
			"container-instances.json", "containerInstances[0].remainingResources[1].stringSetValue[0]", `got "-53"`},
		{"a port range", instance(`"remainingResources": [{"name": "PORTS", "stringSetValue": ["8000-8010"]}]`),
			"container-instances.json", "containerInstances[0].remainingResources[0].stringSetValue[0]", `got "8000-8010"`},
		{"a task without an ARN", map[string]*string{snapshot.TasksFile: ptr(`{"tasks": [{"taskArn": "arn:aws:ecs:us-east-1:123456789012:task/tiny/1"}, {"lastStatus": "RUNNING"}]}`)},
			"tasks.json", "tasks[1].taskArn", "missing"},
		{"a group without a name", map[string]*string{snapshot.AutoScalingGroupsFile: ptr(`{"AutoScalingGroups": [{"MinSize": 1}]}`)},
			"auto-scaling-groups.json", "AutoScalingGroups[0].AutoScalingGroupName", "missing"},
		{"an instance type without a name", map[string]*string{snapshot.InstanceTypesFile: ptr(`{"InstanceTypes": [{"VCpuInfo": {"DefaultVCpus": 2}}]}`)},
			"instance-types.json", "InstanceTypes[0].InstanceType", "missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, clusterErr(t, tt.files), tt.file, tt.field, tt.msg)
		})
	}
}

// TestClusterMissingTaskDefinition is the snapshot side of a task
// definition file the user forgot: the loader should say which file is
// missing, and for which service.
func TestClusterMissingTaskDefinition(t *testing.T) {
	s, err := snapshot.Load(tinyWith(map[string]*string{
		"task-definitions/web-3.json": ptr(`{"taskDefinition": {"taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2", "containerDefinitions": []}}`),
	}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Cluster()
	wantError(t, err, "services.json", "services[0].taskDefinition", "task-definitions/")
	if !strings.Contains(err.Error(), "web:3") {
		t.Errorf("error %q, want it to name the task definition", err)
	}
}
