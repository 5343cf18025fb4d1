package cli

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tandem-ecs/tandem/internal/placement"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/plan")

// snapshots is the folder of the repository's snapshot scenarios.
const snapshots = "../../testdata/snapshots"

// poolFacts are what a scenario's README says about one Auto Scaling group.
type poolFacts struct {
	current, desired, newInstances int
	// demand is the tasks the group's upcoming and new instances take, by
	// service; nil when the scenario's README says none.
	demand map[string]int
}

// serviceFacts are what a scenario's README says about one service:
// placed now, unplaced, and where the unplaced tasks go.
type serviceFacts struct {
	placed, unplaced, onExisting, onUpcoming, onNew, unplaceable int
}

// scenario is a snapshot folder and the key facts of its plan, taken from
// the arithmetic in its README.md, not from tandem's output.
type scenario struct {
	name     string
	pools    map[string]poolFacts
	services map[string]serviceFacts
	// unplaceable lists the plan's unplaceable tasks as service:count:reason.
	unplaceable []string
	// text also keeps a golden file of the text output.
	text  bool
	check func(t *testing.T, p placement.Plan)
}

var scenarios = []scenario{
	{
		name:     "stuck-deploy",
		pools:    map[string]poolFacts{"field-report-ecs": {current: 1, desired: 2, newInstances: 1, demand: map[string]int{"web": 1}}},
		services: map[string]serviceFacts{"web": {placed: 1, unplaced: 1, onNew: 1}},
		text:     true,
		check: func(t *testing.T, p placement.Plan) {
			if !p.Services[0].Deploying {
				t.Errorf("web: deploying = false, want true: PRIMARY web:13 is IN_PROGRESS")
			}
		},
	},
	{
		name:  "demo",
		pools: map[string]poolFacts{"demo-asg": {current: 2, desired: 3, newInstances: 1, demand: map[string]int{"api": 2, "web": 1}}},
		services: map[string]serviceFacts{
			"api":       {placed: 4, unplaced: 4, onExisting: 2, onNew: 2},
			"log-agent": {placed: 2},
			"web":       {placed: 2, unplaced: 1, onNew: 1},
		},
	},
	{
		name:  "shortage",
		pools: map[string]poolFacts{"batch-workers": {current: 2, desired: 3, newInstances: 1, demand: map[string]int{"worker": 2}}},
		services: map[string]serviceFacts{
			"gpu-render": {unplaced: 1, unplaceable: 1},
			"ml-train":   {unplaced: 1, unplaceable: 1},
			"worker":     {placed: 4, unplaced: 4, onNew: 2, unplaceable: 2},
		},
		unplaceable: []string{"gpu-render:1:CONSTRAINT", "ml-train:1:RESOURCE:MEMORY", "worker:2:MAX_CAPACITY"},
		text:        true,
		check: func(t *testing.T, p placement.Plan) {
			for _, u := range p.Unplaceable {
				want := map[string]string{
					"gpu-render": "attribute:ecs.instance-type =~ g4dn.*",
					"ml-train":   "16384 MiB",
					"worker":     "batch-workers (3 of 3 instances)",
				}[u.Service]
				if !strings.Contains(u.Detail, want) {
					t.Errorf("unplaceable %s: detail %q, want it to mention %q", u.Service, u.Detail, want)
				}
			}
		},
	},
	{
		name: "multi-pool",
		pools: map[string]poolFacts{
			"media-compute": {current: 0, desired: 3, newInstances: 3, demand: map[string]int{"encoder": 8, "thumbnailer": 8}},
			"media-general": {current: 1, desired: 2, newInstances: 1, demand: map[string]int{"thumbnailer": 4}},
		},
		services: map[string]serviceFacts{
			"api":         {placed: 2},
			"encoder":     {unplaced: 8, onNew: 8},
			"thumbnailer": {unplaced: 12, onNew: 12},
		},
	},
	{
		name: "capacity-providers",
		pools: map[string]poolFacts{
			"platform-ondemand": {current: 1, desired: 2, newInstances: 1, demand: map[string]int{"reports": 2}},
			"platform-spot":     {current: 0, desired: 2, newInstances: 2, demand: map[string]int{"checkout": 6}},
		},
		services: map[string]serviceFacts{
			"checkout": {placed: 2, unplaced: 8, onExisting: 2, onNew: 6},
			"reports":  {unplaced: 2, onNew: 2},
		},
	},
	{
		name:     "cli-v1",
		pools:    map[string]poolFacts{"legacy-ecs": {current: 3, desired: 4, newInstances: 1, demand: map[string]int{"app": 2}}},
		services: map[string]serviceFacts{"app": {placed: 10, unplaced: 4, onExisting: 2, onNew: 2}},
	},
	{
		name:     "awsvpc-trunk",
		pools:    map[string]poolFacts{"payments-ecs": {current: 2, desired: 3, newInstances: 1, demand: map[string]int{"payments": 3}}},
		services: map[string]serviceFacts{"payments": {placed: 4, unplaced: 8, onExisting: 5, onNew: 3}},
	},
	{
		name:     "upcoming",
		pools:    map[string]poolFacts{"api-ecs": {current: 4, desired: 4, newInstances: 0, demand: map[string]int{"api": 6}}},
		services: map[string]serviceFacts{"api": {placed: 2, unplaced: 6, onUpcoming: 6}},
		check: func(t *testing.T, p placement.Plan) {
			// p2 (Pending), p3 (InService, unregistered) and one ordered.
			if pp := p.Pools[0]; pp.Upcoming != 3 || pp.InService != 1 {
				t.Errorf("api-ecs: upcoming %d, in service %d; want 3 and 1", pp.Upcoming, pp.InService)
			}
		},
	},
	{
		name:     "draining",
		pools:    map[string]poolFacts{"jobs-ecs": {current: 3, desired: 4, newInstances: 1, demand: map[string]int{"worker": 1}}},
		services: map[string]serviceFacts{"worker": {placed: 5, unplaced: 2, onExisting: 1, onNew: 1}},
		check: func(t *testing.T, p placement.Plan) {
			if pp := p.Pools[0]; pp.Leaving != 1 || pp.InService != 2 {
				t.Errorf("jobs-ecs: leaving %d, in service %d; want d2 leaving, d1 and d3 in service", pp.Leaving, pp.InService)
			}
		},
	},
}

