package snapshot_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/tandem-ecs/tandem/internal/snapshot"
)

// The files of a small, valid snapshot, shaped as the AWS CLI prints them
// but with only a few of the fields real output carries. Tests change one
// file at a time.
const (
	tdARN  = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3"
	ciARN  = "arn:aws:ecs:us-east-1:123456789012:container-instance/tiny/0123456789abcdef0123456789abcdef"
	asgARN = "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0c0d0e0f-1111-2222-3333-444455556666:autoScalingGroupName/tiny-asg"

	servicesJSON = `{
    "services": [
        {
            "serviceArn": "arn:aws:ecs:us-east-1:123456789012:service/tiny/web",
            "serviceName": "web",
            "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/tiny",
            "status": "ACTIVE",
            "desiredCount": 2,
            "runningCount": 1,
            "pendingCount": 0,
            "launchType": "EC2",
            "taskDefinition": "` + tdARN + `",
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": true, "rollback": true},
                "maximumPercent": 150,
                "minimumHealthyPercent": 50
            },
            "deployments": [
                {
                    "id": "ecs-svc/1234567890123456789",
                    "status": "PRIMARY",
                    "taskDefinition": "` + tdARN + `",
                    "desiredCount": 2,
                    "pendingCount": 0,
                    "runningCount": 1,
                    "failedTasks": 0,
                    "createdAt": "2026-11-25T10:00:00.123000+00:00",
                    "updatedAt": "2026-11-25T10:05:00+00:00",
                    "launchType": "EC2",
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment ecs-svc/1234567890123456789 completed."
                }
            ],
            "placementConstraints": [{"type": "distinctInstance"}],
            "placementStrategy": [{"type": "binpack", "field": "memory"}],
            "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"},
            "createdAt": "2026-11-01T09:00:00+00:00"
        }
    ],
    "failures": []
}`
	taskDefinitionJSON = `{
    "taskDefinition": {
        "taskDefinitionArn": "` + tdARN + `",
        "containerDefinitions": [
            {
                "name": "web",
                "image": "public.ecr.aws/nginx/nginx:1.27",
                "cpu": 256,
                "memory": 512,
                "memoryReservation": 256,
                "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}],
                "essential": true
            }
        ],
        "family": "web",
        "networkMode": "bridge",
        "revision": 3,
        "status": "ACTIVE",
        "requiresAttributes": [
            {"name": "com.amazonaws.ecs.capability.docker-remote-api.1.21"},
            {"name": "ecs.capability.custom", "value": "yes"}
        ],
        "placementConstraints": [{"type": "memberOf", "expression": "attribute:ecs.instance-type =~ m5.*"}],
        "compatibilities": ["EXTERNAL", "EC2"],
        "requiresCompatibilities": ["EC2"],
        "cpu": "512",
        "memory": "1 GB"
    },
    "tags": []
}`
	containerInstancesJSON = `{
    "containerInstances": [
        {
            "containerInstanceArn": "` + ciARN + `",
            "ec2InstanceId": "i-0123456789abcdef0",
            "version": 5,
            "versionInfo": {"agentVersion": "1.89.2", "agentHash": "4a1b2c3", "dockerVersion": "DockerVersion: 25.0.8"},
            "remainingResources": [
                {"name": "CPU", "type": "INTEGER", "doubleValue": 0.0, "longValue": 0, "integerValue": 1536},
                {"name": "MEMORY", "type": "INTEGER", "doubleValue": 0.0, "longValue": 0, "integerValue": 6656},
                {"name": "PORTS", "type": "STRINGSET", "doubleValue": 0.0, "longValue": 0, "integerValue": 0, "stringSetValue": ["22", "2375", "2376", "51678", "51679", "80"]},
                {"name": "PORTS_UDP", "type": "STRINGSET", "doubleValue": 0.0, "longValue": 0, "integerValue": 0, "stringSetValue": ["161"]}
            ],
            "registeredResources": [
                {"name": "CPU", "type": "INTEGER", "doubleValue": 0.0, "longValue": 0, "integerValue": 2048},
                {"name": "MEMORY", "type": "INTEGER", "doubleValue": 0.0, "longValue": 0, "integerValue": 7680},
                {"name": "PORTS", "type": "STRINGSET", "doubleValue": 0.0, "longValue": 0, "integerValue": 0, "stringSetValue": ["22", "2375", "2376", "51678", "51679"]},
                {"name": "PORTS_UDP", "type": "STRINGSET", "doubleValue": 0.0, "longValue": 0, "integerValue": 0, "stringSetValue": []}
            ],
            "status": "ACTIVE",
            "agentConnected": true,
            "runningTasksCount": 1,
            "pendingTasksCount": 0,
            "attributes": [
                {"name": "ecs.instance-type", "value": "m5.large"},
                {"name": "ecs.availability-zone", "value": "us-east-1a"},
                {"name": "com.amazonaws.ecs.capability.docker-remote-api.1.21"}
            ],
            "registeredAt": "2026-11-20T09:00:00.263000+00:00",
            "attachments": [],
            "tags": [{"key": "team", "value": "web"}],
            "healthStatus": {"overallStatus": "OK", "details": []}
        }
    ],
    "failures": []
}`
	tasksJSON = `{
    "tasks": [
        {
            "attachments": [],
            "availabilityZone": "us-east-1a",
            "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/tiny",
            "containerInstanceArn": "` + ciARN + `",
            "containers": [{"name": "web", "lastStatus": "RUNNING", "networkBindings": [{"bindIP": "0.0.0.0", "containerPort": 80, "hostPort": 80, "protocol": "tcp"}]}],
            "cpu": "512",
            "createdAt": "2026-11-25T10:00:01.061000+00:00",
            "desiredStatus": "RUNNING",
            "group": "service:web",
            "lastStatus": "RUNNING",
            "launchType": "EC2",
            "memory": "1024",
            "overrides": {"containerOverrides": [{"name": "web"}], "inferenceAcceleratorOverrides": []},
            "startedBy": "ecs-svc/1234567890123456789",
            "taskArn": "arn:aws:ecs:us-east-1:123456789012:task/tiny/00000000000000000000000000000001",
            "taskDefinitionArn": "` + tdARN + `",
            "version": 3
        }
    ],
    "failures": []
}`
	autoScalingGroupsJSON = `{
    "AutoScalingGroups": [
        {
            "AutoScalingGroupName": "tiny-asg",
            "AutoScalingGroupARN": "` + asgARN + `",
            "LaunchTemplate": {"LaunchTemplateId": "lt-0123456789abcdef0", "LaunchTemplateName": "tiny", "Version": "$Latest"},
            "MinSize": 1,
            "MaxSize": 4,
            "DesiredCapacity": 1,
            "DefaultCooldown": 300,
            "AvailabilityZones": ["us-east-1a", "us-east-1b"],
            "HealthCheckType": "EC2",
            "Instances": [
                {
                    "InstanceId": "i-0123456789abcdef0",
                    "InstanceType": "m5.large",
                    "AvailabilityZone": "us-east-1a",
                    "LifecycleState": "InService",
                    "HealthStatus": "Healthy",
                    "LaunchTemplate": {"LaunchTemplateId": "lt-0123456789abcdef0", "LaunchTemplateName": "tiny", "Version": "1"},
                    "ProtectedFromScaleIn": true
                }
            ],
            "CreatedTime": "2026-11-01T09:00:00.412000+00:00",
            "SuspendedProcesses": [],
            "EnabledMetrics": [],
            "Tags": [{"ResourceId": "tiny-asg", "ResourceType": "auto-scaling-group", "Key": "team", "Value": "web", "PropagateAtLaunch": true}],
            "TerminationPolicies": ["Default"],
            "NewInstancesProtectedFromScaleIn": true,
            "ServiceLinkedRoleARN": "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
            "CapacityRebalance": false
        }
    ]
}`
	instanceTypesJSON = `{
    "InstanceTypes": [
        {
            "InstanceType": "m5.large",
            "CurrentGeneration": true,
            "ProcessorInfo": {"SupportedArchitectures": ["x86_64"], "SustainedClockSpeedInGhz": 3.1, "Manufacturer": "Intel"},
            "VCpuInfo": {"DefaultVCpus": 2, "DefaultCores": 1, "DefaultThreadsPerCore": 2, "ValidCores": [1], "ValidThreadsPerCore": [1, 2]},
            "MemoryInfo": {"SizeInMiB": 8192},
            "NetworkInfo": {"NetworkPerformance": "Up to 10 Gigabit", "MaximumNetworkInterfaces": 3, "Ipv4AddressesPerInterface": 10}
        }
    ]
}`
	launchTemplateVersionsJSON = `{
    "LaunchTemplateVersions": [
        {
            "LaunchTemplateId": "lt-0123456789abcdef0",
            "LaunchTemplateName": "tiny",
            "VersionNumber": 1,
            "CreateTime": "2026-11-01T09:00:00+00:00",
            "CreatedBy": "arn:aws:iam::123456789012:root",
            "DefaultVersion": true,
            "LaunchTemplateData": {"ImageId": "ami-0123456789abcdef0", "InstanceType": "m5.large", "IamInstanceProfile": {"Name": "ecsInstanceRole"}}
        }
    ]
}`
	clustersJSON = `{
    "clusters": [
        {
            "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/tiny",
            "clusterName": "tiny",
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 1,
            "runningTasksCount": 1,
            "pendingTasksCount": 0,
            "activeServicesCount": 1,
            "statistics": [],
            "tags": [],
            "settings": [{"name": "containerInsights", "value": "enabled"}],
            "capacityProviders": ["tiny-cp"],
            "defaultCapacityProviderStrategy": [{"capacityProvider": "tiny-cp", "weight": 1, "base": 1}],
            "attachments": [],
            "attachmentsStatus": "UPDATE_COMPLETE"
        }
    ],
    "failures": []
}`
	capacityProvidersJSON = `{
    "capacityProviders": [
        {
            "capacityProviderArn": "arn:aws:ecs:us-east-1:123456789012:capacity-provider/tiny-cp",
            "name": "tiny-cp",
            "status": "ACTIVE",
            "autoScalingGroupProvider": {
                "autoScalingGroupArn": "` + asgARN + `",
                "managedScaling": {"status": "ENABLED", "targetCapacity": 90, "minimumScalingStepSize": 1, "maximumScalingStepSize": 10000, "instanceWarmupPeriod": 300},
                "managedTerminationProtection": "ENABLED",
                "managedDraining": "ENABLED"
            },
            "updateStatus": "UPDATE_COMPLETE",
            "tags": []
        },
        {"capacityProviderArn": "arn:aws:ecs:us-east-1:123456789012:capacity-provider/FARGATE", "name": "FARGATE", "status": "ACTIVE", "tags": []}
    ],
    "failures": []
}`
)

