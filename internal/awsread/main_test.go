package awsread

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/tandem-ecs/tandem/internal/sandbox"
	"github.com/tandem-ecs/tandem/internal/sandbox/sandboxtest"
)

func TestMain(m *testing.M) { sandboxtest.Main(m, "awsread") }

// env is one test's world: a sandbox over a reset moto, a Reader whose
// requests are recorded, and SDK clients for the setup.
type env struct {
	ctx  context.Context
	sb   *sandbox.Sandbox
	rec  *recorder
	r    *Reader
	ecs  *ecs.Client
	asg  *autoscaling.Client
	conf aws.Config
}

func newEnv(tb testing.TB) *env {
	tb.Helper()
	ctx := context.Background()
	sb := sandboxtest.New(tb)
	cfg := sb.Config()
	rec := &recorder{base: cfg.HTTPClient}
	rcfg := cfg.Copy()
	rcfg.HTTPClient = rec
	return &env{ctx: ctx, sb: sb, rec: rec, r: New(rcfg), ecs: ecs.NewFromConfig(cfg), asg: autoscaling.NewFromConfig(cfg), conf: cfg}
}

func (e *env) createCluster(tb testing.TB, name string) {
	tb.Helper()
	if _, err := e.ecs.CreateCluster(e.ctx, &ecs.CreateClusterInput{ClusterName: aws.String(name)}); err != nil {
		tb.Fatal(err)
	}
}

func (e *env) createPool(tb testing.TB, p sandbox.Pool) {
	tb.Helper()
	if err := e.sb.CreatePool(e.ctx, p); err != nil {
		tb.Fatal(err)
	}
}

func (e *env) step(tb testing.TB, n int) {
	tb.Helper()
	for range n {
		if err := e.sb.Step(e.ctx); err != nil {
			tb.Fatal(err)
		}
	}
}

// taskDef registers a one-container bridge task definition and returns its
// ARN. hostPort < 0 means no port mapping.
func (e *env) taskDef(tb testing.TB, family string, cpu, memoryMiB, hostPort int32) string {
	tb.Helper()
	c := ecstypes.ContainerDefinition{
		Name: aws.String("app"), Image: aws.String("nginx:latest"), Cpu: cpu, Memory: aws.Int32(memoryMiB), Essential: aws.Bool(true),
	}
	if hostPort >= 0 {
		c.PortMappings = []ecstypes.PortMapping{{ContainerPort: aws.Int32(80), HostPort: aws.Int32(hostPort), Protocol: ecstypes.TransportProtocolTcp}}
	}
	out, err := e.ecs.RegisterTaskDefinition(e.ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String(family), NetworkMode: ecstypes.NetworkModeBridge, ContainerDefinitions: []ecstypes.ContainerDefinition{c},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return aws.ToString(out.TaskDefinition.TaskDefinitionArn)
}

func (e *env) createService(tb testing.TB, in *ecs.CreateServiceInput) {
	tb.Helper()
	if _, err := e.ecs.CreateService(e.ctx, in); err != nil {
		tb.Fatal(err)
	}
}

// recorder is an HTTP client that remembers each request's operation and
// body, so tests can check batching and pagination.
type recorder struct {
	base aws.HTTPClient
	// delay is added to every request, to stand for the round trip to AWS
	// in benchmarks (moto on loopback answers in about a millisecond).
	delay time.Duration
	mu    sync.Mutex
	reqs  []recorded
}

type recorded struct {
	op   string // "ecs.DescribeServices", "autoscaling.DescribeAutoScalingGroups", …
	body []byte
}

func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		body = b
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	op := ""
	if t := req.Header.Get("X-Amz-Target"); t != "" {
		op = t[strings.LastIndex(t, ".")+1:]
	} else if v, err := url.ParseQuery(string(body)); err == nil {
		op = v.Get("Action")
	}
	service := ""
	if m := scope.FindStringSubmatch(req.Header.Get("Authorization")); m != nil {
		service = m[1]
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, recorded{op: service + "." + op, body: body})
	r.mu.Unlock()
	if r.delay > 0 {
		time.Sleep(r.delay)
	}
	return r.base.Do(req)
}

var scope = regexp.MustCompile(`Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request`)

// count is the number of requests recorded.
func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.reqs)
}

// calls returns the bodies of the recorded requests of op.
func (r *recorder) calls(op string) [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out [][]byte
	for _, q := range r.reqs {
		if q.op == op {
			out = append(out, q.body)
		}
	}
	return out
}

func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = nil
}

// jsonList returns the length of the array under key in a JSON body.
func jsonList(tb testing.TB, body []byte, key string) int {
	tb.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		tb.Fatalf("decode request %s: %v", body, err)
	}
	var list []json.RawMessage
	if err := json.Unmarshal(m[key], &list); err != nil {
		tb.Fatalf("decode %s of %s: %v", key, body, err)
	}
	return len(list)
}
