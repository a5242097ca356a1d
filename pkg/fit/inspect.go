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
		scope.SetTraining(x.Graph(), training)
		var outs []*graph.Node
		t.writeBackOnly(x.Graph(), func(*model.Variable) bool { return false }, func() { outs = fn(scope, x) })
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

// UpdateStatistics runs d through the model in training mode, in order and
// in batches of batchSize (0 means 32), and keeps only what those passes
// change besides the weights: the non-trainable variables that a training
// step updates, such as BatchNorm's moving averages. The weights, the
// optimizer's state, the step counter, the learning rate and the random
// state stay as they were, so it is a training epoch at learning rate
// zero (augmentation layers are active, as in training). Each batch moves the averages as a training step does (Keras:
// moving = moving·momentum + batch·(1−momentum)), so after n batches the
// values before keep momentum^n of their weight: 0.99^665 = 0.1% after
// one pass over the course's 42,500 training images in batches of 64.
//
// It answers "do the moving averages belong to these weights?": evaluate
// before and after (PyTorch's torch.optim.swa_utils.update_bn does the
// same with a cumulative average). Keras has no such function. The model
// must have been built (by Fit, Evaluate or Predict).
func (t *Trainer) UpdateStatistics(d Data, batchSize int) error {
	if !t.built {
		return errors.New("fit: UpdateStatistics needs a built model: call Fit, Evaluate or Predict first")
	}
	if err := t.checkData(d, "statistics"); err != nil {
		return err
	}
	batchSize, err := batchSizeOrDefault(batchSize)
	if err != nil {
		return err
	}
	statistic := func(v *model.Variable) bool { return !v.Trainable && !isStatePath(v.Path()) }
	exec, err := model.NewExec(t.backend, t.store, func(scope *model.Scope, x *graph.Node) *graph.Node {
		scope.SetTraining(x.Graph(), true)
		var logits *graph.Node
		t.writeBackOnly(x.Graph(), statistic, func() { logits, _ = t.applyModel(scope, x) })
		return graph.ReduceAllSum(logits)
	})
	if err != nil {
		return fmt.Errorf("fit: updating statistics: %w", err)
	}
	defer exec.Finalize()
	for _, b := range Batches(d, batchSize, false, 0, 0) {
		x, y := t.batchTensors(b)
		_ = y.FinalizeAll()
		out, err := call(exec, x)
		_ = x.FinalizeAll()
		if err != nil {
			return fmt.Errorf("fit: updating statistics: %w", err)
		}
		finalize(out)
	}
	return nil
}

// writeBackOnly runs build, which builds part of graph g, then sets every
// variable that keep rejects back to its value before build, so that the
// graph writes back only the variables keep accepts.
func (t *Trainer) writeBackOnly(g *graph.Graph, keep func(*model.Variable) bool, build func()) {
	before := map[*model.Variable]*graph.Node{}
	for v := range t.store.IterVariables() {
		before[v] = v.NodeValue(g)
	}
	build()
	for v, node := range before {
		if !keep(v) {
			v.SetNodeValue(node)
		}
	}
}
