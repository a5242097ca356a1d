// Package winogradproto prototypes Winograd's minimal filtering F(2x2, 3x3)
// for the 3x3, stride-1, "same" convolutions of the course's models, built
// from the graph ops GoMLX's pure Go backend runs well (GatherSlices block
// copies and matmuls), to measure whether it would beat the fast
// formulation's im2col convolution on that backend (issue 12,
// docs/PERFORMANCE.md).
//
// F(2x2, 3x3) computes each 2x2 tile of outputs from a 4x4 tile of inputs
// as Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A: the 16 element-wise products per tile and
// channel pair become 16 matmuls [tiles, C]·[C, F], 16·C·F multiplies per 4
// outputs against im2col's 9·C·F per output (2.25x fewer), at the price of
// the input, kernel and output transforms.
//
// The package is a measurement aid; cnnlab does not call it.
package winogradproto

import (
	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/support/exceptions"
)

// The F(2x2, 3x3) matrices of Lavin and Gray, "Fast Algorithms for
// Convolutional Neural Networks" (2016): input transform Bᵀ [4, 4], kernel
// transform G [4, 3], output transform Aᵀ [2, 4].
var (
	bt = [][]float64{
		{1, 0, -1, 0},
		{0, 1, 1, 0},
		{0, -1, 1, 0},
		{0, 1, 0, -1},
	}
	gm = [][]float64{
		{1, 0, 0},
		{0.5, 0.5, 0.5},
		{0.5, -0.5, 0.5},
		{0, 0, 1},
	}
	at = [][]float64{
		{1, 1, 1, 0},
		{0, 1, -1, -1},
	}
)

// kron returns the Kronecker product of a [m][n] and b [p][q] as a flat
// [m·p, n·q] row-major slice: kron(a, b)[i·p+k][j·q+l] = a[i][j]·b[k][l],
// so that for a tile d [n, q] flattened row-major, (kron(a, b)·vec(d)) is
// vec(a·d·bᵀ).
func kron(a [][]float64, b [][]float64) (data []float32, rows, cols int) {
	m, n, p, q := len(a), len(a[0]), len(b), len(b[0])
	data = make([]float32, m*p*n*q)
	for i := range m {
		for k := range p {
			for j := range n {
				for l := range q {
					data[(i*p+k)*(n*q)+j*q+l] = float32(a[i][j] * b[k][l])
				}
			}
		}
	}
	return data, m * p, n * q
}

func padAxis(start, end int) compute.PadAxis { return compute.PadAxis{Start: start, End: end} }

// constMatrix returns kron(a, b) as a constant of g with x's dtype.
func constMatrix(x *graph.Node, a, b [][]float64) *graph.Node {
	data, rows, cols := kron(a, b)
	m := graph.ConstTensor(x.Graph(), tensors.FromFlatDataAndDimensions(data, rows, cols))
	return graph.ConvertDType(m, x.DType())
}

