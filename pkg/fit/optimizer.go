package fit

import (
	"fmt"

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

// AdamOptimizer is Keras's Adam. Create it with [Adam].
type AdamOptimizer struct {
	LR      float64 // learning rate (Keras default 1e-3)
	Beta1   float64 // decay of the first moment (0.9)
	Beta2   float64 // decay of the second moment (0.999)
	Epsilon float64 // added to sqrt(v) (1e-7)
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
	for i, v := range vars {
		grad := grads[i]
		dt := v.DType()
		mVar := stateVar(store, StateScope+"/adam/m"+v.Path(), v.Shape())
		vVar := stateVar(store, StateScope+"/adam/v"+v.Path(), v.Shape())
		m := mVar.NodeValue(g)
		vv := vVar.NodeValue(g)
		m = graph.Add(m, graph.MulScalar(graph.Sub(grad, m), 1-o.Beta1))
		vv = graph.Add(vv, graph.MulScalar(graph.Sub(graph.Square(grad), vv), 1-o.Beta2))
		mVar.SetNodeValue(m)
		vVar.SetNodeValue(vv)
		stepSize := graph.ConvertDType(alpha, dt)
		delta := graph.Mul(stepSize, graph.Div(m, graph.AddScalar(graph.Sqrt(vv), o.Epsilon)))
		v.SetNodeValue(graph.Sub(v.NodeValue(g), delta))
	}
}

// SGDOptimizer is Keras's SGD with optional (Nesterov) momentum. Create it
// with [SGD].
type SGDOptimizer struct {
	LR       float64 // learning rate (Keras default 0.01)
	Momentum float64 // 0 for plain SGD
	Nesterov bool
}

// SGD returns Keras's SGD optimizer; lr <= 0 means Keras's 0.01. With
// momentum μ > 0 it keeps a velocity per variable, as Keras does:
//
//	u ← μ·u - lr·g;  w ← w + u            (Nesterov: w ← w + μ·u - lr·g)
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
	for i, v := range vars {
		lrg := graph.Mul(graph.ConvertDType(lr, v.DType()), grads[i])
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
	return nil
}
