package fit

import (
	"math"
	"path/filepath"
	"reflect"
	"slices"
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

// kerasAdamRef is Keras 3's Adam (betas 0.9, 0.999, epsilon 1e-7) in
// float64, minimizing sum(w²) from w0 for steps steps.
func kerasAdamRef(w0 []float32, lr float64, steps int) []float64 {
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

// kerasSGDRef is Keras 3's SGD (momentum, Nesterov) in float64,
// minimizing sum(w²) from w0 for steps steps.
func kerasSGDRef(w0 []float32, lr, mom float64, nesterov bool, steps int) []float64 {
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

func TestOptimizers(t *testing.T) {
	w0 := []float32{1, -2}
	kerasAdam := func(lr float64, steps int) []float64 { return kerasAdamRef(w0, lr, steps) }
	kerasSGD := func(lr, mom float64, nesterov bool, steps int) []float64 {
		return kerasSGDRef(w0, lr, mom, nesterov, steps)
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

// runOptimizerOn minimizes sum(w²) of each variable (created at its path
// with its start value) for steps steps and returns the store.
func runOptimizerOn(t *testing.T, opt Optimizer, start map[string][]float32, steps int) *model.Store {
	t.Helper()
	store := model.NewStore()
	var vars []*model.Variable
	for path, w0 := range start {
		v, err := store.CreateVariable(path, tensors.FromValue(w0))
		if err != nil {
			t.Fatal(err)
		}
		vars = append(vars, v)
	}
	for step := 1; step <= steps; step++ {
		e := model.MustNewExec(testBackend(t), store, func(scope *model.Scope, g *graph.Graph) *graph.Node {
			var loss *graph.Node
			nodes := make([]*graph.Node, len(vars))
			for i, v := range vars {
				nodes[i] = v.NodeValue(g)
				l := graph.ReduceAllSum(graph.Square(nodes[i]))
				if loss == nil {
					loss = l
				} else {
					loss = graph.Add(loss, l)
				}
			}
			opt.Update(store, vars, graph.Gradient(loss, nodes...),
				graph.Scalar(g, dtypes.Float32, opt.InitialLearningRate()), graph.Scalar(g, dtypes.Float32, step))
			return loss
		})
		if _, err := e.Call(); err != nil {
			t.Fatal(err)
		}
	}
	return store
}

func values(t *testing.T, store *model.Store, path string) []float32 {
	t.Helper()
	v := store.GetVariable(path)
	if v == nil {
		t.Fatalf("no variable %s", path)
	}
	return tensors.MustCopyFlatData[float32](v.MustValue())
}

// TestWeightDecay checks Keras 3's decoupled weight decay (the optimizer
// argument weight_decay: w ← w − lr·wd·w before each update, with the
// gradient taken before the decay) and exclude_from_weight_decay, for SGD
// with Nesterov momentum (airbench's optimizer) and Adam (Keras's AdamW).
// The SGD reference values are PyTorch 1.13's SGD(lr=0.1, momentum=0.85,
// nesterov=True) on sum(w²) from (1, −2), 3 steps, with w.mul_(1−lr·wd)
// before each step (wd 0.05; without it, the Nesterov values): PyTorch's
// Nesterov SGD and Keras's take the same steps at a constant rate.
func TestWeightDecay(t *testing.T) {
	nesterov := func(wd float64, exclude ...string) *SGDOptimizer {
		o := SGD(0.1, 0.85)
		o.Nesterov, o.WeightDecay, o.ExcludeFromWeightDecay = true, wd, exclude
		return o
	}
	start := map[string][]float32{"/conv/kernel": {1, -2}, "/bn/beta": {1, -2}}
	torchNesterov := []float64{-0.054848000000000015, 0.10969600000000003}
	torchDecayed := []float64{-0.0593093750000001, 0.1186187500000002}
	// Adam with decay, by hand in float64 with Keras's formulas.
	kerasAdamW := func(w, lr, wd float64, steps int) float64 {
		m, v := 0.0, 0.0
		for s := 1; s <= steps; s++ {
			g := 2 * w
			w -= lr * wd * w
			m += (g - m) * 0.1
			v += (g*g - v) * 0.001
			w -= lr * math.Sqrt(1-math.Pow(0.999, float64(s))) / (1 - math.Pow(0.9, float64(s))) * m / (math.Sqrt(v) + 1e-7)
		}
		return w
	}
	adamW := Adam(0.1)
	adamW.WeightDecay, adamW.ExcludeFromWeightDecay = 0.004, []string{"beta"}
	tests := []struct {
		name        string
		opt         Optimizer
		kernel, bn  []float64
		decaysBeta  bool
		wantInvalid bool
	}{
		{"nesterov", nesterov(0), torchNesterov, torchNesterov, false, false},
		{"nesterov decay", nesterov(0.05), torchDecayed, torchDecayed, true, false},
		{"nesterov decay, BN beta excluded", nesterov(0.05, "beta$"), torchDecayed, torchNesterov, false, false},
		{"adamw, beta excluded", adamW, []float64{kerasAdamW(1, 0.1, 0.004, 3), kerasAdamW(-2, 0.1, 0.004, 3)},
			[]float64{kerasAdamW(1, 0.1, 0, 3), kerasAdamW(-2, 0.1, 0, 3)}, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := runOptimizerOn(t, tc.opt, start, 3)
			for path, want := range map[string][]float64{"/conv/kernel": tc.kernel, "/bn/beta": tc.bn} {
				got := values(t, store, path)
				for i := range want {
					if !near(float64(got[i]), want[i], 1e-5) { // float32 against float64
						t.Errorf("%s[%d] after 3 steps = %.9g, want %.9g", path, i, got[i], want[i])
					}
				}
			}
			if got := baseOf(tc.opt).Decays("/bn/beta"); got != tc.decaysBeta {
				t.Errorf("Decays(/bn/beta) = %v, want %v", got, tc.decaysBeta)
			}
		})
	}
	for _, bad := range []Base{{WeightDecay: -1}, {WeightDecay: 0.1, ExcludeFromWeightDecay: []string{"("}},
		{UseEMA: true, EMAMomentum: 1.5}, {EMAOverwriteFrequency: -1}} {
		o := SGD(0.1, 0)
		o.Base = bad
		if err := checkOptimizer(o); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

// TestLRMultipliers checks PyTorch's per-parameter-group learning rate
// (airbench's BatchNorm biases at 64x): the matching variable takes
// exactly the steps of the optimizer at Factor·lr, the others those at lr,
// and weight decay keeps the step's lr (torch.optim.SGD with two groups,
// lr 0.1 and 0.3, decoupled decay w ← w − 0.1·wd·w in both).
func TestLRMultipliers(t *testing.T) {
	start := map[string][]float32{"/conv/kernel": {1, -2}, "/bn/beta": {1, -2}}
	sgd := func(wd float64) *SGDOptimizer {
		o := SGD(0.1, 0.85)
		o.Nesterov, o.WeightDecay = true, wd
		o.LRMultipliers = []LRMultiplier{{Pattern: "beta$", Factor: 3}, {Pattern: "beta", Factor: 100}}
		return o
	}
	// sgdDecayRef is Keras's Nesterov SGD at lr with decoupled decay at
	// decayLR·wd, minimizing w² for 3 steps.
	sgdDecayRef := func(w, lr, decayLR, wd float64) float64 {
		u := 0.0
		for range 3 {
			g := 2 * w
			w -= decayLR * wd * w
			u = 0.85*u - lr*g
			w += 0.85*u - lr*g
		}
		return w
	}
	adam := Adam(0.1)
	adam.LRMultipliers = []LRMultiplier{{Pattern: "beta", Factor: 0.5}}
	tests := []struct {
		name       string
		opt        Optimizer
		kernel, bn []float64
	}{
		{"sgd, first match wins", sgd(0),
			kerasSGDRef(start["/conv/kernel"], 0.1, 0.85, true, 3), kerasSGDRef(start["/bn/beta"], 0.3, 0.85, true, 3)},
		{"sgd with decay at the step's rate", sgd(0.05),
			[]float64{sgdDecayRef(1, 0.1, 0.1, 0.05), sgdDecayRef(-2, 0.1, 0.1, 0.05)},
			[]float64{sgdDecayRef(1, 0.3, 0.1, 0.05), sgdDecayRef(-2, 0.3, 0.1, 0.05)}},
		{"adam", adam, kerasAdamRef(start["/conv/kernel"], 0.1, 3), kerasAdamRef(start["/bn/beta"], 0.05, 3)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := runOptimizerOn(t, tc.opt, start, 3)
			for path, want := range map[string][]float64{"/conv/kernel": tc.kernel, "/bn/beta": tc.bn} {
				got := values(t, store, path)
				for i := range want {
					if !near(float64(got[i]), want[i], 1e-5) {
						t.Errorf("%s[%d] after 3 steps = %.9g, want %.9g", path, i, got[i], want[i])
					}
				}
			}
		})
	}
	for _, bad := range []LRMultiplier{{Pattern: "(", Factor: 2}, {Pattern: "beta", Factor: 0},
		{Pattern: "beta", Factor: math.Inf(1)}, {Pattern: "beta", Factor: math.NaN()}} {
		o := SGD(0.1, 0)
		o.LRMultipliers = []LRMultiplier{bad}
		if err := checkOptimizer(o); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

// TestEMA checks Keras 3's optimizer EMA (use_ema, ema_momentum,
// ema_overwrite_frequency) by hand: plain SGD at lr 0.1 on w² from w = 1
// multiplies w by 0.8 each step; with momentum 0.5 the average starts at
// the first step's w and then moves half way to w each step.
func TestEMA(t *testing.T) {
	tests := []struct {
		name      string
		overwrite int
		w, ema    float64
	}{
		// w: 0.8, 0.64, 0.512; ema: 0.8, 0.72, 0.616.
		{"no overwrite", 0, 0.512, 0.616},
		// Step 2 copies ema 0.72 into w; step 3: w = 0.72·0.8 = 0.576,
		// ema = (0.72+0.576)/2 = 0.648.
		{"overwrite every 2", 2, 0.576, 0.648},
		// Step 3 copies ema into w.
		{"overwrite every 3", 3, 0.616, 0.616},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := SGD(0.1, 0)
			o.UseEMA, o.EMAMomentum, o.EMAOverwriteFrequency = true, 0.5, tc.overwrite
			store := runOptimizerOn(t, o, map[string][]float32{"/w": {1}}, 3)
			if w := values(t, store, "/w")[0]; !near(float64(w), tc.w, 1e-6) {
				t.Errorf("w = %v, want %v", w, tc.w)
			}
			if e := values(t, store, EMAScope+"/w")[0]; !near(float64(e), tc.ema, 1e-6) {
				t.Errorf("ema = %v, want %v", e, tc.ema)
			}
		})
	}
	if o := Adam(0); o.UseEMA || o.emaMomentum() != 0.99 {
		t.Errorf("EMA defaults: UseEMA %v, momentum %v; want false and Keras's 0.99", o.UseEMA, o.emaMomentum())
	}
}

// TestEMAThroughFit: at the end of Fit the trainable variables hold their
// moving averages (Keras's finalize_variable_values), and a run resumed
// from a full checkpoint, which holds the averages, ends with the same
// history and weights as the run never stopped.
func TestEMAThroughFit(t *testing.T) {
	data := synthetic(64, 3)
	run := func(dir string, epochs int, resume string) (*Trainer, *History) {
		opt := SGD(0.05, 0.9)
		opt.Nesterov, opt.UseEMA, opt.EMAMomentum, opt.WeightDecay = true, true, 0.9, 0.01
		tr, err := Compile(testBackend(t), tinyModel(0), Options{Seed: 1, InputShape: testShape, Optimizer: opt})
		if err != nil {
			t.Fatal(err)
		}
		return tr, fitResumable(t, tr, data, FitOptions{Epochs: epochs, BatchSize: 16}, dir, resume)
	}
	dir := t.TempDir()
	tr, h := run(filepath.Join(dir, "full"), 3, "")
	n := 0
	for v := range tr.Store().IterVariables() {
		if !v.Trainable || isStatePath(v.Path()) {
			continue
		}
		n++
		w := tensors.MustCopyFlatData[float32](v.MustValue())
		e := values(t, tr.Store(), EMAScope+v.Path())
		if !slices.Equal(w, e) {
			t.Errorf("%s after Fit differs from its moving average", v.Path())
		}
	}
	if n != 4 {
		t.Errorf("%d trainable variables checked, want 4", n)
	}
	run(filepath.Join(dir, "killed"), 1, "")
	tr2, got := run(filepath.Join(dir, "resumed"), 3, filepath.Join(dir, "killed", "e1.ckpt"))
	if !reflect.DeepEqual(stripTime(got), stripTime(h)) {
		t.Errorf("resumed history differs:\n got %v\nwant %v", stripTime(got), stripTime(h))
	}
	w1, _ := tr.GetWeights()
	w2, _ := tr2.GetWeights()
	for i := range w1.vars {
		if string(w1.vars[i].data) != string(w2.vars[i].data) {
			t.Errorf("variable %s differs after resuming", w1.vars[i].path)
		}
	}
}
