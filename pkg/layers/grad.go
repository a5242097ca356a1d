package layers

import (
	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// This file holds the fast path's hand-written gradients. GoMLX's automatic
// gradients of some ops are slow on the pure Go backend: the fused Dense
// gradient transposes its output gradient with a scalar single-threaded copy,
// Slice (the gradient of Pad and Concatenate) copies value by value, and the
// ReduceMax gradient broadcasts through a generic index iterator. The
// replacements below compute the same values with ops the backend runs fast
// (matmuls that read their operands in place, the tiled multi-threaded
// Transpose, Gather and Concatenate, which copy contiguous blocks).

// withGradient returns forward(inputs), whose gradient with respect to
// inputs[i] is grads(y, v)[i], where y is the returned node and v the
// gradient arriving at it (the vector-Jacobian product).
//
// It uses GoMLX's public fused-op hook: the returned node is forward(inputs)
// itself, and its gradient is taken from a twin forward(inputs') built on
// identities of the inputs that carry the custom gradients. The twin is never
// executed (the backend drops nodes no output uses), nor are the automatic
// gradients it gets built with. If GoMLX fusion is turned off (GOMLX_FUSION=0)
// the twin is the forward node: still correct, with an extra copy or two.
func withGradient(inputs []*graph.Node, forward func(inputs []*graph.Node) *graph.Node,
	grads func(y, v *graph.Node) []*graph.Node) *graph.Node {
	var y *graph.Node
	twin := func() *graph.Node {
		var gs []*graph.Node // set when the gradient reaches the output
		ins := make([]*graph.Node, len(inputs))
		for i, x := range inputs {
			ins[i] = graph.IdentityWithCustomGradient(x, func(_, _ *graph.Node) *graph.Node { return gs[i] })
		}
		return graph.IdentityWithCustomGradient(forward(ins), func(_, v *graph.Node) *graph.Node {
			gs = grads(y, v)
			return v
		})
	}
	y, _ = graph.InternalFusedOpCaller(func() *graph.Node { return forward(inputs) }, twin, true)
	return y
}

// sliceRows returns rows [r0, r1) of x as one contiguous block copy (a
// single-slice GatherSlices; the backend's Slice copies value by value).
func sliceRows(x *graph.Node, r0, r1 int) *graph.Node {
	start := graph.Const(x.Graph(), [][]int32{{int32(r0)}})
	dims := append([]int{r1 - r0}, x.Shape().Dimensions[1:]...)
	return graph.Reshape(graph.GatherSlices(x, []int{0}, start, []int{r1 - r0}, true), dims...)
}

// patchDense returns patches·weightᵀ + bias, shaped [M, F], for patches
// [M, K], weight [F, K] and bias [F] (or nil), computed by the backend's fused
// Dense. Its gradient avoids the fused Dense gradient's scalar transpose and
// never copies the large patch matrix: the weight gradient is
// Transpose(dZ)·patches (dZ is K/F times smaller than the patches, the
// backend's Transpose op is tiled and multi-threaded, and the matmul reads
// patches [M, K] in place) and the patches gradient is dZ·weight, read in
// place too.
func patchDense(patches, weight, bias *graph.Node) *graph.Node {
	inputs := []*graph.Node{patches, weight}
	if bias != nil {
		inputs = append(inputs, bias)
	}
	be := patches.Graph().Backend()
	fused := be != nil && be.Capabilities().Operations[compute.OpTypeFusedDense]
	return withGradient(inputs, func(in []*graph.Node) *graph.Node {
		var b *graph.Node
		if len(in) > 2 {
			b = in[2]
		}
		if !fused {
			// Backends without the fused op (XLA, with Options.Impl Fast).
			z := graph.DotGeneral(in[0], []int{1}, nil, in[1], []int{1}, nil)
			if b != nil {
				z = graph.Add(z, graph.ExpandAxes(b, 0))
			}
			return z
		}
		return graph.BackendFusedDense(in[0], in[1], b, compute.DenseConfig{WeightLayout: compute.DenseLayoutOutputsInput})
	}, func(_, dZ *graph.Node) []*graph.Node {
		grads := []*graph.Node{
			graph.DotGeneral(dZ, []int{1}, nil, weight, []int{0}, nil),
			graph.DotGeneral(graph.Transpose(dZ, 0, 1), []int{1}, nil, patches, []int{0}, nil),
		}
		if bias != nil {
			grads = append(grads, graph.ReduceSum(dZ, 0))
		}
		return grads
	})
}

// concatRows concatenates xs along axis 0. The gradient of each part is its
// rows of the output gradient, copied as one block.
func concatRows(xs []*graph.Node) *graph.Node {
	if len(xs) == 1 {
		return xs[0]
	}
	return withGradient(xs, func(in []*graph.Node) *graph.Node {
		return graph.Concatenate(in, 0)
	}, func(_, v *graph.Node) []*graph.Node {
		grads := make([]*graph.Node, len(xs))
		r0 := 0
		for i, x := range xs {
			r1 := r0 + x.Shape().Dimensions[0]
			grads[i] = sliceRows(v, r0, r1)
			r0 = r1
		}
		return grads
	})
}

// padSpatial pads the height and width of x [batch, height, width, channels]
// with the scalar fill: top and bottom rows, left and right columns. The
// gradient gathers the unpadded rows of the output gradient, each a block of
// width·channels values.
func padSpatial(x, fill *graph.Node, top, bottom, left, right int) *graph.Node {
	if top+bottom+left+right == 0 {
		return x
	}
	return withGradient([]*graph.Node{x}, func(in []*graph.Node) *graph.Node {
		return graph.Pad(in[0], fill, compute.PadAxis{}, compute.PadAxis{Start: top, End: bottom},
			compute.PadAxis{Start: left, End: right}, compute.PadAxis{})
	}, func(_, v *graph.Node) []*graph.Node {
		dims := x.Shape().Dimensions
		batch, height, width, channels := dims[0], dims[1], dims[2], dims[3]
		starts := make([]int32, 0, batch*height*3)
		for b := range batch {
			for h := range height {
				starts = append(starts, int32(b), int32(h+top), int32(left))
			}
		}
		startsT := tensors.FromFlatDataAndDimensions(starts, batch*height, 3)
		rows := graph.GatherSlices(v, []int{0, 1, 2}, graph.ConstTensor(v.Graph(), startsT), []int{1, 1, width}, true)
		return []*graph.Node{graph.Reshape(rows, batch, height, width, channels)}
	})
}

// maxOverAxis1 returns ReduceMax(x, 1) for x [n, p, l]. Its gradient sends
// each value of the output gradient to one position of its window: the first
// maximum along axis 1, as the max-pooling gradients of TensorFlow/Keras and
// PyTorch do. Ties are frequent in real images (flat regions give equal
// convolution outputs); sending the gradient to every tied position, as an
// Equal mask would, multiplies it there.
//
// The gradient compares each of the p slices with the maximum, the first
// that equals it taking the gradient and the last taking what no earlier one
// took: for the usual p = 2, one slice copy, one comparison and two selects
// over half the values, where ArgMax, an Iota, an Equal and a Where over all
// of them took twice the time on the Go backend.
func maxOverAxis1(x *graph.Node) *graph.Node {
	return withGradient([]*graph.Node{x}, func(in []*graph.Node) *graph.Node {
		return graph.ReduceMax(in[0], 1)
	}, func(m, v *graph.Node) []*graph.Node {
		dims := x.Shape().Dimensions
		n, p, l := dims[0], dims[1], dims[2]
		m, v = graph.Reshape(m, n, 1, l), graph.Reshape(v, n, 1, l)
		zero := graph.ScalarZero(x.Graph(), x.DType())
		grads := make([]*graph.Node, p)
		var taken *graph.Node // the windows whose maximum an earlier slice holds
		for i := range p - 1 {
			at := graph.Equal(sliceAxis1(x, i), m)
			if taken == nil {
				taken = at
			} else {
				at = graph.LogicalAnd(at, graph.LogicalNot(taken))
				taken = graph.LogicalOr(taken, at)
			}
			grads[i] = graph.Where(at, v, zero)
		}
		if taken == nil { // p == 1
			return []*graph.Node{v}
		}
		grads[p-1] = graph.Where(taken, zero, v)
		return []*graph.Node{graph.Concatenate(grads, 1)}
	})
}

// sliceAxis1 returns x[:, i:i+1, :] for x [n, p, l], copied in n blocks of l
// contiguous values (GatherSlices; the backend's Slice copies value by
// value).
func sliceAxis1(x *graph.Node, i int) *graph.Node {
	dims := x.Shape().Dimensions
	start := graph.Const(x.Graph(), [][]int32{{int32(i)}})
	return graph.Reshape(graph.GatherSlices(x, []int{1}, start, []int{1}, true), dims[0], 1, dims[2])
}
