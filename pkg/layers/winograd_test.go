package layers

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/cnnlab/cnnlab/pkg/backend"
)

// BenchmarkConv2D times one 3x3 "same" convolution (bias and ReLU) of the
// shapes of the course's models at batch 64, with the Winograd convolution
// (at every shape, whatever winogradOK would choose) and with im2col, in an
// inference graph (forward) and a training graph (forward and the gradients
// of the input and the variables): the measurement behind winogradOK.
func BenchmarkConv2D(b *testing.B) {
	benchmarkConv2D(b, []string{"im2col", "winograd"})
}

// BenchmarkConvBackend is BenchmarkConv2D with the backend's own
// convolution ([Options.NoBackendConv] off): it is slow unless GoMLX's Go backend is
// patched with bench/upstream/compute-conv.patch (see bench/upstream/run.sh).
func BenchmarkConvBackend(b *testing.B) {
	benchmarkConv2D(b, []string{"backend"})
}

// benchmarkConv2D runs the convolutions of BenchmarkConv2D in the given
// formulations: "im2col", "winograd" or "backend".
func benchmarkConv2D(b *testing.B, formulations []string) {
	be := backend.MustNew()
	rng := rand.New(rand.NewPCG(3, 4))
	for _, sh := range []struct{ size, channels int }{{32, 32}, {16, 64}, {8, 128}} {
		dims := []int{64, sh.size, sh.size, sh.channels}
		data := make([]float32, prod(dims))
		for i := range data {
			data[i] = float32(rng.Float64()*2 - 1)
		}
		x := tensors.FromFlatDataAndDimensions(data, dims...)
		for _, training := range []bool{false, true} {
			for _, form := range formulations {
				name := fmt.Sprintf("%dx%dx%d/training=%v/%s", sh.size, sh.size, sh.channels, training, form)
				b.Run(name, func(b *testing.B) {
					// Winograd at every shape, to measure where it pays (winogradOK).
					store := model.NewStore()
					SetOptions(store, Options{NoWinograd: form != "winograd", winogradMinTraining: 1,
						NoBackendConv: form != "backend"})
					exec := model.MustNewExec(be, store, func(scope *model.Scope, x *graph.Node) []*graph.Node {
						g := x.Graph()
						scope.SetTraining(g, training)
						y := Conv2D(scope.In("conv"), x, sh.channels).Padding(Same).Activation("relu").Done()
						if !training {
							return []*graph.Node{y}
						}
						wrt := []*graph.Node{x}
						for v := range store.IterVariables() {
							wrt = append(wrt, v.NodeValue(g))
						}
						return graph.Gradient(graph.ReduceAllSum(graph.Mul(y, y)), wrt...)
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
