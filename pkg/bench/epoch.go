package bench

import (
	"fmt"
	"time"

	"github.com/cnnlab/cnnlab/cifar"
	"github.com/cnnlab/cnnlab/pkg/backend"
	"github.com/cnnlab/cnnlab/pkg/course"
	"github.com/cnnlab/cnnlab/pkg/fit"
	"github.com/cnnlab/cnnlab/pkg/layers"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

// EpochConfig selects what [Epoch] measures.
type EpochConfig struct {
	Model string         // a course model; default "baseline"
	Width float64        // default 1
	Train *cifar.Dataset // the training images; the course's 15% hold-out of them validates
	Batch int            // default the course's 64
	Seed  int64          // default the course's
	// Layers selects the layers' formulation; the zero value is the
	// default.
	Layers layers.Options
	// OnStep, if set, is called after every training step.
	OnStep func(step, total int)
}

// EpochResult is what [Epoch] measured: one real epoch of fit.Trainer.Fit
// with the course's settings (Adam 1e-3, shuffled batches, the 15%
// hold-out validated at the end of the epoch).
type EpochResult struct {
	Model       string `json:"model"`
	Params      int    `json:"params"`
	Batch       int    `json:"batch"`
	TrainImages int    `json:"train_images"`
	ValImages   int    `json:"val_images"`
	// TrainImagesPerS counts the steps after the first, which compiles
	// the graph.
	TrainImagesPerS float64 `json:"train_images_per_sec"`
	FirstStepS      float64 `json:"first_step_sec"`
	TrainS          float64 `json:"train_sec"`      // all training steps
	ValS            float64 `json:"validation_sec"` // validation at the end of the epoch
	EpochS          float64 `json:"epoch_sec"`      // the epoch's wall time: History's "time"
	WallS           float64 `json:"wall_sec"`       // Fit's whole call
	Accuracy        float64 `json:"accuracy"`
	ValAccuracy     float64 `json:"val_accuracy"`
	PeakRSSBytes    int64   `json:"peak_rss_bytes"`
	Machine
}

// Epoch trains one epoch of the model on cfg.Train as `cnnlab train`
// does, and times it.
func Epoch(cfg EpochConfig) (EpochResult, error) {
	if cfg.Train == nil || cfg.Train.Len() == 0 {
		return EpochResult{}, fmt.Errorf("no training images")
	}
	if cfg.Model == "" {
		cfg.Model = "baseline"
	}
	if cfg.Width == 0 {
		cfg.Width = 1
	}
	if cfg.Batch == 0 {
		cfg.Batch = course.Defaults.BatchSize
	}
	if cfg.Seed == 0 {
		cfg.Seed = course.Defaults.Seed
	}
	kernelCalls := backend.ConvKernelCalls()
	m, err := nn.Named(cfg.Model, cfg.Width)
	if err != nil {
		return EpochResult{}, err
	}
	b, info, err := backend.New()
	if err != nil {
		return EpochResult{}, err
	}
	clock := &stepClock{warmup: 1, onStep: cfg.OnStep}
	run, err := fit.Start(fit.Job{Backend: b, Model: m, Options: courseOptions(cfg.Seed, cfg.Layers),
		Fit: fit.FitOptions{Epochs: 1, BatchSize: cfg.Batch, ValidationHoldOut: course.Defaults.ValidationHoldOut, Progress: clock}})
	if err != nil {
		return EpochResult{}, err
	}
	params, _ := m.NumParams()
	start := time.Now()
	res, err := run.Train(cfg.Train.Scaled(cifar.UnitScaling), nil)
	if err != nil {
		return EpochResult{}, fmt.Errorf("training: %w", err)
	}
	wall := time.Since(start)
	hist, tr := res.History, run.Trainer
	logs := hist.Epochs[0]
	r := EpochResult{
		Model: m.Name(), Params: params, Batch: cfg.Batch,
		TrainImages: hist.Split.Train, ValImages: hist.Split.Val,
		FirstStepS: clock.first.Seconds(),
		TrainS:     clock.last.Sub(clock.began).Seconds(),
		ValS:       clock.validation().Seconds(),
		EpochS:     logs["time"], WallS: wall.Seconds(),
		Accuracy: logs["accuracy"], ValAccuracy: logs["val_accuracy"],
		PeakRSSBytes: peakRSS(), Machine: machine(info, tr.Backend(), cfg.Layers, kernelCalls),
	}
	if timed := clock.timed().Seconds(); timed > 0 {
		r.TrainImagesPerS = float64(hist.Split.Train-cfg.Batch) / timed
	}
	return r, nil
}
