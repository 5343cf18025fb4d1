package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Call is one AWS write the proxy saw, in the order the responses came back.
type Call struct {
	Time      time.Time
	Service   string // signing name: ecs, autoscaling, ec2, monitoring, events, sqs, sns, dynamodb, …
	Operation string // for example SetDesiredCapacity
	// Params are the request parameters, flattened to strings: Query
	// parameters as sent (InstanceIds.member.1), JSON as dotted paths
	// (containerInstances.0, deploymentConfiguration.maximumPercent).
	Params map[string]string
	Status int    // HTTP status the caller got
	Error  string // error code when Status is not 2xx
}

// String renders the call on one line, for timelines.
func (c Call) String() string {
	keys := slices.Sorted(maps.Keys(c.Params))
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s", c.Time.Format("15:04:05.000"), c.Service, c.Operation)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%s", k, c.Params[k])
	}
	if c.Status/100 != 2 {
		fmt.Fprintf(&b, " -> %d %s", c.Status, c.Error)
	}
	return b.String()
}

// request is what the proxy learned about one incoming call.
type request struct {
	service string
	op      string
	json    bool // JSON protocol (X-Amz-Target); otherwise Query/EC2 form or other
	params  map[string]string
	raw     map[string]any // decoded JSON body, for JSON protocols
	start   time.Time
	before  *asgSnapshot // for scale-in checks, taken before forwarding
}

type requestKey struct{}

var credentialScope = regexp.MustCompile(`Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request`)

// parseRequest identifies the service (from the SigV4 credential scope, as
// moto does) and the operation (X-Amz-Target for JSON protocols, Action= for
// Query and EC2, the path for RPCv2 CBOR).
func parseRequest(r *http.Request, body []byte) *request {
	req := &request{params: map[string]string{}}
	if m := credentialScope.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		req.service = m[1]
	}
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		req.op = target[strings.LastIndex(target, ".")+1:]
		req.json = true
		var raw map[string]any
		if json.Unmarshal(body, &raw) == nil {
			req.raw = raw
			flatten("", raw, req.params)
		}
		return req
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		form, err := url.ParseQuery(string(body))
		if err == nil {
			for k, v := range form {
				if k == "Action" || k == "Version" || len(v) == 0 {
					continue
				}
				req.params[k] = v[0]
			}
			req.op = form.Get("Action")
		}
		return req
	}
	if i := strings.LastIndex(r.URL.Path, "/operation/"); i >= 0 {
		req.op = r.URL.Path[i+len("/operation/"):]
	}
	return req
}

func flatten(prefix string, v any, out map[string]string) {
	join := func(k string) string {
		if prefix == "" {
			return k
		}
		return prefix + "." + k
	}
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			flatten(join(k), e, out)
		}
	case []any:
		for i, e := range v {
			flatten(join(strconv.Itoa(i)), e, out)
		}
	case string:
		out[prefix] = v
	case nil:
		out[prefix] = ""
	default:
		b, _ := json.Marshal(v)
		out[prefix] = string(b)
	}
}

var readPrefixes = []string{"Describe", "List", "Get", "Receive", "Test", "Search", "Query", "Scan", "BatchGet", "Lookup", "Poll", "Discover"}

// isWrite tells whether an operation changes state, by AWS naming convention.
func isWrite(op string) bool {
	if op == "" {
		return false
	}
	for _, p := range readPrefixes {
		if strings.HasPrefix(op, p) {
			return false
		}
	}
	return true
}

// serveProxy is the proxy: it answers injected faults and the calls moto lacks
// itself, checks the safety invariant before terminations, and forwards the
// rest to moto.
func (s *Sandbox) serveProxy(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "sandbox proxy: read body: "+err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	req := parseRequest(r, body)
	req.start = s.now()

	if f, ok := s.takeFault(req.op); ok {
		s.writeError(w, req, f.status, f.code, "injected by sandbox.FailNext")
		return
	}
	ctx := r.Context()
	if req.service == "ecs" && req.op == "ListTasks" && req.raw != nil && req.raw["desiredStatus"] == nil {
		// AWS lists RUNNING tasks unless asked otherwise; moto lists all.
		req.raw["desiredStatus"] = "RUNNING"
		if b, err := json.Marshal(req.raw); err == nil {
			body = b
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
			r.Header.Set("Content-Length", strconv.Itoa(len(body)))
		}
	}
	switch req.service + "." + req.op {
	case "autoscaling.CompleteLifecycleAction", "autoscaling.RecordLifecycleActionHeartbeat":
		s.serveLifecycleAction(ctx, w, req)
		return
	case "autoscaling.TerminateInstanceInAutoScalingGroup":
		s.checkTermination(ctx, req.op, []string{req.params["InstanceId"]})
	case "ec2.TerminateInstances":
		s.checkTermination(ctx, req.op, indexedParams(req.params, "InstanceId."))
	case "autoscaling.SetDesiredCapacity", "autoscaling.UpdateAutoScalingGroup":
		req.before = s.snapshotASG(ctx, req.params["AutoScalingGroupName"])
	}
	s.rp.ServeHTTP(w, r.WithContext(context.WithValue(ctx, requestKey{}, req)))
}

