package nn_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/cnnlab/cnnlab/pkg/backend"
	"github.com/cnnlab/cnnlab/pkg/fit"
	"github.com/cnnlab/cnnlab/pkg/layers"
	"github.com/cnnlab/cnnlab/pkg/nn"
	"github.com/cnnlab/cnnlab/pkg/regularizers"
)

// TestInferenceSubBatches checks that large inference batches, which
// Model.Apply builds as independent sub-batches on the Go backend's fast
// path (Predict's 256 + 44 in 4 + 1 parts, Evaluate's one batch of 300 in 4
// parts of 75), give the same predictions and loss as batches of 32 (one
// part each), through BatchNormalization and Dropout (per-example at
// inference), with an L2 penalty (about 2% of the loss) that must be counted
// once, not per part.
func TestInferenceSubBatches(t *testing.T) {
	m := nn.Sequential("split", nn.Input(8, 8, 3),
		nn.Conv2D(4, 3, nn.Padding("same"), nn.UseBias(false), nn.KernelRegularizer(regularizers.L2(0.01))),
		nn.BatchNormalization(), nn.Activation("relu"), nn.MaxPooling2D(2),
		nn.Flatten(), nn.Dropout(0.5), nn.Dense(10, nn.Activation("softmax")))
	tr, err := fit.Compile(backend.MustNew(), m, fit.Options{InputShape: []int{8, 8, 3}, Seed: 3,
		Params: layers.Options{Impl: layers.Fast}.Params()})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	data := &fit.Arrays{X: make([]float32, 300*8*8*3), Shape: []int{8, 8, 3}, Y: make([]int32, 300)}
	for i := range data.X {
		data.X[i] = r.Float32()
	}
	for i := range data.Y {
		data.Y[i] = int32(r.IntN(10))
	}
	if _, err := tr.Fit(data, fit.FitOptions{Epochs: 1, BatchSize: 64}); err != nil {
		t.Fatal(err)
	}
	small, _, err := tr.Predict(data, 32)
	if err != nil {
		t.Fatal(err)
	}
	large, _, err := tr.Predict(data, 256)
	if err != nil {
		t.Fatal(err)
	}
	if len(small) != len(large) {
		t.Fatalf("%d and %d probabilities", len(small), len(large))
	}
	for i := range small {
		if math.Abs(float64(large[i]-small[i])) > 1e-5 {
			t.Fatalf("probability %d: %g with batch 256, %g with batch 32", i, large[i], small[i])
		}
	}
	lossSmall, accSmall, err := tr.Evaluate(data, 32)
	if err != nil {
		t.Fatal(err)
	}
	lossLarge, accLarge, err := tr.Evaluate(data, 300)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(lossLarge-lossSmall) > 1e-5*lossSmall || accLarge != accSmall {
		t.Errorf("Evaluate: batch 300 gives loss %g, accuracy %g; batch 32 gives %g, %g",
			lossLarge, accLarge, lossSmall, accSmall)
	}
}
