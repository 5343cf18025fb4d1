package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// taskOps are the ECS operations whose responses carry tasks. moto 5.2.1
// writes the containers' cpu, memory and memoryReservation (and the task's
// cpu and memory) as JSON numbers, where the ECS model has strings, and the
// Go SDK then fails the call with "expected string, got 1024" after its side
// effect happened (README, deviation 1).
var taskOps = map[string]bool{"RunTask": true, "StartTask": true, "DescribeTasks": true, "StopTask": true}

// stringifyTaskNumbers rewrites the number-typed fields of tasks and their
// containers that the ECS model types as strings: the Go SDK otherwise fails
// with "expected string, got 1024". A task is an object with a taskArn; a
// container is an object with a containerArn.
func stringifyTaskNumbers(body []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("decode ECS response: %w", err)
	}
	var changed bool
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			_, isTask := v["taskArn"]
			_, isContainer := v["containerArn"]
			if isTask || isContainer {
				for _, k := range []string{"cpu", "memory", "memoryReservation"} {
					if n, ok := v[k].(json.Number); ok {
						v[k] = n.String()
						changed = true
					}
				}
			}
			for _, e := range v {
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(doc)
	if !changed {
		return body, nil
	}
	return json.Marshal(doc)
}

// ecsNumberFix is the same fix as a RoundTripper, for the harness's own
// clients, which talk to moto directly.
type ecsNumberFix struct{ base http.RoundTripper }

func (t ecsNumberFix) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	target := r.Header.Get("X-Amz-Target")
	if err != nil || resp.StatusCode/100 != 2 || !strings.HasPrefix(target, "AmazonEC2ContainerService") ||
		!taskOps[target[strings.LastIndex(target, ".")+1:]] {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if body, err = stringifyTaskNumbers(body); err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return resp, nil
}

// rewriteECS fixes and extends moto's ECS answers. A nil result means
// "unchanged".
func (s *Sandbox) rewriteECS(ctx context.Context, req *request, body []byte) ([]byte, error) {
	switch {
	case taskOps[req.op]:
		return stringifyTaskNumbers(body)
	case req.op == "ListTasks" && req.params["serviceName"] != "":
		return s.filterListTasks(ctx, req, body)
	case req.op == "ListContainerInstances" && req.params["status"] != "":
		return s.filterListContainerInstances(ctx, req, body)
	case req.op == "CreateService" || req.op == "UpdateService":
		if err := s.observeServiceWrite(ctx, req, body); err != nil {
			return nil, err
		}
		return s.presentServices(body, "service")
	case req.op == "DeleteService":
		s.observeServiceDelete(body)
		return nil, nil
	case req.op == "DescribeServices":
		return s.presentServices(body, "services")
	}
	return nil, nil
}

func clusterParam(req *request) string {
	if c := req.params["cluster"]; c != "" {
		return c
	}
	return "default"
}

// lastSegment returns what follows the last "/" of an ARN, or s itself.
func lastSegment(s string) string { return s[strings.LastIndex(s, "/")+1:] }

// filterListTasks applies the serviceName filter moto ignores: a service's
// tasks are those whose group is "service:<name>".
func (s *Sandbox) filterListTasks(ctx context.Context, req *request, body []byte) ([]byte, error) {
	var out struct {
		TaskArns  []string `json:"taskArns"`
		NextToken *string  `json:"nextToken,omitempty"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, fmt.Errorf("decode ListTasks: %w", err)
	}
	group := "service:" + lastSegment(req.params["serviceName"])
	var keep []string
	for batch := range slices.Chunk(out.TaskArns, 100) {
		got, err := s.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(clusterParam(req)), Tasks: batch})
		if err != nil {
			return nil, fmt.Errorf("describe tasks to filter by service: %w", err)
		}
		inGroup := map[string]bool{}
		for _, t := range got.Tasks {
			inGroup[aws.ToString(t.TaskArn)] = aws.ToString(t.Group) == group
		}
		for _, arn := range batch {
			if inGroup[arn] {
				keep = append(keep, arn)
			}
		}
	}
	out.TaskArns = keep
	if out.TaskArns == nil {
		out.TaskArns = []string{}
	}
	return json.Marshal(out)
}

// filterListContainerInstances applies the status filter moto ignores.
func (s *Sandbox) filterListContainerInstances(ctx context.Context, req *request, body []byte) ([]byte, error) {
	var out struct {
		ContainerInstanceArns []string `json:"containerInstanceArns"`
		NextToken             *string  `json:"nextToken,omitempty"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, fmt.Errorf("decode ListContainerInstances: %w", err)
	}
	want := req.params["status"]
	var keep []string
	for batch := range slices.Chunk(out.ContainerInstanceArns, 100) {
		got, err := s.ecs.DescribeContainerInstances(ctx, &ecs.DescribeContainerInstancesInput{
			Cluster: aws.String(clusterParam(req)), ContainerInstances: batch,
		})
		if err != nil {
			return nil, fmt.Errorf("describe container instances to filter by status: %w", err)
		}
		status := map[string]string{}
		for _, ci := range got.ContainerInstances {
			status[aws.ToString(ci.ContainerInstanceArn)] = aws.ToString(ci.Status)
		}
		for _, arn := range batch {
			if status[arn] == want {
				keep = append(keep, arn)
			}
		}
	}
	out.ContainerInstanceArns = keep
	if out.ContainerInstanceArns == nil {
		out.ContainerInstanceArns = []string{}
	}
	return json.Marshal(out)
}
