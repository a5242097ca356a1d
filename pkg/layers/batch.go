package layers

import (
	"github.com/gomlx/gomlx/core/graph"
)

// inferenceExamplesPerPart is the smallest sub-batch InferenceSplit makes.
const inferenceExamplesPerPart = 64

// InferenceSplit returns the number of sub-batches in which [SplitBatch]
// should split an inference graph over x: on the fast path
// ([FastPathActive]) one per 64 examples of x's batch, at most 4, and
// otherwise 1 (XLA runs every op on all cores by itself).
//
// On GoMLX's Go backend, independent subgraphs run in parallel while some
// ops (Gather) run on one core: a batch of 256 split in 4 chains of 64 ran
// inference about 25% faster on 2 cores than one chain whose layers split
// themselves (docs/PERFORMANCE.md).
func InferenceSplit(x *graph.Node) int {
	if !FastPathActive(x.Graph()) || x.Rank() == 0 {
		return 1
	}
	return max(1, min(4, x.Shape().Dimensions[0]/inferenceExamplesPerPart))
}

// SplitBatch returns fn(x) computed over parts slices of the batch (axis 0
// of x), each through its own call of fn, concatenated along axis 0.
//
// fn must treat the examples of a batch independently: true of inference
// graphs (BatchNorm uses its moving averages, Dropout is off), not of
// training graphs. When fn creates variables through a model.Scope, each call
// should use scope.ResetVisited(), so that the calls after the first reuse
// the variables instead of panicking on a scope visited twice. parts is capped
// by the batch size; 1 (or less) returns fn(x).
func SplitBatch(x *graph.Node, parts int, fn func(x *graph.Node) *graph.Node) *graph.Node {
	batch := x.Shape().Dimensions[0]
	parts = max(1, min(parts, batch))
	if parts == 1 {
		return fn(x)
	}
	outs := make([]*graph.Node, parts)
	for p := range parts {
		outs[p] = fn(sliceRows(x, p*batch/parts, (p+1)*batch/parts))
	}
	return concatRows(outs)
}
