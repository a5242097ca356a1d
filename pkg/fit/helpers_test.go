package fit

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/cnnlab/cnnlab/pkg/backend"
)

// testShape is the sample shape of the synthetic data: small, so the whole
// package tests in seconds.
var testShape = []int{4, 4, 3}

// tinyModel is a 2-layer perceptron (48·16+16+16·10+10 = 954 weights) with
// an L2 penalty of l2 on its first kernel.
func tinyModel(l2 float64) Model { return tinyModelH(16, 0, l2) }

// tinyModelH is tinyModel with hidden units and dropout (rate) after the
// hidden layer.
func tinyModelH(hidden int, dropout, l2 float64) Model {
	return ModelFunc(func(scope *model.Scope, x *graph.Node) (*graph.Node, *graph.Node) {
		b := x.Shape().Dim(0)
		h := graph.Reshape(x, b, -1)
		h = activation.Relu(layers.Dense(scope.In("dense1"), h, true, hidden))
		if dropout > 0 {
			h = layers.DropoutStatic(scope, h, dropout)
		}
		logits := layers.Dense(scope.In("dense2"), h, true, 10)
		if l2 == 0 {
			return logits, nil
		}
		w := scope.Store().GetVariable("/dense1/dense/weights")
		if w == nil {
			return logits, nil
		}
		return logits, graph.MulScalar(graph.ReduceAllSum(graph.Square(w.NodeValue(x.Graph()))), l2)
	})
}

// synthetic returns n samples of testShape whose class (0..9) sets the
// mean of a few pixels, plus uniform noise: learnable, not trivially.
func synthetic(n int, seed uint64) *Arrays {
	r := rand.New(rand.NewPCG(seed, 1))
	size := sampleSize(testShape)
	a := &Arrays{X: make([]float32, n*size), Shape: testShape, Y: make([]int32, n)}
	for i := range n {
		c := r.IntN(10)
		a.Y[i] = int32(c)
		for j := range size {
			v := r.Float32()
			if j%10 == c {
				v += 0.8
			}
			a.X[i*size+j] = v
		}
	}
	return a
}

func testBackend(t testing.TB) compute.Backend {
	t.Helper()
	b, _, err := backend.New()
	if err != nil {
		t.Skipf("no backend: %v", err)
	}
	return b
}

func newTiny(t testing.TB, opts Options) *Trainer {
	t.Helper()
	opts.InputShape = testShape
	tr, err := Compile(testBackend(t), tinyModel(0), opts)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func near(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b))
}

// stripTime drops the wall-clock "time" key so histories can be compared.
func stripTime(h *History) []Logs {
	out := make([]Logs, len(h.Epochs))
	for i, l := range h.Epochs {
		c := l.clone()
		delete(c, "time")
		out[i] = c
	}
	return out
}

// fitResumable trains tr with a full checkpoint after every epoch into
// dir (e1.ckpt, e2.ckpt, ...), resuming from the checkpoint resume when it
// is not "", and returns the History.
func fitResumable(t *testing.T, tr *Trainer, data Data, opts FitOptions, dir, resume string) *History {
	t.Helper()
	opts.Callbacks = append(opts.Callbacks, NewModelCheckpoint(filepath.Join(dir, "e{epoch}.ckpt")))
	if resume != "" {
		var err error
		if opts.Resume, err = tr.LoadCheckpoint(resume); err != nil {
			t.Fatal(err)
		}
	}
	h, err := tr.Fit(data, opts)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
