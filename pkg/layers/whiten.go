package layers

import (
	"fmt"
	"math"
	"sort"

	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/gomlx/gomlx/support/exceptions"
)

// WhiteningKernel computes airbench's frozen whitening convolution
// (init_whitening_conv) from n images [n, h, w, c] (NHWC, float32, scaled
// as the model will see them): the second-moment matrix Σ = PᵀP/N of
// all 2x2 patches P (each flattened to 4c values, N = n·(h−1)·(w−1) of
// them, not centred, as airbench's), its eigen-decomposition Σ = V·Λ·Vᵀ,
// and the 2·4c filters
//
//	+vᵢ/√(λᵢ+eps), then −vᵢ/√(λᵢ+eps)   (λ in decreasing order)
//
// so that the first 4c outputs of the patches have second moments
// λᵢ/(λᵢ+eps) ≈ 1 and are uncorrelated (ZCA-like whitening, both signs so
// that a following ReLU/GELU loses nothing). airbench uses eps = 5e-4 and
// 5,000 training images. The kernel is [2, 2, c, 8c] (Keras's HWIO layout,
// the variable of [Whitening]); for CIFAR-10, 24 filters.
func WhiteningKernel(images []float32, n, h, w, c int, eps float64) ([]float32, error) {
	if n <= 0 || h < 2 || w < 2 || c <= 0 || len(images) != n*h*w*c {
		return nil, fmt.Errorf("layers.WhiteningKernel: %d values for %d images of %dx%dx%d (at least 2x2 pixels)", len(images), n, h, w, c)
	}
	if !(eps > 0) {
		return nil, fmt.Errorf("layers.WhiteningKernel: eps %v must be positive", eps)
	}
	d := 4 * c
	cov := make([]float64, d*d)
	patch := make([]float64, d)
	count := 0
	for b := range n {
		img := images[b*h*w*c : (b+1)*h*w*c]
		for y := 0; y+1 < h; y++ {
			for x := 0; x+1 < w; x++ {
				// Patch order (dy, dx, channel): the kernel's HWI order.
				k := 0
				for dy := range 2 {
					for dx := range 2 {
						for ch := range c {
							patch[k] = float64(img[((y+dy)*w+x+dx)*c+ch])
							k++
						}
					}
				}
				for i := range d {
					for j := i; j < d; j++ {
						cov[i*d+j] += patch[i] * patch[j]
					}
				}
				count++
			}
		}
	}
	for i := range d {
		for j := i; j < d; j++ {
			cov[i*d+j] /= float64(count)
			cov[j*d+i] = cov[i*d+j]
		}
	}
	values, vectors := symmetricEigen(cov, d)
	order := make([]int, d)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return values[order[a]] > values[order[b]] })
	filters := 2 * d
	kernel := make([]float32, d*filters) // [2, 2, c, filters] = [d, filters] row-major
	for f, e := range order {
		scale := 1 / math.Sqrt(math.Max(values[e], 0)+eps)
		for i := range d {
			v := vectors[i*d+e] * scale
			kernel[i*filters+f] = float32(v)
			kernel[i*filters+d+f] = float32(-v)
		}
	}
	return kernel, nil
}