// Conv3x3 is a 3x3, stride-1, "same"-padded convolution of x [batch, height,
// width, channels] (float, height and width even) with kernel [3, 3,
// channels, filters] (Keras's HWIO layout), computed with F(2x2, 3x3).
//
// Every step is a copy of contiguous rows or a matmul in the backend's
// canonical layout ([batch, M, K]·[batch, K, N]), since a first version
// whose matmuls contracted a middle axis spent 61% of its time in the
// backend's generic transpose:
//
//  1. GatherSlices copies the 16 positions of every tile as 16 planes
//     D [16, tiles·C] (one channel row per position and tile);
//  2. V = (Bᵀ⊗Bᵀ)·D, [16, 16]·[16, tiles·C];
//  3. M = V·U, 16 batched matmuls [tiles, C]·[C, F], U = (G⊗G)·g;
//  4. Y = (Aᵀ⊗Aᵀ)·M, [4, 16]·[16, tiles·F];
//  5. GatherSlices copies each output row of F values to its place in
//     [batch·height·width, F].
//
// The images are split into parts (like the fast formulation's im2col rows)
// computed independently, which the backend runs in parallel.
func Conv3x3(x, kernel *graph.Node, parts int) *graph.Node {
	dims := x.Shape().Dimensions
	if x.Rank() != 4 || dims[1]%2 != 0 || dims[2]%2 != 0 {
		exceptions.Panicf("winogradproto.Conv3x3: want x [batch, even height, even width, channels], got %s", x.Shape())
	}
	batch, height, width, channels := dims[0], dims[1], dims[2], dims[3]
	filters := kernel.Shape().Dimensions[3]

	// U = G g Gᵀ per (channel, filter): [16, channels, filters].
	u := graph.Dot(constMatrix(x, gm, gm), graph.Reshape(kernel, 9, channels*filters)).Product()
	u = graph.Reshape(u, 16, channels, filters)
	btb := constMatrix(x, bt, bt) // [16, 16]
	ata := constMatrix(x, at, at) // [4, 16]

	xp := graph.Pad(x, graph.ScalarZero(x.Graph(), x.DType()),
		padAxis(0, 0), padAxis(1, 1), padAxis(1, 1), padAxis(0, 0))
	parts = max(1, min(parts, batch))
	outs := make([]*graph.Node, 0, parts)
	for p := range parts {
		b0, b1 := p*batch/parts, (p+1)*batch/parts
		n := (b1 - b0) * height / 2 * width / 2 // tiles
		d := graph.GatherSlices(xp, []int{0, 1, 2}, tileStarts(x.Graph(), b0, b1, height, width), []int{1, 1, 1}, false)
		d = graph.Reshape(d, 16, n*channels)
		v := graph.Reshape(graph.Dot(btb, d).Product(), 16, n, channels)
		m := graph.DotGeneral(v, []int{2}, []int{0}, u, []int{1}, []int{0}) // [16, n, F]
		y := graph.Dot(ata, graph.Reshape(m, 16, n*filters)).Product()      // [4, n·F]
		y = graph.GatherSlices(graph.Reshape(y, 4*n, filters), []int{0},
			outputRows(x.Graph(), b1-b0, height, width), []int{1}, false)
		outs = append(outs, y)
	}
	y := outs[0]
	if len(outs) > 1 {
		y = graph.Concatenate(outs, 0)
	}
	return graph.Reshape(y, batch, height, width, filters)
}

// tileStarts returns the int32 constant [16·tiles, 3] of (batch, row,
// column) starts in the padded input of position (u, v) of every tile of
// images b0 to b1-1, ordered by (u, v), then tile (image, tile row, tile
// column).
func tileStarts(g *graph.Graph, b0, b1, height, width int) *graph.Node {
	n := (b1 - b0) * height / 2 * width / 2
	data := make([]int32, 0, 16*n*3)
	for uv := range 16 {
		for b := b0; b < b1; b++ {
			for i := 0; i < height; i += 2 {
				for j := 0; j < width; j += 2 {
					data = append(data, int32(b), int32(i+uv/4), int32(j+uv%4))
				}
			}
		}
	}
	return graph.ConstTensor(g, tensors.FromFlatDataAndDimensions(data, 16*n, 3))
}

// outputRows returns the int32 constant [images·height·width, 1] of the row
// of Y [4·tiles, F] (ordered by tile position, then tile) that holds each
// output pixel of images images, in (image, row, column) order.
func outputRows(g *graph.Graph, images, height, width int) *graph.Node {
	th, tw := height/2, width/2
	n := images * th * tw
	data := make([]int32, 0, images*height*width)
	for b := range images {
		for h := range height {
			for w := range width {
				pos, tile := (h%2)*2+w%2, b*th*tw+(h/2)*tw+w/2
				data = append(data, int32(pos*n+tile))
			}
		}
	}
	return graph.ConstTensor(g, tensors.FromFlatDataAndDimensions(data, images*height*width, 1))
}