// runTandem runs the CLI in-process and returns its exit status and output.
func runTandem(t *testing.T, args ...string) (status int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	status = Run(args, &out, &errOut)
	return status, out.String(), errOut.String()
}

// golden compares got with the golden file testdata/plan/name, or rewrites
// the file under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "plan", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (go test ./internal/cli -update writes it): %v", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs from tandem's output (-golden +got):\n%s", path, diff)
	}
}

func TestPlanGolden(t *testing.T) {
	// Every scenario folder is planned here, or is the unsupported one.
	covered := map[string]bool{"unsupported": true}
	for _, sc := range scenarios {
		covered[sc.name] = true
	}
	entries, err := os.ReadDir(snapshots)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() && !covered[e.Name()] {
			t.Errorf("scenario %s has no entry in scenarios, so no golden file", e.Name())
		}
	}

	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			dir := filepath.Join(snapshots, sc.name)
			status, out, errOut := runTandem(t, "plan", "--snapshot", dir, "--output", "json")
			if status != 0 {
				t.Fatalf("tandem plan --snapshot %s: exit status %d, want 0; stderr:\n%s", dir, status, errOut)
			}
			golden(t, sc.name+".json", out)

			var p placement.Plan
			if err := json.Unmarshal([]byte(out), &p); err != nil {
				t.Fatalf("decode the plan: %v", err)
			}
			checkFacts(t, sc, p)

			if sc.text {
				status, out, errOut := runTandem(t, "plan", "--snapshot", dir)
				if status != 0 {
					t.Fatalf("tandem plan --snapshot %s (text): exit status %d, want 0; stderr:\n%s", dir, status, errOut)
				}
				golden(t, sc.name+".txt", out)
			}
		})
	}
}

