package layers

import (
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/gomlx/gomlx/ml/nn"
	"github.com/gomlx/gomlx/support/exceptions"
)

// DenseConfig configures a fully connected layer created with [Dense]; call
// [DenseConfig.Done] to build it.
type DenseConfig struct {
	scope      *model.Scope
	x          *graph.Node
	units      int
	useBias    bool
	act        string
	kernelInit model.VariableInitializer
	biasInit   model.VariableInitializer
}

// Dense starts Keras's Dense layer: x @ kernel + bias, contracting the last
// axis of x (any rank ≥ 1) with "kernel" [in, units]; "bias" is [units].
// Both variables are created in scope. Defaults as in Keras: bias on,
// Glorot-uniform kernel, zero bias, no activation (see Activation).
func Dense(scope *model.Scope, x *graph.Node, units int) *DenseConfig {
	return &DenseConfig{scope: scope, x: x, units: units, useBias: true}
}

// UseBias sets whether a "bias" variable is added. The default is true.
func (c *DenseConfig) UseBias(b bool) *DenseConfig {
	c.useBias = b
	return c
}

// Activation sets the activation applied to the output, by Keras name (see
// [Activations]; "" or "linear" for none, the default). In inference
// graphs, relu, sigmoid, tanh, gelu and silu are fused into the matmul.
func (c *DenseConfig) Activation(name string) *DenseConfig {
	c.act = name
	return c
}

// KernelInitializer sets the initializer of the "kernel" variable. The
// default is Glorot (Xavier) uniform (fan-in = in, fan-out = units).
func (c *DenseConfig) KernelInitializer(i model.VariableInitializer) *DenseConfig {
	c.kernelInit = i
	return c
}

// BiasInitializer sets the initializer of the "bias" variable. The default is
// zeros.
func (c *DenseConfig) BiasInitializer(i model.VariableInitializer) *DenseConfig {
	c.biasInit = i
	return c
}

// Done creates the variables and returns x @ kernel + bias, shaped
// [x's leading axes..., units].
func (c *DenseConfig) Done() *graph.Node {
	x := c.x
	if x.Rank() < 1 {
		exceptions.Panicf("layers.Dense: input must have rank ≥ 1, got a scalar")
	}
	if c.units <= 0 {
		exceptions.Panicf("layers.Dense: units must be positive, got %d", c.units)
	}
	act := lookupActivation("layers.Dense", c.act)
	g := x.Graph()
	dtype := x.DType()
	in := x.Shape().Dimensions[x.Rank()-1]
	kernelInit := c.kernelInit
	if kernelInit == nil {
		kernelInit = initializer.GlorotUniformFn(c.scope)
	}
	kernel := c.scope.WithInitializer(kernelInit).
		VariableWithShape("kernel", shapes.Make(dtype, in, c.units)).NodeValue(g)
	var bias *graph.Node
	if c.useBias {
		biasInit := c.biasInit
		if biasInit == nil {
			biasInit = initializer.Zero
		}
		bias = c.scope.WithInitializer(biasInit).
			VariableWithShape("bias", shapes.Make(dtype, c.units)).NodeValue(g)
	}
	if c.scope.IsTraining(g) || act.fused == activation.TypeNone {
		// As in Conv2D: in training the activation stays a separate op.
		return act.fn(nn.Dense(x, kernel, bias, compute.DenseLayoutInputOutputs))
	}
	return nn.Dense(x, kernel, bias, compute.DenseLayoutInputOutputs, act.fused)
}
