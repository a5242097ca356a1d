// Package jsonfloat is cnnlab's one JSON encoding of float64 values that
// may not be finite (a diverged loss, a callback's best value of +Inf): a
// finite value is a JSON number, NaN and ±Inf are the strings "nan", "inf"
// and "-inf" (the words Keras's CSVLogger writes). null stays free for "no
// value": a nil *Float, e.g. a callback's best before its first epoch, is
// null, and reads back as nil.
//
// Reading also accepts null as NaN where the target is a Float, not a
// pointer: history.json and results.json files written before this package
// held null for NaN and ±Inf.
package jsonfloat

import (
	"encoding/json"
	"fmt"
	"math"
)

// Float is a float64 with this package's JSON encoding.
type Float float64

// MarshalJSON implements json.Marshaler.
func (f Float) MarshalJSON() ([]byte, error) { return Marshal(float64(f)) }

// UnmarshalJSON implements json.Unmarshaler.
func (f *Float) UnmarshalJSON(b []byte) error {
	v, err := Unmarshal(b)
	if err != nil {
		return err
	}
	*f = Float(v)
	return nil
}

// Marshal returns the JSON encoding of v: a number, or "nan", "inf" or
// "-inf".
func Marshal(v float64) ([]byte, error) {
	switch {
	case math.IsNaN(v):
		return []byte(`"nan"`), nil
	case math.IsInf(v, 1):
		return []byte(`"inf"`), nil
	case math.IsInf(v, -1):
		return []byte(`"-inf"`), nil
	}
	return json.Marshal(v)
}

// Unmarshal reads a value that [Marshal] writes, or null (older files) as
// NaN.
func Unmarshal(b []byte) (float64, error) {
	switch string(b) {
	case "null", `"nan"`:
		return math.NaN(), nil
	case `"inf"`:
		return math.Inf(1), nil
	case `"-inf"`:
		return math.Inf(-1), nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return 0, fmt.Errorf("jsonfloat: %s is not a number, null, \"nan\", \"inf\" or \"-inf\": %w", b, err)
	}
	return v, nil
}
