package fit

import (
	"errors"
	"fmt"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// InspectFn builds the values to look at for a batch x under the trainer's
// scope: e.g. the output of every layer of an nn.Model (its Outputs
// method).
type InspectFn func(scope *model.Scope, x *graph.Node) []*graph.Node

// Inspect runs fn on batch b with the trainer's current weights, in
// training mode (batch statistics in BatchNorm, Dropout on) or inference
// mode, and returns its values. It never changes the model: variables that
// a training-mode graph updates (BatchNorm's moving averages, the random
// state) are not written back. The model must have been built (by Fit,
// Evaluate or Predict).
func (t *Trainer) Inspect(b Batch, training bool, fn InspectFn) (values []*tensors.Tensor, err error) {
	if !t.built {
		return nil, errors.New("fit: Inspect needs a built model: call Fit, Evaluate or Predict first")
	}
	exec, err := model.NewExec(t.backend, t.store, func(scope *model.Scope, x *graph.Node) []*graph.Node {
		g := x.Graph()
		scope.SetTraining(g, training)
		before := map[*model.Variable]*graph.Node{}
		for v := range t.store.IterVariables() {
			before[v] = v.NodeValue(g)
		}
		outs := fn(scope, x)
		for v, node := range before {
			v.SetNodeValue(node) // nothing changed: nothing is written back
		}
		return outs
	})
	if err != nil {
		return nil, fmt.Errorf("fit: inspecting: %w", err)
	}
	defer exec.Finalize()
	x, y := t.batchTensors(b)
	_ = y.FinalizeAll()
	defer func() { _ = x.FinalizeAll() }()
	values, err = call(exec, x)
	if err != nil {
		return nil, fmt.Errorf("fit: inspecting: %w", err)
	}
	return values, nil
}
