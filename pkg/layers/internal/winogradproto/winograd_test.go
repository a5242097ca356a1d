package winogradproto

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/cnnlab/cnnlab/pkg/backend"
	"github.com/cnnlab/cnnlab/pkg/layers"
)

func randTensor[T float32 | float64](rng *rand.Rand, dims ...int) *tensors.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	data := make([]T, n)
	for i := range data {
		data[i] = T(rng.Float64()*2 - 1)
	}
	return tensors.FromFlatDataAndDimensions(data, dims...)
}

// convAndGrads returns conv(x, k), d/dx and d/dk of sum(conv(x, k)·r).
func convAndGrads(be compute.Backend, conv func(x, k *graph.Node) *graph.Node, x, k, r *tensors.Tensor) [][]float64 {
	exec := graph.MustNewExec(be, func(x, k, r *graph.Node) []*graph.Node {
		y := conv(x, k)
		loss := graph.ReduceAllSum(graph.Mul(y, r))
		outs := append([]*graph.Node{y}, graph.Gradient(loss, x, k)...)
		for i, o := range outs {
			outs[i] = graph.ConvertDType(o, dtypes.Float64)
		}
		return outs
	})
	outs := exec.MustExec(x, k, r)
	res := make([][]float64, len(outs))
	for i, o := range outs {
		res[i] = tensors.MustCopyFlatData[float64](o)
	}
	return res
}

func native(x, k *graph.Node) *graph.Node {
	return graph.Convolve(x, k).PaddingPerDim([][2]int{{1, 1}, {1, 1}}).Done()
}

// TestConv3x3 checks the Winograd convolution and its (automatic) gradients
// against GoMLX's Convolve: to rounding in float64, and in float32 within
// the error F(2x2, 3x3) is known for (a few float32 ulps of the result's
// scale).
func TestConv3x3(t *testing.T) {
	be := backend.MustNew()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name     string
		x, k, r  *tensors.Tensor
		tol      float64
		relative bool
	}{
		{"float64", randTensor[float64](rng, 2, 6, 4, 3), randTensor[float64](rng, 3, 3, 3, 5), randTensor[float64](rng, 2, 6, 4, 5), 1e-12, false},
		{"float32", randTensor[float32](rng, 4, 16, 16, 32), randTensor[float32](rng, 3, 3, 32, 16), randTensor[float32](rng, 4, 16, 16, 16), 1e-5, true},
	} {
		for _, parts := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s/parts=%d", tc.name, parts), func(t *testing.T) {
				want := convAndGrads(be, native, tc.x, tc.k, tc.r)
				got := convAndGrads(be, func(x, k *graph.Node) *graph.Node { return Conv3x3(x, k, parts) }, tc.x, tc.k, tc.r)
				for i, name := range []string{"output", "d/dx", "d/dkernel"} {
					diff, scale := 0.0, 0.0
					for j := range want[i] {
						diff = max(diff, math.Abs(got[i][j]-want[i][j]))
						scale = max(scale, math.Abs(want[i][j]))
					}
					if tc.relative {
						diff /= scale
					}
					t.Logf("%s: max error %.3g", name, diff)
					if diff > tc.tol || len(got[i]) != len(want[i]) {
						t.Errorf("%s: Winograd differs from Convolve by %g (tolerance %g)", name, diff, tc.tol)
					}
				}
			})
		}
	}
}

// The course's 3x3 layers at batch 64 (the baseline's second conv of each block).
var benchShapes = []struct{ size, channels int }{{32, 32}, {16, 64}, {8, 128}}

// BenchmarkConv times one 3x3 "same" convolution of the course's shapes,
// im2col (cnnlab's fast formulation, through layers.Conv2D) against
// Winograd, as an inference graph (forward only, 4 parts) and as a training
// graph (forward and the gradients of x and the kernel, 2 parts).
func BenchmarkConv(b *testing.B) {
	be := backend.MustNew()
	rng := rand.New(rand.NewPCG(3, 4))
	for _, sh := range benchShapes {
		for _, training := range []bool{false, true} {
			mode, parts := "infer", 4
			if training {
				mode, parts = "train", 2
			}
			x := randTensor[float32](rng, 64, sh.size, sh.size, sh.channels)
			for _, impl := range []string{"im2col", "winograd"} {
				b.Run(fmt.Sprintf("%dx%dx%d/%s/%s", sh.size, sh.size, sh.channels, mode, impl), func(b *testing.B) {
					store := model.NewStore()
					exec := model.MustNewExec(be, store, func(scope *model.Scope, x *graph.Node) []*graph.Node {
						g := x.Graph()
						scope.SetTraining(g, training)
						var y *graph.Node
						if impl == "im2col" {
							y = layers.Conv2D(scope.In("conv"), x, sh.channels).Padding(layers.Same).UseBias(false).Done()
						} else {
							k := scope.In("conv").VariableWithShape("kernel", shapes.Make(x.DType(), 3, 3, sh.channels, sh.channels)).NodeValue(g)
							y = Conv3x3(x, k, parts)
						}
						if !training {
							return []*graph.Node{y}
						}
						loss := graph.ReduceAllSum(graph.Mul(y, y))
						var k *graph.Node
						for v := range store.IterVariables() {
							k = v.NodeValue(g)
						}
						return graph.Gradient(loss, x, k)
					})
					exec.MustExec(x)
					b.ResetTimer()
					for range b.N {
						exec.MustExec(x)
					}
				})
			}
		}
	}
}
