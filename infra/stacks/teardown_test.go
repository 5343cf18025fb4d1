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
// The handler waits 10 s between looks; here it does not wait at all.
let waits = 0;
global.setTimeout = (resolve) => { waits++; resolve(); };
const remaining = scenario.remainingMs || 900000;
require("./index.js").handler(scenario.event, { getRemainingTimeInMillis: () => remaining }).then(() => {
  console.log(JSON.stringify({ calls: calls, waits: waits, response: response }));
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
	Waits    int
	Response struct {
		URL    string
		Method string
		Body   map[string]any
	}
}

func runTeardown(t *testing.T, event map[string]any, answers map[string][]map[string]any, remainingMs int) teardownRun {
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
	scenario, _ := json.Marshal(map[string]any{"event": event, "answers": answers, "remainingMs": remainingMs})
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
	group := func(status string) []map[string]any {
		g := map[string]any{"AutoScalingGroupName": DemoPool}
		if status != "" {
			g["Status"] = status
		}
		return []map[string]any{{"AutoScalingGroups": []any{g}}}
	}
	gone := []map[string]any{{"AutoScalingGroups": []any{}}}
	then := func(answers ...[]map[string]any) []map[string]any {
		var out []map[string]any
		for _, a := range answers {
			out = append(out, a...)
		}
		return out
	}
	fails := func(msg string) []map[string]any { return []map[string]any{{"error": msg}} }
	ok := []map[string]any{{}}
	describeStack := teardownCall{"DescribeStacks", map[string]any{"StackName": "arn:aws:cloudformation:us-east-1:123456789012:stack/TandemDemo/guid"}}
	forceDelete := teardownCall{"DeleteAutoScalingGroup", map[string]any{"AutoScalingGroupName": DemoPool, "ForceDelete": true}}
	look := teardownCall{"DescribeAutoScalingGroups", map[string]any{"AutoScalingGroupNames": []any{DemoPool}}}
	for _, tt := range []struct {
		name        string
		event       map[string]any
		answers     map[string][]map[string]any
		remainingMs int
		wantCalls   []teardownCall
		wantWaits   int
		wantStatus  string
	}{
		{"create does nothing", teardownEvent("Create", ""), nil, 0, nil, 0, "SUCCESS"},
		{"update does nothing", teardownEvent("Update", physicalID), nil, 0, nil, 0, "SUCCESS"},
		{"stack deletion force-deletes the group and waits until it is gone",
			teardownEvent("Delete", physicalID),
			map[string][]map[string]any{"DescribeStacks": stackStatus("DELETE_IN_PROGRESS"),
				"DescribeAutoScalingGroups": then(group(""), group("Delete in progress"), gone), "DeleteAutoScalingGroup": ok},
			0, []teardownCall{describeStack, look, forceDelete, look, look}, 2, "SUCCESS"},
		{"the rollback of the stack's creation too",
			teardownEvent("Delete", physicalID),
			map[string][]map[string]any{"DescribeStacks": stackStatus("ROLLBACK_IN_PROGRESS"),
				"DescribeAutoScalingGroups": then(group(""), gone), "DeleteAutoScalingGroup": ok},
			0, []teardownCall{describeStack, look, forceDelete, look}, 1, "SUCCESS"},
		{"an update's rollback leaves the group alone",
			teardownEvent("Delete", physicalID),
			map[string][]map[string]any{"DescribeStacks": stackStatus("UPDATE_ROLLBACK_IN_PROGRESS")},
			0, []teardownCall{describeStack}, 0, "SUCCESS"},
		{"a group gone already is fine",
			teardownEvent("Delete", physicalID),
			map[string][]map[string]any{"DescribeStacks": stackStatus("DELETE_IN_PROGRESS"), "DescribeAutoScalingGroups": gone},
			0, []teardownCall{describeStack, look}, 0, "SUCCESS"},
		{"a scaling activity under way: ask again",
			teardownEvent("Delete", physicalID),
			map[string][]map[string]any{"DescribeStacks": stackStatus("DELETE_IN_PROGRESS"),
				"DescribeAutoScalingGroups": then(group(""), group(""), gone),
				"DeleteAutoScalingGroup":    then(fails("You cannot delete an AutoScalingGroup while there are scaling activities in progress for that group."), ok)},
			0, []teardownCall{describeStack, look, forceDelete, look, forceDelete, look}, 2, "SUCCESS"},
		{"a refusal fails the deletion",
			teardownEvent("Delete", physicalID),
			map[string][]map[string]any{"DescribeStacks": stackStatus("DELETE_IN_PROGRESS"), "DescribeAutoScalingGroups": group(""),
				"DeleteAutoScalingGroup": fails("User is not authorized to perform: autoscaling:DeleteAutoScalingGroup")},
			0, []teardownCall{describeStack, look, forceDelete}, 0, "FAILED"},
		{"out of time: fail, and say to delete the stack again",
			teardownEvent("Delete", physicalID),
			map[string][]map[string]any{"DescribeStacks": stackStatus("DELETE_IN_PROGRESS")},
			30000, []teardownCall{describeStack}, 0, "FAILED"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			run := runTeardown(t, tt.event, tt.answers, tt.remainingMs)
			if diff := cmp.Diff(tt.wantCalls, run.Calls, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			if run.Waits != tt.wantWaits {
				t.Errorf("waited %d times, want %d", run.Waits, tt.wantWaits)
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
			if tt.wantStatus == "FAILED" && r.Body["Reason"] == "" {
				t.Error("a failure without a reason")
			}
		})
	}
}
