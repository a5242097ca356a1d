package layers

import (
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/gomlx/gomlx/support/exceptions"
)

// BatchNormConfig configures a batch normalization created with
// [BatchNorm]; call [BatchNormConfig.Done] to build it.
type BatchNormConfig struct {
	scope         *model.Scope
	x             *graph.Node
	momentum      float64
	epsilon       float64
	center, scale bool
}

// BatchNorm starts Keras's BatchNormalization of x over its last axis (the
// channels of NHWC images, the features of [batch, features]).
//
// Variables, in scope: "gamma" [C] (ones) and "beta" [C] (zeros), trainable
// (omitted with Scale(false) / Center(false)); "moving_mean" [C] (zeros) and
// "moving_variance" [C] (ones), not trainable.
//
// While training (scope.IsTraining), x is normalized with the batch mean and
// biased variance over all axes but the last, gradients flow through those
// statistics, and the moving averages are updated in the same step:
// moving = moving*momentum + batch*(1-momentum) (Keras uses the biased batch
// variance here too). Otherwise the moving averages are used. Training
// uses the backend's fused op where it has one
// ([Options.UsesFusedBatchNorm]) for float32 x, the same function in fewer
// passes.
// Output: gamma*(x-mean)/sqrt(var+epsilon) + beta.
func BatchNorm(scope *model.Scope, x *graph.Node) *BatchNormConfig {
	return &BatchNormConfig{scope: scope, x: x, momentum: 0.99, epsilon: 1e-3, center: true, scale: true}
}

// Momentum sets the momentum of the moving averages. Keras's default, 0.99.
func (c *BatchNormConfig) Momentum(m float64) *BatchNormConfig {
	c.momentum = m
	return c
}

// Epsilon sets the value added to the variance. Keras's default, 1e-3.
func (c *BatchNormConfig) Epsilon(e float64) *BatchNormConfig {
	c.epsilon = e
	return c
}

// Center sets whether the learned offset "beta" is added. Default true.
func (c *BatchNormConfig) Center(b bool) *BatchNormConfig {
	c.center = b
	return c
}

// Scale sets whether the learned scale "gamma" multiplies. Default true.
func (c *BatchNormConfig) Scale(b bool) *BatchNormConfig {
	c.scale = b
	return c
}

// Done creates the variables and returns the normalized x (same shape).
func (c *BatchNormConfig) Done() *graph.Node {
	x := c.x
	if x.Rank() < 2 {
		exceptions.Panicf("layers.BatchNorm: input must have a batch axis and a feature axis, got shape %s", x.Shape())
	}
	if !x.DType().IsFloat() {
		exceptions.Panicf("layers.BatchNorm: input must be float, got %s", x.DType())
	}
	if c.momentum < 0 || c.momentum > 1 {
		exceptions.Panicf("layers.BatchNorm: momentum must be in [0, 1], got %g", c.momentum)
	}
	if c.epsilon <= 0 {
		exceptions.Panicf("layers.BatchNorm: epsilon must be positive, got %g", c.epsilon)
	}
	g := x.Graph()
	dtype := x.DType()
	dims := x.Shape().Dimensions
	features := dims[len(dims)-1]
	varShape := shapes.Make(dtype, features)
	var gamma, beta *graph.Node
	if c.scale {
		gamma = c.scope.WithInitializer(initializer.One).VariableWithShape("gamma", varShape).
			SetTrainable(true).NodeValue(g)
	}
	if c.center {
		beta = c.scope.WithInitializer(initializer.Zero).VariableWithShape("beta", varShape).
			SetTrainable(true).NodeValue(g)
	}
	movingMeanVar := c.scope.WithInitializer(initializer.Zero).VariableWithShape("moving_mean", varShape).
		SetTrainable(false)
	movingVarVar := c.scope.WithInitializer(initializer.One).VariableWithShape("moving_variance", varShape).
		SetTrainable(false)

	// All axes but the last are reduced: work on [N, C].
	flat := graph.Reshape(x, x.Shape().Size()/features, features)
	if !c.scope.IsTraining(g) {
		// Inference: one [C] multiplier and one [C] offset.
		mult := graph.Reciprocal(graph.Sqrt(graph.AddScalar(movingVarVar.NodeValue(g), c.epsilon)))
		if gamma != nil {
			mult = graph.Mul(mult, gamma)
		}
		offset := graph.Neg(graph.Mul(movingMeanVar.NodeValue(g), mult))
		if beta != nil {
			offset = graph.Add(offset, beta)
		}
		out := graph.Add(graph.Mul(flat, graph.Reshape(mult, 1, features)), graph.Reshape(offset, 1, features))
		return graph.Reshape(out, dims...)
	}

	m := c.momentum
	update := func(mean, variance *graph.Node) {
		movingMeanVar.SetNodeValue(graph.Add(
			graph.MulScalar(movingMeanVar.NodeValue(g), m), graph.MulScalar(graph.StopGradient(mean), 1-m)))
		movingVarVar.SetNodeValue(graph.Add(
			graph.MulScalar(movingVarVar.NodeValue(g), m), graph.MulScalar(graph.StopGradient(variance), 1-m)))
	}
	// The fused op takes epsilon as a float32: exact for float32 models
	// (Keras adds epsilon in the layer's dtype), not for float64 ones.
	if dtype == dtypes.Float32 && GraphOptions(g).UsesFusedBatchNorm(g.Backend()) {
		scale, offset := gamma, beta
		if scale == nil {
			scale = graph.Ones(g, varShape)
		}
		if offset == nil {
			offset = graph.Zeros(g, varShape)
		}
		out, mean, variance := graph.InternalBatchNormForTraining(flat, scale, offset, float32(c.epsilon), -1)
		update(mean, variance)
		return graph.Reshape(out, dims...)
	}
	mean := graph.ReduceMean(flat, 0)
	centered := graph.Sub(flat, graph.Reshape(mean, 1, features))
	variance := graph.ReduceMean(graph.Square(centered), 0)
	update(mean, variance)
	mult := graph.Reciprocal(graph.Sqrt(graph.AddScalar(variance, c.epsilon)))
	if gamma != nil {
		mult = graph.Mul(mult, gamma)
	}
	out := graph.Mul(centered, graph.Reshape(mult, 1, features))
	if beta != nil {
		out = graph.Add(out, graph.Reshape(beta, 1, features))
	}
	return graph.Reshape(out, dims...)
}
