package fit

// Tests that configure GoMLX's own optimizer, schedule, checkpoint and
// training loop and compare them with the Keras numbers this package's
// tests pin. Where GoMLX's version misses a number, package fit keeps its
// own (doc.go says which number); a changed verdict fails the test: update
// the table in docs/ARCHITECTURE.md with it.

import (
	"math"
	"os"
	"regexp"
	"slices"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/checkpoint"
	"github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/loss"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/gomlx/gomlx/ml/train/optimizer/cosineschedule"
)

// runGoMLXOptimizer minimizes sum(w²) from w0 for steps steps with one of
// GoMLX's optimizers and returns w.
func runGoMLXOptimizer(t *testing.T, opt optimizer.Interface, w0 []float32, steps int) []float32 {
	t.Helper()
	store := model.NewStore()
	w, err := store.CreateVariable("/w", tensors.FromValue(w0))
	if err != nil {
		t.Fatal(err)
	}
	exec := model.MustNewExec(testBackend(t), store, func(scope *model.Scope, g *graph.Graph) *graph.Node {
		scope.SetTraining(g, true)
		l := graph.ReduceAllSum(graph.Square(w.NodeValue(g)))
		opt.UpdateGraph(scope, g, l)
		return l
	})
	for range steps {
		if _, err := exec.Call(); err != nil {
			t.Fatal(err)
		}
	}
	return tensors.MustCopyFlatData[float32](w.MustValue())
}

// TestGoMLXOptimizers: GoMLX's Adam divides the debiased first moment by
// sqrt(debiased second moment) + epsilon, where Keras (TensorFlow's
// epsilon-hat form) adds epsilon before debiasing, i.e. ε/sqrt(1-β2^t)
// after: the same steps for gradients far above 1e-7, first steps 7-10x
// larger for gradients of 2e-7 to 4e-7. GoMLX's SGD divides the rate by
// sqrt(step) unless WithDecay(false), and has no momentum or Nesterov.
func TestGoMLXOptimizers(t *testing.T) {
	big, tiny := []float32{1, -2}, []float32{1e-7, -2e-7}
	tests := []struct {
		name    string
		gomlx   optimizer.Interface
		w0      []float32
		steps   int
		keras   []float64
		matches bool
	}{
		{"Adam, gradients ≫ ε", optimizer.Adam().LearningRate(0.1).Done(), big, 3, kerasAdamRef(big, 0.1, 3), true},
		{"Adam, gradients ~ ε", optimizer.Adam().LearningRate(0.1).Done(), tiny, 1, kerasAdamRef(tiny, 0.1, 1), false},
		{"SGD WithDecay(false)", optimizer.StochasticGradientDescent().WithLearningRate(0.1).WithDecay(false).Done(), big, 3,
			kerasSGDRef(big, 0.1, 0, false, 3), true},
		{"SGD (default: rate/sqrt(step))", optimizer.StochasticGradientDescent().WithLearningRate(0.1).Done(), big, 3,
			kerasSGDRef(big, 0.1, 0, false, 3), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := runGoMLXOptimizer(t, tc.gomlx, tc.w0, tc.steps)
			same := true
			for i := range tc.keras {
				same = same && math.Abs(float64(got[i])-tc.keras[i]) <= 1e-3*math.Abs(float64(tc.w0[i]))
			}
			if same != tc.matches {
				t.Errorf("GoMLX's w = %v, Keras's %v: matches %v, recorded %v", got, tc.keras, same, tc.matches)
			}
		})
	}
}

// TestGoMLXCosineSchedule: GoMLX's cosine schedule (PeriodSteps T,
// MinLearningRate α·lr) gives Keras's CosineDecay(lr, T, alpha) during the
// first T steps, but then restarts at lr where Keras stays at α·lr; and it
// is GoMLX's only schedule (no exponential, piecewise, polynomial or
// inverse-time decay).
func TestGoMLXCosineSchedule(t *testing.T) {
	const lr, alpha, period = 0.1, 0.1, 8
	b := testBackend(t)
	store := model.NewStore()
	exec := model.MustNewExec(b, store, func(scope *model.Scope, g *graph.Graph) *graph.Node {
		scope.SetTraining(g, true)
		cosineschedule.New(scope, g, dtypes.Float32).PeriodSteps(period).LearningRate(lr).MinLearningRate(alpha * lr).Done()
		return optimizer.LearningRateVar(scope, dtypes.Float32, lr).NodeValue(g)
	})
	keras := CosineDecay(lr, period)
	keras.Alpha = alpha
	for step := range 2 * period {
		out, err := exec.Call()
		if err != nil {
			t.Fatal(err)
		}
		got := float64(tensors.ToScalar[float32](out[0]))
		want, err := scheduleAt(b, keras, float64(step))
		if err != nil {
			t.Fatal(err)
		}
		if same, recorded := math.Abs(got-want) < 1e-6, step < period; same != recorded {
			t.Errorf("step %d: GoMLX's rate %.6g, Keras's %.6g: matches %v, recorded %v", step, got, want, same, recorded)
		}
	}
}

