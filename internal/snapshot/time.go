package snapshot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
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
		return fmt.Errorf("timestamp %q is neither ISO 8601 nor epoch seconds", s)
	}
	secs, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(secs) || math.IsInf(secs, 0) || secs < 0 || secs > 1e11 {
		return fmt.Errorf("timestamp %s is neither ISO 8601 nor epoch seconds", b)
	}
	whole, frac := math.Modf(secs)
	t.Time = time.Unix(int64(whole), int64(frac*1e9)).UTC()
	return nil
}

// MarshalJSON writes RFC 3339 with the precision the value has.
func (t Time) MarshalJSON() ([]byte, error) {
	return json.Marshal(t.UTC().Format(time.RFC3339Nano))
}