// indexedParams returns the values of Query parameters prefix1, prefix2, ….
func indexedParams(params map[string]string, prefix string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := params[prefix+strconv.Itoa(i)]
		if !ok {
			return out
		}
		out = append(out, v)
	}
}

// modifyResponse runs on moto's answer before the caller sees it.
func (s *Sandbox) modifyResponse(resp *http.Response) error {
	req, _ := resp.Request.Context().Value(requestKey{}).(*request)
	if req == nil {
		return nil
	}
	ctx := resp.Request.Context()
	if isWrite(req.op) {
		s.record(req, resp.StatusCode, errorCode(resp))
	}
	if resp.StatusCode/100 != 2 {
		return nil
	}
	var rewrite func(context.Context, *request, []byte) ([]byte, error)
	switch req.service {
	case "ecs":
		rewrite = s.rewriteECS
	case "autoscaling":
		rewrite = s.rewriteAutoScaling
	}
	if rewrite == nil {
		return nil
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("read moto response to %s: %w", req.op, err)
	}
	out, err := rewrite(ctx, req, body)
	if err != nil {
		return fmt.Errorf("rewrite %s %s: %w", req.service, req.op, err)
	}
	if out == nil {
		out = body
	}
	resp.Body = io.NopCloser(bytes.NewReader(out))
	resp.ContentLength = int64(len(out))
	resp.Header.Set("Content-Length", strconv.Itoa(len(out)))
	resp.Header.Del("X-Amz-Crc32")
	return nil
}

// errorCode reads the AWS error code of a failed response without consuming
// its body.
func errorCode(resp *http.Response) string {
	if resp.StatusCode/100 == 2 {
		return ""
	}
	if t := resp.Header.Get("X-Amzn-ErrorType"); t != "" {
		return strings.SplitN(t, ":", 2)[0]
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return ""
	}
	if m := xmlCode.FindSubmatch(body); m != nil {
		return string(m[1])
	}
	var j struct {
		Type string `json:"__type"`
	}
	if json.Unmarshal(body, &j) == nil && j.Type != "" {
		return j.Type[strings.LastIndex(j.Type, "#")+1:]
	}
	return http.StatusText(resp.StatusCode)
}

var xmlCode = regexp.MustCompile(`<Code>([^<]+)</Code>`)

func (s *Sandbox) record(req *request, status int, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, Call{
		Time: req.start, Service: req.service, Operation: req.op,
		Params: req.params, Status: status, Error: code,
	})
}

// Calls returns the writes the proxy has seen, oldest first, including ones
// that failed (Status not 2xx) and injected faults.
func (s *Sandbox) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

type fault struct {
	status int
	code   string
}

// FailNext makes the next call of operation (for example "UpdateService")
// fail with the HTTP status and AWS error code given (for example 400 and
// "ThrottlingException", or 500 and "InternalFailure"), without reaching moto.
// Each FailNext fails one request; queue several for several. The clients
// from Config and LambdaEnv make one attempt per call, so one injected failure
// is one failed call.
func (s *Sandbox) FailNext(operation string, status int, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[operation] = append(s.faults[operation], fault{status: status, code: code})
}

func (s *Sandbox) takeFault(op string) (fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.faults[op]
	if len(q) == 0 {
		return fault{}, false
	}
	s.faults[op] = q[1:]
	return q[0], true
}

// writeError answers in the error shape of the caller's protocol, and logs
// the call when it is a write.
func (s *Sandbox) writeError(w http.ResponseWriter, req *request, status int, code, msg string) {
	if isWrite(req.op) {
		s.record(req, status, code)
	}
	switch {
	case req.json:
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-ErrorType", code)
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
	case req.service == "ec2":
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>%s</RequestID></Response>`,
			xmlEscape(code), xmlEscape(msg), s.newID())
	default:
		errType := "Sender"
		if status >= 500 {
			errType = "Receiver"
		}
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>`,
			errType, xmlEscape(code), xmlEscape(msg), s.newID())
	}
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