// TestGoMLXCheckpoint: GoMLX's checkpoint package saves and restores a
// trained model's variables exactly, but into files it names itself
// ("checkpoint-n0000001-<time>-…"), not the file ModelCheckpoint's
// filepath names, and without what resuming needs beyond variables (the
// epoch, History, callback state).
func TestGoMLXCheckpoint(t *testing.T) {
	tr := newTiny(t, Options{Seed: 3})
	if _, err := tr.Fit(synthetic(64, 3), FitOptions{Epochs: 1, BatchSize: 32}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	h, err := checkpoint.Build(tr.Store()).Dir(dir).Done()
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Save(); err != nil {
		t.Fatal(err)
	}
	restored := model.NewStore()
	loaded, err := checkpoint.Load(restored).Dir(dir).Done()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for v := range tr.Store().IterVariables() {
		back, found := loaded.LoadVariable(restored, v.Path())
		if !found {
			t.Errorf("variable %s not in GoMLX's checkpoint", v.Path())
			continue
		}
		if want := v.MustValue(); !back.Shape().Equal(want.Shape()) || back.DType() == dtypes.Float32 &&
			!slices.Equal(tensors.MustCopyFlatData[float32](back), tensors.MustCopyFlatData[float32](want)) {
			t.Errorf("variable %s: restored %s differs", v.Path(), back.Shape())
		}
		n++
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	gomlxName := regexp.MustCompile(`^checkpoint-n\d{7}-`)
	for _, e := range entries {
		if !gomlxName.MatchString(e.Name()) {
			t.Errorf("GoMLX's checkpoint file %q: not the name recorded", e.Name())
		}
	}
	t.Logf("%d variables round-trip; files %d", n, len(entries))
}

// TestGoMLXTrainLoop trains the same model from the same weights on the
// same batches for two epochs with GoMLX's train.Trainer (SGD without
// decay) and with Trainer.Fit: the steps are the same (equal weights, equal
// batch losses), and GoMLX's moving-average loss ("~loss", a plain mean
// over its first 100 steps) is Keras's epoch loss after the first epoch;
// but GoMLX's trainer has no epochs, so after the second it still averages
// both, where Keras's "loss" is the mean over that epoch's batches.
func TestGoMLXTrainLoop(t *testing.T) {
	const batch, n = 16, 64
	data := synthetic(n, 5)
	tr := newTiny(t, Options{Optimizer: SGD(0.1, 0), Seed: 4})
	if err := tr.build(); err != nil {
		t.Fatal(err)
	}
	store := model.NewStore()
	for v := range tr.Store().IterVariables() {
		if !isStatePath(v.Path()) {
			value, err := v.MustValue().Clone()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := store.CreateVariable(v.Path(), value); err != nil {
				t.Fatal(err)
			}
		}
	}
	m := tinyModel(0)
	gomlx := train.NewTrainer(testBackend(t), store, func(scope *model.Scope, x *graph.Node) *graph.Node {
		logits, _ := m.Apply(scope, x)
		return logits
	}, loss.SparseCategoricalCrossEntropyLogits, optimizer.StochasticGradientDescent().WithLearningRate(0.1).WithDecay(false).Done(), nil, nil)
	size := sampleSize(testShape)
	var losses, emas []float64 // per epoch: the mean of GoMLX's batch losses, its ~loss at the end
	for range 2 {
		sum := 0.0
		for i := 0; i < n; i += batch {
			x := tensors.FromFlatDataAndDimensions(slices.Clone(data.X[i*size:(i+batch)*size]), append([]int{batch}, testShape...)...)
			y := tensors.FromFlatDataAndDimensions(slices.Clone(data.Y[i:i+batch]), batch, 1)
			metrics, err := gomlx.TrainStep(train.Batch{Inputs: []*tensors.Tensor{x}, Labels: []*tensors.Tensor{y}})
			if err != nil {
				t.Fatal(err)
			}
			sum += scalar(metrics[0])
			if i+batch == n {
				emas = append(emas, scalar(metrics[1]))
			}
		}
		losses = append(losses, sum/(n/batch))
	}
	hist, err := tr.Fit(data, FitOptions{Epochs: 2, BatchSize: batch, NoShuffle: true})
	if err != nil {
		t.Fatal(err)
	}
	for v := range tr.Store().IterVariables() {
		if isStatePath(v.Path()) || v.DType() != dtypes.Float32 {
			continue
		}
		want, got := tensors.MustCopyFlatData[float32](v.MustValue()), tensors.MustCopyFlatData[float32](store.GetVariable(v.Path()).MustValue())
		for i := range want {
			if math.Abs(float64(got[i]-want[i])) > 1e-5 {
				t.Fatalf("%s[%d]: GoMLX's trainer %g, Fit %g: the steps differ", v.Path(), i, got[i], want[i])
			}
		}
	}
	for epoch, recorded := range []bool{true, false} {
		keras := hist.Epochs[epoch]["loss"]
		if math.Abs(losses[epoch]-keras) > 1e-5 {
			t.Errorf("epoch %d: mean of GoMLX's batch losses %.6g, Fit's loss %.6g: the batch losses differ", epoch, losses[epoch], keras)
		}
		if same := math.Abs(emas[epoch]-keras) < 1e-5; same != recorded {
			t.Errorf("epoch %d: GoMLX's ~loss %.6g, Keras's loss %.6g: matches %v, recorded %v", epoch, emas[epoch], keras, same, recorded)
		}
	}
}
