package layers

import (
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/gomlx/gomlx/ml/nn"
	"github.com/gomlx/gomlx/support/exceptions"
)

// Padding is Keras's padding mode of convolutions and pools.
type Padding string

const (
	// Same pads so that the output has ceil(size/stride) positions per
	// spatial axis, splitting the padding as Keras/TensorFlow do (the extra
	// row or column, if any, goes at the end).
	Same Padding = "same"
	// Valid uses no padding: only windows fully inside the input (Keras's
	// default).
	Valid Padding = "valid"
)

// Conv2DConfig configures a 2D convolution created with [Conv2D]; call
// [Conv2DConfig.Done] to build it.
type Conv2DConfig struct {
	scope      *model.Scope
	x          *graph.Node
	filters    int
	kernelSize int
	strides    int
	padding    Padding
	useBias    bool
	act        string
	kernelInit model.VariableInitializer
	biasInit   model.VariableInitializer
}

// Conv2D starts a Keras-style 2D convolution of x, shaped [batch, height,
// width, channels] (NHWC, float), with the given number of output filters.
//
// The variables are created in scope (choose one sub-scope per layer):
// "kernel" shaped [k, k, channels, filters] (Keras's HWIO layout) and, unless
// UseBias(false), "bias" shaped [filters].
//
// Defaults as in Keras: kernel size 3, strides 1, Valid padding, bias on,
// Glorot-uniform kernel (fan-in k·k·channels, fan-out k·k·filters), zero bias.
// No activation is applied unless set with Activation.
func Conv2D(scope *model.Scope, x *graph.Node, filters int) *Conv2DConfig {
	return &Conv2DConfig{
		scope:      scope,
		x:          x,
		filters:    filters,
		kernelSize: 3,
		strides:    1,
		padding:    Valid,
		useBias:    true,
	}
}

// KernelSize sets the (square) kernel size: an odd number from 1 to 5.
// The default is 3.
func (c *Conv2DConfig) KernelSize(k int) *Conv2DConfig {
	c.kernelSize = k
	return c
}

// Strides sets the (square) stride: 1 or 2. The default is 1.
func (c *Conv2DConfig) Strides(s int) *Conv2DConfig {
	c.strides = s
	return c
}

// Padding sets the padding mode. The default is Valid, as in Keras.
func (c *Conv2DConfig) Padding(p Padding) *Conv2DConfig {
	c.padding = p
	return c
}

// UseBias sets whether a "bias" variable is added. The default is true.
func (c *Conv2DConfig) UseBias(b bool) *Conv2DConfig {
	c.useBias = b
	return c
}

// Activation sets the activation applied to the output, by Keras name (see
// [Activations]; "" or "linear" for none, the default). On the fast path of
// inference graphs, relu, sigmoid, tanh, gelu and silu are fused into the
// matmul.
func (c *Conv2DConfig) Activation(name string) *Conv2DConfig {
	c.act = name
	return c
}

// KernelInitializer sets the initializer of the "kernel" variable. The
// default is Glorot (Xavier) uniform with Keras's fan-in and fan-out.
func (c *Conv2DConfig) KernelInitializer(i model.VariableInitializer) *Conv2DConfig {
	c.kernelInit = i
	return c
}

// BiasInitializer sets the initializer of the "bias" variable. The default is
// zeros.
func (c *Conv2DConfig) BiasInitializer(i model.VariableInitializer) *Conv2DConfig {
	c.biasInit = i
	return c
}

// checkPadding panics unless p is Same or Valid.
func checkPadding(layer string, p Padding) {
	if p != Same && p != Valid {
		exceptions.Panicf("%s: padding %q is not supported (want %q or %q)", layer, p, Same, Valid)
	}
}

// outputAndPads returns the output size of one spatial axis of the given
// input size for a window of size k and stride s, and the padding before and
// after it, following Keras/TensorFlow.
func outputAndPads(size, k, s int, p Padding) (out, before, after int) {
	if p == Same {
		out = (size + s - 1) / s
		total := max((out-1)*s+k-size, 0)
		return out, total / 2, total - total/2
	}
	if size < k {
		return 0, 0, 0
	}
	return (size-k)/s + 1, 0, 0
}

