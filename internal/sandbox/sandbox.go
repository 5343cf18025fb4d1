package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// Region and Account are what moto uses by default; events carry them.
const (
	Region  = "us-east-1"
	Account = "123456789012"
)

// Options configure a Sandbox. The zero value is ready to use.
type Options struct {
	// Now is the clock for call-log entries, event times and deployment
	// timestamps. Default time.Now.
	Now func() time.Time
}

// Sandbox is one test's (or one demo's) view of emulated AWS: a reverse proxy
// in front of moto that fixes and extends moto's answers, a simulated ECS
// agent and service scheduler (Step), an ordered log of the writes it saw,
// and the safety violations it detected. Create it with New; Close it.
//
// All its methods are safe for concurrent use.
type Sandbox struct {
	now     func() time.Time
	motoURL string

	srv      *http.Server
	listener net.Listener
	rp       *httputil.ReverseProxy

	// Clients that talk to moto directly (not through the proxy, so the
	// harness's own calls stay out of the call log), with the ECS number fix.
	ecs ecsAPI
	asg asgAPI
	ec2 ec2API

	tdefs taskDefCache

	mu         sync.Mutex // guards everything below
	calls      []Call
	violations []Violation
	faults     map[string][]fault
	lifecycle  []LifecycleAction
	waiting    map[string]*termination // EC2 instance id → pending lifecycle action
	pools      map[string]*Pool        // ASG name → pool the agent serves
	instances  map[string]*agentInstance
	services   map[string]*serviceState // cluster name + "/" + service name
	ciStatus   map[string]string        // container instance ARN → last status seen
	events     []Event
	steps      int
	deploySeq  int
	taskSeq    int
	taskOrder  map[string]int // task ARN → start order, for deterministic choices
}

// New starts a proxy in front of the moto server at motoEndpoint (usually
// Moto.Endpoint()) on a free loopback port. The harness keeps its state in
// memory, so a fresh Sandbox after Moto.Reset is a fresh world.
func New(ctx context.Context, motoEndpoint string, opts Options) (*Sandbox, error) {
	target, err := url.Parse(motoEndpoint)
	if err != nil {
		return nil, fmt.Errorf("parse moto endpoint %q: %w", motoEndpoint, err)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	hc := &http.Client{Transport: ecsNumberFix{base: motoTransport}, Timeout: 60 * time.Second}
	cfg := clientConfig(motoEndpoint, hc)
	s := &Sandbox{
		now:       now,
		motoURL:   motoEndpoint,
		ecs:       ecs.NewFromConfig(cfg),
		asg:       autoscaling.NewFromConfig(cfg),
		ec2:       ec2.NewFromConfig(cfg),
		faults:    map[string][]fault{},
		waiting:   map[string]*termination{},
		pools:     map[string]*Pool{},
		instances: map[string]*agentInstance{},
		services:  map[string]*serviceState{},
		ciStatus:  map[string]string{},
		taskOrder: map[string]int{},
	}
	s.tdefs.api = s.ecs
	s.rp = &httputil.ReverseProxy{
		Transport: motoTransport,
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host
		},
		ModifyResponse: s.modifyResponse,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			http.Error(w, "sandbox proxy: "+err.Error(), http.StatusBadGateway)
		},
	}
	var lc net.ListenConfig
	s.listener, err = lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for sandbox proxy: %w", err)
	}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serveProxy), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(s.listener) }()
	return s, nil
}

// URL is the proxy's address, for example http://127.0.0.1:40125. Every SDK
// client of the code under test (and the Lambda, via AWS_ENDPOINT_URL) must
// use it.
func (s *Sandbox) URL() string { return "http://" + s.listener.Addr().String() }

// MotoURL is moto's own address, bypassing the proxy.
func (s *Sandbox) MotoURL() string { return s.motoURL }

// Config is an aws.Config for SDK clients that talk to the proxy: region
// us-east-1, static "test" credentials, and one attempt per call (so that a
// FailNext failure reaches the caller instead of being retried away).
//
// The CloudWatch client still needs the Query protocol; see README.md.
func (s *Sandbox) Config() aws.Config {
	return clientConfig(s.URL(), &http.Client{Timeout: 60 * time.Second})
}

// LambdaEnv is the environment a Lambda under RIE needs to reach the proxy.
// Add function-specific variables to the returned map.
func (s *Sandbox) LambdaEnv() map[string]string {
	return map[string]string{
		"AWS_ENDPOINT_URL":      s.URL(),
		"AWS_REGION":            Region,
		"AWS_DEFAULT_REGION":    Region,
		"AWS_ACCESS_KEY_ID":     "test",
		"AWS_SECRET_ACCESS_KEY": "test",
		"AWS_MAX_ATTEMPTS":      "1",
		// Keep the SDK away from ~/.aws and from IMDS.
		"AWS_CONFIG_FILE":             "/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
		"AWS_EC2_METADATA_DISABLED":   "true",
	}
}

// Close stops the proxy. It does not stop moto.
func (s *Sandbox) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("stop sandbox proxy: %w", err)
	}
	return nil
}

func clientConfig(endpoint string, hc *http.Client) aws.Config {
	return aws.Config{
		Region:           Region,
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint:     aws.String(endpoint),
		RetryMaxAttempts: 1,
		HTTPClient:       hc,
	}
}