// tiny returns the small snapshot without its optional files.
func tiny() fstest.MapFS {
	return fstest.MapFS{
		snapshot.ServicesFile:               {Data: []byte(servicesJSON)},
		"task-definitions/web-3.json":       {Data: []byte(taskDefinitionJSON)},
		snapshot.ContainerInstancesFile:     {Data: []byte(containerInstancesJSON)},
		snapshot.TasksFile:                  {Data: []byte(tasksJSON)},
		snapshot.AutoScalingGroupsFile:      {Data: []byte(autoScalingGroupsJSON)},
		snapshot.InstanceTypesFile:          {Data: []byte(instanceTypesJSON)},
		snapshot.LaunchTemplateVersionsFile: {Data: []byte(launchTemplateVersionsJSON)},
	}
}

// tinyWith returns tiny with files replaced, added, or removed (nil).
func tinyWith(files map[string]*string) fstest.MapFS {
	fsys := tiny()
	for name, data := range files {
		if data == nil {
			delete(fsys, name)
			continue
		}
		fsys[name] = &fstest.MapFile{Data: []byte(*data)}
	}
	return fsys
}

func ptr[T any](v T) *T { return &v }

// at parses an RFC 3339 time for wants.
func at(t *testing.T, s string) *snapshot.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return &snapshot.Time{Time: v.UTC()}
}

