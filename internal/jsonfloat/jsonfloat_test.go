package jsonfloat

import (
	"encoding/json"
	"math"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		json string
	}{
		{1.5, "1.5"},
		{0, "0"},
		{-2e-7, "-2e-7"},
		{math.NaN(), `"nan"`},
		{math.Inf(1), `"inf"`},
		{math.Inf(-1), `"-inf"`},
	} {
		b, err := json.Marshal(Float(tc.v))
		if err != nil {
			t.Fatalf("Marshal(%v): %v", tc.v, err)
		}
		if string(b) != tc.json {
			t.Errorf("Marshal(%v) = %s, want %s", tc.v, b, tc.json)
		}
		var back Float
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("Unmarshal(%s): %v", b, err)
		}
		if !same(float64(back), tc.v) {
			t.Errorf("Unmarshal(%s) = %v, want %v", b, back, tc.v)
		}
	}
}

// TestOldForms reads what cnnlab files held before this package: null for
// NaN and ±Inf (history, results), "nan", "inf" and "-inf" (callback state).
func TestOldForms(t *testing.T) {
	for in, want := range map[string]float64{
		"null": math.NaN(), `"nan"`: math.NaN(), `"inf"`: math.Inf(1), `"-inf"`: math.Inf(-1), "3": 3,
	} {
		got, err := Unmarshal([]byte(in))
		if err != nil || !same(got, want) {
			t.Errorf("Unmarshal(%s) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{`"infinity"`, `"1.5"`, "true", "{}", ""} {
		if _, err := Unmarshal([]byte(bad)); err == nil {
			t.Errorf("Unmarshal(%s): no error", bad)
		}
	}
}

// TestOptional checks that an optional value (a callback's best) keeps
// "none yet" (null, a nil pointer) apart from NaN.
func TestOptional(t *testing.T) {
	type state struct {
		Best *Float `json:"best"`
	}
	nan := Float(math.NaN())
	for _, tc := range []struct {
		in   state
		json string
	}{{state{}, `{"best":null}`}, {state{&nan}, `{"best":"nan"}`}} {
		b, err := json.Marshal(tc.in)
		if err != nil || string(b) != tc.json {
			t.Errorf("Marshal(%v) = %s, %v; want %s", tc.in.Best, b, err, tc.json)
		}
		var back state
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if (back.Best == nil) != (tc.in.Best == nil) || back.Best != nil && !math.IsNaN(float64(*back.Best)) {
			t.Errorf("Unmarshal(%s) = %v, want %v", b, back.Best, tc.in.Best)
		}
	}
}

func same(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }
