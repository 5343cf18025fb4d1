package snapshot_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tandem-ecs/tandem/internal/snapshot"
)

func TestTimeUnmarshal(t *testing.T) {
	utc := func(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
	}
	tests := []struct {
		name, json string
		want       time.Time
	}{
		// AWS CLI v2 prints ISO 8601 in the caller's time zone, with
		// microseconds when there are any.
		{"CLI v2, UTC", `"2026-11-25T10:00:00+00:00"`, utc(2026, 11, 25, 10, 0, 0, 0)},
		{"CLI v2, microseconds", `"2026-11-25T10:00:00.123000+00:00"`, utc(2026, 11, 25, 10, 0, 0, 123e6)},
		{"CLI v2, Tokyo", `"2026-11-25T19:00:00.123456+09:00"`, utc(2026, 11, 25, 10, 0, 0, 123456e3)},
		{"CLI v2, a negative offset", `"2026-11-25T02:00:00-08:00"`, utc(2026, 11, 25, 10, 0, 0, 0)},
		{"CLI v2, a half-hour offset", `"2026-11-25T15:30:00+05:30"`, utc(2026, 11, 25, 10, 0, 0, 0)},
		// Auto Scaling and EC2 in CLI v1: the service's string.
		{"Z with milliseconds", `"2013-08-19T20:53:25.584Z"`, utc(2013, 8, 19, 20, 53, 25, 584e6)},
		{"Z", `"2026-11-25T10:00:00Z"`, utc(2026, 11, 25, 10, 0, 0, 0)},
		{"Z with nanoseconds", `"2026-11-25T10:00:00.123456789Z"`, utc(2026, 11, 25, 10, 0, 0, 123456789)},
		{"an offset without a colon", `"2026-11-25T10:00:00+0000"`, utc(2026, 11, 25, 10, 0, 0, 0)},
		{"an offset without a colon and a fraction", `"2026-11-25T03:00:00.5-0700"`, utc(2026, 11, 25, 10, 0, 0, 5e8)},
		{"no offset is UTC", `"2026-11-25T10:00:00"`, utc(2026, 11, 25, 10, 0, 0, 0)},
		{"no offset, a fraction", `"2026-11-25T10:00:00.25"`, utc(2026, 11, 25, 10, 0, 0, 25e7)},
		{"a space instead of T", `"2026-11-25 10:00:00+00:00"`, utc(2026, 11, 25, 10, 0, 0, 0)},
		{"a space and a fraction", `"2026-11-25 19:00:00.5+09:00"`, utc(2026, 11, 25, 10, 0, 0, 5e8)},
		{"a date", `"2026-11-25"`, utc(2026, 11, 25, 0, 0, 0, 0)},
		// AWS CLI v1 prints the JSON-protocol APIs' epoch seconds as they come.
		{"epoch seconds", `1795600800`, utc(2026, 11, 25, 10, 0, 0, 0)},
		{"epoch seconds, a binary fraction", `1795600800.5`, utc(2026, 11, 25, 10, 0, 0, 5e8)},
		{"epoch seconds, a quarter", `1795600800.25`, utc(2026, 11, 25, 10, 0, 0, 25e7)},
		{"epoch zero", `0`, utc(1970, 1, 1, 0, 0, 0, 0)},
		{"epoch with an exponent", `1.7956008e9`, utc(2026, 11, 25, 10, 0, 0, 0)},
		{"white space around", " \"2026-11-25T10:00:00Z\" ", utc(2026, 11, 25, 10, 0, 0, 0)},
		{"null", `null`, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got snapshot.Time
			if err := got.UnmarshalJSON([]byte(tt.json)); err != nil {
				t.Fatalf("UnmarshalJSON(%s): %v", tt.json, err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("UnmarshalJSON(%s) = %v, want %v", tt.json, got.Time, tt.want)
			}
			if !got.IsZero() && got.Location() != time.UTC {
				t.Errorf("UnmarshalJSON(%s) is in %v, want UTC", tt.json, got.Location())
			}
		})
	}
}

// TestTimeEpochPrecision: CLI v1 prints ECS's epoch seconds with three
// decimals, which a float64 cannot hold exactly at today's magnitudes.
func TestTimeEpochPrecision(t *testing.T) {
	var got snapshot.Time
	if err := json.Unmarshal([]byte(`1466801808.595`), &got); err != nil {
		t.Fatal(err)
	}
	want := time.Date(2016, 6, 24, 20, 56, 48, 595e6, time.UTC)
	if !got.Equal(want) {
		t.Errorf("1466801808.595 reads as %v, want %v", got.Time, want)
	}
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `"2016-06-24T20:56:48.595Z"` {
		t.Errorf("it writes as %s, want \"2016-06-24T20:56:48.595Z\"", b)
	}
}

func TestTimeUnmarshalErrors(t *testing.T) {
	tests := []string{
		`"yesterday"`,
		`"2026-13-01T00:00:00Z"`,
		`"2026-11-25T25:00:00Z"`,
		`"25/11/2026"`,
		`""`,
		`-1`,
		`1e12`,
		`true`,
		`{}`,
		`[1795600800]`,
		`"2026-11-25T10:00:00+0`,
	}
	for _, in := range tests {
		t.Run(in, func(t *testing.T) {
			var got snapshot.Time
			err := got.UnmarshalJSON([]byte(in))
			if err == nil {
				t.Fatalf("UnmarshalJSON(%s) = %v, want an error", in, got.Time)
			}
			if strings.HasPrefix(in, `"`) && strings.HasSuffix(in, `"`) && !strings.Contains(err.Error(), in) {
				t.Errorf("UnmarshalJSON(%s) error %q, want it to quote the value", in, err)
			}
		})
	}
}

func TestTimeRoundTrip(t *testing.T) {
	for _, want := range []time.Time{
		time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 25, 10, 0, 0, 123e6, time.UTC),
		time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.UTC),
	} {
		b, err := json.Marshal(snapshot.Time{Time: want})
		if err != nil {
			t.Fatal(err)
		}
		if wantJSON := `"` + want.Format(time.RFC3339Nano) + `"`; string(b) != wantJSON {
			t.Errorf("Marshal(%v) = %s, want %s", want, b, wantJSON)
		}
		var got snapshot.Time
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("Unmarshal(%s): %v", b, err)
		}
		if !got.Equal(want) {
			t.Errorf("round trip of %v gives %v", want, got.Time)
		}
	}
	// A time in another zone is written in UTC.
	tokyo := time.FixedZone("JST", 9*3600)
	b, err := json.Marshal(snapshot.Time{Time: time.Date(2026, 11, 25, 19, 0, 0, 0, tokyo)})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `"2026-11-25T10:00:00Z"` {
		t.Errorf("Marshal(19:00 JST) = %s, want \"2026-11-25T10:00:00Z\"", b)
	}
}
