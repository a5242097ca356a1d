package fit

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

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
	return runBatches(t, d, batchSize, "updating statistics", false, func(scope *model.Scope, x *graph.Node) *graph.Node {
		scope.SetTraining(x.Graph(), true)
		var logits *graph.Node
		t.writeBackOnly(x.Graph(), statistic, func() { logits, _ = t.applyModel(scope, x) })
		return graph.ReduceAllSum(logits)
	}, nil)
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

// MovingAverage is one BatchNorm layer's moving averages, as
// [Trainer.MovingAverages] reads them.
type MovingAverage struct {
	Layer          string    // the layer's scope, e.g. "/batch_normalization_1"
	Mean, Variance []float64 // moving_mean and moving_variance, one per channel
}

// MovingAverages returns a copy of the moving averages of every BatchNorm
// layer (every scope holding "moving_mean" and "moving_variance"), in the
// order the model created them; none for a model without BatchNorm. Read
// them before and after [Trainer.UpdateStatistics] to see how far each
// layer's averages trailed its weights ([MovingAverage.MeanShift]).
func (t *Trainer) MovingAverages() ([]MovingAverage, error) {
	if !t.built {
		return nil, errors.New("fit: MovingAverages needs a built model: call Fit, Evaluate or Predict first")
	}
	values := map[string][]float64{}
	var layers []string
	for v := range t.store.IterVariables() {
		p := v.Path()
		if !strings.HasSuffix(p, "/moving_mean") && !strings.HasSuffix(p, "/moving_variance") {
			continue
		}
		value, err := v.Value()
		if err != nil {
			return nil, fmt.Errorf("fit: reading %s: %w", p, err)
		}
		f, ok := floats(value.Value())
		if !ok {
			return nil, fmt.Errorf("fit: reading %s: want a float vector, got %s", p, value.Shape())
		}
		values[p] = f
		if layer, ok := strings.CutSuffix(p, "/moving_mean"); ok {
			layers = append(layers, layer)
		}
	}
	var out []MovingAverage
	for _, layer := range layers {
		mean, variance := values[layer+"/moving_mean"], values[layer+"/moving_variance"]
		if variance == nil || len(variance) != len(mean) {
			return nil, fmt.Errorf("fit: %s has a moving_mean without a moving_variance of the same size", layer)
		}
		out = append(out, MovingAverage{Layer: layer, Mean: mean, Variance: variance})
	}
	return out, nil
}

// MeanShift returns how far the moving mean of old lies from m's, in m's
// standard deviations, averaged over the channels: the mean of
// |old.Mean[c] - m.Mean[c]| / sqrt(m.Variance[c]). With m the averages
// recomputed at the current weights and old those training left, it says
// how far training's moving mean trailed (PyTorch's twin in
// bench/pytorch_bench.py prints the same figure, except that it divides by
// sqrt(variance + epsilon), epsilon 1e-3). It is NaN if the two
// differ in size or m has no channels.
func (m MovingAverage) MeanShift(old MovingAverage) float64 {
	if len(m.Mean) == 0 || len(old.Mean) != len(m.Mean) || len(m.Variance) != len(m.Mean) {
		return math.NaN()
	}
	var sum float64
	for c, mean := range m.Mean {
		sum += math.Abs(old.Mean[c]-mean) / math.Sqrt(m.Variance[c])
	}
	return sum / float64(len(m.Mean))
}

// floats converts a float vector's value to []float64.
func floats(v any) ([]float64, bool) {
	switch v := v.(type) {
	case []float32:
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = float64(x)
		}
		return out, true
	case []float64:
		return slices.Clone(v), true
	}
	return nil, false
}
