package experiment

import (
	"math"

	"github.com/cnnlab/cnnlab/internal/jsonfloat"
)

var nan = math.NaN()

// Float is a float64 that JSON writes in internal/jsonfloat's encoding: a
// number, or "nan", "inf" or "-inf" when it is not finite (a diverged
// loss). It reads those back, and null (results written before) as NaN.
type Float float64

// MarshalJSON implements json.Marshaler.
func (f Float) MarshalJSON() ([]byte, error) { return jsonfloat.Marshal(float64(f)) }

// UnmarshalJSON implements json.Unmarshaler.
func (f *Float) UnmarshalJSON(b []byte) error {
	v, err := jsonfloat.Unmarshal(b)
	if err != nil {
		return err
	}
	*f = Float(v)
	return nil
}
