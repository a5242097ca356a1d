package fit

import (
	"fmt"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
)

// Epsilon is Keras's backend.epsilon(): probabilities are clipped to
// [Epsilon, 1-Epsilon] before the logarithm in the cross-entropies computed
// from probabilities.
const Epsilon = 1e-7

// LossFn computes the per-example loss [B] from sparse labels [B] (any
// integer dtype) and the model's logits [B,C]. [Trainer] averages it over
// the batch.
type LossFn func(labels, logits *graph.Node) *graph.Node

// flatLabels reshapes labels [B,1] to [B].
func flatLabels(labels *graph.Node) *graph.Node {
	if labels.Rank() == 2 && labels.Shape().Dim(1) == 1 {
		return graph.Reshape(labels, labels.Shape().Dim(0))
	}
	return labels
}

// SparseCategoricalCrossentropy returns the per-example cross-entropy [B]
// of sparse labels [B] (or [B,1]) and logits [B,C]:
// logsumexp(logits) - logits[label], computed stably with a log-softmax.
// It is Keras's SparseCategoricalCrossentropy(from_logits=True) without
// the batch reduction.
func SparseCategoricalCrossentropy(labels, logits *graph.Node) *graph.Node {
	oneHot := graph.OneHot(flatLabels(labels), logits.Shape().Dim(-1), logits.DType())
	return CategoricalCrossentropy(oneHot, logits)
}

// SmoothedSparseCategoricalCrossentropy returns the cross-entropy of
// sparse labels with label smoothing ε (from logits, per example): the
// one-hot target of label y over K classes is replaced by
//
//	target = onehot(y)·(1−ε) + ε/K
//
// and the loss is −Σ target·log_softmax(logits). This is Keras's
// CategoricalCrossentropy(from_logits=True, label_smoothing=ε) applied to
// one-hot labels, and PyTorch's CrossEntropyLoss(label_smoothing=ε) with
// class indices (airbench trains with ε = 0.2). Keras's
// SparseCategoricalCrossentropy has no label_smoothing argument: Keras
// users one-hot their labels to get it; cnnlab smooths the sparse labels
// directly, with the same result. ε must be in [0, 1]; ε = 0 is
// [SparseCategoricalCrossentropy]. [Trainer.Evaluate] reports the same
// smoothed loss, as Keras's evaluate does.
func SmoothedSparseCategoricalCrossentropy(epsilon float64) (LossFn, error) {
	if !(epsilon >= 0 && epsilon <= 1) {
		return nil, fmt.Errorf("fit: label smoothing %v must be in [0, 1]", epsilon)
	}
	return func(labels, logits *graph.Node) *graph.Node {
		k := logits.Shape().Dim(-1)
		oneHot := graph.OneHot(flatLabels(labels), k, logits.DType())
		targets := graph.AddScalar(graph.MulScalar(oneHot, 1-epsilon), epsilon/float64(k))
		return CategoricalCrossentropy(targets, logits)
	}, nil
}

// CategoricalCrossentropy returns the per-example cross-entropy [B] of
// target distributions [B,C] (e.g. one-hot) and logits [B,C]:
// -sum(target * log_softmax(logits)). It is Keras's
// CategoricalCrossentropy(from_logits=True) without the batch reduction.
func CategoricalCrossentropy(targets, logits *graph.Node) *graph.Node {
	return graph.Neg(graph.ReduceSum(graph.Mul(targets, graph.LogSoftmax(logits, -1)), -1))
}

// SparseCategoricalCrossentropyFromProbs is [SparseCategoricalCrossentropy]
// for probabilities [B,C] (a softmax output) instead of logits: Keras's
// from_logits=False.
func SparseCategoricalCrossentropyFromProbs(labels, probs *graph.Node) *graph.Node {
	oneHot := graph.OneHot(flatLabels(labels), probs.Shape().Dim(-1), probs.DType())
	return CategoricalCrossentropyFromProbs(oneHot, probs)
}

// CategoricalCrossentropyFromProbs is [CategoricalCrossentropy] for
// probabilities [B,C]. As Keras 3 does, it first rescales each row to sum
// to 1, then clips to [Epsilon, 1-Epsilon] so that a zero probability gives
// a large finite loss instead of +Inf.
func CategoricalCrossentropyFromProbs(targets, probs *graph.Node) *graph.Node {
	p := graph.Div(probs, graph.ReduceAndKeep(probs, graph.ReduceSum, -1))
	p = graph.ClipScalar(p, Epsilon, 1-Epsilon)
	return graph.Neg(graph.ReduceSum(graph.Mul(targets, graph.Log(p)), -1))
}

// Correct returns 1 where argmax(logits) equals the sparse label and 0
// elsewhere, as float32 [B]: the per-example value of Keras's accuracy
// metric (ties go to the first largest logit, as in argmax).
func Correct(labels, logits *graph.Node) *graph.Node {
	pred := graph.ArgMax(logits, -1, dtypes.Int32)
	l := graph.ConvertDType(flatLabels(labels), dtypes.Int32)
	return graph.ConvertDType(graph.Equal(pred, l), dtypes.Float32)
}
