package fit

import (
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// Model is what [Trainer] trains. *nn.Model satisfies it.
type Model interface {
	// Apply returns the logits (pre-softmax) for x [B,H,W,C] and the scalar
	// sum of weight-regularization penalties (nil when there are none).
	// Layers that behave differently in training (dropout, batch
	// normalization) read the training flag from scope.IsTraining(g).
	Apply(scope *model.Scope, x *graph.Node) (logits, penalty *graph.Node)
}

// ModelFunc adapts a plain function to the [Model] interface.
type ModelFunc func(scope *model.Scope, x *graph.Node) (logits, penalty *graph.Node)

// Apply calls f.
func (f ModelFunc) Apply(scope *model.Scope, x *graph.Node) (logits, penalty *graph.Node) {
	return f(scope, x)
}
