package layers

import (
	"math"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

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

// TestGELUMatchesPyTorch pins "gelu" to the exact erf form, Keras 3's
// keras.activations.gelu(x, approximate=False) (the default) and PyTorch's
// torch.nn.functional.gelu(x, approximate="none"):
// gelu(x) = x·Φ(x) = x·½(1 + erf(x/√2)), gelu'(x) = Φ(x) + x·φ(x).
// The reference values are PyTorch 1.13's, in float64. The tolerance,
// 5e-7, covers float32 rounding and the SIMD erf of GoMLX's Go backend
// (a polynomial good to about 2e-7 in float32 and float64 alike); the tanh
// approximation differs from the exact form by up to 4e-4 here, so the test
// tells them apart. Checked: the activation on its own and its gradient,
// and the activation fused into a Dense layer's matmul in an inference
// graph (identity kernel), in float32 and float64.
func TestGELUMatchesPyTorch(t *testing.T) {
	xs := []float64{-3, -1, -0.25, 0, 0.25, 1, 3}
	want := []float64{-0.00404969409489, -0.158655253931, -0.100323418579, 0, 0.149676581421, 0.841344746069, 2.99595030591}
	wantGrad := []float64{-0.0119456472042, -0.0833154705877, 0.304626645116, 0.5, 0.695373354884, 1.08331547059, 1.0119456472}
	const tol = 5e-7
	b := backend.MustNew()
	n := len(xs)
	eye := func(g *graph.Graph, shape shapes.Shape) *graph.Node {
		return graph.ConvertDType(graph.Equal(graph.Iota(g, shape, 0), graph.Iota(g, shape, 1)), shape.DType)
	}
	for _, dt := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		outs := graph.MustExecOnceN(b, func(x *graph.Node) []*graph.Node {
			x = graph.ConvertDType(x, dt)
			y := ApplyActivation("gelu", x)
			grad := graph.Gradient(graph.ReduceAllSum(y), x)[0]
			return []*graph.Node{graph.ConvertDType(y, dtypes.Float64), graph.ConvertDType(grad, dtypes.Float64)}
		}, xs)
		got, grad := tensors.MustCopyFlatData[float64](outs[0]), tensors.MustCopyFlatData[float64](outs[1])
		if d := maxAbsDiff(got, want); d > tol {
			t.Errorf("%s: gelu(%v) = %v, want PyTorch's %v (max diff %g)", dt, xs, got, want, d)
		}
		if d := maxAbsDiff(grad, wantGrad); d > tol {
			t.Errorf("%s: gelu'(%v) = %v, want PyTorch's %v (max diff %g)", dt, xs, grad, wantGrad, d)
		}
		store := model.NewStore()
		out, err := model.ExecOnce(b, store, func(scope *model.Scope, x *graph.Node) *graph.Node {
			scope.SetTraining(x.Graph(), false)
			y := Dense(scope, graph.ConvertDType(x, dt), n).UseBias(false).KernelInitializer(eye).Activation("gelu").Done()
			return graph.ConvertDType(y, dtypes.Float64)
		}, tensors.FromFlatDataAndDimensions(xs, 1, n))
		if err != nil {
			t.Fatal(err)
		}
		if fused := tensors.MustCopyFlatData[float64](out); maxAbsDiff(fused, want) > tol {
			t.Errorf("%s: Dense(gelu) inference = %v, want PyTorch's %v", dt, fused, want)
		}
	}
}
