package layers

import (
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/cnnlab/cnnlab/pkg/backend"
)

// TestSplitBatch checks that a small inference CNN gives the same outputs
// split in uneven sub-batches (5 examples in 3 parts: 1, 2 and 2) as
// unsplit, with the variables created once and shared by all parts.
func TestSplitBatch(t *testing.T) {
	cnn := func(scope *model.Scope, x *graph.Node) *graph.Node {
		x = Conv2D(scope.In("conv2d"), x, 4).Padding(Same).Activation("relu").Done()
		x = MaxPool2D(x, 2, 0, Valid)
		x = BatchNorm(scope.In("batch_normalization"), x).Done()
		return Dense(scope.In("dense"), Flatten(x), 3).Done()
	}
	rng := rand.New(rand.NewPCG(3, 4))
	xData := make([]float32, 5*6*6*2)
	for i := range xData {
		xData[i] = rng.Float32()
	}
	x := tensors.FromFlatDataAndDimensions(xData, 5, 6, 6, 2)

	run := func(parts int) (out []float32, numVars int) {
		store := model.NewStore()
		if err := store.SetRNGStateFromSeed(7); err != nil {
			t.Fatal(err)
		}
		res, err := model.ExecOnce(backend.MustNew(), store, func(scope *model.Scope, x *graph.Node) *graph.Node {
			scope.SetTraining(x.Graph(), false)
			return SplitBatch(x, parts, func(x *graph.Node) *graph.Node { return cnn(scope.ResetVisited(), x) })
		}, x)
		if err != nil {
			t.Fatalf("parts %d: %v", parts, err)
		}
		if got := res.Shape().Dimensions; len(got) != 2 || got[0] != 5 || got[1] != 3 {
			t.Fatalf("parts %d: output shape %v, want [5 3]", parts, got)
		}
		for range store.IterVariables() {
			numVars++
		}
		return tensors.MustCopyFlatData[float32](res), numVars
	}
	want, wantVars := run(1)
	for _, parts := range []int{3, 5, 9} { // 9 is capped at the batch size
		got, vars := run(parts)
		if vars != wantVars {
			t.Errorf("parts %d: %d variables, want %d (shared)", parts, vars, wantVars)
		}
		for i := range want {
			if d := got[i] - want[i]; d > 1e-6 || d < -1e-6 {
				t.Fatalf("parts %d: output[%d] = %g, unsplit %g", parts, i, got[i], want[i])
			}
		}
	}
}

func TestInferenceSplit(t *testing.T) {
	g := graph.NewGraph(backend.MustNew(), "test")
	defer g.Finalize()
	for _, tc := range []struct {
		impl  Impl
		batch int
		want  int
	}{
		{Fast, 256, 4}, {Fast, 1000, 4}, {Fast, 128, 2}, {Fast, 127, 1}, {Fast, 32, 1},
		{Native, 256, 1},
	} {
		model.SetStore(g, storeWith(Options{Impl: tc.impl}))
		x := graph.Zeros(g, shapes.Make(dtypes.Float32, tc.batch, 2))
		if got := InferenceSplit(x); got != tc.want {
			t.Errorf("%s, batch %d: InferenceSplit = %d, want %d", tc.impl, tc.batch, got, tc.want)
		}
	}
}
