package layers

import (
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/support/exceptions"
)

// Dropout is Keras's Dropout: while training (scope.IsTraining), each value
// of x is zeroed with probability rate and the kept ones are scaled by
// 1/(1-rate) ("inverted dropout"), so no rescaling is needed at inference.
// Outside training, or with rate 0, it returns x unchanged. rate must be in
// [0, 1). The random numbers come from the store's random state.
func Dropout(scope *model.Scope, x *graph.Node, rate float64) *graph.Node {
	if rate < 0 || rate >= 1 {
		exceptions.Panicf("layers.Dropout: rate must be in [0, 1), got %g", rate)
	}
	g := x.Graph()
	if rate == 0 || !scope.IsTraining(g) {
		return x
	}
	dtype := x.DType()
	rnd := scope.RandomUniform(g, shapes.Make(dtype, x.Shape().Dimensions...))
	keep := graph.GreaterOrEqual(rnd, graph.Scalar(g, dtype, rate))
	mask := graph.MulScalar(graph.ConvertDType(keep, dtype), 1/(1-rate))
	return graph.Mul(x, graph.StopGradient(mask))
}