// ignoreUnexported leaves out the file names the snapshot keeps for its
// error messages.
var ignoreUnexported = cmpopts.IgnoreUnexported(snapshot.Snapshot{})

func TestLoadDecodesEveryFile(t *testing.T) {
	fsys := tinyWith(map[string]*string{
		snapshot.ClustersFile:          ptr(clustersJSON),
		snapshot.CapacityProvidersFile: ptr(capacityProvidersJSON),
	})
	got, err := snapshot.Load(fsys)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := &snapshot.Snapshot{
		Services: []snapshot.Service{{
			ServiceName:  "web",
			ServiceARN:   "arn:aws:ecs:us-east-1:123456789012:service/tiny/web",
			ClusterARN:   "arn:aws:ecs:us-east-1:123456789012:cluster/tiny",
			Status:       "ACTIVE",
			DesiredCount: 2, RunningCount: 1, PendingCount: 0,
			LaunchType:              "EC2",
			TaskDefinition:          tdARN,
			DeploymentConfiguration: &snapshot.DeploymentConfiguration{MaximumPercent: ptr(150), MinimumHealthyPercent: ptr(50)},
			DeploymentController:    &snapshot.DeploymentController{Type: "ECS"},
			Deployments: []snapshot.Deployment{{
				ID: "ecs-svc/1234567890123456789", Status: "PRIMARY", TaskDefinition: tdARN,
				DesiredCount: 2, RunningCount: 1, RolloutState: "COMPLETED",
				CreatedAt: at(t, "2026-11-25T10:00:00.123Z"), UpdatedAt: at(t, "2026-11-25T10:05:00Z"),
			}},
			PlacementConstraints: []snapshot.PlacementConstraint{{Type: "distinctInstance"}},
			PlacementStrategy:    []snapshot.PlacementStrategy{{Type: "binpack", Field: "memory"}},
			SchedulingStrategy:   "REPLICA",
			CreatedAt:            at(t, "2026-11-01T09:00:00Z"),
		}},
		TaskDefinitions: []snapshot.TaskDefinition{{
			TaskDefinitionARN: tdARN, Family: "web", Revision: 3, NetworkMode: "bridge",
			CPU: "512", Memory: "1 GB", Status: "ACTIVE",
			ContainerDefinitions: []snapshot.ContainerDefinition{{
				Name: "web", CPU: 256, Memory: 512, MemoryReservation: 256,
				PortMappings: []snapshot.PortMapping{{ContainerPort: 80, HostPort: 80, Protocol: "tcp"}},
			}},
			PlacementConstraints: []snapshot.PlacementConstraint{{Type: "memberOf", Expression: "attribute:ecs.instance-type =~ m5.*"}},
			RequiresAttributes: []snapshot.Attribute{
				{Name: "com.amazonaws.ecs.capability.docker-remote-api.1.21"},
				{Name: "ecs.capability.custom", Value: ptr("yes")},
			},
		}},
		ContainerInstances: []snapshot.ContainerInstance{{
			ContainerInstanceARN: ciARN,
			EC2InstanceID:        "i-0123456789abcdef0",
			Status:               "ACTIVE",
			AgentConnected:       ptr(true),
			VersionInfo:          snapshot.VersionInfo{AgentVersion: "1.89.2"},
			RemainingResources: []snapshot.Resource{
				{Name: "CPU", Type: "INTEGER", IntegerValue: 1536},
				{Name: "MEMORY", Type: "INTEGER", IntegerValue: 6656},
				{Name: "PORTS", Type: "STRINGSET", StringSetValue: []string{"22", "2375", "2376", "51678", "51679", "80"}},
				{Name: "PORTS_UDP", Type: "STRINGSET", StringSetValue: []string{"161"}},
			},
			RegisteredResources: []snapshot.Resource{
				{Name: "CPU", Type: "INTEGER", IntegerValue: 2048},
				{Name: "MEMORY", Type: "INTEGER", IntegerValue: 7680},
				{Name: "PORTS", Type: "STRINGSET", StringSetValue: []string{"22", "2375", "2376", "51678", "51679"}},
				{Name: "PORTS_UDP", Type: "STRINGSET", StringSetValue: []string{}},
			},
			RunningTasksCount: 1,
			Attributes: []snapshot.Attribute{
				{Name: "ecs.instance-type", Value: ptr("m5.large")},
				{Name: "ecs.availability-zone", Value: ptr("us-east-1a")},
				{Name: "com.amazonaws.ecs.capability.docker-remote-api.1.21"},
			},
			RegisteredAt: at(t, "2026-11-20T09:00:00.263Z"),
			Tags:         []snapshot.Tag{{Key: "team", Value: "web"}},
		}},
		Tasks: []snapshot.Task{{
			TaskARN:              "arn:aws:ecs:us-east-1:123456789012:task/tiny/00000000000000000000000000000001",
			TaskDefinitionARN:    tdARN,
			ContainerInstanceARN: ciARN,
			Group:                "service:web",
			StartedBy:            "ecs-svc/1234567890123456789",
			LastStatus:           "RUNNING",
			DesiredStatus:        "RUNNING",
			LaunchType:           "EC2",
			CreatedAt:            at(t, "2026-11-25T10:00:01.061Z"),
		}},
		AutoScalingGroups: []snapshot.AutoScalingGroup{{
			AutoScalingGroupName: "tiny-asg",
			AutoScalingGroupARN:  asgARN,
			LaunchTemplate:       &snapshot.LaunchTemplateSpec{LaunchTemplateID: "lt-0123456789abcdef0", LaunchTemplateName: "tiny", Version: "$Latest"},
			MinSize:              1, MaxSize: 4, DesiredCapacity: 1,
			AvailabilityZones: []string{"us-east-1a", "us-east-1b"},
			Instances: []snapshot.ASGInstance{{
				InstanceID: "i-0123456789abcdef0", InstanceType: "m5.large", AvailabilityZone: "us-east-1a",
				LifecycleState: "InService", HealthStatus: "Healthy",
				LaunchTemplate:       &snapshot.LaunchTemplateSpec{LaunchTemplateID: "lt-0123456789abcdef0", LaunchTemplateName: "tiny", Version: "1"},
				ProtectedFromScaleIn: true,
			}},
			SuspendedProcesses:    []snapshot.SuspendedProcess{},
			Tags:                  []snapshot.ASGTag{{Key: "team", Value: "web"}},
			NewInstancesProtected: ptr(true),
			CapacityRebalance:     ptr(false),
			CreatedTime:           at(t, "2026-11-01T09:00:00.412Z"),
			TerminationPolicies:   []string{"Default"},
		}},
		InstanceTypes: []snapshot.InstanceTypeInfo{{
			InstanceType:  "m5.large",
			VCPUInfo:      snapshot.VCPUInfo{DefaultVCPUs: 2},
			MemoryInfo:    snapshot.MemoryInfo{SizeInMiB: 8192},
			NetworkInfo:   snapshot.NetworkInfo{MaximumNetworkInterfaces: 3},
			ProcessorInfo: &snapshot.ProcessorInfo{SupportedArchitectures: []string{"x86_64"}},
		}},
		LaunchTemplateVersions: []snapshot.LaunchTemplateVersion{{
			LaunchTemplateID: "lt-0123456789abcdef0", LaunchTemplateName: "tiny", VersionNumber: 1, DefaultVersion: true,
			LaunchTemplateData: snapshot.LaunchTemplateData{ImageID: "ami-0123456789abcdef0", InstanceType: "m5.large"},
		}},
		Clusters: []snapshot.Cluster{{
			ClusterName:                     "tiny",
			ClusterARN:                      "arn:aws:ecs:us-east-1:123456789012:cluster/tiny",
			CapacityProviders:               []string{"tiny-cp"},
			DefaultCapacityProviderStrategy: []snapshot.CapacityProviderStrategyItem{{CapacityProvider: "tiny-cp", Weight: 1, Base: 1}},
		}},
		CapacityProviders: []snapshot.CapacityProvider{
			{
				Name:   "tiny-cp",
				Status: "ACTIVE",
				AutoScalingGroupProvider: &snapshot.AutoScalingGroupProvider{
					AutoScalingGroupARN:          asgARN,
					ManagedScaling:               &snapshot.ManagedScaling{Status: "ENABLED", TargetCapacity: 90},
					ManagedTerminationProtection: "ENABLED",
					ManagedDraining:              "ENABLED",
				},
			},
			{Name: "FARGATE", Status: "ACTIVE"},
		},
	}
	if diff := cmp.Diff(want, got, ignoreUnexported); diff != "" {
		t.Errorf("Load() mismatch (-want +got):\n%s", diff)
	}
}

