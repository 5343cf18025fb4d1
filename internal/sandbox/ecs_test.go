package sandbox

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/google/go-cmp/cmp"
)

func TestStringifyTaskNumbers(t *testing.T) {
	in := `{"tasks":[{"taskArn":"t1","cpu":256,"containers":[{"containerArn":"c1","cpu":1024,"memory":512,"memoryReservation":128,"exitCode":0}]}],"failures":[]}`
	got, err := stringifyTaskNumbers([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"failures":[],"tasks":[{"containers":[{"containerArn":"c1","cpu":"1024","exitCode":0,"memory":"512","memoryReservation":"128"}],"cpu":"256","taskArn":"t1"}]}`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("stringifyTaskNumbers (-want +got):\n%s", diff)
	}
}

// The Go SDK cannot decode moto's task answers without the proxy's fix.
func TestProxyFixesTaskNumbers(t *testing.T) {
	e := newEnv(t)
	e.createCluster(t, "c")
	e.createPool(t, Pool{Name: "p", Cluster: "c", MinSize: 1, MaxSize: 1, Desired: 1})
	e.step(t, 1)
	td := e.taskDef(t, "web", 256, 512, 8080)
	ids := e.instances(t, "p")
	ci, err := e.sb.ContainerInstanceARN(e.ctx, ids[0])
	if err != nil || ci == "" {
		t.Fatalf("ContainerInstanceARN(%s) = %q, %v", ids[0], ci, err)
	}
	started, err := e.ecs.StartTask(e.ctx, &ecs.StartTaskInput{Cluster: aws.String("c"), TaskDefinition: aws.String(td), ContainerInstances: []string{ci}})
	if err != nil {
		t.Fatalf("StartTask through the proxy: %v", err)
	}
	arn := aws.ToString(started.Tasks[0].TaskArn)
	got, err := e.ecs.DescribeTasks(e.ctx, &ecs.DescribeTasksInput{Cluster: aws.String("c"), Tasks: []string{arn}})
	if err != nil {
		t.Fatalf("DescribeTasks through the proxy: %v", err)
	}
	c := got.Tasks[0].Containers[0]
	if aws.ToString(c.Cpu) != "256" || aws.ToString(c.Memory) != "512" {
		t.Errorf("container cpu, memory = %q, %q; want 256, 512", aws.ToString(c.Cpu), aws.ToString(c.Memory))
	}
	if s := aws.ToString(got.Tasks[0].LastStatus); s != "RUNNING" {
		t.Errorf("lastStatus = %s, want RUNNING (the task transition keeps it)", s)
	}
	if _, err := e.ecs.StopTask(e.ctx, &ecs.StopTaskInput{Cluster: aws.String("c"), Task: aws.String(arn)}); err != nil {
		t.Fatalf("StopTask through the proxy: %v", err)
	}
	// ListTasks lists RUNNING tasks by default, as AWS does (moto lists all).
	list, err := e.ecs.ListTasks(e.ctx, &ecs.ListTasksInput{Cluster: aws.String("c")})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.TaskArns) != 0 {
		t.Errorf("ListTasks after StopTask = %v, want no task", list.TaskArns)
	}
}

// Canary for the Go SDK against moto through the proxy: every ECS call the
// scaler and the tests make must deserialise.
func TestECSCallsDeserialise(t *testing.T) {
	e := newEnv(t)
	e.createCluster(t, "c")
	e.createPool(t, Pool{Name: "p", Cluster: "c", MinSize: 1, MaxSize: 1, Desired: 1, Attributes: map[string]string{"pool": "p"}})
	e.step(t, 1)
	td := e.taskDef(t, "web", 256, 512, 8080)
	c := aws.String("c")
	calls := []struct {
		name string
		call func() error
	}{
		{"RunTask", func() error {
			_, err := e.ecs.RunTask(e.ctx, &ecs.RunTaskInput{Cluster: c, TaskDefinition: aws.String(td), Count: aws.Int32(1)})
			return err
		}},
		{"DescribeClusters", func() error {
			_, err := e.ecs.DescribeClusters(e.ctx, &ecs.DescribeClustersInput{Clusters: []string{"c"}})
			return err
		}},
		{"DescribeTaskDefinition", func() error {
			_, err := e.ecs.DescribeTaskDefinition(e.ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(td)})
			return err
		}},
		{"ListAttributes", func() error {
			_, err := e.ecs.ListAttributes(e.ctx, &ecs.ListAttributesInput{Cluster: c, TargetType: "container-instance"})
			return err
		}},
		{"ListServices", func() error {
			_, err := e.ecs.ListServices(e.ctx, &ecs.ListServicesInput{Cluster: c})
			return err
		}},
		{"ListTasks+DescribeTasks", func() error {
			l, err := e.ecs.ListTasks(e.ctx, &ecs.ListTasksInput{Cluster: c})
			if err != nil {
				return err
			}
			_, err = e.ecs.DescribeTasks(e.ctx, &ecs.DescribeTasksInput{Cluster: c, Tasks: l.TaskArns})
			return err
		}},
	}
	for _, tc := range calls {
		if err := tc.call(); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
