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

// DataInitializer is a [Model] with weights computed from the training
// data rather than drawn at random (nn.WhiteningFromData's kernel;
// *nn.Model satisfies it). Before the first training step of a model that
// has no weights yet, [Trainer.Fit] gives InitFromData the first
// DataSamples() training samples (after the validation split, unshuffled
// and unaugmented, scaled as the model sees them); the weights so computed
// are then stored with the others, so that Evaluate, Predict and a resumed
// Fit (whose weights come from a checkpoint) need no data.
type DataInitializer interface {
	Model
	// DataSamples returns how many samples the model still needs; 0 when
	// none.
	DataSamples() int
	// InitFromData computes the weights from n samples x (row-major).
	InitFromData(x []float32, n int) error
}
