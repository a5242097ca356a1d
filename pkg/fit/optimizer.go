package fit

import (
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// Paths of the training-state variables that [Trainer] keeps in its
// model.Store. Everything under StateScope is optimizer state, saved by full
// checkpoints and left out of weights-only files.
const (
	StateScope       = "/fit"
	LearningRatePath = StateScope + "/learning_rate" // float32 scalar
	IterationsPath   = StateScope + "/iterations"    // int64 scalar: optimizer steps taken (Keras's optimizer.iterations)
)

// Optimizer builds the graph that updates the trainable variables from
// their gradients. [Adam] and [SGD] build one.
type Optimizer interface {
	// Name returns the optimizer's Keras name, e.g. "adam".
	Name() string
	// InitialLearningRate returns the learning rate training starts with.
	InitialLearningRate() float64
	// Update builds the update of vars from grads (same order) with the
	// learning rate lr (float32 scalar) at step (1-based, float32 scalar).
	// It keeps its own state in variables under StateScope. It is a graph
	// building function and panics on error.
	Update(store *model.Store, vars []*model.Variable, grads []*graph.Node, lr, step *graph.Node)
}

// Base holds the arguments that all of Keras 3's optimizers take
// (keras.optimizers.Optimizer's weight_decay, use_ema, ema_momentum,
// ema_overwrite_frequency and exclude_from_weight_decay). [AdamOptimizer]
// and [SGDOptimizer] embed it; its zero value turns everything off.
//
// Weight decay is Keras 3's decoupled one (Loshchilov & Hutter's AdamW
// form, PyTorch's AdamW and SGD-with-decoupled-decay): before each update,
//
//	w ← w − lr·weight_decay·w
//
// with the step's learning rate, for every trainable variable except those
// whose path matches one of ExcludeFromWeightDecay. It is not an L2
// penalty added to the loss (that is regularizers.L2, or PyTorch SGD's own
// weight_decay, which adds wd·w to the gradient before the momentum).
//
// With UseEMA, each step ends by updating an exponential moving average of
// every trainable variable (kept in the store under StateScope, so full
// checkpoints hold it and resume exactly):
//
//	ema ← w at the first step; then ema ← m·ema + (1−m)·w   (m: EMAMomentum)
//
// and, when EMAOverwriteFrequency is n > 0, every n-th step copies the
// averages into the variables ((iterations+1) % n == 0, Keras's test).
// At the end of [Trainer.Fit] the averages replace the variables (Keras's
// optimizer.finalize_variable_values), so Evaluate, Predict and the saved
// weights after Fit use them; validation during Fit uses the variables as
// trained, as in Keras. Non-trainable variables (BatchNormalization's
// moving averages) are not averaged, as in Keras.
type Base struct {
	// WeightDecay is Keras's weight_decay; 0 (Keras's None) for none.
	WeightDecay float64
	// ExcludeFromWeightDecay is Keras's
	// exclude_from_weight_decay(var_names=...): regular expressions (or
	// plain names such as "beta" or "bias"); a variable whose path (e.g.
	// "/batch_normalization/beta") contains a match is not decayed. Keras
	// searches the variable's name ("beta"); searching the path matches
	// those names too.
	ExcludeFromWeightDecay []string
	// UseEMA is Keras's use_ema.
	UseEMA bool
	// EMAMomentum is Keras's ema_momentum (default 0.99 when UseEMA is set
	// and it is 0).
	EMAMomentum float64
	// EMAOverwriteFrequency is Keras's ema_overwrite_frequency; 0 (None)
	// for never during training.
	EMAOverwriteFrequency int
	// LRMultipliers scale the learning rate of some variables: a variable
	// whose path contains a match of an entry's Pattern (the first such
	// entry) takes its steps with Factor·lr. Weight decay keeps the step's
	// lr. Keras has no such argument; it is PyTorch's per-parameter-group
	// learning rate, as airbench trains BatchNormalization's biases at 64
	// times the rate of the other weights.
	LRMultipliers []LRMultiplier
}

// LRMultiplier is one entry of [Base.LRMultipliers]: the variables whose
// path contains a match of the regular expression Pattern (e.g. "beta$")
// learn at Factor times the learning rate.
type LRMultiplier struct {
	Pattern string
	Factor  float64
}

// EMAScope is where [Base] keeps the moving averages of the variables:
// EMAScope + the variable's path.
const EMAScope = StateScope + "/ema"

// Validate reports out-of-range arguments and bad exclusion patterns.
func (b *Base) Validate() error {
	if !(b.WeightDecay >= 0) {
		return fmt.Errorf("fit: weight decay %v must be >= 0", b.WeightDecay)
	}
	if _, err := b.excludePattern(); err != nil {
		return err
	}
	if b.UseEMA && !(b.emaMomentum() >= 0 && b.emaMomentum() <= 1) {
		return fmt.Errorf("fit: EMA momentum %v must be in [0, 1]", b.EMAMomentum)
	}
	if b.EMAOverwriteFrequency < 0 {
		return fmt.Errorf("fit: EMA overwrite frequency %d must be >= 0", b.EMAOverwriteFrequency)
	}
	for _, m := range b.LRMultipliers {
		if _, err := regexp.Compile(m.Pattern); err != nil {
			return fmt.Errorf("fit: learning-rate multiplier pattern %q: %w", m.Pattern, err)
		}
		if !(m.Factor > 0) || math.IsInf(m.Factor, 0) {
			return fmt.Errorf("fit: learning-rate multiplier %v for %q must be a positive number", m.Factor, m.Pattern)
		}
	}
	return nil
}

// LRFactor returns the factor of the learning rate of the variable at
// path: the first [Base.LRMultipliers] entry whose pattern it matches,
// else 1.
func (b *Base) LRFactor(path string) float64 {
	for _, m := range b.LRMultipliers {
		if regexp.MustCompile(m.Pattern).MatchString(path) {
			return m.Factor
		}
	}
	return 1
}

// variableLR returns the learning rate of variable v: lr (float32
// scalar) in v's dtype, times its [Base.LRFactor].
func (b *Base) variableLR(v *model.Variable, lr *graph.Node) *graph.Node {
	out := graph.ConvertDType(lr, v.DType())
	if f := b.LRFactor(v.Path()); f != 1 {
		out = graph.MulScalar(out, f)
	}
	return out
}

// base returns b: the way [Trainer] reaches an optimizer's Base.
func (b *Base) base() *Base { return b }

func (b *Base) emaMomentum() float64 {
	if b.EMAMomentum == 0 {
		return 0.99
	}
	return b.EMAMomentum
}

// excludePattern joins ExcludeFromWeightDecay as Keras does ("a|b").
func (b *Base) excludePattern() (*regexp.Regexp, error) {
	if len(b.ExcludeFromWeightDecay) == 0 {
		return nil, nil
	}
	re, err := regexp.Compile(strings.Join(b.ExcludeFromWeightDecay, "|"))
	if err != nil {
		return nil, fmt.Errorf("fit: exclude from weight decay %q: %w", b.ExcludeFromWeightDecay, err)
	}
	return re, nil
}

// Decays reports whether the variable at path is weight-decayed.
func (b *Base) Decays(path string) bool {
	if b.WeightDecay == 0 {
		return false
	}
	re, err := b.excludePattern()
	if err != nil {
		panic(err)
	}
	return re == nil || !re.MatchString(path)
}

// applyWeightDecay decays the variables that [Base.Decays] selects:
// w ← w − lr·wd·w. Optimizers call it before their update.
func (b *Base) applyWeightDecay(vars []*model.Variable, lr *graph.Node) {
	if b.WeightDecay == 0 {
		return
	}
	for _, v := range vars {
		if !b.Decays(v.Path()) {
			continue
		}
		w := v.NodeValue(lr.Graph())
		f := graph.MulScalar(graph.ConvertDType(lr, v.DType()), b.WeightDecay)
		v.SetNodeValue(graph.Sub(w, graph.Mul(w, f)))
	}
}

// updateEMA updates the moving averages after an update, at step (1-based,
// float32), and overwrites the variables with them every
// EMAOverwriteFrequency steps. Optimizers call it after their update.
func (b *Base) updateEMA(store *model.Store, vars []*model.Variable, step *graph.Node) {
	if !b.UseEMA {
		return
	}
	g := step.Graph()
	first := graph.Equal(step, graph.OnesLike(step))
	var overwrite *graph.Node
	if n := b.EMAOverwriteFrequency; n > 0 {
		// step is iterations+1; float32 holds steps exactly up to 2^24.
		overwrite = graph.Equal(graph.Sub(step, graph.MulScalar(graph.Floor(graph.DivScalar(step, float64(n))), float64(n))),
			graph.ZerosLike(step))
	}
	m := b.emaMomentum()
	for _, v := range vars {
		eVar := stateVar(store, EMAScope+v.Path(), v.Shape())
		w := v.NodeValue(g)
		avg := graph.Add(graph.MulScalar(eVar.NodeValue(g), m), graph.MulScalar(w, 1-m))
		avg = graph.Where(first, w, avg)
		eVar.SetNodeValue(avg)
		if overwrite != nil {
			v.SetNodeValue(graph.Where(overwrite, avg, w))
		}
	}
}

// AdamOptimizer is Keras's Adam. Create it with [Adam]. Its [Base] adds
// Keras's weight decay and EMA (Keras's AdamW is Adam with
// WeightDecay 0.004).
type AdamOptimizer struct {
	LR      float64 // learning rate (Keras default 1e-3)
	Beta1   float64 // decay of the first moment (0.9)
	Beta2   float64 // decay of the second moment (0.999)
	Epsilon float64 // added to sqrt(v) (1e-7)
	Base
}

// Adam returns Keras's Adam optimizer with its defaults (β1 0.9, β2 0.999,
// ε 1e-7) and the given learning rate; lr <= 0 means Keras's 1e-3.
//
// The update is Keras's, ε outside the bias correction:
//
//	m ← m + (g-m)(1-β1);  v ← v + (g²-v)(1-β2)
//	w ← w - lr·√(1-β2ᵗ)/(1-β1ᵗ) · m/(√v + ε)
//
// (GoMLX's own Adam adds ε after the bias correction of v, a slightly
// different update.)
func Adam(lr float64) *AdamOptimizer {
	if lr <= 0 {
		lr = 1e-3
	}
	return &AdamOptimizer{LR: lr, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-7}
}

// Name returns "adam".
func (o *AdamOptimizer) Name() string { return "adam" }

// InitialLearningRate returns o.LR.
func (o *AdamOptimizer) InitialLearningRate() float64 { return o.LR }

// Update implements [Optimizer].
func (o *AdamOptimizer) Update(store *model.Store, vars []*model.Variable, grads []*graph.Node, lr, step *graph.Node) {
	g := lr.Graph()
	b1 := graph.Scalar(g, dtypes.Float32, o.Beta1)
	b2 := graph.Scalar(g, dtypes.Float32, o.Beta2)
	one := graph.Scalar(g, dtypes.Float32, 1)
	alpha := graph.Div(graph.Mul(lr, graph.Sqrt(graph.Sub(one, graph.Pow(b2, step)))),
		graph.Sub(one, graph.Pow(b1, step)))
	o.applyWeightDecay(vars, lr)
	for i, v := range vars {
		grad := grads[i]
		mVar := stateVar(store, StateScope+"/adam/m"+v.Path(), v.Shape())
		vVar := stateVar(store, StateScope+"/adam/v"+v.Path(), v.Shape())
		m := mVar.NodeValue(g)
		vv := vVar.NodeValue(g)
		m = graph.Add(m, graph.MulScalar(graph.Sub(grad, m), 1-o.Beta1))
		vv = graph.Add(vv, graph.MulScalar(graph.Sub(graph.Square(grad), vv), 1-o.Beta2))
		mVar.SetNodeValue(m)
		vVar.SetNodeValue(vv)
		stepSize := o.variableLR(v, alpha)
		delta := graph.Mul(stepSize, graph.Div(m, graph.AddScalar(graph.Sqrt(vv), o.Epsilon)))
		v.SetNodeValue(graph.Sub(v.NodeValue(g), delta))
	}
	o.updateEMA(store, vars, step)
}

// SGDOptimizer is Keras's SGD with optional (Nesterov) momentum. Create it
// with [SGD]. Its [Base] adds Keras's decoupled weight decay and EMA.
type SGDOptimizer struct {
	LR       float64 // learning rate (Keras default 0.01)
	Momentum float64 // 0 for plain SGD
	Nesterov bool    // Keras's nesterov
	Base
}

// SGD returns Keras's SGD optimizer; lr <= 0 means Keras's 0.01. With
// momentum μ > 0 it keeps a velocity per variable, as Keras does:
//
//	u ← μ·u - lr·g;  w ← w + u            (Nesterov: w ← w + μ·u - lr·g)
//
// Keras's Nesterov form, SGD(momentum=μ, nesterov=True), takes the same
// steps as PyTorch's SGD(momentum=μ, nesterov=True) (whose buffer is
// b = −u/lr for a constant lr). With Base.WeightDecay the weights are
// first decayed, w ← w − lr·wd·w (Keras 3's decoupled decay).
//
// Unlike GoMLX's StochasticGradientDescent it does not decay the learning
// rate with the step.
func SGD(lr, momentum float64) *SGDOptimizer {
	if lr <= 0 {
		lr = 0.01
	}
	return &SGDOptimizer{LR: lr, Momentum: momentum}
}

// Name returns "sgd".
func (o *SGDOptimizer) Name() string { return "sgd" }

// InitialLearningRate returns o.LR.
func (o *SGDOptimizer) InitialLearningRate() float64 { return o.LR }

// Update implements [Optimizer].
func (o *SGDOptimizer) Update(store *model.Store, vars []*model.Variable, grads []*graph.Node, lr, step *graph.Node) {
	g := lr.Graph()
	o.applyWeightDecay(vars, lr)
	defer o.updateEMA(store, vars, step)
	for i, v := range vars {
		lrg := graph.Mul(o.variableLR(v, lr), grads[i])
		w := v.NodeValue(g)
		if o.Momentum == 0 {
			v.SetNodeValue(graph.Sub(w, lrg))
			continue
		}
		uVar := stateVar(store, StateScope+"/sgd/momentum"+v.Path(), v.Shape())
		u := graph.Sub(graph.MulScalar(uVar.NodeValue(g), o.Momentum), lrg)
		uVar.SetNodeValue(u)
		if o.Nesterov {
			v.SetNodeValue(graph.Sub(graph.Add(w, graph.MulScalar(u, o.Momentum)), lrg))
		} else {
			v.SetNodeValue(graph.Add(w, u))
		}
	}
}

// stateVar returns the non-trainable, zero-initialized variable at path.
func stateVar(store *model.Store, path string, shape shapes.Shape) *model.Variable {
	return store.VariableWithShape(path, shape, zeroInit).SetTrainable(false)
}

func zeroInit(g *graph.Graph, shape shapes.Shape) *graph.Node { return graph.Zeros(g, shape) }

// isStatePath reports whether a store variable is training state rather
// than a model weight: the optimizer's variables and the RNG state.
func isStatePath(path string) bool {
	return len(path) >= len(StateScope)+1 && path[:len(StateScope)+1] == StateScope+"/" ||
		path == "/"+model.RNGStateVariableName
}

func checkOptimizer(o Optimizer) error {
	if o == nil {
		return nil
	}
	if lr := o.InitialLearningRate(); !(lr > 0) {
		return fmt.Errorf("fit: %s learning rate %v must be positive", o.Name(), lr)
	}
	if b := baseOf(o); b != nil {
		if err := b.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// baseOf returns the optimizer's [Base], or nil for an optimizer without one.
func baseOf(o Optimizer) *Base {
	if b, ok := o.(interface{ base() *Base }); ok {
		return b.base()
	}
	return nil
}
