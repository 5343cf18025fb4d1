package stacks

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// The teardown handler runs under Node.js (which the CDK needs anyway) with
// stand-ins for the two SDK clients and for fetch, which records the
// response to CloudFormation.
const teardownDriver = `
const scenario = JSON.parse(process.argv[2]);
const calls = [];
global.__send = async (name, input) => {
  calls.push({ name: name, input: input });
  const answer = (scenario.answers[name] || []).shift();
  if (!answer) throw new Error("unexpected call " + name);
  if (answer.error) throw new Error(answer.error);
  return answer;
};
let response = null;
global.fetch = async (url, init) => {
  response = { url: url, method: init.method, body: JSON.parse(init.body) };
  return { ok: true, status: 200 };
};
require("./index.js").handler(scenario.event, { getRemainingTimeInMillis: () => 900000 }).then(() => {
  console.log(JSON.stringify({ calls: calls, response: response }));
});
`

// sdkStub is a stand-in for an SDK client module: each command's send goes
// to __send with the command's name.
func sdkStub(commands ...string) string {
	s := "class Client { async send(c) { return global.__send(c.name, c.input); } }\n"
	s += "exports.AutoScalingClient = Client;\nexports.CloudFormationClient = Client;\n"
	for _, c := range commands {
		s += "exports." + c + "Command = class { constructor(input) { this.name = \"" + c + "\"; this.input = input; } };\n"
	}
	return s
}

type teardownCall struct {
	Name  string
	Input map[string]any
}

type teardownRun struct {
	Calls    []teardownCall
	Response struct {
		URL    string
		Method string
		Body   map[string]any
	}
}

func runTeardown(t *testing.T, event map[string]any, answers map[string][]map[string]any) teardownRun {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node, which the CDK needs, is not on PATH: %v", err)
	}
	dir := t.TempDir()
	files := map[string]string{
		"index.js": poolTeardownCode,
		"run.js":   teardownDriver,
		"node_modules/@aws-sdk/client-auto-scaling/index.js":   sdkStub("DeleteAutoScalingGroup", "DescribeAutoScalingGroups"),
		"node_modules/@aws-sdk/client-cloudformation/index.js": sdkStub("DescribeStacks"),
	}
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	scenario, _ := json.Marshal(map[string]any{"event": event, "answers": answers})
	cmd := exec.Command(node, "run.js", string(scenario))
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node run.js: %v\n%s", err, out)
	}
	var run teardownRun
	// The handler logs a line of its own before the driver's.
	lines := splitLines(out)
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &run); err != nil {
		t.Fatalf("driver output %q: %v", out, err)
	}
	return run
}

func splitLines(b []byte) []string {
	var lines []string
	start := 0
	for i, c := range b {
		if c == '\n' {
			if i > start {
				lines = append(lines, string(b[start:i]))
			}
			start = i + 1
		}
	}
	if start < len(b) {
		lines = append(lines, string(b[start:]))
	}
	return lines
}

func teardownEvent(requestType, physicalID string) map[string]any {
	ev := map[string]any{
		"RequestType":        requestType,
		"ResponseURL":        "https://cloudformation-custom-resource-response.example/presigned",
		"StackId":            "arn:aws:cloudformation:us-east-1:123456789012:stack/TandemDemo/guid",
		"RequestId":          "request-1",
		"LogicalResourceId":  "PoolTeardown",
		"ResourceProperties": map[string]any{"AutoScalingGroupName": DemoPool},
	}
	if physicalID != "" {
		ev["PhysicalResourceId"] = physicalID
	}
	return ev
}

func stackStatus(s string) []map[string]any {
	return []map[string]any{{"Stacks": []any{map[string]any{"StackStatus": s}}}}
}

func TestPoolTeardown(t *testing.T) {
	const physicalID = "force-delete-" + DemoPool
	gone := []map[string]any{{"AutoScalingGroups": []any{}}}
	describeStack := teardownCall{"DescribeStacks", map[string]any{"StackName": "arn:aws:cloudformation:us-east-1:123456789012:stack/TandemDemo/guid"}}
	forceDelete := teardownCall{"DeleteAutoScalingGroup", map[string]any{"AutoScalingGroupName": DemoPool, "ForceDelete": true}}
	describeGroup := teardownCall{"DescribeAutoScalingGroups", map[string]any{"AutoScalingGroupNames": []any{DemoPool}}}
	for _, tt := range []struct {
		name       string
		event      map[string]any
		answers    map[string][]map[string]any
		wantCalls  []teardownCall
		wantStatus string
	}{
		{"create does nothing", teardownEvent("Create", ""), nil, nil, "SUCCESS"},
		{"update does nothing", teardownEvent("Update", physicalID), nil, nil, "SUCCESS"},
		{"stack deletion force-deletes the group and waits for it",
			teardownEvent("Delete", physicalID),
			map[string][]map[string]any{"DescribeStacks": stackStatus("DELETE_IN_PROGRESS"), "DeleteAutoScalingGroup": {{}}, "DescribeAutoScalingGroups": gone},
			[]teardownCall{describeStack, forceDelete, describeGroup}, "SUCCESS"},
		{"the rollback of the stack's creation too",
			teardownEvent("Delete", physicalID),
			map[string][]map[string]any{"DescribeStacks": stackStatus("ROLLBACK_IN_PROGRESS"), "DeleteAutoScalingGroup": {{}}, "DescribeAutoScalingGroups": gone},
			[]teardownCall{describeStack, forceDelete, describeGroup}, "SUCCESS"},
		{"an update's rollback leaves the group alone",
			teardownEvent("Delete", physicalID),
			map[string][]map[string]any{"DescribeStacks": stackStatus("UPDATE_ROLLBACK_IN_PROGRESS")},
			[]teardownCall{describeStack}, "SUCCESS"},
		{"a group gone already is fine",
			teardownEvent("Delete", physicalID),
			map[string][]map[string]any{"DescribeStacks": stackStatus("DELETE_IN_PROGRESS"),
				"DeleteAutoScalingGroup": {{"error": "AutoScalingGroup name not found - AutoScalingGroup 'tandem-demo-pool' not found"}}, "DescribeAutoScalingGroups": gone},
			[]teardownCall{describeStack, forceDelete, describeGroup}, "SUCCESS"},
		{"a refusal fails the deletion",
			teardownEvent("Delete", physicalID),
			map[string][]map[string]any{"DescribeStacks": stackStatus("DELETE_IN_PROGRESS"),
				"DeleteAutoScalingGroup": {{"error": "User is not authorized to perform: autoscaling:DeleteAutoScalingGroup"}}},
			[]teardownCall{describeStack, forceDelete}, "FAILED"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			run := runTeardown(t, tt.event, tt.answers)
			if diff := cmp.Diff(tt.wantCalls, run.Calls, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			r := run.Response
			if r.Method != "PUT" || r.URL != tt.event["ResponseURL"] {
				t.Errorf("response: %s %s, want PUT to the ResponseURL", r.Method, r.URL)
			}
			want := map[string]any{
				"Status": tt.wantStatus, "PhysicalResourceId": physicalID, "StackId": tt.event["StackId"],
				"RequestId": "request-1", "LogicalResourceId": "PoolTeardown",
			}
			got := map[string]any{}
			for k := range want {
				got[k] = r.Body[k]
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("response body (-want +got):\n%s\nreason: %v", diff, r.Body["Reason"])
			}
		})
	}
}
