package fit

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/cnnlab/cnnlab/pkg/nn"
)

// These tests check every non-trainable state that the training step
// writes back (BatchNorm's moving averages, the optimizer's moments, the
// step counter, the learning rate), through Fit on the Go backend, against
// values computed by hand from the batches and the weights before each
// step.

// bnShape is the sample shape of the BatchNorm tests.
var bnShape = []int{6, 6, 3}

// convBN is Conv2D(4, 3x3, same, no bias) -> BatchNormalization(momentum)
// -> relu -> Flatten -> Dense(10): the course's conv/BN block.
func convBN(momentum float64) *nn.Model {
	return nn.Sequential("conv_bn", nn.Input(bnShape...),
		nn.Conv2D(4, 3, nn.Padding("same"), nn.UseBias(false)),
		nn.BatchNormalization(nn.Momentum(momentum)), nn.Activation("relu"),
		nn.Flatten(), nn.Dense(10, nn.Activation("softmax")))
}

// randomArrays returns n samples of shape with uniform pixels whose scale
// varies by sample, and random labels.
func randomArrays(n int, shape []int, seed uint64) *Arrays {
	r := rand.New(rand.NewPCG(seed, 3))
	size := sampleSize(shape)
	a := &Arrays{X: make([]float32, n*size), Shape: shape, Y: make([]int32, n)}
	for i := range a.X {
		a.X[i] = r.Float32() * float32(1+i/size%5)
	}
	for i := range a.Y {
		a.Y[i] = int32(r.IntN(10))
	}
	return a
}

// convStats returns the per-filter batch mean and biased variance of the
// 3x3 "same" convolution (HWIO kernel, no bias) of the samples lo..hi-1
// of d, computed in float64.
func convStats(d *Arrays, lo, hi int, kernel []float32, filters int) (mean, variance []float64) {
	h, w, c := d.Shape[0], d.Shape[1], d.Shape[2]
	sum, sq := make([]float64, filters), make([]float64, filters)
	out := make([]float64, filters)
	for b := lo; b < hi; b++ {
		for y := range h {
			for x := range w {
				clear(out)
				for dy := -1; dy <= 1; dy++ {
					for dx := -1; dx <= 1; dx++ {
						yy, xx := y+dy, x+dx
						if yy < 0 || yy >= h || xx < 0 || xx >= w {
							continue
						}
						for ci := range c {
							v := float64(d.X[((b*h+yy)*w+xx)*c+ci])
							for f := range filters {
								out[f] += v * float64(kernel[(((dy+1)*3+(dx+1))*c+ci)*filters+f])
							}
						}
					}
				}
				for f := range filters {
					sum[f] += out[f]
					sq[f] += out[f] * out[f]
				}
			}
		}
	}
	n := float64((hi - lo) * h * w)
	mean, variance = make([]float64, filters), make([]float64, filters)
	for f := range filters {
		mean[f] = sum[f] / n
		variance[f] = sq[f]/n - mean[f]*mean[f]
	}
	return mean, variance
}

func variable(t *testing.T, tr *Trainer, path string) []float32 {
	t.Helper()
	v := tr.Store().GetVariable(path)
	if v == nil {
		t.Fatalf("no variable %s", path)
	}
	return tensors.MustCopyFlatData[float32](v.MustValue())
}

// checkClose fails unless got and want agree to tol (relative to max(1, |want|)).
func checkClose(t *testing.T, what string, got []float32, want []float64, tol float64) {
	t.Helper()
	for i := range want {
		if !near(float64(got[i]), want[i], tol) {
			t.Fatalf("%s[%d] = %.8g, want %.8g", what, i, got[i], want[i])
		}
	}
}