// checkFacts asserts the key numbers of a scenario's README on its plan, so
// that a golden file rewritten with -update cannot silently change them.
func checkFacts(t *testing.T, sc scenario, p placement.Plan) {
	t.Helper()
	gotPools := map[string]poolFacts{}
	for _, pp := range p.Pools {
		f := poolFacts{current: pp.CurrentDesiredCapacity, desired: pp.DesiredCapacity, newInstances: pp.NewInstances}
		for _, d := range pp.Demand {
			if f.demand == nil {
				f.demand = map[string]int{}
			}
			f.demand[d.Service] = d.Tasks
		}
		gotPools[pp.Name] = f
	}
	if diff := cmp.Diff(sc.pools, gotPools, cmp.AllowUnexported(poolFacts{})); diff != "" {
		t.Errorf("Auto Scaling groups (-README +plan):\n%s", diff)
	}
	gotServices := map[string]serviceFacts{}
	for _, s := range p.Services {
		gotServices[s.Name] = serviceFacts{
			placed: s.Placed, unplaced: s.Unplaced, onExisting: s.OnExisting,
			onUpcoming: s.OnUpcoming, onNew: s.OnNew, unplaceable: s.Unplaceable,
		}
	}
	if diff := cmp.Diff(sc.services, gotServices, cmp.AllowUnexported(serviceFacts{})); diff != "" {
		t.Errorf("services (-README +plan):\n%s", diff)
	}
	var gotUnplaceable []string
	for _, u := range p.Unplaceable {
		gotUnplaceable = append(gotUnplaceable, fmt.Sprintf("%s:%d:%s", u.Service, u.Count, u.Reason))
	}
	if diff := cmp.Diff(sc.unplaceable, gotUnplaceable); diff != "" {
		t.Errorf("unplaceable tasks (-README +plan):\n%s", diff)
	}
	if len(p.Warnings) != 0 {
		t.Errorf("warnings %q, want none", p.Warnings)
	}
	if p.Partial {
		t.Errorf("the plan is partial: the estimate ran out of time")
	}
	if sc.check != nil {
		sc.check(t, p)
	}
}

func TestPlanUnsupported(t *testing.T) {
	dir := filepath.Join(snapshots, "unsupported")
	status, out, errOut := runTandem(t, "plan", "--snapshot", dir, "--output", "json")
	if status != 1 {
		t.Errorf("exit status %d, want 1", status)
	}
	if out != "" {
		t.Errorf("stdout %q, want nothing: a plan tandem cannot model is not printed", out)
	}
	golden(t, "unsupported.stderr", errOut)
	for _, want := range []string{"warm-ecs", "warm pool"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr %q, want it to name %q", errOut, want)
		}
	}
}

func TestPlanExitsZeroWithUnplaceableTasks(t *testing.T) {
	status, out, errOut := runTandem(t, "plan", "--snapshot", filepath.Join(snapshots, "shortage"), "--output", "json")
	if status != 0 {
		t.Fatalf("exit status %d, want 0: unplaceable tasks are an answer, not a failure; stderr:\n%s", status, errOut)
	}
	var p placement.Plan
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Unplaceable) == 0 {
		t.Errorf("unplaceable = [], want the shortage scenario's tasks")
	}
}

// TestPlanJSONFields checks the names and kinds of the JSON output's fields,
// which scripts read.
func TestPlanJSONFields(t *testing.T) {
	status, out, errOut := runTandem(t, "plan", "--snapshot", filepath.Join(snapshots, "shortage"), "--output", "json")
	if status != 0 {
		t.Fatalf("exit status %d; stderr:\n%s", status, errOut)
	}
	if !json.Valid([]byte(out)) {
		t.Fatalf("stdout is not valid JSON:\n%s", out)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	lists := []struct {
		key    string
		fields []string
	}{
		{"autoScalingGroups", []string{"name", "currentDesiredCapacity", "desiredCapacity", "newInstances", "reason"}},
		{"services", []string{"name", "desiredCount", "placed", "unplaced"}},
		{"unplaceable", []string{"service", "count", "reason", "detail"}},
	}
	for _, l := range lists {
		var elems []map[string]any
		if err := json.Unmarshal(doc[l.key], &elems); err != nil {
			t.Errorf("%s: %v, want a list of objects", l.key, err)
			continue
		}
		if len(elems) == 0 {
			t.Errorf("%s is empty, want elements to check", l.key)
		}
		for i, e := range elems {
			for _, f := range l.fields {
				if _, ok := e[f]; !ok {
					t.Errorf("%s[%d] has no %q: %v", l.key, i, f, e)
				}
			}
		}
	}
	if got := string(doc["drain"]); got != "[]" {
		t.Errorf("drain = %s, want [] (an empty list, not null)", got)
	}

	// An empty list stays a list when nothing is unplaceable.
	_, out, _ = runTandem(t, "plan", "--snapshot", filepath.Join(snapshots, "stuck-deploy"), "--output", "json")
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"unplaceable", "drain", "warnings"} {
		if got := string(doc[key]); got != "[]" {
			t.Errorf("stuck-deploy: %s = %s, want []", key, got)
		}
	}
}

