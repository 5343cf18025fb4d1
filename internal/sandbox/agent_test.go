package sandbox

import (
	"maps"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/google/go-cmp/cmp"
)

func TestAgentRegistersPoolInstances(t *testing.T) {
	e := newEnv(t)
	e.createCluster(t, "c")
	e.createPool(t, Pool{Name: "web", Cluster: "c", MinSize: 2, MaxSize: 4, Desired: 2, Attributes: map[string]string{"pool": "web"}})
	e.createPool(t, Pool{Name: "slow", Cluster: "c", MinSize: 1, MaxSize: 1, Desired: 1, RegistrationDelaySteps: 2})
	e.createPool(t, Pool{Name: "broken", Cluster: "c", MinSize: 1, MaxSize: 1, Desired: 1, NeverRegisters: true})

	registered := func() map[string]ecstypes.ContainerInstance {
		t.Helper()
		list, err := e.ecs.ListContainerInstances(e.ctx, &ecs.ListContainerInstancesInput{Cluster: aws.String("c")})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]ecstypes.ContainerInstance{}
		if len(list.ContainerInstanceArns) == 0 {
			return out
		}
		got, err := e.ecs.DescribeContainerInstances(e.ctx, &ecs.DescribeContainerInstancesInput{Cluster: aws.String("c"), ContainerInstances: list.ContainerInstanceArns})
		if err != nil {
			t.Fatal(err)
		}
		for _, ci := range got.ContainerInstances {
			out[aws.ToString(ci.Ec2InstanceId)] = ci
		}
		return out
	}

	web, slow, broken := e.instances(t, "web"), e.instances(t, "slow"), e.instances(t, "broken")
	for step, want := range [][]string{
		1: web,
		2: web,
		3: append(append([]string(nil), web...), slow...),
		4: append(append([]string(nil), web...), slow...),
	} {
		if step == 0 {
			continue
		}
		e.step(t, 1)
		got := slices.Sorted(maps.Keys(keysOf(registered())))
		wantSorted := slices.Sorted(maps.Keys(toSet(want)))
		if diff := cmp.Diff(wantSorted, got); diff != "" {
			t.Errorf("after step %d, registered instances (-want +got):\n%s", step, diff)
		}
	}
	cis := registered()
	if _, ok := cis[broken[0]]; ok {
		t.Errorf("instance %s of a NeverRegisters pool registered", broken[0])
	}
	for _, id := range web {
		ci := cis[id]
		attrs := map[string]string{}
		for _, a := range ci.Attributes {
			attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
		}
		want := map[string]string{"pool": "web", "ecs.os-type": "linux", "ecs.instance-type": InstanceType, "ecs.ami-id": LinuxAMI}
		for k, v := range want {
			if attrs[k] != v {
				t.Errorf("instance %s attribute %s = %q, want %q (all: %v)", id, k, attrs[k], v, attrs)
			}
		}
		res := map[string]int32{}
		for _, r := range ci.RegisteredResources {
			res[aws.ToString(r.Name)] = r.IntegerValue
		}
		if res["CPU"] != 4096 || res["MEMORY"] != 7482 {
			t.Errorf("instance %s registered CPU, MEMORY = %d, %d; want moto's fixed 4096, 7482", id, res["CPU"], res["MEMORY"])
		}
	}
}

func keysOf[V any](m map[string]V) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

func toSet(s []string) map[string]bool {
	out := map[string]bool{}
	for _, v := range s {
		out[v] = true
	}
	return out
}

func TestAgentPerInstanceRegistration(t *testing.T) {
	e := newEnv(t)
	e.createCluster(t, "c")
	e.createPool(t, Pool{Name: "p", Cluster: "c", MinSize: 3, MaxSize: 3, Desired: 3})
	ids := e.instances(t, "p")
	e.sb.DelayRegistration(ids[0], 1)
	e.sb.NeverRegister(ids[1])
	registered := func() []string {
		t.Helper()
		var out []string
		for _, id := range ids {
			arn, err := e.sb.ContainerInstanceARN(e.ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if arn != "" {
				out = append(out, id)
			}
		}
		return out
	}
	e.step(t, 1)
	if diff := cmp.Diff([]string{ids[2]}, registered()); diff != "" {
		t.Errorf("after one step (-want +got):\n%s", diff)
	}
	e.step(t, 3)
	if diff := cmp.Diff([]string{ids[0], ids[2]}, registered()); diff != "" {
		t.Errorf("after four steps (-want +got):\n%s", diff)
	}
}
