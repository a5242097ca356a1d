package regularizers

import (
	"math"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/cnnlab/cnnlab/pkg/backend"
)

// w has Σ|w| = 1+2+0.5+3+0+4 = 10.5 and Σw² = 1+4+0.25+9+0+16 = 30.25.
var w = [][]float32{{1, -2, 0.5}, {-3, 0, 4}}

func TestPenalty(t *testing.T) {
	tests := []struct {
		reg  Regularizer
		want float64
	}{
		{L2(0.01), 0.3025},                 // 0.01·30.25, no ½
		{L1(0.01), 0.105},                  // 0.01·10.5
		{L1L2(0.1, 0.001), 1.05 + 0.03025}, // both
		{Regularizer{}, 0},                 // none
		{L2(1e-4), 0.003025},               // course value
	}
	b := backend.MustNew()
	for _, tc := range tests {
		got := graph.MustExecOnce(b, func(x *graph.Node) *graph.Node { return tc.reg.Penalty(x) }, w)
		if got.Rank() != 0 {
			t.Fatalf("%s: penalty shape %s, want a scalar", tc.reg, got.Shape())
		}
		v := float64(tensors.MustCopyFlatData[float32](got)[0])
		if math.Abs(v-tc.want) > 1e-6 {
			t.Errorf("%s: graph penalty %.7g, want %.7g", tc.reg, v, tc.want)
		}
		if v := tc.reg.Value(append(append([]float32{}, w[0]...), w[1]...)); math.Abs(v-tc.want) > 1e-9 {
			t.Errorf("%s: Value %.9g, want %.9g", tc.reg, v, tc.want)
		}
	}
}

func TestGetStringValidate(t *testing.T) {
	tests := []struct {
		name    string
		want    Regularizer
		str     string
		wantErr string
	}{
		{"l2", L2(0.01), "l2(0.01)", ""},
		{"L1", L1(0.01), "l1(0.01)", ""},
		{"l1_l2", L1L2(0, 0), "none", ""},
		{"L1L2", L1L2(0, 0), "none", ""},
		{"", Regularizer{}, "none", ""},
		{"dropout", Regularizer{}, "", `"dropout"`},
	}
	for _, tc := range tests {
		got, err := Get(tc.name)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Get(%q) error %v, want one containing %s", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want || got.String() != tc.str {
			t.Errorf("Get(%q) = %v (%q), %v; want %v (%q)", tc.name, got, got.String(), err, tc.want, tc.str)
		}
	}
	if s := L1L2(0.01, 0.001).String(); s != "l1_l2(l1=0.01, l2=0.001)" {
		t.Errorf("String() = %q", s)
	}
	for _, bad := range []Regularizer{L2(-1), L1(math.NaN()), L1L2(0, math.Inf(1))} {
		if err := bad.Validate(); err == nil {
			t.Errorf("%v.Validate() = nil, want an error", bad)
		}
	}
	if err := L1L2(0.1, 0.2).Validate(); err != nil {
		t.Errorf("valid regularizer: %v", err)
	}
}
