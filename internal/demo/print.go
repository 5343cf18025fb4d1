package demo

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// printer writes the timeline: a label column and the text.
type printer struct {
	w     io.Writer
	start time.Time
}

func (p *printer) title(s string) {
	fmt.Fprintln(p.w, s)
}

func (p *printer) scene(s string) {
	fmt.Fprintf(p.w, "\n[%5.1fs] ━━ %s\n", time.Since(p.start).Seconds(), s)
}

func (p *printer) line(label, text string) {
	fmt.Fprintf(p.w, "         %-9s %s\n", label, text)
}

// decision prints what the scaler's decision log line says it decided.
func (p *printer) decision(dec map[string]any) {
	if o, _ := dec["outcome"].(string); o != "ok" {
		p.line("decision", o)
		return
	}
	var lines []string
	clusters, _ := dec["clusters"].([]any)
	for _, c := range clusters {
		cr, _ := c.(map[string]any)
		for _, s := range list(cr["services"]) {
			lines = append(lines, fmt.Sprintf("%s %v → %v: %s", s["service"], s["from"], s["to"], s["reason"]))
		}
		for _, s := range list(cr["pools"]) {
			lines = append(lines, fmt.Sprintf("%s %v → %v: %s", s["pool"], s["from"], s["to"], s["reason"]))
		}
		if si, ok := cr["scaleIn"].(map[string]any); ok {
			for _, r := range list(si["reactivate"]) {
				lines = append(lines, fmt.Sprintf("back to ACTIVE: %s (%s)", r["instanceId"], r["why"]))
			}
			for _, r := range list(si["terminate"]) {
				lines = append(lines, fmt.Sprintf("terminate %s: %s", r["instanceId"], r["why"]))
			}
			for _, r := range list(si["drain"]) {
				lines = append(lines, fmt.Sprintf("drain %s: %s", r["instanceId"], r["why"]))
			}
			for _, r := range list(si["completeLifecycle"]) {
				lines = append(lines, fmt.Sprintf("complete the lifecycle action of %s", r["instanceId"]))
			}
			if w, ok := si["scaleInAt"].(map[string]any); ok {
				for pool, at := range w {
					if t, err := time.Parse(time.RFC3339Nano, fmt.Sprint(at)); err == nil {
						lines = append(lines, fmt.Sprintf("%s has capacity it does not need: scale-in in %s", pool, time.Until(t).Round(time.Second)))
					}
				}
			}
		}
		notices, _ := cr["notices"].([]any)
		for _, n := range notices {
			lines = append(lines, fmt.Sprint("notify ", n))
		}
		plan, _ := cr["plan"].(map[string]any)
		for _, u := range list(plan["unplaceable"]) {
			lines = append(lines, fmt.Sprintf("%v %s tasks cannot be placed: %s", u["count"], u["service"], u["reason"]))
		}
	}
	if len(lines) == 0 {
		lines = []string{"nothing to change"}
	}
	for i, l := range lines {
		label := ""
		if i == 0 {
			label = "decision"
		}
		p.line(label, strings.TrimSpace(l))
	}
}

func list(v any) []map[string]any {
	items, _ := v.([]any)
	var out []map[string]any
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}
