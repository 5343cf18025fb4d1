package snapshot

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Time is a timestamp as the AWS CLI prints it: an ISO 8601 string (CLI v2)
// or seconds since the epoch (CLI v1). It is written as RFC 3339.
type Time struct{ time.Time }

// layouts are the ISO 8601 forms the CLI and users write.
var layouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02",
}

// UnmarshalJSON accepts a string in one of the layouts or a number of
// seconds.
func (t *Time) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		for _, layout := range layouts {
			if v, err := time.Parse(layout, s); err == nil {
				t.Time = v.UTC()
				return nil
			}
		}
		return timeError(strconv.Quote(s))
	}
	secs, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(secs) || math.IsInf(secs, 0) || secs < 0 || secs > 1e11 {
		return timeError(string(b))
	}
	// Read the digits of "seconds.fraction" as they are: a float64 holds
	// epoch seconds only to a few hundred nanoseconds.
	if whole, frac, ok := strings.Cut(string(b), "."); ok && !strings.ContainsAny(frac, "eE") && len(frac) <= 9 {
		sec, err1 := strconv.ParseInt(whole, 10, 64)
		nsec, err2 := strconv.ParseInt((frac + "000000000")[:9], 10, 64)
		if err1 == nil && err2 == nil {
			t.Time = time.Unix(sec, nsec).UTC()
			return nil
		}
	}
	whole, frac := math.Modf(secs)
	t.Time = time.Unix(int64(whole), int64(math.Round(frac*1e6))*1e3).UTC()
	return nil
}

// timeError is an UnmarshalTypeError, so that encoding/json names the field.
func timeError(value string) error {
	return &json.UnmarshalTypeError{Value: value, Type: reflect.TypeFor[Time]()}
}

// MarshalJSON writes RFC 3339 with the precision the value has.
func (t Time) MarshalJSON() ([]byte, error) {
	return json.Marshal(t.UTC().Format(time.RFC3339Nano))
}
