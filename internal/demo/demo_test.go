package demo

import (
	"bytes"
	"strings"
	"testing"
)

// The README's main command tells its story: the surge instance for the
// stuck deploy, the burst, the shortage report, and the drain down to one
// instance, with no busy instance terminated.
func TestDemoTellsTheStory(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo takes about 15 seconds")
	}
	var out bytes.Buffer
	if err := Run(t.Context(), &out, Options{}); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"demo-asg 1 → 2: 1 new c5.xlarge for tasks of web (1)",
		"api 2 → 5",
		"demo-asg 2 → 3",
		"notified  Tandem Capacity Shortage",
		"MAX_CAPACITY. What to do: raise the MaxSize of demo-asg",
		"TerminateInstanceInAutoScalingGroup",
		"1 instance (desired 1)",
		"No instance was terminated while it ran tasks.",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the demo does not tell %q:\n%s", want, out.String())
		}
	}
}
