package clusterquery

import (
	"testing"
)

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b   string
		want   int
		wantOK bool
	}{
		{"1.9.0", "1.14.5", -1, true},
		{"1.14.5", "1.9.0", 1, true},
		{"1.14.5", "1.14.5", 0, true},
		{"1.14", "1.14.0", 0, true},
		{"1.14.0.0", "1.14", 0, true},
		{"1.14.0.1", "1.14", 1, true},
		{"01.002", "1.2", 0, true},
		{"2", "10", -1, true},
		{"1.99999999999999999999999", "1.99999999999999999999998", 1, true},
		{"", "1.0", 0, false},
		{"1.0-rc1", "1.0", 0, false},
		{"v1.0", "1.0", 0, false},
		{"1..0", "1.0", 0, false},
		{"1.0.", "1.0", 0, false},
		{".1", "1.0", 0, false},
	}
	for _, tc := range tests {
		got, ok := compareVersions(tc.a, tc.b)
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("compareVersions(%q, %q) = %d, %v; want %d, %v", tc.a, tc.b, got, ok, tc.want, tc.wantOK)
		}
	}
}

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		s      string
		want   float64
		wantOK bool
	}{
		{"10", 10, true},
		{"-1.5", -1.5, true},
		{"+2", 2, true},
		{".5", 0.5, true},
		{"5.", 5, true},
		{"2e3", 2000, true},
		{"2E-1", 0.2, true},
		{"1e+2", 100, true},
		{"", 0, false},
		{".", 0, false},
		{"-", 0, false},
		{"1e", 0, false},
		{"1e+", 0, false},
		{"0x10", 0, false},
		{"1_000", 0, false},
		{"Inf", 0, false},
		{"NaN", 0, false},
		{"1e999", 0, false},
		{"n/a", 0, false},
		{"10 ", 0, false},
	}
	for _, tc := range tests {
		got, ok := parseDecimal(tc.s)
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("parseDecimal(%q) = %v, %v; want %v, %v", tc.s, got, ok, tc.want, tc.wantOK)
		}
	}
}

func TestCheckJavaOnlyAcceptsRE2Syntax(t *testing.T) {
	// Patterns that look like the unsupported constructs but are not.
	for _, re := range []string{
		`a{2}`, `a{2,}`, `a{2,3}?`, `a{x}+`, `a{`, `a+?`, `a*?`, `a??`,
		`\++`, `\*+`, `[+]+`, `[*+]`, `[(?=]`, `\(?=`, `[\1]`, `(?i)a`, `(?i-s:a)`,
		`(?<name>a)`, `(?P<name>a)`, `(?:a)`, `[]a]`, `[^]a]`, `[&]`, `a&&b`, `\Q(?=\E`, `\Q`,
	} {
		if _, problem := checkJavaOnly(re); problem != nil {
			t.Errorf("checkJavaOnly(%q) = %q, want no problem", re, problem.msg)
		}
	}
}