// symmetricEigen returns the eigenvalues and eigenvectors (the columns of
// the row-major d×d result) of the symmetric row-major matrix a, by cyclic
// Jacobi rotations (to double precision for the 12x12 matrices of RGB
// patches).
func symmetricEigen(a []float64, d int) (values, vectors []float64) {
	m := append([]float64(nil), a...)
	v := make([]float64, d*d)
	for i := range d {
		v[i*d+i] = 1
	}
	for sweep := 0; sweep < 100; sweep++ {
		off := 0.0
		for i := range d {
			for j := i + 1; j < d; j++ {
				off += m[i*d+j] * m[i*d+j]
			}
		}
		if off < 1e-30 {
			break
		}
		for p := range d {
			for q := p + 1; q < d; q++ {
				apq := m[p*d+q]
				if math.Abs(apq) < 1e-300 {
					continue
				}
				theta := (m[q*d+q] - m[p*d+p]) / (2 * apq)
				t := math.Copysign(1, theta) / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				cs := 1 / math.Sqrt(t*t+1)
				sn := t * cs
				for k := range d { // columns p and q
					akp, akq := m[k*d+p], m[k*d+q]
					m[k*d+p], m[k*d+q] = cs*akp-sn*akq, sn*akp+cs*akq
				}
				for k := range d { // rows p and q
					apk, aqk := m[p*d+k], m[q*d+k]
					m[p*d+k], m[q*d+k] = cs*apk-sn*aqk, sn*apk+cs*aqk
				}
				for k := range d {
					vkp, vkq := v[k*d+p], v[k*d+q]
					v[k*d+p], v[k*d+q] = cs*vkp-sn*vkq, sn*vkp+cs*vkq
				}
			}
		}
	}
	values = make([]float64, d)
	for i := range d {
		values[i] = m[i*d+i]
	}
	return values, v
}

// Whitening applies a frozen 2x2 convolution, padding "valid", stride 1,
// whose kernel is the given values ([2, 2, C, filters] row-major, as
// [WhiteningKernel] computes them from training images): airbench's
// whitening layer. Keras: Conv2D(filters, 2, use_bias=...,
// trainable=False) with a constant kernel initializer. The variable
// "kernel" [2, 2, C, filters] is not trainable (it is saved with the
// weights); with useBias, "bias" [filters] (zeros) is trainable. Output
// [B, H−1, W−1, filters]. A nil kernel reads the kernel already in the
// variable (loaded, or computed before); a variable created with a nil
// kernel starts at zeros, for weights to be loaded into. It runs as four slices of x, one concatenation
// and a matmul on every backend.
func Whitening(scope *model.Scope, x *graph.Node, kernel []float32, filters int, useBias bool) *graph.Node {
	checkImages("layers.Whitening", x)
	dims := x.Shape().Dimensions
	b, h, w, c := dims[0], dims[1], dims[2], dims[3]
	if filters <= 0 || (kernel != nil && len(kernel) != 4*c*filters) {
		exceptions.Panicf("layers.Whitening: %d kernel values for 2x2x%d inputs and %d filters, want %d", len(kernel), c, filters, 4*c*filters)
	}
	if h < 2 || w < 2 {
		exceptions.Panicf("layers.Whitening: images %dx%d are smaller than the 2x2 window", h, w)
	}
	g := x.Graph()
	dt := x.DType()
	values := kernel
	init := func(g *graph.Graph, shape shapes.Shape) *graph.Node {
		if values == nil { // a placeholder until the weights are loaded
			return graph.Zeros(g, shape)
		}
		return graph.Reshape(graph.ConvertDType(graph.Const(g, values), shape.DType), shape.Dimensions...)
	}
	kVar := scope.WithInitializer(init).VariableWithShape("kernel", shapes.Make(dt, 2, 2, c, filters)).SetTrainable(false)
	var parts []*graph.Node
	for dy := range 2 {
		for dx := range 2 {
			parts = append(parts, graph.Slice(x, graph.AxisRange(), graph.AxisRange(dy, dy+h-1), graph.AxisRange(dx, dx+w-1), graph.AxisRange()))
		}
	}
	patches := graph.Reshape(graph.Concatenate(parts, 3), b*(h-1)*(w-1), 4*c)
	out := graph.MatMul(patches, graph.Reshape(kVar.NodeValue(g), 4*c, filters))
	if useBias {
		bias := scope.WithInitializer(initializer.Zero).VariableWithShape("bias", shapes.Make(dt, filters)).
			SetTrainable(true).NodeValue(g)
		out = graph.Add(out, graph.Reshape(bias, 1, filters))
	}
	return graph.Reshape(out, b, h-1, w-1, filters)
}
