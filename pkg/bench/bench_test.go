package bench

import (
	"math"
	"testing"

	"github.com/cnnlab/cnnlab/cifar"
)

func TestRunTiny(t *testing.T) {
	res, err := Run(Config{Model: "baseline", Width: 0.125, Batch: 4, EvalBatch: 4, Steps: 2, Warmup: 1, EvalSteps: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.TrainImagesPerS <= 0 || res.EvalImagesPerS <= 0 || res.PredictImagesPerS <= 0 || res.PeakGoHeapBytes == 0 {
		t.Errorf("missing measurements: %+v", res)
	}
	// Random labels over 10 classes: the loss starts near ln(10).
	if math.IsNaN(res.FinalLoss) || res.FinalLoss < 1 || res.FinalLoss > 5 {
		t.Errorf("final loss %g, want about ln(10)=2.3", res.FinalLoss)
	}
	if res.Model != "baseline_w0.125" || res.Params == 0 || res.CPU.Model == "" {
		t.Errorf("model %q, %d params, CPU %q", res.Model, res.Params, res.CPU.Model)
	}
	for _, bad := range []Config{{Batch: -1}, {Warmup: -1}, {SkipTrain: true, SkipEval: true}, {Model: "resnet"}} {
		if _, err := Run(bad); err == nil {
			t.Errorf("Run(%+v): no error", bad)
		}
	}
}

func TestEpochTiny(t *testing.T) {
	d := &cifar.Dataset{Images: make([]uint8, 40*cifar.ImageSize), Labels: make([]uint8, 40)}
	for i := range d.Labels {
		d.Labels[i] = uint8(i % 10)
	}
	res, err := Epoch(EpochConfig{Model: "gap", Width: 0.125, Train: d, Batch: 8})
	if err != nil {
		t.Fatal(err)
	}
	// The course's hold-out: ceil(0.15·40) = 6 validation images.
	if res.TrainImages != 34 || res.ValImages != 6 {
		t.Errorf("%d train, %d val images; want 34 and 6", res.TrainImages, res.ValImages)
	}
	if !(res.TrainImagesPerS > 0 && res.EpochS > 0 && res.ValS >= 0 && res.WallS >= res.EpochS) {
		t.Errorf("timings: %+v", res)
	}
	if _, err := Epoch(EpochConfig{}); err == nil {
		t.Error("Epoch without data: no error")
	}
}
