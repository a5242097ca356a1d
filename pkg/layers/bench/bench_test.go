package bench

import (
	"math"
	"testing"

	"github.com/cnnlab/cnnlab/pkg/backend"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

func TestModelsParamsAndShapes(t *testing.T) {
	tests := []struct {
		name                    string
		trainable, nonTrainable int
	}{
		{"baseline", 904718, 0},
		{"bn", 905166, 896}, // 448 channels: gamma+beta trainable, moving mean+variance not
		{"gap", 293968, 0},
	}
	for _, tc := range tests {
		spec, err := Model(tc.name)
		if err != nil {
			t.Fatal(err)
		}
		store := model.NewStore()
		out, err := model.ExecOnce(backend.MustNew(), store, spec.Fn,
			tensors.FromShape(shapes.Make(dtypes.Float32, 2, 32, 32, 3)))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := out.Shape().Dimensions; len(got) != 2 || got[0] != 2 || got[1] != 10 {
			t.Errorf("%s: logits dims %v, want [2 10]", tc.name, got)
		}
		trainable, other := 0, 0
		for v := range store.IterVariables() {
			if v.Scope() == model.RootScopePath && v.Name() != "" && v.Shape().Rank() == 0 {
				continue // GoMLX's own scalars (e.g. the RNG state)
			}
			if v.Trainable {
				trainable += v.Shape().Size()
			} else if v.DType() == dtypes.Float32 {
				other += v.Shape().Size()
			}
		}
		if trainable != tc.trainable || other != tc.nonTrainable || spec.Params != tc.trainable {
			t.Errorf("%s: %d trainable, %d non-trainable (spec %d), want %d and %d",
				tc.name, trainable, other, spec.Params, tc.trainable, tc.nonTrainable)
		}
	}
	if _, err := Model("resnet"); err == nil {
		t.Error("Model(resnet): no error")
	}
}

func TestConvFLOPs(t *testing.T) {
	// conv2d: 32*32*9*3*32*2, conv2d_1: 32*32*9*32*32*2, then 16x16 with 32->64
	// and 64->64, then 8x8 with 64->128 and 128->128.
	want := int64(2 * 9 * (32*32*(3*32+32*32) + 16*16*(32*64+64*64) + 8*8*(64*128+128*128)))
	if got := convFLOPs(); got != want {
		t.Errorf("convFLOPs = %d, want %d", got, want)
	}
}

func TestRunTiny(t *testing.T) {
	res, err := Run(Config{Model: "baseline", Batch: 4, EvalBatch: 4, Steps: 2, WarmupSteps: 1, EvalSteps: 1, EvalWarmup: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.TrainImagesPerS <= 0 || res.EvalImagesPerS <= 0 || res.PeakGoHeapBytes == 0 {
		t.Errorf("missing measurements: %+v", res)
	}
	// Random labels over 10 classes: the loss starts near ln(10).
	if math.IsNaN(res.FinalLoss) || res.FinalLoss < 1 || res.FinalLoss > 5 {
		t.Errorf("final loss %g, want about ln(10)=2.3", res.FinalLoss)
	}
	if _, err := Run(Config{Batch: -1}); err == nil {
		t.Error("Run with batch -1: no error")
	}
}