func TestLoadOptionalFiles(t *testing.T) {
	got, err := snapshot.Load(tiny())
	if err != nil {
		t.Fatalf("Load without clusters.json, capacity-providers.json and instances.json: %v", err)
	}
	if got.Clusters != nil || got.CapacityProviders != nil || got.Reservations != nil || got.InstanceTags() != nil {
		t.Errorf("clusters %v, capacity providers %v, reservations %v; want nil for missing optional files", got.Clusters, got.CapacityProviders, got.Reservations)
	}
}

// instancesJSON is what aws ec2 describe-instances --instance-ids prints for
// two instances of two reservations, cut down.
const instancesJSON = `{
    "Reservations": [
        {
            "ReservationId": "r-0123456789abcdef0",
            "OwnerId": "123456789012",
            "Groups": [],
            "Instances": [
                {
                    "InstanceId": "i-0123456789abcdef0",
                    "InstanceType": "m5.large",
                    "LaunchTime": "2026-11-20T08:58:31+00:00",
                    "State": {"Code": 16, "Name": "running"},
                    "Tags": [
                        {"Key": "aws:autoscaling:groupName", "Value": "tiny-asg"},
                        {"Key": "tandem:scale-in", "Value": "never"}
                    ]
                }
            ]
        },
        {
            "ReservationId": "r-0fedcba9876543210",
            "Instances": [{"InstanceId": "i-0fedcba9876543210", "InstanceType": "m5.large"}]
        }
    ]
}`

