package cli

import (
	"bytes"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantStatus int
		wantOut    string
		wantErr    string
	}{
		{name: "no command is a usage error", args: nil, wantStatus: 2, wantErr: "Usage:"},
		{name: "help goes to stdout", args: []string{"help"}, wantStatus: 0, wantOut: "Commands:"},
		{name: "version", args: []string{"version"}, wantStatus: 0, wantOut: "tandem "},
		{name: "unknown command", args: []string{"frobnicate"}, wantStatus: 2, wantErr: `unknown command "frobnicate"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			got := Run(tt.args, &stdout, &stderr)
			if got != tt.wantStatus {
				t.Errorf("Run(%q) = %d, want %d (stderr: %s)", tt.args, got, tt.wantStatus, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.wantOut) {
				t.Errorf("Run(%q) stdout = %q, want it to contain %q", tt.args, stdout.String(), tt.wantOut)
			}
			if !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("Run(%q) stderr = %q, want it to contain %q", tt.args, stderr.String(), tt.wantErr)
			}
		})
	}
}