// TestBatchNormMovingAveragesThroughFit: after each training step on a
// known batch, the moving mean and variance equal Keras's exponential
// average of that step's batch statistics (moving = moving·momentum +
// batch·(1−momentum), biased variance), computed by hand from the weights
// before the step, with Adam changing the weights at every step and
// validation (Evaluate) between epochs.
func TestBatchNormMovingAveragesThroughFit(t *testing.T) {
	const batch, filters, momentum = 16, 4, 0.9
	tr, err := Compile(testBackend(t), convBN(momentum), Options{Seed: 1, InputShape: bnShape, Optimizer: Adam(0.05)})
	if err != nil {
		t.Fatal(err)
	}
	data := randomArrays(batch, bnShape, 1)
	if _, _, err := tr.Evaluate(data, batch); err != nil { // creates the variables
		t.Fatal(err)
	}
	wantMean, wantVar := make([]float64, filters), []float64{1, 1, 1, 1}
	var first []float32
	for step := range 5 {
		kernel := variable(t, tr, "/conv2d/kernel")
		if step == 0 {
			first = kernel
		}
		mean, variance := convStats(data, 0, batch, kernel, filters)
		for f := range filters {
			wantMean[f] = wantMean[f]*momentum + mean[f]*(1-momentum)
			wantVar[f] = wantVar[f]*momentum + variance[f]*(1-momentum)
		}
		// One epoch of one step, validated on the same batch.
		if _, err := tr.Fit(data, FitOptions{Epochs: 1, BatchSize: batch, ValidationData: data}); err != nil {
			t.Fatal(err)
		}
		checkClose(t, "moving_mean", variable(t, tr, "/batch_normalization/moving_mean"), wantMean, 1e-5)
		checkClose(t, "moving_variance", variable(t, tr, "/batch_normalization/moving_variance"), wantVar, 1e-5)
	}
	if reflect.DeepEqual(first, variable(t, tr, "/conv2d/kernel")) {
		t.Fatal("the kernel never changed: the test does not exercise changing weights")
	}
}

// TestBatchNormMovingAveragesWithinEpochs: within epochs of several steps
// (batches of 16, 16 and a last partial 8, which compiles a second training
// graph), the moving averages follow every batch in order; the weights are
// frozen (learning rate 0) so the statistics are known in advance.
func TestBatchNormMovingAveragesWithinEpochs(t *testing.T) {
	const n, batch, filters, momentum = 40, 16, 4, 0.99
	tr, err := Compile(testBackend(t), convBN(momentum), Options{Seed: 2, InputShape: bnShape})
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.SetLearningRate(0); err != nil {
		t.Fatal(err)
	}
	data := randomArrays(n, bnShape, 2)
	if _, _, err := tr.Evaluate(data, batch); err != nil {
		t.Fatal(err)
	}
	kernel := variable(t, tr, "/conv2d/kernel")
	wantMean, wantVar := make([]float64, filters), []float64{1, 1, 1, 1}
	for range 2 {
		for lo := 0; lo < n; lo += batch {
			mean, variance := convStats(data, lo, min(lo+batch, n), kernel, filters)
			for f := range filters {
				wantMean[f] = wantMean[f]*momentum + mean[f]*(1-momentum)
				wantVar[f] = wantVar[f]*momentum + variance[f]*(1-momentum)
			}
		}
	}
	if _, err := tr.Fit(data, FitOptions{Epochs: 2, BatchSize: batch, NoShuffle: true, ValidationData: data}); err != nil {
		t.Fatal(err)
	}
	checkClose(t, "moving_mean", variable(t, tr, "/batch_normalization/moving_mean"), wantMean, 1e-5)
	checkClose(t, "moving_variance", variable(t, tr, "/batch_normalization/moving_variance"), wantVar, 1e-5)
	if got := tr.Iterations(); got != 6 {
		t.Errorf("iterations = %d, want 6 (2 epochs of 3 steps)", got)
	}
}

// recomputedEvaluate evaluates the weights of tr on test with BatchNorm
// statistics recomputed at those weights: a copy of the model whose
// BatchNorm has momentum 0 takes one frozen training step on all of train,
// which sets its moving averages to the statistics of the whole set.
func recomputedEvaluate(t *testing.T, tr *Trainer, train, test Data) (loss, acc float64) {
	t.Helper()
	w, err := tr.GetWeights()
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := Compile(testBackend(t), convBN(0), Options{InputShape: bnShape})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := fresh.Evaluate(test, 0); err != nil {
		t.Fatal(err)
	}
	if err := fresh.SetWeights(w); err != nil {
		t.Fatal(err)
	}
	if err := fresh.SetLearningRate(0); err != nil {
		t.Fatal(err)
	}
	if _, err := fresh.Fit(train, FitOptions{Epochs: 1, BatchSize: train.Len(), NoShuffle: true}); err != nil {
		t.Fatal(err)
	}
	loss, acc, err = fresh.Evaluate(test, 0)
	if err != nil {
		t.Fatal(err)
	}
	return loss, acc
}