// Done creates the variables and builds the convolution; it returns the
// output [batch, out_height, out_width, filters]. It panics (GoMLX style) on
// invalid configuration or input shape.
func (c *Conv2DConfig) Done() *graph.Node {
	x := c.x
	if x.Rank() != 4 {
		exceptions.Panicf("layers.Conv2D: input must be [batch, height, width, channels], got shape %s", x.Shape())
	}
	if !x.DType().IsFloat() {
		exceptions.Panicf("layers.Conv2D: input must be float, got %s", x.DType())
	}
	if c.filters <= 0 {
		exceptions.Panicf("layers.Conv2D: filters must be positive, got %d", c.filters)
	}
	k, s := c.kernelSize, c.strides
	if k < 1 || k > 5 || k%2 == 0 {
		exceptions.Panicf("layers.Conv2D: kernel size must be 1, 3 or 5, got %d", k)
	}
	if s != 1 && s != 2 {
		exceptions.Panicf("layers.Conv2D: strides must be 1 or 2, got %d", s)
	}
	checkPadding("layers.Conv2D", c.padding)
	act := lookupActivation("layers.Conv2D", c.act)
	dims := x.Shape().Dimensions
	batch, height, width, channels := dims[0], dims[1], dims[2], dims[3]
	outH, padTop, padBottom := outputAndPads(height, k, s, c.padding)
	outW, padLeft, padRight := outputAndPads(width, k, s, c.padding)
	if outH <= 0 || outW <= 0 {
		exceptions.Panicf("layers.Conv2D: input %dx%d is smaller than the %dx%d kernel with %q padding",
			height, width, k, k, c.padding)
	}

	g := x.Graph()
	dtype := x.DType()
	kernelInit := c.kernelInit
	if kernelInit == nil {
		kernelInit = initializer.GlorotUniformFn(c.scope)
	}
	kernelVar := c.scope.WithInitializer(kernelInit).
		VariableWithShape("kernel", shapes.Make(dtype, k, k, channels, c.filters))
	kernel := kernelVar.NodeValue(g)
	var bias *graph.Node
	if c.useBias {
		biasInit := c.biasInit
		if biasInit == nil {
			biasInit = initializer.Zero
		}
		bias = c.scope.WithInitializer(biasInit).
			VariableWithShape("bias", shapes.Make(dtype, c.filters)).NodeValue(g)
	}

	opts := GraphOptions(g)
	if !opts.FastPath(g.Backend()) || opts.UsesBackendConv() {
		out := graph.Convolve(x, kernel).
			StridePerAxis(s, s).
			PaddingPerDim([][2]int{{padTop, padBottom}, {padLeft, padRight}}).
			Done()
		if bias != nil {
			out = graph.Add(out, graph.Reshape(bias, 1, 1, 1, c.filters))
		}
		return act.fn(out)
	}

	// Fast path: Winograd where it pays (winograd.go), else im2col by
	// GatherSlices, then a fused Dense.
	patchLen := k * k * channels
	training := c.scope.IsTraining(g)
	if opts.winogradOK(k, s, c.padding, height, width, channels, c.filters, training) {
		out := winogradConv(x, kernel, opts.splitParts(batch, outH*outW*patchLen, training))
		if bias != nil {
			out = graph.Add(out, graph.ExpandAxes(bias, 0))
		}
		return act.fn(graph.Reshape(out, batch, outH, outW, c.filters))
	}
	// Weight in the "outputs, inputs" layout [filters, patchLen]: the
	// backward pass (patchDense) then transposes the small output gradient,
	// not the large patch matrix.
	weight := graph.Transpose(graph.Reshape(kernel, patchLen, c.filters), 0, 1)
	// The activation is fused into the matmul for inference only. Training
	// graphs use patchDense (the matmul with a hand-written gradient) and
	// apply the activation as a separate op with its SIMD gradient.
	fused := !training && act.fused != activation.TypeNone
	matmul := func(patches *graph.Node) *graph.Node {
		switch {
		case training:
			return patchDense(patches, weight, bias)
		case fused:
			return nn.Dense(patches, weight, bias, compute.DenseLayoutOutputsInput, act.fused)
		}
		return nn.Dense(patches, weight, bias, compute.DenseLayoutOutputsInput)
	}
	finish := func(out *graph.Node) *graph.Node {
		out = graph.Reshape(out, batch, outH, outW, c.filters)
		if !fused {
			out = act.fn(out)
		}
		return out
	}
	if k == 1 && s == 1 {
		patches := graph.Reshape(x, batch*height*width, channels)
		return finish(matmul(patches))
	}
	xp := padSpatial(x, graph.ScalarZero(g, dtype), padTop, padBottom, padLeft, padRight)
	// The Go backend runs a Gather on one core, while independent ops run in
	// parallel: so the patch rows are split in parts, each gathered and
	// multiplied on its own, and the outputs concatenated. Parts have an odd
	// number of rows: the backward pass transposes each part's output
	// gradient with a stride of rows·4 bytes, and power-of-two strides (e.g.
	// 32,768 rows) make that transpose slower through cache-set conflicts
	// (training at 485 against 545 images/s in paired runs).
	rows := batch * outH * outW
	bounds := splitRows(rows, opts.splitParts(batch, outH*outW*patchLen, training))
	outs := make([]*graph.Node, 0, len(bounds)-1)
	for p := range len(bounds) - 1 {
		r0, r1 := bounds[p], bounds[p+1]
		starts := patchStarts(g, r0, r1, outH, outW, s)
		// [r1-r0, 1, k, k, channels]
		gathered := graph.GatherSlices(xp, []int{0, 1, 2}, starts, []int{1, k, k}, true)
		patches := graph.Reshape(gathered, r1-r0, patchLen)
		outs = append(outs, matmul(patches))
	}
	return finish(concatRows(outs))
}

// splitRows splits rows into parts contiguous ranges of about equal size,
// returned as parts+1 boundaries, moving boundaries by one row so that
// every range but possibly the last has an odd length.
func splitRows(rows, parts int) []int {
	parts = max(1, min(parts, rows))
	bounds := make([]int, parts+1)
	for p := 1; p < parts; p++ {
		b := p * rows / parts
		if (b-bounds[p-1])%2 == 0 {
			b++
		}
		bounds[p] = b
	}
	bounds[parts] = rows
	return bounds
}

// patchStarts returns the int32 constant [r1-r0, 3] of the (batch, row,
// column) start in the padded input of the patches of output rows r0 to
// r1-1, output rows numbered in (batch, outH, outW) order.
func patchStarts(g *graph.Graph, r0, r1, outH, outW, stride int) *graph.Node {
	data := make([]int32, 0, (r1-r0)*3)
	for r := r0; r < r1; r++ {
		b, pos := r/(outH*outW), r%(outH*outW)
		data = append(data, int32(b), int32(pos/outW*stride), int32(pos%outW*stride))
	}
	t := tensors.FromFlatDataAndDimensions(data, r1-r0, 3)
	return graph.ConstTensor(g, t)
}
