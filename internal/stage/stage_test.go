package stage

import "testing"

// A decision is found by its request ID, never by being the last line: the
// latest invocation's line may not have reached the log yet.
func TestFindDecisionByRequestID(t *testing.T) {
	logs := `START RequestId: a Version: $LATEST
{"time":"2026-11-26T10:00:00Z","level":"INFO","msg":"decision","requestId":"a","outcome":"ok"}
END RequestId: a
{"_aws":{"Timestamp":1}}
START RequestId: b Version: $LATEST
26 Nov 2026 10:00:01,000 [INFO] {"msg":"decision","requestId":"b","outcome":"busy"}
START RequestId: c Version: $LATEST
`
	for id, want := range map[string]any{"a": "ok", "b": "busy"} {
		d := findDecision(logs, id)
		if d == nil || d["outcome"] != want {
			t.Errorf("findDecision(%q) = %v, want the line with outcome %v", id, d, want)
		}
	}
	if d := findDecision(logs, "c"); d != nil {
		t.Errorf("findDecision(c) = %v, want nil: c has logged no decision yet (b's is the last)", d)
	}
}
