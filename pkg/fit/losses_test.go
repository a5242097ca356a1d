package fit

import (
	"math"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

func TestLosses(t *testing.T) {
	b := testBackend(t)
	logits := [][]float32{{1, 2, 3}, {0, 0, 0}, {10, -10, 0}}
	labels := []int32{2, 1, 1}
	probs := [][]float32{{0.2, 0.3, 0.5}, {1, 0, 0}, {0.5, 0.5, 0}}
	// Hand-computed: logsumexp(1,2,3) - 3; log 3; 10 - (-10) + log(1+e^-20+e^-10).
	lse := math.Log(math.Exp(1) + math.Exp(2) + math.Exp(3))
	wantLogits := []float64{lse - 3, math.Log(3), 20 + math.Log(1+math.Exp(-20)+math.Exp(-10))}
	// From probabilities: -log p[label], p clipped to [1e-7, 1-1e-7].
	wantProbs := []float64{-math.Log(0.5), -math.Log(1e-7), -math.Log(0.5)}
	tests := []struct {
		name string
		fn   func(labels, x *graph.Node) *graph.Node
		x    [][]float32
		want []float64
	}{
		{"sparse from logits", SparseCategoricalCrossentropy, logits, wantLogits},
		{"categorical from logits", func(l, x *graph.Node) *graph.Node {
			return CategoricalCrossentropy(graph.OneHot(l, 3, dtypes.Float32), x)
		}, logits, wantLogits},
		{"sparse from probs", SparseCategoricalCrossentropyFromProbs, probs, wantProbs},
		{"categorical from probs", func(l, x *graph.Node) *graph.Node {
			return CategoricalCrossentropyFromProbs(graph.OneHot(l, 3, dtypes.Float32), x)
		}, probs, wantProbs},
		{"correct", Correct, logits, []float64{1, 0, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := graph.MustExecOnce(b, func(l, x *graph.Node) *graph.Node { return tc.fn(l, x) },
				tensors.FromValue(labels), tensors.FromValue(tc.x))
			got := tensors.MustCopyFlatData[float32](out)
			for i, w := range tc.want {
				if !near(float64(got[i]), w, 1e-5) {
					t.Errorf("example %d: got %v, want %v", i, got[i], w)
				}
			}
		})
	}
	// Huge logits stay finite (log-softmax, not log(softmax)).
	out := graph.MustExecOnce(b, SparseCategoricalCrossentropy,
		tensors.FromValue([]int32{0}), tensors.FromValue([][]float32{{-1000, 1000}}))
	if got := tensors.MustCopyFlatData[float32](out)[0]; got != 2000 {
		t.Errorf("loss of logits (-1000, 1000), label 0 = %v, want 2000", got)
	}
}

// TestLabelSmoothing checks SmoothedSparseCategoricalCrossentropy against
// PyTorch 1.13's cross_entropy(logits, labels, label_smoothing=ε,
// reduction="none") (Keras's CategoricalCrossentropy(label_smoothing=ε)
// on one-hot labels is the same formula), and ε = 0 against the plain loss.
func TestLabelSmoothing(t *testing.T) {
	b := testBackend(t)
	logits := [][]float32{{1, 2, 3}, {0, 0, 0}, {10, -10, 0}}
	labels := []int32{2, 1, 1}
	lse := math.Log(math.Exp(1) + math.Exp(2) + math.Exp(3))
	tests := []struct {
		eps  float64
		want []float64
	}{
		{0, []float64{lse - 3, math.Log(3), 20 + math.Log(1+math.Exp(-20)+math.Exp(-10))}},
		{0.2, []float64{0.6076059644443805, 1.0986122886681098, 18.00004540096028}},
		{1, []float64{1.4076059644443806, 1.0986122886681096, 10.000045400960277}},
	}
	for _, tc := range tests {
		loss, err := SmoothedSparseCategoricalCrossentropy(tc.eps)
		if err != nil {
			t.Fatal(err)
		}
		out := graph.MustExecOnce(b, func(l, x *graph.Node) *graph.Node { return loss(l, x) },
			tensors.FromValue(labels), tensors.FromValue(logits))
		got := tensors.MustCopyFlatData[float32](out)
		for i, w := range tc.want {
			if !near(float64(got[i]), w, 1e-5) {
				t.Errorf("ε=%v example %d: got %v, want PyTorch's %v", tc.eps, i, got[i], w)
			}
		}
	}
	for _, bad := range []float64{-0.1, 1.5, math.NaN()} {
		if _, err := SmoothedSparseCategoricalCrossentropy(bad); err == nil {
			t.Errorf("label smoothing %v: no error", bad)
		}
	}
}

func TestArgmax(t *testing.T) {
	got := Argmax([]float32{0.1, 0.7, 0.2, 0.5, 0.5, 0, 0, 0, 1}, 3)
	want := []int{1, 0, 2}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Argmax = %v, want %v (ties go to the first)", got, want)
		}
	}
}
