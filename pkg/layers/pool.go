package layers

import (
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/support/exceptions"
)

// MaxPool2D is Keras's MaxPooling2D on x shaped [batch, height, width,
// channels]: the maximum over poolSize×poolSize windows moved by strides
// (0 means strides = poolSize, Keras's default), with Valid or Same padding
// (Same pads with -inf, so padding never wins).
//
// On the fast path, non-overlapping pools (strides == poolSize) are built
// from reshapes and two contiguous ReduceMax; other configurations use
// graph.MaxPool.
func MaxPool2D(x *graph.Node, poolSize, strides int, padding Padding) *graph.Node {
	if x.Rank() != 4 {
		exceptions.Panicf("layers.MaxPool2D: input must be [batch, height, width, channels], got shape %s", x.Shape())
	}
	if poolSize < 1 {
		exceptions.Panicf("layers.MaxPool2D: poolSize must be positive, got %d", poolSize)
	}
	if strides == 0 {
		strides = poolSize
	}
	if strides < 1 {
		exceptions.Panicf("layers.MaxPool2D: strides must be positive (or 0 for poolSize), got %d", strides)
	}
	checkPadding("layers.MaxPool2D", padding)
	dims := x.Shape().Dimensions
	batch, height, width, channels := dims[0], dims[1], dims[2], dims[3]
	outH, padTop, padBottom := outputAndPads(height, poolSize, strides, padding)
	outW, padLeft, padRight := outputAndPads(width, poolSize, strides, padding)
	if outH <= 0 || outW <= 0 {
		exceptions.Panicf("layers.MaxPool2D: input %dx%d is smaller than the %dx%d pool with %q padding",
			height, width, poolSize, poolSize, padding)
	}
	g := x.Graph()
	if !FastPathActive(g) || strides != poolSize {
		return graph.MaxPool(x).
			Window(poolSize).
			Strides(strides).
			PaddingPerDim([][2]int{{padTop, padBottom}, {padLeft, padRight}}).
			Done()
	}

	p := poolSize
	// Bring the spatial sizes to exactly out*p: pad with -inf (Same) or crop
	// the rows/columns no window covers (Valid).
	if padTop+padBottom+padLeft+padRight > 0 {
		x = padSpatial(x, graph.Infinity(g, x.DType(), -1), padTop, padBottom, padLeft, padRight)
	}
	if x.Shape().Dimensions[1] != outH*p || x.Shape().Dimensions[2] != outW*p {
		x = graph.Slice(x, graph.AxisRange(), graph.AxisRange(0, outH*p), graph.AxisRange(0, outW*p), graph.AxisRange())
	}
	if p == 1 {
		return x
	}
	// Columns first, then rows: the gradient then goes to the first maximum
	// of each window in row-major order, as TensorFlow's MaxPoolGrad picks.
	x = maxOverAxis1(graph.Reshape(x, batch*outH*p*outW, p, channels)) // the p columns of each window row
	x = maxOverAxis1(graph.Reshape(x, batch*outH, p, outW*channels))   // the p rows of each window
	return graph.Reshape(x, batch, outH, outW, channels)
}

// GlobalAveragePooling2D is Keras's GlobalAveragePooling2D: the mean over
// the spatial axes of x [batch, height, width, channels], giving
// [batch, channels].
func GlobalAveragePooling2D(x *graph.Node) *graph.Node {
	if x.Rank() != 4 {
		exceptions.Panicf("layers.GlobalAveragePooling2D: input must be [batch, height, width, channels], got shape %s", x.Shape())
	}
	dims := x.Shape().Dimensions
	flat := graph.Reshape(x, dims[0], dims[1]*dims[2], dims[3])
	return graph.ReduceMean(flat, 1)
}

// Flatten is Keras's Flatten: it reshapes x [batch, ...] to
// [batch, product of the other axes], keeping the row-major (NHWC) order.
func Flatten(x *graph.Node) *graph.Node {
	if x.Rank() < 1 {
		exceptions.Panicf("layers.Flatten: input must have a batch axis, got a scalar")
	}
	dims := x.Shape().Dimensions
	return graph.Reshape(x, dims[0], x.Shape().Size()/max(dims[0], 1))
}
