package demo

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

// The README's main command tells its story: the surge instance for the
// stuck deploy, the burst, the shortage report, and the drain down to one
// instance, with no busy instance terminated. The timeline must say what
// the scaler decided at each event, and the summary must end where the
// story does.
func TestDemoTellsTheStory(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo takes about 20 seconds")
	}
	var buf bytes.Buffer
	if err := Run(t.Context(), &buf, Options{}); err != nil {
		t.Fatalf("demo: %v\n%s", err, buf.String())
	}
	out := buf.String()
	timeline, table, ok := strings.Cut(out, "\nSummary\n")
	if !ok {
		t.Fatalf("the demo prints no summary:\n%s", out)
	}

	// Each decision line comes from the invocation it follows (stage
	// matches them by request ID).
	for _, want := range []string{
		"decision  demo-asg 1 → 2: 1 new c5.xlarge for tasks of web (1)",
		"decision  api 2 → 5",
		"demo-asg 2 → 3",
		"decision  api 5 → 8",
		"notified  Tandem Capacity Shortage",
		"MAX_CAPACITY. What to do: raise the MaxSize of demo-asg",
		"decision  api 8 → 2",
		"terminate i-",
	} {
		if !strings.Contains(timeline, want) {
			t.Errorf("the timeline does not tell %q:\n%s", want, out)
		}
	}

	rows := summaryRows(t, table)
	for _, tt := range []struct {
		scene string
		// wrote lists what the writes column must hold; the other cells
		// must be as given.
		wrote []string
		then  []string
	}{
		{"web deploys on port 80", []string{"SetDesiredCapacity×1"}, []string{"2 instances (desired 2)", "web 1/1 · api 2/2 · log-agent 2/2", "-"}},
		{"CPU alarm bursts the API", []string{"SetDesiredCapacity×1", "UpdateService×1"}, []string{"3 instances (desired 3)", "web 1/1 · api 5/5 · log-agent 3/3", "-"}},
		{"burst beyond the maximum", []string{"UpdateService×1"}, []string{"3 instances (desired 3)", "web 1/1 · api 6/8 · log-agent 3/3", "Tandem Capacity Shortage"}},
		// The end of the story: two instances drained (in one call or
		// two, as the scale-in timers fall) and terminated, one left, the
		// API back at its minimum.
		{"demand falls", []string{"TerminateInstanceInAutoScalingGroup×2", "UpdateContainerInstancesState×", "UpdateService×1"},
			[]string{"1 instance (desired 1)", "web 1/1 · api 2/2 · log-agent 1/1", "-"}},
	} {
		got, ok := rows[tt.scene]
		if !ok || len(got) != 4 {
			t.Errorf("the summary has no row %q of 5 cells:\n%s", tt.scene, table)
			continue
		}
		for _, w := range tt.wrote {
			if !strings.Contains(got[0], w) {
				t.Errorf("summary row %q: tandem wrote %q, want %s in it", tt.scene, got[0], w)
			}
		}
		if strings.Join(got[1:], " | ") != strings.Join(tt.then, " | ") {
			t.Errorf("summary row %q:\n got  %s\n want %s", tt.scene, strings.Join(got[1:], " | "), strings.Join(tt.then, " | "))
		}
	}
	if len(rows) != 4 {
		t.Errorf("the summary has %d rows, want 4:\n%s", len(rows), table)
	}
	if !strings.Contains(table, "No instance was terminated while it ran tasks.") {
		t.Errorf("the summary does not say that no busy instance was terminated:\n%s", table)
	}
}

// summaryRows reads the summary table (columns padded with two spaces or
// more) into the cells after the scene, by scene.
func summaryRows(t *testing.T, table string) map[string][]string {
	t.Helper()
	cells := regexp.MustCompile(` {2,}`)
	rows := map[string][]string{}
	lines := strings.Split(table, "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "SCENE") {
		t.Fatalf("the summary does not start with its header:\n%s", table)
	}
	for _, line := range lines[1:] {
		if strings.TrimSpace(line) == "" {
			break
		}
		c := cells.Split(strings.TrimRight(line, " "), -1)
		rows[c[0]] = c[1:]
	}
	return rows
}
