package layers

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/cnnlab/cnnlab/pkg/backend"
)

// TestSymmetricEigen checks the Jacobi eigen-decomposition against PyTorch
// 1.13's torch.linalg.eigh on a 3x3 matrix, and A·v = λ·v with V
// orthonormal on a random 12x12 second-moment matrix.
func TestSymmetricEigen(t *testing.T) {
	a := []float64{4, 1, 0.5, 1, 3, 0.2, 0.5, 0.2, 1}
	values, _ := symmetricEigen(a, 3)
	slices.Sort(values)
	if want := []float64{0.9180705192718058, 2.3876469314665565, 4.6942825492616365}; maxAbsDiff(values, want) > 1e-12 {
		t.Errorf("eigenvalues %v, want PyTorch's %v", values, want)
	}
	const d = 12
	rng := rand.New(rand.NewPCG(3, 4))
	m := make([]float64, d*d)
	for range 50 { // a sum of outer products: symmetric, positive semi-definite
		p := randData(rng, d)
		for i := range d {
			for j := range d {
				m[i*d+j] += p[i] * p[j]
			}
		}
	}
	values, v := symmetricEigen(m, d)
	for e := range d {
		for i := range d {
			av := 0.0
			for k := range d {
				av += m[i*d+k] * v[k*d+e]
			}
			if math.Abs(av-values[e]*v[i*d+e]) > 1e-9 {
				t.Fatalf("A·v%d differs from λ·v%d at row %d: %g vs %g", e, e, i, av, values[e]*v[i*d+e])
			}
		}
		for f := range d {
			dot := 0.0
			for k := range d {
				dot += v[k*d+e] * v[k*d+f]
			}
			want := 0.0
			if e == f {
				want = 1
			}
			if math.Abs(dot-want) > 1e-12 {
				t.Fatalf("v%d·v%d = %g, want %g", e, f, dot, want)
			}
		}
	}
}

// smoothImages returns n h×w×3 images with correlated neighbouring pixels
// and channels (a random low-frequency pattern mixed into the channels,
// plus noise), like natural images.
func smoothImages(n, h, w int) []float32 {
	rng := rand.New(rand.NewPCG(5, 6))
	out := make([]float32, 0, n*h*w*3)
	for range n {
		fy, fx, ph := rng.Float64()*0.8, rng.Float64()*0.8, rng.Float64()*6
		for y := range h {
			for x := range w {
				base := math.Sin(fy*float64(y)+fx*float64(x)+ph) + 0.3
				for c := range 3 {
					out = append(out, float32(base*(1+0.3*float64(c))+0.2*rng.NormFloat64()))
				}
			}
		}
	}
	return out
}

// TestWhiteningKernel checks airbench's init_whitening_conv property: on
// the patches it was computed from, the first 12 filters give outputs whose
// second-moment matrix is diagonal with entries λ/(λ+eps) (decreasing,
// below 1), and the last 12 filters are their negatives.
func TestWhiteningKernel(t *testing.T) {
	const n, h, w, c, eps = 30, 8, 8, 3, 5e-4
	images := smoothImages(n, h, w)
	kernel, err := WhiteningKernel(images, n, h, w, c, eps)
	if err != nil {
		t.Fatal(err)
	}
	const d, filters = 4 * c, 8 * c
	if len(kernel) != d*filters {
		t.Fatalf("kernel has %d values, want %d", len(kernel), d*filters)
	}
	for i := range d {
		for f := range d {
			if kernel[i*filters+f] != -kernel[i*filters+d+f] {
				t.Fatalf("filter %d is not the negative of filter %d", d+f, f)
			}
		}
	}
	m := make([]float64, d*d)
	count := 0
	for b := range n {
		for y := 0; y+1 < h; y++ {
			for x := 0; x+1 < w; x++ {
				out := make([]float64, d)
				k := 0
				for dy := range 2 {
					for dx := range 2 {
						for ch := range c {
							p := float64(images[((b*h+y+dy)*w+x+dx)*c+ch])
							for f := range d {
								out[f] += p * float64(kernel[k*filters+f])
							}
							k++
						}
					}
				}
				for i := range d {
					for j := range d {
						m[i*d+j] += out[i] * out[j]
					}
				}
				count++
			}
		}
	}
	prev := 2.0
	for i := range d {
		for j := range d {
			v := m[i*d+j] / float64(count)
			if i != j && math.Abs(v) > 1e-4 {
				t.Errorf("outputs %d and %d correlate: %g", i, j, v)
			}
			if i == j {
				if !(v > 0 && v < 1+1e-5 && v <= prev+1e-5) {
					t.Errorf("output %d: second moment %g, want λ/(λ+eps) in (0, 1], not increasing (previous %g)", i, v, prev)
				}
				prev = v
			}
		}
	}
	if _, err := WhiteningKernel(images, n, h, w, c, 0); err == nil {
		t.Error("eps 0: no error")
	}
	if _, err := WhiteningKernel(images[:10], n, h, w, c, eps); err == nil {
		t.Error("short images: no error")
	}
}

// TestWhiteningLayer checks the frozen 2x2 "valid" convolution against a
// convolution by hand, its kernel not trainable, and the gradients of the
// input and the bias against finite differences.
func TestWhiteningLayer(t *testing.T) {
	const c, filters = 2, 3
	rng := rand.New(rand.NewPCG(7, 8))
	kd := randData(rng, 4*c*filters)
	kernel := make([]float32, len(kd))
	for i, v := range kd {
		kernel[i] = float32(v)
	}
	layer := func(scope *model.Scope, x *graph.Node) *graph.Node {
		return Whitening(scope, x, kernel, filters, true)
	}
	checkLayer(t, []int{2, 4, 5, c}, []int{2, 3, 4, filters}, true, layer)

	x := randData(rng, 1*3*3*c)
	store := model.NewStore()
	out, err := model.ExecOnce(backend.MustNew(), store, func(scope *model.Scope, x *graph.Node) *graph.Node {
		return Whitening(scope.In("whiten"), x, kernel, filters, false)
	}, tensors.FromFlatDataAndDimensions(x, 1, 3, 3, c))
	if err != nil {
		t.Fatal(err)
	}
	got := tensors.MustCopyFlatData[float64](out)
	var want []float64
	for y := range 2 {
		for xx := range 2 {
			for f := range filters {
				s := 0.0
				for dy := range 2 {
					for dx := range 2 {
						for ch := range c {
							s += x[((y+dy)*3+xx+dx)*c+ch] * float64(kernel[((dy*2+dx)*c+ch)*filters+f])
						}
					}
				}
				want = append(want, s)
			}
		}
	}
	if d := maxAbsDiff(got, want); d > 1e-6 {
		t.Errorf("output %v, want %v", got, want)
	}
	if v := store.GetVariable("/whiten/kernel"); v == nil || v.Trainable {
		t.Errorf("kernel variable %v: want a non-trainable one", v)
	}
}