// copySnapshot copies a scenario to a temporary folder and applies edits:
// file name to a function of its content (nil removes the file or folder).
func copySnapshot(t *testing.T, name string, edits map[string]func(string) string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(snapshots, name))); err != nil {
		t.Fatal(err)
	}
	for file, edit := range edits {
		path := filepath.Join(dir, file)
		if edit == nil {
			if err := os.RemoveAll(path); err != nil {
				t.Fatal(err)
			}
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		edited := edit(string(data))
		if edited == string(data) {
			t.Fatalf("the edit of %s changed nothing", file)
		}
		if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// replace returns an edit that replaces the first old with new.
func replace(old, new string) func(string) string {
	return func(s string) string { return strings.Replace(s, old, new, 1) }
}

// content returns an edit that replaces the whole file.
func content(c string) func(string) string {
	return func(string) string { return c }
}

func TestPlanSnapshotErrors(t *testing.T) {
	tests := []struct {
		name  string
		edits map[string]func(string) string
		// want are the parts of the message: the file, the field, the fault.
		want []string
	}{
		{
			name:  "a missing file is named with the command that prints it",
			edits: map[string]func(string) string{"tasks.json": nil},
			want:  []string{"tandem plan: tasks.json: missing; it holds the output of aws ecs describe-tasks --output json"},
		},
		{
			name:  "a missing task definitions folder",
			edits: map[string]func(string) string{"task-definitions": nil},
			want:  []string{"task-definitions/", "aws ecs describe-task-definition"},
		},
		{
			name:  "a missing task definition file names the folder and the service",
			edits: map[string]func(string) string{"task-definitions/web-13.json": nil},
			want:  []string{"task-definitions/", "services.json", "web:13"},
		},
		{
			name: "invalid JSON names the line",
			// The second comma is the 34th character of line 4.
			edits: map[string]func(string) string{"services.json": content("{\n    \"services\": [\n        {\n            \"serviceName\": \"web\",,\n")},
			want:  []string{"tandem plan: services.json: invalid JSON at line 4"},
		},
		{
			name:  "invalid JSON names the column of the character at fault",
			edits: map[string]func(string) string{"services.json": content("{\n    \"services\": [\n        {\n            \"serviceName\": \"web\",,\n")},
			want:  []string{"services.json: invalid JSON at line 4, column 34: invalid character ','"},
		},
		{
			name:  "a truncated file",
			edits: map[string]func(string) string{"services.json": content("{\n    \"services\": [\n")},
			want:  []string{"tandem plan: services.json: invalid JSON: unexpected end of file"},
		},
		{
			name:  "a wrong type names the field",
			edits: map[string]func(string) string{"services.json": replace(`"desiredCount": 1,`, `"desiredCount": "three",`)},
			want:  []string{"tandem plan: services.json: services[0].desiredCount: want a number, got string"},
		},
		{
			name: "a port that is not a number names the string set element",
			edits: map[string]func(string) string{"container-instances.json": replace(`"51679",
                        "80"`, `"51679",
                        "eighty"`)},
			want: []string{`tandem plan: container-instances.json: containerInstances[0].remainingResources[2].stringSetValue[5]: want a port number, got "eighty"`},
		},
		{
			name:  "a task cpu that is not a size names the task definition file",
			edits: map[string]func(string) string{"task-definitions/web-13.json": replace(`"family": "web",`, `"family": "web", "cpu": "lots",`)},
			want:  []string{`tandem plan: task-definitions/web-13.json: taskDefinition.cpu: want CPU units or vCPUs, got "lots"`},
		},
		{
			name:  "a file that is not what the CLI prints",
			edits: map[string]func(string) string{"auto-scaling-groups.json": content(`[]`)},
			want:  []string{"tandem plan: auto-scaling-groups.json: want a JSON object as aws autoscaling describe-auto-scaling-groups prints it, got an array"},
		},
		{
			name:  "the output of another call",
			edits: map[string]func(string) string{"instance-types.json": content(`{"Reservations": []}`)},
			want:  []string{`tandem plan: instance-types.json: no "InstanceTypes" in the object; is this the output of aws ec2 describe-instance-types?`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copySnapshot(t, "stuck-deploy", tt.edits)
			status, out, errOut := runTandem(t, "plan", "--snapshot", dir)
			if status != 1 {
				t.Errorf("exit status %d, want 1", status)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
			for _, want := range tt.want {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr:\n%s\nwant it to contain:\n%s", errOut, want)
				}
			}
		})
	}
}

func TestPlanSnapshotFolder(t *testing.T) {
	file := filepath.Join(t.TempDir(), "services.json")
	if err := os.WriteFile(file, []byte(`{"services": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, dir, want string
	}{
		{"missing", filepath.Join(t.TempDir(), "nope"), "tandem plan: snapshot folder: stat "},
		{"a file", file, "tandem plan: snapshot folder " + file + " is not a folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, errOut := runTandem(t, "plan", "--snapshot", tt.dir)
			if status != 1 {
				t.Errorf("exit status %d, want 1", status)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr %q, want it to contain %q", errOut, tt.want)
			}
		})
	}
}

func TestPlanConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(name, doc string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	tests := []struct {
		name     string
		snapshot string
		config   string
		status   int
		// wantErr are parts of stderr; check looks at the plan.
		wantErr []string
		check   func(t *testing.T, p placement.Plan)
	}{
		{
			name:     "an unknown field is named by its path",
			snapshot: "stuck-deploy",
			config: write("unknown.json", `{"clusters": [{"name": "field-report", "services": {"web": {"maxTasks": 4,
				"alarms": {"cpu-high": {"adjustmentType": "ChangeInCapacity", "stepz": []}}}}}]}`),
			status:  1,
			wantErr: []string{"unknown.json: clusters[0].services.web.alarms.cpu-high.stepz: unknown field"},
		},
		{
			name:     "a bad surge value",
			snapshot: "stuck-deploy",
			config:   write("surge.json", `{"clusters": [{"name": "field-report", "placement": {"surge": "all"}}]}`),
			status:   1,
			wantErr:  []string{`surge.json: clusters[0].placement.surge: want "batch" or "one", got "all"`},
		},
		{
			name:     "a missing file",
			snapshot: "stuck-deploy",
			config:   filepath.Join(dir, "nope.json"),
			status:   1,
			wantErr:  []string{"tandem plan: read configuration: open ", "nope.json"},
		},
		{
			name:     "no cluster of the configuration is the snapshot's",
			snapshot: "stuck-deploy",
			config:   write("two.json", `{"clusters": [{"name": "shop"}, {"name": "batch"}]}`),
			status:   1,
			wantErr:  []string{`two.json: clusters: none is named "field-report" (the snapshot's cluster); configured: shop, batch`},
		},
		{
			name:     "the options of the snapshot's cluster apply",
			snapshot: "demo",
			// Headroom 50%: api keeps room for ⌈8 × 0.5⌉ = 4 more tasks and
			// web for ⌈3 × 0.5⌉ = 2, beyond the plan without a
			// configuration (README.md): the new instance has room for one
			// more api task (1920 − 1280 = 640 CPU units left), so 3 api
			// and 2 web tasks need room. Web's static port takes one
			// instance each, the api tasks fit beside them: 2 more new
			// instances, 3 in all.
			config: write("headroom.json", `{"clusters": [{"name": "other"}, {"name": "demo", "placement": {"headroomPercent": 50}}]}`),
			status: 0,
			check: func(t *testing.T, p placement.Plan) {
				if got := p.Pools[0].NewInstances; got != 3 {
					t.Errorf("demo-asg: new instances %d, want 3", got)
				}
				for _, s := range p.Services {
					want := map[string]int{"api": 4, "log-agent": 0, "web": 2}[s.Name]
					if s.Headroom != want {
						t.Errorf("%s: headroom %d, want %d", s.Name, s.Headroom, want)
					}
				}
			},
		},
		{
			// multi-pool plans +3 media-compute, then +1 media-general
			// (README.md); 2 a pool leaves media-compute at 2.
			name:     "limits.maxNewInstancesPerPool caps a pool",
			snapshot: "multi-pool",
			config:   write("perpool.json", `{"clusters": [{"name": "media", "limits": {"maxNewInstancesPerPool": 2}}]}`),
			status:   0,
			check: func(t *testing.T, p placement.Plan) {
				wantPools(t, p, map[string][3]int{"media-compute": {0, 2, 2}, "media-general": {1, 2, 1}})
				wantReason(t, p, "media-compute", "3 new c5.xlarge for tasks of encoder (8), thumbnailer (8); capped at 2 new instances by limits.maxNewInstancesPerPool (2)")
				wantReason(t, p, "media-general", "1 new m5.large for tasks of thumbnailer (4)")
			},
		},
		{
			// 3 for the cluster: media-compute, first in the plan, takes
			// all 3, and media-general gets none.
			name:     "limits.maxNewInstancesPerCluster caps the pools together",
			snapshot: "multi-pool",
			config:   write("percluster.json", `{"clusters": [{"name": "media", "limits": {"maxNewInstancesPerCluster": 3}}]}`),
			status:   0,
			check: func(t *testing.T, p placement.Plan) {
				wantPools(t, p, map[string][3]int{"media-compute": {0, 3, 3}, "media-general": {1, 1, 0}})
				wantReason(t, p, "media-general", "1 new m5.large for tasks of thumbnailer (4); capped at 0 new instances by limits.maxNewInstancesPerCluster (3, for the cluster's pools together)")
			},
		},
		{
			// Only media-general (README.md: its running instance is full;
			// a new m5.large takes 2 encoders or 4 thumbnailers): 8
			// encoders take 4 new instances, and the one left below the
			// maximum of 6 takes 4 thumbnailers: 5 new, 8 thumbnailers
			// without room.
			name:     "only the configured pools of the snapshot's cluster are planned",
			snapshot: "multi-pool",
			config:   write("pools.json", `{"clusters": [{"name": "media", "pools": [{"name": "media-general"}]}]}`),
			status:   0,
			check: func(t *testing.T, p placement.Plan) {
				wantPools(t, p, map[string][3]int{"media-general": {1, 6, 5}})
				if len(p.Unplaceable) != 1 || p.Unplaceable[0].Service != "thumbnailer" || p.Unplaceable[0].Count != 8 || p.Unplaceable[0].Reason != placement.ReasonMaxCapacity {
					t.Errorf("unplaceable %+v, want 8 thumbnailer tasks, MAX_CAPACITY", p.Unplaceable)
				}
			},
		},
		{
			name:     "a configured pool missing from the snapshot",
			snapshot: "multi-pool",
			config:   write("ghost.json", `{"clusters": [{"name": "media", "pools": [{"name": "media-general"}, {"name": "media-gpu"}]}]}`),
			status:   1,
			wantErr:  []string{"ghost.json: cluster media: pool media-gpu is not in the snapshot's auto-scaling-groups.json (it has media-general, media-compute)"},
		},
		{
			name:     "the pools of another cluster leave the snapshot's alone",
			snapshot: "multi-pool",
			config:   write("other.json", `{"clusters": [{"name": "other", "pools": [{"name": "other-asg"}]}]}`),
			status:   0,
			check: func(t *testing.T, p placement.Plan) {
				wantPools(t, p, map[string][3]int{"media-compute": {0, 3, 3}, "media-general": {1, 2, 1}})
			},
		},
		{
			name:     "the example configuration",
			snapshot: "stuck-deploy",
			config:   filepath.Join("..", "..", "testdata", "config", "tandem.json"),
			status:   0,
			check: func(t *testing.T, p placement.Plan) {
				if got := p.Pools[0].NewInstances; got != 1 {
					t.Errorf("field-report-ecs: new instances %d, want 1", got)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out, errOut := runTandem(t, "plan", "--snapshot", filepath.Join(snapshots, tt.snapshot), "--config", tt.config, "--output", "json")
			if status != tt.status {
				t.Errorf("exit status %d, want %d; stderr:\n%s", status, tt.status, errOut)
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr:\n%s\nwant it to contain:\n%s", errOut, want)
				}
			}
			if tt.check != nil {
				var p placement.Plan
				if err := json.Unmarshal([]byte(out), &p); err != nil {
					t.Fatalf("decode the plan: %v\n%s", err, out)
				}
				tt.check(t, p)
			}
		})
	}
}

// wantPools checks each pool's current and desired capacity and new
// instances, and that the plan has no other pool.
func wantPools(t *testing.T, p placement.Plan, want map[string][3]int) {
	t.Helper()
	got := map[string][3]int{}
	for _, pp := range p.Pools {
		got[pp.Name] = [3]int{pp.CurrentDesiredCapacity, pp.DesiredCapacity, pp.NewInstances}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pools: current, desired, new (-want +got):\n%s", diff)
	}
}

func wantReason(t *testing.T, p placement.Plan, pool, want string) {
	t.Helper()
	for _, pp := range p.Pools {
		if pp.Name == pool {
			if pp.Reason != want {
				t.Errorf("%s: reason %q, want %q", pool, pp.Reason, want)
			}
			return
		}
	}
	t.Errorf("no pool %s in the plan", pool)
}

// TestPlanDefaultLimits: without a configuration the scaler's default
// limits apply (10 new instances a pool, 20 a cluster), as in the scaler.
func TestPlanDefaultLimits(t *testing.T) {
	// multi-pool with 200 thumbnailers and room for 20 c5.xlarge
	// (README.md: a new c5.xlarge takes 4 encoders or 8 thumbnailers, a new
	// m5.large 4 thumbnailers): 8 encoders take 2 c5.xlarge, 144
	// thumbnailers the other 18; media-general takes 5 × 4 = 20 up to its
	// maximum of 6, and 36 are left without room.
	dir := copySnapshot(t, "multi-pool", map[string]func(string) string{
		"services.json":            func(s string) string { return strings.ReplaceAll(s, `"desiredCount": 12,`, `"desiredCount": 200,`) },
		"auto-scaling-groups.json": replace(`"MaxSize": 3,`, `"MaxSize": 20,`),
	})
	plan := func(args ...string) placement.Plan {
		t.Helper()
		status, out, errOut := runTandem(t, append([]string{"plan", "--snapshot", dir, "--output", "json"}, args...)...)
		if status != 0 {
			t.Fatalf("exit status %d; stderr:\n%s", status, errOut)
		}
		var p placement.Plan
		if err := json.Unmarshal([]byte(out), &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	high := filepath.Join(t.TempDir(), "high.json")
	if err := os.WriteFile(high, []byte(`{"clusters": [{"name": "media", "limits": {"maxNewInstancesPerPool": 1000, "maxNewInstancesPerCluster": 1000}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	wantPools(t, plan("--config", high), map[string][3]int{"media-compute": {0, 20, 20}, "media-general": {1, 6, 5}})
	p := plan()
	wantPools(t, p, map[string][3]int{"media-compute": {0, 10, 10}, "media-general": {1, 6, 5}})
	wantReason(t, p, "media-compute", "20 new c5.xlarge for tasks of encoder (8), thumbnailer (144); then at its maximum size (20), with 36 tasks still without room; capped at 10 new instances by limits.maxNewInstancesPerPool (10)")
}

func TestPlanUsage(t *testing.T) {
	dir := filepath.Join(snapshots, "stuck-deploy")
	tests := []struct {
		name      string
		args      []string
		status    int
		wantErr   string
		wantUsage bool
	}{
		{"no snapshot", []string{"plan"}, 2, "exactly one of --snapshot and --cluster", true},
		{"an unknown flag", []string{"plan", "--snapshot", dir, "--frobnicate"}, 2, "flag provided but not defined: -frobnicate", true},
		{"an unknown output format", []string{"plan", "--snapshot", dir, "--output", "yaml"}, 2, `--output must be text or json, not "yaml"`, false},
		{"an extra argument", []string{"plan", "--snapshot", dir, "now"}, 2, `unexpected argument "now"`, true},
		{"a flag without its value", []string{"plan", "--snapshot"}, 2, "flag needs an argument: -snapshot", true},
		{"a bad timeout", []string{"plan", "--snapshot", dir, "--timeout", "soon"}, 2, `invalid value "soon" for flag -timeout`, true},
		{"a zero timeout", []string{"plan", "--snapshot", dir, "--timeout", "0"}, 2, "--timeout must be a positive duration, such as 10s, not 0s", false},
		{"a negative timeout", []string{"plan", "--snapshot", dir, "--timeout", "-5s"}, 2, "--timeout must be a positive duration, such as 10s, not -5s", false},
		{"a zero read timeout", []string{"plan", "--cluster", "demo", "--read-timeout", "0s"}, 2, "--read-timeout must be a positive duration, such as 2m, not 0s", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out, errOut := runTandem(t, tt.args...)
			if status != tt.status {
				t.Errorf("Run(%q) = %d, want %d", tt.args, status, tt.status)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
			if !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("stderr:\n%s\nwant it to contain %q", errOut, tt.wantErr)
			}
			if got := strings.Contains(errOut, "Usage:"); got != tt.wantUsage {
				t.Errorf("stderr:\n%s\nshows the usage: %v, want %v", errOut, got, tt.wantUsage)
			}
		})
	}
}

// TestPlanHugeCountMeetsTheDeadline: --timeout promises a partial plan by
// the deadline, however large the snapshot's numbers.
func TestPlanHugeCountMeetsTheDeadline(t *testing.T) {
	dir := copySnapshot(t, "upcoming", map[string]func(string) string{
		"services.json":            replace(`"desiredCount": 8,`, `"desiredCount": 300000,`),
		"auto-scaling-groups.json": replace(`"MaxSize": 6,`, `"MaxSize": 300000,`),
	})
	start := time.Now()
	status, out, errOut := runTandem(t, "plan", "--snapshot", dir, "--timeout", "10ms", "--output", "json")
	elapsed := time.Since(start)
	if status != 0 {
		t.Fatalf("exit status %d; stderr:\n%s", status, errOut)
	}
	if elapsed > 150*time.Millisecond {
		t.Errorf("tandem plan --timeout 10ms took %v", elapsed)
	}
	var p placement.Plan
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	if !p.Partial {
		t.Errorf("partial = false, want the plan marked partial")
	}
}

// TestPlanProviderWithoutGroup: a capacity provider whose Auto Scaling group
// is not in the snapshot (the user described only some groups) must not
// make tasks vanish from the plan: each unplaced task goes somewhere or is
// reported unplaceable.
func TestPlanProviderWithoutGroup(t *testing.T) {
	dir := copySnapshot(t, "capacity-providers", map[string]func(string) string{
		// Leave platform-spot out of the groups: cut from its name to the
		// end of the list.
		"auto-scaling-groups.json": func(s string) string {
			start := strings.LastIndex(s[:strings.Index(s, `"AutoScalingGroupName": "platform-spot"`)], "{")
			end := strings.LastIndex(s, "]")
			return strings.TrimRight(s[:start], " \n,") + "\n    " + s[end:]
		},
	})
	status, out, errOut := runTandem(t, "plan", "--snapshot", dir, "--output", "json")
	if status != 0 {
		t.Fatalf("exit status %d; stderr:\n%s", status, errOut)
	}
	var p placement.Plan
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	for _, s := range p.Services {
		if sum := s.OnExisting + s.OnUpcoming + s.OnNew + s.Unplaceable; sum != s.Unplaced {
			t.Errorf("service %s: existing %d + upcoming %d + new %d + unplaceable %d = %d, want unplaced %d",
				s.Name, s.OnExisting, s.OnUpcoming, s.OnNew, s.Unplaceable, sum, s.Unplaced)
		}
	}
	found := false
	for _, u := range p.Unplaceable {
		found = found || u.Service == "checkout" && u.Count == 6 && strings.Contains(u.Detail, "cp-spot")
	}
	if !found {
		t.Errorf("unplaceable %+v, want checkout's 6 cp-spot tasks with a detail naming the provider", p.Unplaceable)
	}
}
