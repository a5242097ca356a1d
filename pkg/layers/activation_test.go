package layers

import (
	"math"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/cnnlab/cnnlab/pkg/backend"
)

func TestActivations(t *testing.T) {
	xs := []float32{-3, -1, -0.25, 0, 0.25, 1, 3}
	b := backend.MustNew()
	for _, name := range append(Activations(), "", "swish", "ReLU") {
		if name == "softmax" {
			continue
		}
		key, err := CanonicalActivation(name)
		if err != nil {
			t.Fatal(err)
		}
		out := graph.MustExecOnce(b, func(x *graph.Node) *graph.Node { return ApplyActivation(name, x) }, xs)
		got := tensors.MustCopyFlatData[float32](out)
		for i, x := range xs {
			want := activationValue(key, float64(x))
			if math.Abs(float64(got[i])-want) > 1e-5*math.Max(1, math.Abs(want)) {
				t.Errorf("%s(%g) = %g, want %g", name, x, got[i], want)
			}
		}
	}
	// Softmax runs over the last axis.
	out := graph.MustExecOnce(b, func(x *graph.Node) *graph.Node { return ApplyActivation("softmax", x) },
		[][]float32{{1, 2, 3}, {0, 0, 0}})
	got := tensors.MustCopyFlatData[float32](out)
	e := []float64{math.Exp(1), math.Exp(2), math.Exp(3)}
	s := e[0] + e[1] + e[2]
	want := []float64{e[0] / s, e[1] / s, e[2] / s, 1.0 / 3, 1.0 / 3, 1.0 / 3}
	for i := range want {
		if math.Abs(float64(got[i])-want[i]) > 1e-6 {
			t.Errorf("softmax: got %v, want %v", got, want)
			break
		}
	}
	if _, err := CanonicalActivation("relu6"); err == nil || !strings.Contains(err.Error(), `"relu6"`) {
		t.Errorf("unknown activation error = %v", err)
	}
}

// activationValue computes the named activation of one value in Go with
// Keras's formulas.
func activationValue(name string, x float64) float64 {
	switch name {
	case "linear":
		return x
	case "relu":
		return math.Max(x, 0)
	case "sigmoid":
		return 1 / (1 + math.Exp(-x))
	case "tanh":
		return math.Tanh(x)
	case "elu":
		if x > 0 {
			return x
		}
		return math.Expm1(x)
	case "selu":
		if x > 0 {
			return 1.05070098 * x
		}
		return 1.05070098 * 1.67326324 * math.Expm1(x)
	case "gelu":
		return x * 0.5 * (1 + math.Erf(x/math.Sqrt2))
	case "leaky_relu":
		if x >= 0 {
			return x
		}
		return 0.2 * x
	case "softplus":
		return math.Log1p(math.Exp(x))
	case "silu":
		return x / (1 + math.Exp(-x))
	}
	return math.NaN()
}
