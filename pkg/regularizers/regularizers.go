// Package regularizers holds the Keras weight regularizers l1, l2 and
// l1_l2, which add a penalty on a layer's weights to the training loss.
//
// Keras semantics: L1(f) adds f·Σ|w|, L2(f) adds f·Σw² (no ½), L1L2(a, b)
// adds both. Keras's defaults when a regularizer is named by a string are
// kept by [Get]: "l1" and "l2" use 0.01, "l1_l2" uses 0 and 0 (Keras's
// L1L2() defaults).
//
// The penalty is a graph node ([Regularizer.Penalty]); the model sums the
// penalties of its layers and the trainer adds that sum to the loss and
// reports it separately. Unlike GoMLX's own regularizer package, nothing is
// registered in the graph and L1 does not clip small weights to zero after
// each step (Keras does not either). GoMLX's penalties themselves are
// Keras's; its L1's clipping is the Keras number it misses
// (TestGoMLXRegularizers).
package regularizers

import (
	"fmt"
	"math"
	"strings"

	"github.com/gomlx/gomlx/core/graph"
)

// Regularizer is a Keras weight regularizer: factor L1 times Σ|w| plus
// factor L2 times Σw². The zero value adds nothing (Keras's None).
type Regularizer struct {
	L1 float64 // factor of Σ|w|
	L2 float64 // factor of Σw²
}

// L1 returns Keras's regularizers.L1(l1): l1·Σ|w|.
func L1(l1 float64) Regularizer { return Regularizer{L1: l1} }

// L2 returns Keras's regularizers.L2(l2): l2·Σw².
func L2(l2 float64) Regularizer { return Regularizer{L2: l2} }

// L1L2 returns Keras's regularizers.L1L2(l1, l2): l1·Σ|w| + l2·Σw².
func L1L2(l1, l2 float64) Regularizer { return Regularizer{L1: l1, L2: l2} }

// Get returns the regularizer with the given Keras name ("l1", "l2",
// "l1_l2", or the class names "L1", "L2", "L1L2") and Keras's default
// factors; "" and "none" give the zero Regularizer.
func Get(name string) (Regularizer, error) {
	switch strings.ToLower(strings.ReplaceAll(strings.TrimSpace(name), "_", "")) {
	case "", "none":
		return Regularizer{}, nil
	case "l1":
		return L1(0.01), nil
	case "l2":
		return L2(0.01), nil
	case "l1l2":
		return L1L2(0, 0), nil
	}
	return Regularizer{}, fmt.Errorf("unknown regularizer %q (known: l1, l2, l1_l2)", name)
}

// IsZero reports whether r adds no penalty.
func (r Regularizer) IsZero() bool { return r.L1 == 0 && r.L2 == 0 }

// Validate reports a negative or non-finite factor (Keras rejects them too).
func (r Regularizer) Validate() error {
	for _, f := range []struct {
		name  string
		value float64
	}{{"l1", r.L1}, {"l2", r.L2}} {
		if math.IsNaN(f.value) || math.IsInf(f.value, 0) || f.value < 0 {
			return fmt.Errorf("regularizer %s: factor %s must be a finite number >= 0, got %g", r, f.name, f.value)
		}
	}
	return nil
}

// String returns the Keras spelling, e.g. "l2(0.0001)", "l1_l2(l1=0.01,
// l2=0.001)" or "none".
func (r Regularizer) String() string {
	switch {
	case r.IsZero():
		return "none"
	case r.L2 == 0:
		return fmt.Sprintf("l1(%g)", r.L1)
	case r.L1 == 0:
		return fmt.Sprintf("l2(%g)", r.L2)
	}
	return fmt.Sprintf("l1_l2(l1=%g, l2=%g)", r.L1, r.L2)
}

// Penalty returns the scalar penalty of the weights w (in w's dtype):
// L1·Σ|w| + L2·Σw². For the zero Regularizer it returns a zero scalar.
// Like all GoMLX graph functions it panics on a nil node.
func (r Regularizer) Penalty(w *graph.Node) *graph.Node {
	g := w.Graph()
	p := graph.ScalarZero(g, w.DType())
	if r.L1 != 0 {
		p = graph.Add(p, graph.MulScalar(graph.ReduceAllSum(graph.Abs(w)), r.L1))
	}
	if r.L2 != 0 {
		p = graph.Add(p, graph.MulScalar(graph.ReduceAllSum(graph.Square(w)), r.L2))
	}
	return p
}

// Value computes the penalty of concrete weights in Go, in float64 (for
// reports and tests): L1·Σ|w| + L2·Σw².
func (r Regularizer) Value(w []float32) float64 {
	var s1, s2 float64
	for _, x := range w {
		s1 += math.Abs(float64(x))
		s2 += float64(x) * float64(x)
	}
	return r.L1*s1 + r.L2*s2
}