func TestLoadInstances(t *testing.T) {
	s, err := snapshot.Load(tinyWith(map[string]*string{snapshot.InstancesFile: ptr(instancesJSON)}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := map[string]map[string]string{
		"i-0123456789abcdef0": {"aws:autoscaling:groupName": "tiny-asg", "tandem:scale-in": "never"},
		"i-0fedcba9876543210": {},
	}
	if diff := cmp.Diff(want, s.InstanceTags()); diff != "" {
		t.Errorf("InstanceTags (-want +got):\n%s", diff)
	}
	if got := s.Reservations[0].Instances[0].LaunchTime; got == nil || !got.Equal(time.Date(2026, 11, 20, 8, 58, 31, 0, time.UTC)) {
		t.Errorf("LaunchTime = %v", got)
	}
	_, err = snapshot.Load(tinyWith(map[string]*string{snapshot.InstancesFile: ptr(`{"Reservations": [{"Instances": []}, {"Instances": [{"InstanceId": "i-1"}, {"Tags": []}]}]}`)}))
	wantError(t, err, snapshot.InstancesFile, "Reservations[1].Instances[1].InstanceId", "missing")
	_, err = snapshot.Load(tinyWith(map[string]*string{snapshot.InstancesFile: ptr(`{"InstanceStatuses": []}`)}))
	wantError(t, err, snapshot.InstancesFile, "", `no "Reservations" in the object; is this the output of aws ec2 describe-instances?`)
}

func TestLoadEmptyLists(t *testing.T) {
	// A cluster without services needs no task definitions folder.
	fsys := tinyWith(map[string]*string{
		snapshot.ServicesFile:         ptr(`{"services": [], "failures": []}`),
		snapshot.TasksFile:            ptr(`{"tasks": [], "failures": []}`),
		"task-definitions/web-3.json": nil,
	})
	got, err := snapshot.Load(fsys)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(got.Services) != 0 || len(got.Tasks) != 0 || len(got.TaskDefinitions) != 0 {
		t.Errorf("services %d, tasks %d, task definitions %d; want none", len(got.Services), len(got.Tasks), len(got.TaskDefinitions))
	}
}

func TestLoadMergesPages(t *testing.T) {
	task := func(n string) string {
		return `{"taskArn": "arn:aws:ecs:us-east-1:123456789012:task/tiny/` + n + `", "taskDefinitionArn": "` + tdARN + `", "lastStatus": "RUNNING", "desiredStatus": "RUNNING"}`
	}
	fsys := tinyWith(map[string]*string{
		// Three pages, as appended by repeated calls (one of them empty),
		// with the whitespace between them that >> leaves.
		snapshot.TasksFile: ptr(`{"tasks": [` + task("1") + `, ` + task("2") + `], "failures": []}
{"tasks": [], "failures": []}

{"tasks": [` + task("3") + `], "failures": []}
`),
		// Two task definitions in one file, and one more in another.
		"task-definitions/web-3.json": ptr(`{"taskDefinition": {"taskDefinitionArn": "` + tdARN + `", "containerDefinitions": []}, "tags": []}` +
			`{"taskDefinition": {"taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:4", "containerDefinitions": []}}`),
		"task-definitions/api-1.json": ptr(`{"taskDefinition": {"taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/api:1", "containerDefinitions": []}}`),
		// Files that are not JSON, and folders, are not task definitions.
		"task-definitions/README.md":          ptr("saved with aws ecs describe-task-definition"),
		"task-definitions/old/web-2.json":     ptr("not read"),
		snapshot.AutoScalingGroupsFile:        ptr(`{"AutoScalingGroups": [{"AutoScalingGroupName": "a", "Instances": []}], "NextToken": "abc"} {"AutoScalingGroups": [{"AutoScalingGroupName": "b", "Instances": []}]}`),
		snapshot.LaunchTemplateVersionsFile:   ptr(`{"LaunchTemplateVersions": []}`),
		snapshot.InstanceTypesFile:            ptr(`{"InstanceTypes": [{"InstanceType": "m5.large"}], "NextToken": "x"}{"InstanceTypes": [{"InstanceType": "c5.large"}]}`),
		snapshot.ContainerInstancesFile:       ptr(`{"containerInstances": [], "failures": []}`),
		snapshot.ServicesFile:                 ptr(`{"services": []}`),
		snapshot.CapacityProvidersFile:        ptr(`{"capacityProviders": [{"name": "a"}], "nextToken": "x"}` + "\n" + `{"capacityProviders": [{"name": "b"}]}`),
		snapshot.ClustersFile:                 ptr(`{"clusters": [{"clusterName": "tiny"}]}`),
		"task-definitions/old/README.unknown": ptr(""),
	})
	s, err := snapshot.Load(fsys)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	var tasks, tds, groups, types, providers []string
	for _, x := range s.Tasks {
		tasks = append(tasks, x.TaskARN[strings.LastIndexByte(x.TaskARN, '/')+1:])
	}
	for _, x := range s.TaskDefinitions {
		tds = append(tds, x.TaskDefinitionARN[strings.LastIndexByte(x.TaskDefinitionARN, '/')+1:])
	}
	for _, x := range s.AutoScalingGroups {
		groups = append(groups, x.AutoScalingGroupName)
	}
	for _, x := range s.InstanceTypes {
		types = append(types, x.InstanceType)
	}
	for _, x := range s.CapacityProviders {
		providers = append(providers, x.Name)
	}
	got := map[string][]string{"tasks": tasks, "task definitions": tds, "groups": groups, "types": types, "providers": providers}
	want := map[string][]string{
		"tasks": {"1", "2", "3"},
		// Files are read in name order, the objects of a file in order.
		"task definitions": {"api:1", "web:3", "web:4"},
		"groups":           {"a", "b"},
		"types":            {"m5.large", "c5.large"},
		"providers":        {"a", "b"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("merged pages (-want +got):\n%s", diff)
	}
}

func TestLoadIgnoresUnknownFields(t *testing.T) {
	plain := `{"services": [{"serviceName": "web", "taskDefinition": "` + tdARN + `", "desiredCount": 1}]}`
	rich := `{
    "services": [
        {
            "serviceName": "web",
            "taskDefinition": "` + tdARN + `",
            "desiredCount": 1,
            "capacityProviderName": "not a service field",
            "loadBalancers": [{"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef", "containerName": "web", "containerPort": 80}],
            "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-0a"], "securityGroups": ["sg-0a"], "assignPublicIp": "DISABLED"}},
            "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": true, "rollback": true}, "alarms": {"alarmNames": [], "enable": false, "rollback": false}},
            "events": [{"id": "1", "createdAt": "2026-11-25T10:00:00+00:00", "message": "(service web) has reached a steady state."}],
            "tags": [{"key": "team", "value": "web"}],
            "someFieldAddedIn2030": {"nested": [1, 2, {"deeper": null}]}
        }
    ],
    "failures": [{"arn": "arn:aws:ecs:us-east-1:123456789012:service/tiny/gone", "reason": "MISSING"}],
    "ResponseMetadata": {"RequestId": "0"}
}`
	load := func(services string) *snapshot.Snapshot {
		t.Helper()
		s, err := snapshot.Load(tinyWith(map[string]*string{snapshot.ServicesFile: &services}))
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		return s
	}
	want, got := load(plain), load(rich)
	// The circuit breaker's object is known, its fields are not.
	want.Services[0].DeploymentConfiguration = &snapshot.DeploymentConfiguration{}
	if diff := cmp.Diff(want.Services, got.Services, ignoreUnexported); diff != "" {
		t.Errorf("unknown fields changed what was read (-plain +rich):\n%s", diff)
	}
}

// TestLoadScenarios loads every snapshot of testdata/snapshots, the files
// of real AWS CLI output with every field they carry.
func TestLoadScenarios(t *testing.T) {
	type counts struct {
		Services, TaskDefinitions, ContainerInstances, Tasks, Groups, InstanceTypes, Versions, Clusters, Providers int
	}
	want := map[string]counts{
		"awsvpc-trunk":       {1, 1, 2, 4, 1, 1, 1, 0, 0},
		"capacity-providers": {2, 2, 1, 2, 2, 3, 2, 1, 4},
		"cli-v1":             {1, 1, 3, 10, 1, 1, 0, 0, 0},
		"demo":               {3, 3, 2, 8, 1, 1, 2, 0, 0},
		"draining":           {1, 1, 3, 7, 1, 1, 1, 0, 0},
		"multi-pool":         {3, 3, 1, 2, 2, 3, 2, 0, 0},
		"shortage":           {3, 3, 2, 4, 1, 1, 1, 0, 0},
		"stuck-deploy":       {1, 2, 1, 1, 1, 1, 1, 0, 0},
		"unsupported":        {1, 1, 1, 1, 1, 1, 1, 0, 0},
		"upcoming":           {1, 1, 1, 2, 1, 1, 1, 0, 0},
	}
	dirs, err := filepath.Glob(filepath.Join(scenariosDir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, dir := range dirs {
		if info, err := os.Stat(dir); err != nil || !info.IsDir() {
			continue
		}
		name := filepath.Base(dir)
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			s, err := snapshot.LoadDir(dir)
			if err != nil {
				t.Fatalf("LoadDir: %v", err)
			}
			if _, err := s.Cluster(); err != nil {
				t.Fatalf("Cluster: %v", err)
			}
			got := counts{
				len(s.Services), len(s.TaskDefinitions), len(s.ContainerInstances), len(s.Tasks), len(s.AutoScalingGroups),
				len(s.InstanceTypes), len(s.LaunchTemplateVersions), len(s.Clusters), len(s.CapacityProviders),
			}
			if diff := cmp.Diff(want[name], got); diff != "" {
				t.Errorf("objects read (-want +got):\n%s", diff)
			}
		})
	}
	for name := range want {
		if !seen[name] {
			t.Errorf("scenario %s is missing from %s", name, scenariosDir)
		}
	}
}

// TestLoadCLIv1 checks what the cli-v1 scenario is about: epoch seconds and
// pages.
func TestLoadCLIv1(t *testing.T) {
	s, err := snapshot.LoadDir(filepath.Join(scenariosDir, "cli-v1"))
	if err != nil {
		t.Fatal(err)
	}
	// ECS prints epoch seconds with milliseconds; compare to the
	// millisecond (TestTimeEpochPrecision covers the digits beyond).
	got := map[string]time.Time{
		"service createdAt":     s.Services[0].CreatedAt.Round(time.Millisecond),
		"deployment createdAt":  s.Services[0].Deployments[0].CreatedAt.Round(time.Millisecond),
		"instance registeredAt": s.ContainerInstances[2].RegisteredAt.Round(time.Millisecond),
		"task createdAt":        s.Tasks[9].CreatedAt.Round(time.Millisecond),
		"group CreatedTime":     s.AutoScalingGroups[0].CreatedTime.Time,
	}
	want := map[string]time.Time{
		"service createdAt":     time.Date(2019, 4, 12, 8, 5, 0, 849e6, time.UTC),
		"deployment createdAt":  time.Date(2026, 11, 24, 2, 58, 0, 377e6, time.UTC),
		"instance registeredAt": time.Date(2026, 9, 2, 4, 0, 0, 263e6, time.UTC),
		"task createdAt":        time.Date(2026, 11, 24, 3, 0, 0, 61e6, time.UTC),
		"group CreatedTime":     time.Date(2019, 4, 12, 7, 55, 0, 412e6, time.UTC),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("timestamps (-want +got):\n%s", diff)
	}
	if n := len(s.ContainerInstances); n != 3 {
		t.Errorf("%d container instances, want 2 + 1 from two pages", n)
	}
	if n := len(s.Tasks); n != 10 {
		t.Errorf("%d tasks, want 6 + 4 from two pages", n)
	}
}

func TestLoadDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, tiny()); err != nil {
		t.Fatal(err)
	}
	if _, err := snapshot.LoadDir(dir); err != nil {
		t.Errorf("LoadDir(%s): %v", dir, err)
	}
	if _, err := snapshot.LoadDir(filepath.Join(dir, "nope")); err == nil || !strings.Contains(err.Error(), "snapshot folder") {
		t.Errorf("LoadDir(missing) error = %v, want it to name the snapshot folder", err)
	}
	file := filepath.Join(dir, snapshot.ServicesFile)
	if _, err := snapshot.LoadDir(file); err == nil || !strings.Contains(err.Error(), "is not a folder") {
		t.Errorf("LoadDir(a file) error = %v, want \"is not a folder\"", err)
	}
}

// scenariosDir is the folder of the repository's snapshot scenarios.
const scenariosDir = "../../testdata/snapshots"

// wantError checks that err is a *snapshot.Error naming file and field,
// whose message contains msg.
func wantError(t *testing.T, err error, file, field, msg string) {
	t.Helper()
	var se *snapshot.Error
	if !errors.As(err, &se) {
		t.Fatalf("error = %v (%T), want a *snapshot.Error", err, err)
	}
	if se.File != file || se.Field != field {
		t.Errorf("error names file %q, field %q; want %q, %q (error: %v)", se.File, se.Field, file, field, err)
	}
	if !strings.Contains(se.Error(), msg) {
		t.Errorf("error %q, want it to contain %q", se.Error(), msg)
	}
	if !strings.HasPrefix(se.Error(), file+": ") {
		t.Errorf("error %q, want it to start with the file", se.Error())
	}
}

func TestLoadErrors(t *testing.T) {
	secondPage := `{"services": [{"serviceName": "a", "taskDefinition": "` + tdARN + `"}]} {"services": [{"serviceName": "b", "taskDefinition": "` + tdARN + `", "desiredCount": "three"}]}`
	tests := []struct {
		name             string
		files            map[string]*string
		file, field, msg string
	}{
		{name: "missing services.json", files: map[string]*string{snapshot.ServicesFile: nil},
			file: "services.json", msg: "missing; it holds the output of aws ecs describe-services --output json"},
		{name: "missing container-instances.json", files: map[string]*string{snapshot.ContainerInstancesFile: nil},
			file: "container-instances.json", msg: "aws ecs describe-container-instances"},
		{name: "missing tasks.json", files: map[string]*string{snapshot.TasksFile: nil},
			file: "tasks.json", msg: "aws ecs describe-tasks"},
		{name: "missing auto-scaling-groups.json", files: map[string]*string{snapshot.AutoScalingGroupsFile: nil},
			file: "auto-scaling-groups.json", msg: "aws autoscaling describe-auto-scaling-groups"},
		{name: "missing instance-types.json", files: map[string]*string{snapshot.InstanceTypesFile: nil},
			file: "instance-types.json", msg: "aws ec2 describe-instance-types"},
		{name: "missing launch-template-versions.json", files: map[string]*string{snapshot.LaunchTemplateVersionsFile: nil},
			file: "launch-template-versions.json", msg: "aws ec2 describe-launch-template-versions"},
		{name: "missing task definitions", files: map[string]*string{"task-definitions/web-3.json": nil},
			file: "task-definitions/", msg: "aws ecs describe-task-definition"},
		{name: "invalid JSON", files: map[string]*string{snapshot.TasksFile: ptr("{\n  \"tasks\": [\n    {\"taskArn\": 'x'}\n  ]\n}")},
			file: "tasks.json", msg: "invalid JSON at line 3"},
		{name: "invalid JSON in an optional file", files: map[string]*string{snapshot.ClustersFile: ptr(`{"clusters": [}`)},
			file: "clusters.json", msg: "invalid JSON at line 1"},
		{name: "invalid JSON in the second page", files: map[string]*string{snapshot.TasksFile: ptr("{\"tasks\": []}\n{\"tasks\": [,]}\n")},
			file: "tasks.json", msg: "invalid JSON at line 2"},
		{name: "truncated", files: map[string]*string{snapshot.TasksFile: ptr(`{"tasks": [`)},
			file: "tasks.json", msg: "invalid JSON: unexpected end of file"},
		{name: "empty file", files: map[string]*string{snapshot.TasksFile: ptr(" \n")},
			file: "tasks.json", msg: "empty; it holds the output of aws ecs describe-tasks --output json"},
		{name: "an array", files: map[string]*string{snapshot.TasksFile: ptr(`[]`)},
			file: "tasks.json", msg: "want a JSON object as aws ecs describe-tasks prints it, got an array"},
		{name: "null", files: map[string]*string{snapshot.TasksFile: ptr(`null`)},
			file: "tasks.json", msg: "want a JSON object as aws ecs describe-tasks prints it, got null"},
		{name: "a string", files: map[string]*string{snapshot.TasksFile: ptr(`"tasks"`)},
			file: "tasks.json", msg: "got a string"},
		{name: "the output of another call", files: map[string]*string{snapshot.TasksFile: ptr(`{"taskArns": []}`)},
			file: "tasks.json", msg: `no "tasks" in the object; is this the output of aws ecs describe-tasks?`},
		{name: "the list is null", files: map[string]*string{snapshot.TasksFile: ptr(`{"tasks": null}`)},
			file: "tasks.json", msg: `no "tasks" in the object`},
		{name: "the list is an object", files: map[string]*string{snapshot.TasksFile: ptr(`{"tasks": {}}`)},
			file: "tasks.json", field: "tasks", msg: "want an array, got an object"},
		{name: "an element is not an object", files: map[string]*string{snapshot.TasksFile: ptr(`{"tasks": [42]}`)},
			file: "tasks.json", field: "tasks[0]", msg: "want an object, got number"},
		{name: "a wrong type", files: map[string]*string{snapshot.ServicesFile: ptr(strings.Replace(servicesJSON, `"desiredCount": 2,`, `"desiredCount": "three",`, 1))},
			file: "services.json", field: "services[0].desiredCount", msg: "want a number, got string"},
		{name: "a wrong type in a nested object", files: map[string]*string{snapshot.ServicesFile: ptr(strings.Replace(servicesJSON, `"maximumPercent": 150`, `"maximumPercent": "150"`, 1))},
			file: "services.json", field: "services[0].deploymentConfiguration.maximumPercent", msg: "want a number, got string"},
		{name: "a fraction for a count", files: map[string]*string{snapshot.ServicesFile: ptr(strings.Replace(servicesJSON, `"desiredCount": 2,`, `"desiredCount": 2.5,`, 1))},
			file: "services.json", field: "services[0].desiredCount", msg: "want a number, got number 2.5"},
		{name: "a wrong type in the second page counts the elements of the first", files: map[string]*string{snapshot.ServicesFile: &secondPage},
			file: "services.json", field: "services[1].desiredCount", msg: "want a number, got string"},
		{name: "a boolean as a string", files: map[string]*string{snapshot.ContainerInstancesFile: ptr(strings.Replace(containerInstancesJSON, `"agentConnected": true`, `"agentConnected": "true"`, 1))},
			file: "container-instances.json", field: "containerInstances[0].agentConnected", msg: "want true or false, got string"},
		{name: "a wrong type in an element of a nested list names its index",
			files: map[string]*string{snapshot.ContainerInstancesFile: ptr(strings.Replace(containerInstancesJSON, `"integerValue": 2048`, `"integerValue": "2048"`, 1))},
			file:  "container-instances.json", field: "containerInstances[0].registeredResources[0].integerValue", msg: "want a number, got string"},
		{name: "an instance type's memory as a string", files: map[string]*string{snapshot.InstanceTypesFile: ptr(strings.Replace(instanceTypesJSON, `"SizeInMiB": 8192`, `"SizeInMiB": "8 GiB"`, 1))},
			file: "instance-types.json", field: "InstanceTypes[0].MemoryInfo.SizeInMiB", msg: "want a number, got string"},
		{name: "a group's size as a string", files: map[string]*string{snapshot.AutoScalingGroupsFile: ptr(strings.Replace(autoScalingGroupsJSON, `"MaxSize": 4,`, `"MaxSize": "4",`, 1))},
			file: "auto-scaling-groups.json", field: "AutoScalingGroups[0].MaxSize", msg: "want a number, got string"},
		{name: "a task definition with a wrong type", files: map[string]*string{"task-definitions/web-3.json": ptr(strings.Replace(taskDefinitionJSON, `"revision": 3,`, `"revision": "3",`, 1))},
			file: "task-definitions/web-3.json", field: "taskDefinition.revision", msg: "want a number, got string"},
		{name: "a task definition without an ARN", files: map[string]*string{"task-definitions/web-3.json": ptr(`{"taskDefinition": {"family": "web", "containerDefinitions": []}}`)},
			file: "task-definitions/web-3.json", field: "taskDefinition.taskDefinitionArn", msg: "missing"},
		{name: "a task definition file of another call", files: map[string]*string{"task-definitions/web-3.json": ptr(`{"taskDefinitionArns": []}`)},
			file: "task-definitions/web-3.json", msg: `no "taskDefinition" in the object; is this the output of aws ecs describe-task-definition?`},
		{name: "a task definition that is not an object", files: map[string]*string{"task-definitions/web-3.json": ptr(`{"taskDefinition": []}`)},
			file: "task-definitions/web-3.json", field: "taskDefinition", msg: "want an object"},
		{name: "a bad timestamp names its field", files: map[string]*string{snapshot.ServicesFile: ptr(strings.Replace(servicesJSON, `"createdAt": "2026-11-01T09:00:00+00:00"`, `"createdAt": "yesterday"`, 1))},
			file: "services.json", field: "services[0].createdAt", msg: `timestamp "yesterday" is neither ISO 8601 nor epoch seconds`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := snapshot.Load(tinyWith(tt.files))
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			wantError(t, err, tt.file, tt.field, tt.msg)
		})
	}
}

