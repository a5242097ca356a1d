package fit

import (
	"math"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// runOptimizer minimizes sum(w²) from w0 for steps steps and returns w.
func runOptimizer(t *testing.T, opt Optimizer, w0 []float32, steps int) []float32 {
	t.Helper()
	store := model.NewStore()
	w, err := store.CreateVariable("/w", tensors.FromValue(w0))
	if err != nil {
		t.Fatal(err)
	}
	for step := 1; step <= steps; step++ {
		e := model.MustNewExec(testBackend(t), store, func(scope *model.Scope, g *graph.Graph) *graph.Node {
			wn := w.NodeValue(g)
			loss := graph.ReduceAllSum(graph.Square(wn))
			grads := graph.Gradient(loss, wn)
			opt.Update(store, []*model.Variable{w}, grads,
				graph.Scalar(g, dtypes.Float32, opt.InitialLearningRate()), graph.Scalar(g, dtypes.Float32, step))
			return loss
		})
		if _, err := e.Call(); err != nil {
			t.Fatal(err)
		}
	}
	return tensors.MustCopyFlatData[float32](w.MustValue())
}

func TestOptimizers(t *testing.T) {
	w0 := []float32{1, -2}
	// Reference implementations of Keras 3's update rules, in float64.
	kerasAdam := func(lr float64, steps int) []float64 {
		out := []float64{}
		for _, w := range w0 {
			w := float64(w)
			m, v := 0.0, 0.0
			for s := 1; s <= steps; s++ {
				g := 2 * w
				m += (g - m) * (1 - 0.9)
				v += (g*g - v) * (1 - 0.999)
				alpha := lr * math.Sqrt(1-math.Pow(0.999, float64(s))) / (1 - math.Pow(0.9, float64(s)))
				w -= alpha * m / (math.Sqrt(v) + 1e-7)
			}
			out = append(out, w)
		}
		return out
	}
	kerasSGD := func(lr, mom float64, nesterov bool, steps int) []float64 {
		out := []float64{}
		for _, w := range w0 {
			w := float64(w)
			u := 0.0
			for range steps {
				g := 2 * w
				u = mom*u - lr*g
				if nesterov {
					w += mom*u - lr*g
				} else {
					w += u
				}
			}
			out = append(out, w)
		}
		return out
	}
	nesterov := SGD(0.1, 0.9)
	nesterov.Nesterov = true
	tests := []struct {
		name string
		opt  Optimizer
		want []float64
	}{
		{"adam", Adam(0.1), kerasAdam(0.1, 3)},
		{"sgd", SGD(0.1, 0), kerasSGD(0.1, 0, false, 3)},
		{"sgd momentum", SGD(0.1, 0.9), kerasSGD(0.1, 0.9, false, 3)},
		{"sgd nesterov", nesterov, kerasSGD(0.1, 0.9, true, 3)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := runOptimizer(t, tc.opt, w0, 3)
			for i := range tc.want {
				if !near(float64(got[i]), tc.want[i], 1e-5) {
					t.Errorf("w[%d] after 3 steps = %v, want %v", i, got[i], tc.want[i])
				}
			}
		})
	}
	// Hand-computed: plain SGD, lr 0.1, w=1: 1 - 0.1·2 = 0.8; with momentum
	// 0.9 the second step gives u = 0.9·(-0.2) - 0.1·1.6 = -0.34, w = 0.46.
	if got := runOptimizer(t, SGD(0.1, 0.9), []float32{1}, 2); !near(float64(got[0]), 0.46, 1e-6) {
		t.Errorf("SGD momentum 2 steps = %v, want 0.46", got[0])
	}
	if a := Adam(0); a.LR != 1e-3 || a.Beta1 != 0.9 || a.Beta2 != 0.999 || a.Epsilon != 1e-7 {
		t.Errorf("Adam defaults = %+v, want Keras's (1e-3, 0.9, 0.999, 1e-7)", a)
	}
}

func TestLearningRateSettable(t *testing.T) {
	tr := newTiny(t, Options{Optimizer: Adam(0.01)})
	if got := tr.LearningRate(); got != float64(float32(0.01)) {
		t.Fatalf("initial learning rate %v, want 0.01", got)
	}
	data := synthetic(64, 3)
	if _, err := tr.Fit(data, FitOptions{Epochs: 1, BatchSize: 32}); err != nil {
		t.Fatal(err)
	}
	if err := tr.SetLearningRate(0); err != nil {
		t.Fatal(err)
	}
	before, _ := tr.GetWeights()
	h, err := tr.Fit(data, FitOptions{Epochs: 1, BatchSize: 32})
	if err != nil {
		t.Fatal(err)
	}
	after, _ := tr.GetWeights()
	for i := range before.vars {
		if string(before.vars[i].data) != string(after.vars[i].data) {
			t.Errorf("variable %s changed with learning rate 0", before.vars[i].path)
		}
	}
	if got := h.Epochs[0]["learning_rate"]; got != 0 {
		t.Errorf("history learning_rate = %v, want 0", got)
	}
	if got := tr.Iterations(); got != 4 {
		t.Errorf("iterations = %d, want 4 (2 epochs of 2 steps)", got)
	}
	if err := tr.SetLearningRate(-1); err == nil {
		t.Error("SetLearningRate(-1) succeeded")
	}
}