// TestMovingAveragesMatchRecomputedStatistics: after training to a
// plateau, evaluating with the moving averages gives the accuracy that
// statistics recomputed at the final weights give, within noise (2 of 200
// test samples).
func TestMovingAveragesMatchRecomputedStatistics(t *testing.T) {
	tr, err := Compile(testBackend(t), convBN(0.9), Options{Seed: 3, InputShape: bnShape, Optimizer: Adam(0.003)})
	if err != nil {
		t.Fatal(err)
	}
	train, test := learnable(600, 4), learnable(200, 5)
	if _, err := tr.Fit(train, FitOptions{Epochs: 8, BatchSize: 32}); err != nil {
		t.Fatal(err)
	}
	_, acc, err := tr.Evaluate(test, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, want := recomputedEvaluate(t, tr, train, test)
	if acc < 0.5 {
		t.Fatalf("test accuracy %.3f: the model did not learn (chance is 0.1)", acc)
	}
	if math.Abs(acc-want) > 2.0/200 {
		t.Errorf("test accuracy %.3f with the moving averages, %.3f with recomputed statistics", acc, want)
	}
}

// learnable returns n samples of bnShape whose class c brightens channel
// c%3 of some rows: learnable by a conv, not trivially.
func learnable(n int, seed uint64) *Arrays {
	r := rand.New(rand.NewPCG(seed, 9))
	a := &Arrays{X: make([]float32, n*sampleSize(bnShape)), Shape: bnShape, Y: make([]int32, n)}
	for i := range n {
		c := r.IntN(10)
		a.Y[i] = int32(c)
		for y := range 6 {
			for x := range 6 {
				for ch := range 3 {
					v := r.Float32()
					if ch == c%3 && y == c/3 {
						v += 1.5
					}
					a.X[((i*6+y)*6+x)*3+ch] = v
				}
			}
		}
	}
	return a
}

// TestAdamStateThroughFit: after each step, Adam's moments, the weights and
// the step counter equal Keras's update computed by hand from the gradient
// at the weights before the step, including a learning rate changed
// between epochs (as ReduceLROnPlateau does).
func TestAdamStateThroughFit(t *testing.T) {
	tr := newTiny(t, Options{Seed: 4, Optimizer: Adam(0.01)})
	data := synthetic(8, 4)
	if _, _, err := tr.Evaluate(data, 8); err != nil {
		t.Fatal(err)
	}
	grads := gradientExec(t, tr)
	const path = "/dense1/dense/weights"
	w := toFloat64(variable(t, tr, path))
	m, v := make([]float64, len(w)), make([]float64, len(w))
	lr := 0.01
	for step := 1; step <= 4; step++ {
		if step == 3 {
			lr = 0.002
			if err := tr.SetLearningRate(lr); err != nil {
				t.Fatal(err)
			}
		}
		g := grads(data)
		alpha := float64(float32(lr)) * math.Sqrt(1-math.Pow(0.999, float64(step))) / (1 - math.Pow(0.9, float64(step)))
		for i := range w {
			m[i] += (g[i] - m[i]) * (1 - 0.9)
			v[i] += (g[i]*g[i] - v[i]) * (1 - 0.999)
			w[i] -= alpha * m[i] / (math.Sqrt(v[i]) + 1e-7)
		}
		h, err := tr.Fit(data, FitOptions{Epochs: 1, BatchSize: 8})
		if err != nil {
			t.Fatal(err)
		}
		if got := h.Epochs[0]["learning_rate"]; !near(got, lr, 1e-6) {
			t.Errorf("step %d: history learning_rate %v, want %v", step, got, lr)
		}
		checkClose(t, "adam m", variable(t, tr, StateScope+"/adam/m"+path), m, 1e-5)
		checkClose(t, "adam v", variable(t, tr, StateScope+"/adam/v"+path), v, 1e-5)
		checkClose(t, "weights", variable(t, tr, path), w, 1e-5)
		if got := tr.Iterations(); got != int64(step) {
			t.Errorf("iterations = %d after %d steps", got, step)
		}
	}
}

// gradientExec returns a function computing the gradient of the training
// loss (mean loss of the batch plus penalty) with respect to the first
// dense kernel at the current weights, in a graph that changes nothing.
func gradientExec(t *testing.T, tr *Trainer) func(d Data) []float64 {
	exec, err := model.NewExec(tr.backend, tr.store, func(scope *model.Scope, x, y *graph.Node) *graph.Node {
		scope.SetTraining(x.Graph(), true)
		logits, penalty := tr.applyModel(scope, x)
		loss := graph.Add(graph.ReduceAllMean(tr.loss(y, logits)), penalty)
		w := tr.store.GetVariable("/dense1/dense/weights").NodeValue(x.Graph())
		return graph.ConvertDType(graph.Gradient(loss, w)[0], dtypes.Float64)
	})
	if err != nil {
		t.Fatal(err)
	}
	return func(d Data) []float64 {
		x, y := tr.batchTensors(MakeBatch(d, seq(0, d.Len())))
		out, err := call(exec, x, y)
		if err != nil {
			t.Fatal(err)
		}
		return tensors.MustCopyFlatData[float64](out[0])
	}
}

func toFloat64(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

// TestBatchNormResume: a BatchNorm model resumed from a checkpoint gives
// the same History and the same moving averages as an uninterrupted run.
func TestBatchNormResume(t *testing.T) {
	dir := t.TempDir()
	data := randomArrays(48, bnShape, 6)
	run := func(sub string, epochs int, resume string) (*Trainer, *History) {
		tr, err := Compile(testBackend(t), convBN(0.9), Options{Seed: 5, InputShape: bnShape})
		if err != nil {
			t.Fatal(err)
		}
		opts := FitOptions{Epochs: epochs, BatchSize: 16, ValidationHoldOut: 0.25}
		return tr, fitResumable(t, tr, data, opts, filepath.Join(dir, sub), resume)
	}
	full, want := run("full", 4, "")
	run("killed", 2, "")
	resumed, got := run("resumed", 4, filepath.Join(dir, "killed", "e2.ckpt"))
	if !reflect.DeepEqual(stripTime(got), stripTime(want)) {
		t.Errorf("resumed history differs:\n got %v\nwant %v", stripTime(got), stripTime(want))
	}
	for _, p := range []string{"/batch_normalization/moving_mean", "/batch_normalization/moving_variance"} {
		if a, b := variable(t, full, p), variable(t, resumed, p); !reflect.DeepEqual(a, b) {
			t.Errorf("%s: resumed %v, uninterrupted %v", p, b, a)
		}
	}
}

// TestInspectChangesNothing: a training-mode look inside a BatchNorm model
// gives the batch-normalized output (mean 0, variance 1 per channel before
// gamma and beta, which start at 1 and 0) and leaves the moving averages
// and the random state as they were.
func TestInspectChangesNothing(t *testing.T) {
	m := convBN(0.9)
	tr, err := Compile(testBackend(t), m, Options{Seed: 7, InputShape: bnShape})
	if err != nil {
		t.Fatal(err)
	}
	data := randomArrays(16, bnShape, 7)
	if _, err := tr.Inspect(MakeBatch(data, seq(0, 16)), true, m.Outputs); err == nil {
		t.Error("Inspect before the model is built: no error")
	}
	if _, _, err := tr.Evaluate(data, 16); err != nil {
		t.Fatal(err)
	}
	before, _ := tr.GetWeights()
	outs, err := tr.Inspect(MakeBatch(data, seq(0, 16)), true, m.Outputs)
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 5 {
		t.Fatalf("%d layer outputs, want 5", len(outs))
	}
	bn := tensors.MustCopyFlatData[float32](outs[1]) // [16, 6, 6, 4]
	for c := range 4 {
		var sum, sq float64
		n := 0
		for i := c; i < len(bn); i += 4 {
			sum += float64(bn[i])
			sq += float64(bn[i]) * float64(bn[i])
			n++
		}
		mean := sum / float64(n)
		if variance := sq/float64(n) - mean*mean; math.Abs(mean) > 1e-4 || math.Abs(variance-1) > 0.01 {
			t.Errorf("channel %d after BatchNorm in training mode: mean %g, variance %g; want 0 and about 1", c, mean, variance)
		}
	}
	after, _ := tr.GetWeights()
	if !reflect.DeepEqual(before.vars, after.vars) {
		t.Error("Inspect changed the weights or the moving averages")
	}
}

// TestUpdateStatistics: one pass of UpdateStatistics over 40 samples in
// batches of 16, 16 and 8 moves the moving averages as three training steps
// would (Keras's exponential rule, biased variance), computed by hand from
// the fixed weights, and changes nothing else: not the weights, the step
// counter, the learning rate, the optimizer's moments or the random state.
func TestUpdateStatistics(t *testing.T) {
	const n, batch, filters, momentum = 40, 16, 4, 0.9
	tr, err := Compile(testBackend(t), convBN(momentum), Options{Seed: 5, InputShape: bnShape})
	if err != nil {
		t.Fatal(err)
	}
	data := randomArrays(n, bnShape, 5)
	if err := tr.UpdateStatistics(data, batch); err == nil {
		t.Error("UpdateStatistics before the model is built: no error")
	}
	// One training step first, so that the optimizer's moments and the
	// step counter are not at their initial values.
	if _, err := tr.Fit(randomArrays(batch, bnShape, 6), FitOptions{Epochs: 1, BatchSize: batch}); err != nil {
		t.Fatal(err)
	}
	kernel := variable(t, tr, "/conv2d/kernel")
	wantMean := toFloat64(variable(t, tr, "/batch_normalization/moving_mean"))
	wantVar := toFloat64(variable(t, tr, "/batch_normalization/moving_variance"))
	for lo := 0; lo < n; lo += batch {
		mean, variance := convStats(data, lo, min(lo+batch, n), kernel, filters)
		for f := range filters {
			wantMean[f] = wantMean[f]*momentum + mean[f]*(1-momentum)
			wantVar[f] = wantVar[f]*momentum + variance[f]*(1-momentum)
		}
	}
	state := map[string]any{}
	for v := range tr.Store().IterVariables() {
		if p := v.Path(); !strings.HasPrefix(p, "/batch_normalization/moving_") {
			state[p] = v.MustValue().Value()
		}
	}
	iterations, lr := tr.Iterations(), tr.LearningRate()
	before, err := tr.MovingAverages()
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.UpdateStatistics(data, batch); err != nil {
		t.Fatal(err)
	}
	after, err := tr.MovingAverages()
	if err != nil {
		t.Fatal(err)
	}
	if len(before) != 1 || len(after) != 1 || after[0].Layer != "/batch_normalization" {
		t.Fatalf("MovingAverages: %d and %d layers (%+v), want one, /batch_normalization", len(before), len(after), after)
	}
	// MovingAverages returns exactly the variables' values, checked against
	// the hand computation below.
	if got, want := after[0].Mean, toFloat64(variable(t, tr, "/batch_normalization/moving_mean")); !reflect.DeepEqual(got, want) {
		t.Errorf("MovingAverages mean %v, want the variable's %v", got, want)
	}
	if got, want := after[0].Variance, toFloat64(variable(t, tr, "/batch_normalization/moving_variance")); !reflect.DeepEqual(got, want) {
		t.Errorf("MovingAverages variance %v, want the variable's %v", got, want)
	}
	var shift float64
	for f := range filters {
		shift += math.Abs(before[0].Mean[f]-wantMean[f]) / math.Sqrt(wantVar[f]) / filters
	}
	if got := after[0].MeanShift(before[0]); math.Abs(got-shift) > 1e-5*shift || shift == 0 {
		t.Errorf("MeanShift = %g, want %g (by hand)", got, shift)
	}
	checkClose(t, "moving_mean", variable(t, tr, "/batch_normalization/moving_mean"), wantMean, 1e-5)
	checkClose(t, "moving_variance", variable(t, tr, "/batch_normalization/moving_variance"), wantVar, 1e-5)
	for p, want := range state {
		if got := tr.Store().GetVariable(p).MustValue().Value(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s changed", p)
		}
	}
	if tr.Iterations() != iterations || tr.LearningRate() != lr {
		t.Errorf("iterations %d -> %d, learning rate %g -> %g: want them unchanged", iterations, tr.Iterations(), lr, tr.LearningRate())
	}
}

// TestMeanShift: the mean over channels of |old - new| in new's standard
// deviations, by hand; NaN when the sizes differ.
func TestMeanShift(t *testing.T) {
	now := MovingAverage{Mean: []float64{1, 0}, Variance: []float64{4, 1}}
	// (|0-1|/2 + |0.5-0|/1) / 2 = 0.5
	if got := now.MeanShift(MovingAverage{Mean: []float64{0, 0.5}, Variance: []float64{9, 9}}); got != 0.5 {
		t.Errorf("MeanShift = %g, want 0.5", got)
	}
	if got := now.MeanShift(MovingAverage{Mean: []float64{0}}); !math.IsNaN(got) {
		t.Errorf("MeanShift of a smaller layer = %g, want NaN", got)
	}
}
