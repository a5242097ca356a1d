package layers

import (
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// This file holds the fast path's Winograd convolution: F(2x2, 3x3) minimal
// filtering (Lavin and Gray, "Fast Algorithms for Convolutional Neural
// Networks", 2016) for 3x3, stride-1, "same" convolutions. Each 2x2 tile of
// outputs is Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A of its 4x4 input tile d: the
// products become 16 matmuls [tiles, C]·[C, F], 16·C·F multiplies per 4
// outputs against im2col's 9·C·F per output (2.25x fewer).
//
// Every step is a copy of contiguous rows (GatherSlices) or a matmul in the
// backend's canonical layouts, forward and backward: a first version whose
// matmuls contracted a middle axis spent 61% of its time in the backend's
// generic transpose.

// The F(2x2, 3x3) transforms: input Bᵀ [4, 4], kernel G [4, 3], output
// Aᵀ [2, 4].
var (
	winogradBT = [][]float64{{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}}
	winogradG  = [][]float64{{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}}
	winogradAT = [][]float64{{1, 1, 1, 0}, {0, 1, -1, -1}}
)

// kron returns the Kronecker product of a [m][n] with itself as a [m·m,
// n·n] constant of x's graph and dtype, transposed if asked. For a tile d
// [n, n] flattened row-major, kron(a)·vec(d) = vec(a·d·aᵀ).
func kron(x *graph.Node, a [][]float64, transposed bool) *graph.Node {
	m, n := len(a), len(a[0])
	data := make([]float64, m*m*n*n)
	for i := range m {
		for k := range m {
			for j := range n {
				for l := range n {
					r, c := i*m+k, j*n+l
					if transposed {
						data[c*m*m+r] = a[i][j] * a[k][l]
					} else {
						data[r*n*n+c] = a[i][j] * a[k][l]
					}
				}
			}
		}
	}
	rows, cols := m*m, n*n
	if transposed {
		rows, cols = cols, rows
	}
	return graph.ConvertDType(graph.ConstTensor(x.Graph(), tensors.FromFlatDataAndDimensions(data, rows, cols)), x.DType())
}

// winogradOK reports whether a convolution uses winogradConv: Winograd is
// on (not [Options.NoWinograd]), the convolution is 3x3, stride 1, "same",
// of an even-sized input, and has enough channels and filters for the 2.25x
// fewer multiplies to pay for the transforms. Measured per layer at batch 64
// on a 2-core Intel Xeon (BenchmarkConv2D, docs/PERFORMANCE.md): inference
// graphs gained at every course shape from 32 channels up (15-40%);
// training graphs, whose gradients add transforms and transposes, lost 14%
// at 32x32x32, tied at 16x16x64 and gained 24% at 8x8x128, hence
// channels·filters ≥ 8192 (defaultWinogradMinTraining) there.
func (o Options) winogradOK(k, s int, p Padding, height, width, channels, filters int, training bool) bool {
	if o.NoWinograd || k != 3 || s != 1 || p != Same || height%2 != 0 || width%2 != 0 || channels < 16 {
		return false
	}
	minTraining := o.winogradMinTraining
	if minTraining <= 0 {
		minTraining = defaultWinogradMinTraining
	}
	return !training || channels*filters >= minTraining
}

// defaultWinogradMinTraining is the smallest channels·filters for which
// training graphs use winogradConv (see winogradOK).
const defaultWinogradMinTraining = 8192

// winogradConv is the 3x3, stride-1, "same" convolution of x [batch, height,
// width, channels] (height and width even) with kernel [3, 3, channels,
// filters], as [batch·height·width, filters] rows. The images are split into
// parts computed independently, which the backend runs in parallel.
func winogradConv(x, kernel *graph.Node, parts int) *graph.Node {
	dims := x.Shape().Dimensions
	batch, height, width, channels := dims[0], dims[1], dims[2], dims[3]
	filters := kernel.Shape().Dimensions[3]

	// U = G g Gᵀ per (channel, filter): [16, channels, filters].
	u := graph.Dot(kron(x, winogradG, false), graph.Reshape(kernel, 9, channels*filters)).Product()
	u = graph.Reshape(u, 16, channels, filters)

	bt, btT := kron(x, winogradBT, false), kron(x, winogradBT, true) // [16, 16] each
	at, atT := kron(x, winogradAT, false), kron(x, winogradAT, true) // [4, 16], [16, 4]

	xp := padSpatial(x, graph.ScalarZero(x.Graph(), x.DType()), 1, 1, 1, 1)
	parts = max(1, min(parts, batch))
	outs := make([]*graph.Node, 0, parts)
	for p := range parts {
		b0, b1 := p*batch/parts, (p+1)*batch/parts
		n := (b1 - b0) * height / 2 * width / 2 // tiles
		// D: the 16 positions of every tile as planes [16, n·C].
		d := graph.GatherSlices(xp, []int{0, 1, 2}, tileStarts(x.Graph(), b0, b1, height, width), []int{1, 1, 1}, false)
		d = graph.Reshape(d, 16, n*channels)
		v := constDot(bt, btT, d) // [16, n·C]
		outs = append(outs, winogradTiles(graph.Reshape(v, 16, n, channels), u, at, atT, b1-b0, height, width))
	}
	return concatRows(outs)
}

// constDot returns c·x for a constant c [m, k] and x [k, n]; the gradient is
// cᵀ·dY with cT = cᵀ given (both canonical matmuls, no transposes).
func constDot(c, cT, x *graph.Node) *graph.Node {
	return withGradient([]*graph.Node{x}, func(in []*graph.Node) *graph.Node {
		return graph.Dot(c, in[0]).Product()
	}, func(_, dY *graph.Node) []*graph.Node {
		return []*graph.Node{graph.Dot(cT, dY).Product()}
	})
}

// winogradTiles returns the output rows [images·height·width, F] of the
// transformed tiles v [16, n, C] and kernel u [16, C, F] of images images:
// M = V·U (16 batched matmuls), Y = (Aᵀ⊗Aᵀ)·M [4, n·F] with ata = Aᵀ⊗Aᵀ
// and ataT its transpose, and each output row of Y copied to its place.
//
// The gradients: dY gathers the output gradient's rows back to the 4 tile
// positions; dM = (Aᵀ⊗Aᵀ)ᵀ·dY; dV = dM·Uᵀ (a matmul with a transposed
// right operand, which the backend supports); and dUᵀ = dMᵀ·V, where dMᵀ
// [16, F, n] = (Aᵀ⊗Aᵀ)ᵀ·dYᵀ comes from 2D transposes of dY's 4 planes
// [n, F], the backend's fast tiled Transpose.
func winogradTiles(v, u, ata, ataT *graph.Node, images, height, width int) *graph.Node {
	g := v.Graph()
	n, filters := v.Shape().Dimensions[1], u.Shape().Dimensions[2]
	return withGradient([]*graph.Node{v, u}, func(in []*graph.Node) *graph.Node {
		m := graph.DotGeneral(in[0], []int{2}, []int{0}, in[1], []int{1}, []int{0}) // [16, n, F]
		y := graph.Dot(ata, graph.Reshape(m, 16, n*filters)).Product()              // [4, n·F]
		rows := graph.GatherSlices(graph.Reshape(y, 4*n, filters), []int{0},
			outputRows(g, images, height, width), []int{1}, false)
		return graph.Reshape(rows, images*height*width, filters)
	}, func(_, dOut *graph.Node) []*graph.Node {
		dY := make([]*graph.Node, 4)
		dYT := make([]*graph.Node, 4)
		for q := range 4 {
			dY[q] = graph.GatherSlices(dOut, []int{0}, planeRows(g, q, images, height, width), []int{1}, false)
			dY[q] = graph.Reshape(dY[q], n, filters)
			dYT[q] = graph.Transpose(dY[q], 0, 1)
		}
		dm := graph.Dot(ataT, graph.Reshape(graph.Concatenate(dY, 0), 4, n*filters)).Product()
		dmT := graph.Dot(ataT, graph.Reshape(graph.Concatenate(dYT, 0), 4, filters*n)).Product()
		dm = graph.Reshape(dm, 16, n, filters)
		dmT = graph.Reshape(dmT, 16, filters, n)
		dv := graph.DotGeneral(dm, []int{2}, []int{0}, u, []int{2}, []int{0})   // [16, n, C]
		duT := graph.DotGeneral(dmT, []int{2}, []int{0}, v, []int{1}, []int{0}) // [16, F, C]
		return []*graph.Node{dv, graph.Transpose(duT, 1, 2)}
	})
}

// tileStarts returns the int32 constant [16·tiles, 3] of (batch, row,
// column) starts in the padded input of position (u, v) of every tile of
// images b0 to b1-1, ordered by position u·4+v, then tile (image, tile row,
// tile column).
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
// output pixel, in (image, row, column) order.
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

// planeRows returns the int32 constant [tiles, 1] of the output rows (in
// (image, row, column) order) of tile position q = r·2+c of every tile:
// outputRows inverted for one position.
func planeRows(g *graph.Graph, q, images, height, width int) *graph.Node {
	th, tw := height/2, width/2
	data := make([]int32, 0, images*th*tw)
	for b := range images {
		for i := range th {
			for j := range tw {
				data = append(data, int32(b*height*width+(2*i+q/2)*width+2*j+q%2))
			}
		}
	}
	return graph.ConstTensor(g, tensors.FromFlatDataAndDimensions(data, images*th*tw, 1))
}