// TestLoadErrorsNameTheElement: an error names the element at fault by its
// index in the whole list, whichever page of the file holds it.
func TestLoadErrorsNameTheElement(t *testing.T) {
	task := func(n string, desired string) string {
		return `{"taskArn": "arn:aws:ecs:us-east-1:123456789012:task/tiny/` + n + `", "taskDefinitionArn": "` + tdARN + `", "lastStatus": "RUNNING", "desiredStatus": ` + desired + `}`
	}
	good := func(n string) string { return task(n, `"RUNNING"`) }
	bad := func(n string) string { return task(n, `42`) }
	page := func(tasks ...string) string {
		return `{"tasks": [` + strings.Join(tasks, ", ") + `], "failures": []}` + "\n"
	}
	tests := []struct {
		name, file, field string
	}{
		{"the second element of a page", page(good("1"), bad("2"), good("3")), "tasks[1].desiredStatus"},
		{"the third element of a page", page(good("1"), good("2"), bad("3")), "tasks[2].desiredStatus"},
		{"the second element of the second page", page(good("1"), good("2")) + page(good("3"), bad("4")), "tasks[3].desiredStatus"},
		{"the first element of the third page", page(good("1"), good("2")) + page() + page(good("3")) + page(bad("4")), "tasks[3].desiredStatus"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := snapshot.Load(tinyWith(map[string]*string{snapshot.TasksFile: &tt.file}))
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			wantError(t, err, snapshot.TasksFile, tt.field, "want a string, got number")
		})
	}
}

