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

// TestCommandHelp: -h, -help and --help print a command's help to stdout
// with exit status 0, as "tandem help" does; only usage errors go to
// stderr.
func TestCommandHelp(t *testing.T) {
	tests := []struct {
		command string
		want    []string
	}{
		{"plan", []string{"Usage: tandem plan --snapshot DIR [--config FILE] [--output text|json] [--timeout D]", "-read-timeout duration"}},
		{"snapshot", []string{"Usage: tandem snapshot --cluster NAME", "-out folder"}},
		{"demo", []string{"Usage: tandem demo", "-bootstrap file"}},
	}
	for _, tt := range tests {
		for _, flag := range []string{"-h", "-help", "--help"} {
			t.Run(tt.command+" "+flag, func(t *testing.T) {
				var stdout, stderr bytes.Buffer
				if got := Run([]string{tt.command, flag}, &stdout, &stderr); got != 0 {
					t.Errorf("exit status %d, want 0", got)
				}
				if stderr.Len() != 0 {
					t.Errorf("stderr %q, want nothing", stderr.String())
				}
				for _, want := range tt.want {
					if !strings.Contains(stdout.String(), want) {
						t.Errorf("stdout:\n%s\nwant it to contain %q", stdout.String(), want)
					}
				}
			})
		}
		// A usage error still goes to stderr, with the usage.
		t.Run(tt.command+" with an unknown flag", func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if got := Run([]string{tt.command, "--frobnicate"}, &stdout, &stderr); got != 2 {
				t.Errorf("exit status %d, want 2", got)
			}
			if stdout.Len() != 0 || !strings.Contains(stderr.String(), "flag provided but not defined: -frobnicate") || !strings.Contains(stderr.String(), tt.want[0]) {
				t.Errorf("stdout %q, stderr %q; want nothing, and the error and the usage", stdout.String(), stderr.String())
			}
		})
	}
}
