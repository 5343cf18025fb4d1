package cli

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tandem-ecs/tandem/internal/placement"
	"github.com/tandem-ecs/tandem/internal/sandbox"
	"github.com/tandem-ecs/tandem/internal/sandbox/sandboxtest"
	"github.com/tandem-ecs/tandem/internal/snapshot"
)

func TestMain(m *testing.M) { sandboxtest.Main(m, "cli") }

// liveCluster sets up, in a reset moto, a cluster "demo" with a pool "web"
// of one c5.xlarge and two services, one of which needs more instances
// than there are (a static host port, three tasks). The environment points
// the SDK's default configuration at the sandbox.
func liveCluster(t *testing.T) *sandbox.Sandbox {
	t.Helper()
	ctx := t.Context()
	sb := sandboxtest.New(t)
	setAWSEnv(t, sb.URL())

	c := ecs.NewFromConfig(sb.Config())
	if _, err := c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("demo")}); err != nil {
		t.Fatal(err)
	}
	if err := sb.CreatePool(ctx, sandbox.Pool{Name: "web", Cluster: "demo", MinSize: 1, MaxSize: 5, Desired: 1}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct {
		name           string
		cpu, mem, port int32
		desired        int32
	}{{"api", 512, 1024, 8080, 3}, {"worker", 256, 512, -1, 2}} {
		cd := ecstypes.ContainerDefinition{Name: aws.String("app"), Image: aws.String("nginx"), Cpu: s.cpu, Memory: aws.Int32(s.mem)}
		if s.port > 0 {
			cd.PortMappings = []ecstypes.PortMapping{{ContainerPort: aws.Int32(80), HostPort: aws.Int32(s.port)}}
		}
		td, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
			Family: aws.String(s.name), NetworkMode: ecstypes.NetworkModeBridge, ContainerDefinitions: []ecstypes.ContainerDefinition{cd},
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.CreateService(ctx, &ecs.CreateServiceInput{
			Cluster: aws.String("demo"), ServiceName: aws.String(s.name), TaskDefinition: td.TaskDefinition.TaskDefinitionArn,
			DesiredCount: aws.Int32(s.desired), LaunchType: ecstypes.LaunchTypeEc2,
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if err := sb.Step(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return sb
}

// setAWSEnv points the SDK's default configuration at endpoint, with test
// credentials and nothing from the machine's own AWS setup.
func setAWSEnv(t *testing.T, endpoint string) {
	t.Setenv("AWS_ENDPOINT_URL", endpoint)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
}

func run(t *testing.T, args ...string) (status int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	status = Run(args, &out, &errOut)
	return status, out.String(), errOut.String()
}

// TestSnapshotThenPlan writes a live cluster with "tandem snapshot", checks
// the folder, and checks that planning it equals planning the live cluster.
func TestSnapshotThenPlan(t *testing.T) {
	liveCluster(t)
	dir := filepath.Join(t.TempDir(), "snap")

	status, out, errOut := run(t, "snapshot", "--cluster", "demo", "--out", dir)
	if status != 0 {
		t.Fatalf("tandem snapshot = %d, stderr:\n%s", status, errOut)
	}
	if !strings.Contains(out, "Wrote cluster demo to "+dir+": 2 services, 2 task definitions, 1 container instances, 3 tasks, 1 Auto Scaling groups.") {
		t.Errorf("tandem snapshot printed %q", out)
	}
	snap, err := snapshot.LoadDir(dir)
	if err != nil {
		t.Fatalf("LoadDir of what tandem snapshot wrote: %v", err)
	}
	pc, err := snap.Cluster()
	if err != nil {
		t.Fatalf("Cluster() of what tandem snapshot wrote: %v", err)
	}
	if pc.Name != "demo" || len(pc.Services) != 2 || len(pc.Pools) != 1 || len(pc.ContainerInstances) != 1 || len(pc.Tasks) != 3 {
		t.Errorf("cluster %q: %d services, %d pools, %d instances, %d tasks; want demo, 2, 1, 1, 3",
			pc.Name, len(pc.Services), len(pc.Pools), len(pc.ContainerInstances), len(pc.Tasks))
	}
	// The folder round-trips: written again and loaded, nothing changes.
	dir2 := filepath.Join(t.TempDir(), "again")
	if err := snap.WriteDir(dir2); err != nil {
		t.Fatal(err)
	}
	again, err := snapshot.LoadDir(dir2)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(snap, again, cmpopts.IgnoreUnexported(snapshot.Snapshot{}), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("snapshot after a second write (-first +second):\n%s", diff)
	}
	pc2, err := again.Cluster()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(pc, pc2, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("placement cluster after a second write (-first +second):\n%s", diff)
	}

	for _, output := range []string{"json", "text"} {
		t.Run(output, func(t *testing.T) {
			status, fromSnap, errOut := run(t, "plan", "--snapshot", dir, "--output", output)
			if status != 0 {
				t.Fatalf("tandem plan --snapshot = %d, stderr:\n%s", status, errOut)
			}
			status, live, errOut := run(t, "plan", "--cluster", "demo", "--output", output)
			if status != 0 {
				t.Fatalf("tandem plan --cluster = %d, stderr:\n%s", status, errOut)
			}
			if diff := cmp.Diff(fromSnap, live); diff != "" {
				t.Errorf("plan of the snapshot vs of the live cluster (-snapshot +live):\n%s", diff)
			}
			status, named, errOut := run(t, "plan", "--cluster", "demo", "--asg", "web", "--output", output)
			if status != 0 {
				t.Fatalf("tandem plan --cluster --asg = %d, stderr:\n%s", status, errOut)
			}
			if diff := cmp.Diff(live, named); diff != "" {
				t.Errorf("plan with the pool named vs discovered (-discovered +named):\n%s", diff)
			}
			if output == "text" && !strings.Contains(live, "Plan for cluster demo") {
				t.Errorf("text plan:\n%s", live)
			}
		})
	}
	// The plan sees what the cluster needs: api's static port puts one task
	// on each instance, so the pool must grow.
	_, out, _ = run(t, "plan", "--cluster", "demo")
	if !strings.Contains(out, "web") || !strings.Contains(out, "1 → 3") {
		t.Errorf("live plan does not grow web to 3 instances:\n%s", out)
	}
}

func TestLiveErrors(t *testing.T) {
	sb := liveCluster(t)
	dir := t.TempDir()
	tests := []struct {
		name       string
		env        map[string]string
		args       []string
		wantStatus int
		wantErr    string
	}{
		{name: "snapshot needs --cluster", args: []string{"snapshot", "--out", dir}, wantStatus: 2, wantErr: "--cluster and --out are required"},
		{name: "snapshot needs --out", args: []string{"snapshot", "--cluster", "demo"}, wantStatus: 2, wantErr: "--cluster and --out are required"},
		{name: "snapshot takes no arguments", args: []string{"snapshot", "--cluster", "demo", "--out", dir, "extra"}, wantStatus: 2, wantErr: `unexpected argument "extra"`},
		{name: "plan needs a source", args: []string{"plan"}, wantStatus: 2, wantErr: "exactly one of --snapshot and --cluster"},
		{name: "plan takes one source", args: []string{"plan", "--snapshot", dir, "--cluster", "demo"}, wantStatus: 2, wantErr: "exactly one of --snapshot and --cluster"},
		{name: "--asg goes with --cluster", args: []string{"plan", "--snapshot", dir, "--asg", "web"}, wantStatus: 2, wantErr: "--asg goes with --cluster"},
		{name: "unknown cluster", args: []string{"snapshot", "--cluster", "nope", "--out", dir}, wantStatus: 1, wantErr: "tandem snapshot: look up cluster nope: cluster not found"},
		{name: "unknown pool", args: []string{"plan", "--cluster", "demo", "--asg", "ghost"}, wantStatus: 1, wantErr: "describe auto scaling groups ghost: auto scaling group not found"},
		{name: "no region", env: map[string]string{"AWS_REGION": ""}, args: []string{"snapshot", "--cluster", "demo", "--out", dir}, wantStatus: 1, wantErr: "no AWS region"},
		{name: "no credentials", env: map[string]string{"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}, args: []string{"plan", "--cluster", "demo"}, wantStatus: 1, wantErr: "no AWS credentials"},
		{name: "AWS fails", env: map[string]string{"FAIL": "DescribeServices"}, args: []string{"snapshot", "--cluster", "demo", "--out", dir}, wantStatus: 1, wantErr: "describe services of demo"},
		{name: "snapshot needs a positive timeout", args: []string{"snapshot", "--cluster", "demo", "--out", dir, "--timeout", "-1m"}, wantStatus: 2, wantErr: "--timeout must be a positive duration, such as 2m, not -1m0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				if k == "FAIL" {
					sb.FailNext(v, 500, "ServerException")
					continue
				}
				t.Setenv(k, v)
			}
			status, _, errOut := run(t, tt.args...)
			if status != tt.wantStatus || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("tandem %s = %d, stderr %q; want %d and %q", strings.Join(tt.args, " "), status, errOut, tt.wantStatus, tt.wantErr)
			}
		})
	}
}

// TestPlanConfiguredPools: with --config, plan --cluster reads the pools
// the configuration lists for the cluster, as the scaler does; --asg still
// names others, and without either the pools are discovered.
func TestPlanConfiguredPools(t *testing.T) {
	sb := liveCluster(t)
	if err := sb.CreatePool(t.Context(), sandbox.Pool{Name: "spare", Cluster: "demo", MinSize: 0, MaxSize: 2, Desired: 1}); err != nil {
		t.Fatal(err)
	}
	if err := sb.Step(t.Context()); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	config := func(name, doc string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	web := config("web.json", `{"clusters": [{"name": "demo", "pools": [{"name": "web"}]}]}`)
	ghost := config("ghost.json", `{"clusters": [{"name": "demo", "pools": [{"name": "web"}, {"name": "ghost"}]}]}`)
	tests := []struct {
		name  string
		args  []string
		pools []string
	}{
		{"discovered without a configuration", []string{"--cluster", "demo"}, []string{"spare", "web"}},
		{"the configured pools", []string{"--cluster", "demo", "--config", web}, []string{"web"}},
		{"the configured pools of a cluster given by ARN", []string{"--cluster", "arn:aws:ecs:us-east-1:123456789012:cluster/demo", "--config", web}, []string{"web"}},
		{"--asg over the configuration", []string{"--cluster", "demo", "--config", web, "--asg", "spare"}, []string{"spare"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out, errOut := run(t, append([]string{"plan", "--output", "json"}, tt.args...)...)
			if status != 0 {
				t.Fatalf("tandem plan %v = %d, stderr:\n%s", tt.args, status, errOut)
			}
			var p placement.Plan
			if err := json.Unmarshal([]byte(out), &p); err != nil {
				t.Fatal(err)
			}
			var pools []string
			for _, pp := range p.Pools {
				pools = append(pools, pp.Name)
			}
			sort.Strings(pools)
			if diff := cmp.Diff(tt.pools, pools); diff != "" {
				t.Errorf("planned pools (-want +got):\n%s", diff)
			}
		})
	}
	status, _, errOut := run(t, "plan", "--cluster", "demo", "--config", ghost)
	if want := "auto scaling group not found"; status != 1 || !strings.Contains(errOut, want) || !strings.Contains(errOut, "ghost") {
		t.Errorf("a configured pool that does not exist: %d, stderr %q; want 1 and %q naming ghost", status, errOut, want)
	}
}

// TestPlanOptOutTag: an instance with the opt-out tag as an EC2 tag is
// never drained, as the scaler has it: planning the live cluster reads the
// EC2 tags, and so does planning its snapshot (instances.json).
func TestPlanOptOutTag(t *testing.T) {
	ctx := t.Context()
	sb := sandboxtest.New(t)
	setAWSEnv(t, sb.URL())
	// Three empty instances and a minimum of one: the plan drains two, the
	// first two by ID when none is tagged.
	if _, err := ecs.NewFromConfig(sb.Config()).CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("quiet")}); err != nil {
		t.Fatal(err)
	}
	if err := sb.CreatePool(ctx, sandbox.Pool{Name: "idle", Cluster: "quiet", MinSize: 1, MaxSize: 3, Desired: 3}); err != nil {
		t.Fatal(err)
	}
	if err := sb.Step(ctx); err != nil {
		t.Fatal(err)
	}
	drains := func(args ...string) []string {
		t.Helper()
		status, out, errOut := run(t, append([]string{"plan", "--output", "json"}, args...)...)
		if status != 0 {
			t.Fatalf("tandem plan %v = %d, stderr:\n%s", args, status, errOut)
		}
		var p placement.Plan
		if err := json.Unmarshal([]byte(out), &p); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, d := range p.Drain {
			ids = append(ids, d.EC2InstanceID)
		}
		sort.Strings(ids)
		return ids
	}
	before := drains("--cluster", "quiet")
	if len(before) != 2 {
		t.Fatalf("untagged: drains %v, want two of the three empty instances", before)
	}
	kept := before[0]
	_, err := ec2.NewFromConfig(sb.Config()).CreateTags(ctx, &ec2.CreateTagsInput{
		Resources: []string{kept}, Tags: []ec2types.Tag{{Key: aws.String("tandem:scale-in"), Value: aws.String("never")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	live := drains("--cluster", "quiet")
	if len(live) != 2 || slices.Contains(live, kept) {
		t.Errorf("--cluster with %s tagged: drains %v, want the two others", kept, live)
	}

	dir := filepath.Join(t.TempDir(), "snap")
	if status, _, errOut := run(t, "snapshot", "--cluster", "quiet", "--out", dir); status != 0 {
		t.Fatalf("tandem snapshot = %d, stderr:\n%s", status, errOut)
	}
	if got := drains("--snapshot", dir); !slices.Equal(got, live) {
		t.Errorf("--snapshot: drains %v, want %v as --cluster", got, live)
	}
	// Without instances.json a snapshot shows no EC2 tags.
	if err := os.Remove(filepath.Join(dir, snapshot.InstancesFile)); err != nil {
		t.Fatal(err)
	}
	if got := drains("--snapshot", dir); !slices.Equal(got, before) {
		t.Errorf("--snapshot without %s: drains %v, want %v as when untagged", snapshot.InstancesFile, got, before)
	}
}

// TestReadTimeout: a live read that gets no answer gives up after the
// read timeout, with a message naming the flag.
func TestReadTimeout(t *testing.T) {
	hang := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-hang:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(hang) })
	setAWSEnv(t, srv.URL)
	for _, args := range [][]string{
		{"plan", "--cluster", "demo", "--read-timeout", "300ms"},
		{"snapshot", "--cluster", "demo", "--out", filepath.Join(t.TempDir(), "snap"), "--timeout", "300ms"},
	} {
		start := time.Now()
		status, out, errOut := run(t, args...)
		elapsed := time.Since(start)
		flag := args[len(args)-2]
		want := "read cluster demo: gave up after 300ms (" + flag + ")"
		if status != 1 || out != "" || !strings.Contains(errOut, want) {
			t.Errorf("tandem %s = %d, stdout %q, stderr %q; want 1, nothing, %q", strings.Join(args, " "), status, out, errOut, want)
		}
		if elapsed > 5*time.Second {
			t.Errorf("tandem %s took %v", strings.Join(args, " "), elapsed)
		}
	}
}

// TestSnapshotRefusesOtherFiles: --out names a folder tandem replaces as a
// whole, so a folder holding anything but a snapshot (a home folder given
// by mistake) is refused before any AWS call, and nothing in it changes.
func TestSnapshotRefusesOtherFiles(t *testing.T) {
	// Nothing listens here: a read would fail with another message.
	setAWSEnv(t, "http://127.0.0.1:1")
	home := t.TempDir()
	notes := filepath.Join(home, "notes.txt")
	if err := os.WriteFile(notes, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	status, out, errOut := run(t, "snapshot", "--cluster", "demo", "--out", home)
	want := "tandem snapshot: will not replace " + home + ": it holds notes.txt, which is not a snapshot file"
	if status != 1 || out != "" || !strings.Contains(errOut, want) {
		t.Errorf("tandem snapshot --out HOME = %d, stdout %q, stderr %q; want 1, nothing, %q", status, out, errOut, want)
	}
	if data, err := os.ReadFile(notes); err != nil || string(data) != "mine" {
		t.Errorf("notes.txt now %q, %v", data, err)
	}
}

func TestNamesFlag(t *testing.T) {
	var f namesFlag
	for _, v := range []string{"a", "b,c", " d , ,e"} {
		if err := f.Set(v); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(namesFlag{"a", "b", "c", "d", "e"}, f); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	if f.String() != "a,b,c,d,e" {
		t.Errorf("String() = %q", f.String())
	}
}