// TestLoadByteOrderMark: Windows PowerShell writes UTF-8 with a byte-order
// mark (Out-File or Set-Content -Encoding utf8); the loader reads past it.
// UTF-16, which Windows PowerShell's > writes, is named as such.
func TestLoadByteOrderMark(t *testing.T) {
	const bom = "\xef\xbb\xbf"
	s, err := snapshot.Load(tinyWith(map[string]*string{
		snapshot.ServicesFile:         ptr(bom + servicesJSON),
		"task-definitions/web-3.json": ptr(bom + taskDefinitionJSON),
		snapshot.ClustersFile:         ptr(bom + clustersJSON),
	}))
	if err != nil {
		t.Fatalf("Load of files with a byte-order mark: %v", err)
	}
	if len(s.Services) != 1 || len(s.TaskDefinitions) != 1 || len(s.Clusters) != 1 {
		t.Errorf("%d services, %d task definitions, %d clusters; want 1 each", len(s.Services), len(s.TaskDefinitions), len(s.Clusters))
	}
	// The line and column of a syntax error do not count the mark.
	_, err = snapshot.Load(tinyWith(map[string]*string{snapshot.TasksFile: ptr(bom + `{"tasks": [,]}`)}))
	wantError(t, err, snapshot.TasksFile, "", "invalid JSON at line 1, column 12")
	for _, enc := range []string{"\xff\xfe", "\xfe\xff"} {
		_, err = snapshot.Load(tinyWith(map[string]*string{snapshot.TasksFile: ptr(enc + "{\x00}\x00")}))
		wantError(t, err, snapshot.TasksFile, "", "UTF-16")
	}
}

// TestLoadBadTimestampNamesTheElement pins down what the loader says about
// a bad timestamp today: the file, the element and the value (see the
// skipped case of TestLoadErrors for the field it should name).
func TestLoadBadTimestampNamesTheElement(t *testing.T) {
	services := strings.Replace(servicesJSON, `"createdAt": "2026-11-01T09:00:00+00:00"`, `"createdAt": "yesterday"`, 1)
	_, err := snapshot.Load(tinyWith(map[string]*string{snapshot.ServicesFile: &services}))
	var se *snapshot.Error
	if !errors.As(err, &se) || se.File != snapshot.ServicesFile || !strings.HasPrefix(se.Field, "services[0]") || !strings.Contains(se.Error(), `"yesterday"`) {
		t.Errorf("error = %v, want services.json, services[0] and the value", err)
	}
}

func TestErrorMessage(t *testing.T) {
	inner := errors.New("want a number, got string")
	tests := []struct {
		err  *snapshot.Error
		want string
	}{
		{&snapshot.Error{File: "services.json", Field: "services[0].desiredCount", Err: inner}, "services.json: services[0].desiredCount: want a number, got string"},
		{&snapshot.Error{File: "tasks.json", Err: inner}, "tasks.json: want a number, got string"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
		if !errors.Is(tt.err, inner) {
			t.Errorf("errors.Is(%v, inner) = false, want Unwrap to give the cause", tt.err)
		}
	}
}
