// Package bench measures how fast cnnlab trains and runs the course's
// models: the real training step of package fit (Trainer.Fit), its
// Evaluate and Predict, on nn models, either on random data ([Run]) or as
// one real epoch with validation on CIFAR-10 ([Epoch]). It backs "cnnlab
// bench"; bench/pytorch_bench.py in the repository times the same models
// and the same epoch in PyTorch for comparison.
package bench

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/gomlx/compute"

	"github.com/cnnlab/cnnlab/cifar"
	"github.com/cnnlab/cnnlab/internal/version"
	"github.com/cnnlab/cnnlab/pkg/backend"
	"github.com/cnnlab/cnnlab/pkg/course"
	"github.com/cnnlab/cnnlab/pkg/fit"
	"github.com/cnnlab/cnnlab/pkg/layers"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

// Config selects what [Run] measures. Zero fields take the defaults noted.
type Config struct {
	Model      string         // a course model (nn.Names); default "baseline"
	Width      float64        // width factor of the model; default 1
	Batch      int            // training batch size; default 64
	Steps      int            // timed training steps; default 40
	Warmup     int            // untimed training steps first (the first compiles); default 10
	EvalBatch  int            // Evaluate and Predict batch size; default 256
	EvalSteps  int            // batches that each timed Evaluate and Predict call runs; default 20
	Seed       int64          // data and weights seed; default 1
	Layers     layers.Options // layers formulation; the zero value is the default
	SkipTrain  bool           // measure inference only
	SkipEval   bool           // measure training only
	OnProgress func(phase string, step, total int)
}

// Machine describes where a measurement ran.
type Machine struct {
	Backend       string `json:"backend"`        // e.g. "go"
	BackendConfig string `json:"backend_config"` // e.g. "go:parallelism=-1"
	SIMD          bool   `json:"simd"`
	Impl          string `json:"impl"`         // "fast" or "native": what the layers used
	Winograd      bool   `json:"winograd"`     // layers.Options.UsesWinograd: the fast path's Winograd convolutions on
	BackendConv   bool   `json:"backend_conv"` // layers.Options.UsesBackendConv: the fast path's Conv2D on the backend's kernel
	// FusedBatchNorm is layers.Options.UsesFusedBatchNorm: BatchNorm's
	// training graph on the backend's fused op.
	FusedBatchNorm bool   `json:"fused_batchnorm"`
	Patched        bool   `json:"patched"`     // built against cnnlab's patched GoMLX (backend.Patched)
	ConvKernel     string `json:"conv_kernel"` // the patched backend's convolution kernel on this CPU, "" for none
	// ConvKernelCalls counts the convolutions the kernel ran during the
	// measurement: 0 means it did not run.
	ConvKernelCalls int64       `json:"conv_kernel_calls"`
	CPU             backend.CPU `json:"cpu"`
	CPUs            int         `json:"cpus"`
	GOMAXPROCS      int         `json:"gomaxprocs"`
	GoVersion       string      `json:"go_version"`
	Version         string      `json:"cnnlab_version"` // cnnlab's module version and VCS revision (internal/version)
}

// Result is what [Run] measured. Images per second count the timed steps
// only; GFLOP/s use nn.Model.FLOPs (training counts 3× the forward FLOPs).
type Result struct {
	Model           string  `json:"model"`
	Params          int     `json:"params"` // trainable parameters
	Batch           int     `json:"batch"`
	EvalBatch       int     `json:"eval_batch"`
	Steps           int     `json:"steps"`
	WarmupSteps     int     `json:"warmup_steps"`
	EvalSteps       int     `json:"eval_steps"`
	TrainImagesPerS float64 `json:"train_images_per_sec"`
	TrainMsPerStep  float64 `json:"train_ms_per_step"`
	TrainGFLOPs     float64 `json:"train_gflops_per_sec"`
	TrainCPUMsStep  float64 `json:"train_cpu_ms_per_step"` // process CPU time (user+system) per timed step
	TrainFirstStepS float64 `json:"train_first_step_sec"`  // includes graph compilation
	TrainPeakRSS    int64   `json:"train_peak_rss_bytes"`  // max RSS when training ended (before inference)
	FinalLoss       float64 `json:"final_loss"`            // the epoch's mean training loss
	// Evaluate and Predict: one call over EvalSteps batches each, after a
	// warm-up call; the time includes compiling the call's graph, as every
	// real call does (see package fit).
	EvalImagesPerS    float64 `json:"eval_images_per_sec"`
	EvalMsPerStep     float64 `json:"eval_ms_per_step"`
	EvalGFLOPs        float64 `json:"eval_gflops_per_sec"`
	EvalCPUMsStep     float64 `json:"eval_cpu_ms_per_step"`
	PredictImagesPerS float64 `json:"predict_images_per_sec"`
	PeakRSSBytes      int64   `json:"peak_rss_bytes"`     // process max RSS (getrusage)
	PeakGoHeapBytes   uint64  `json:"peak_go_heap_bytes"` // max HeapAlloc sampled after each step
	GoSysBytes        uint64  `json:"go_sys_bytes"`       // memory obtained from the OS by the Go runtime
	Machine
}

func (c *Config) defaults() error {
	if c.Model == "" {
		c.Model = "baseline"
	}
	if c.Width == 0 {
		c.Width = 1
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Batch, course.Defaults.BatchSize)
	def(&c.EvalBatch, 256)
	def(&c.Steps, 40)
	def(&c.Warmup, 10)
	def(&c.EvalSteps, 20)
	if c.Seed == 0 {
		c.Seed = 1
	}
	switch {
	case c.Batch < 1 || c.EvalBatch < 1:
		return fmt.Errorf("batch sizes must be positive, got %d (eval %d)", c.Batch, c.EvalBatch)
	case c.Steps < 1 || c.EvalSteps < 1:
		return fmt.Errorf("steps must be positive, got %d (eval %d)", c.Steps, c.EvalSteps)
	case c.Warmup < 1:
		return fmt.Errorf("warm-up steps must be at least 1 (the first step compiles the graph), got %d", c.Warmup)
	case c.SkipTrain && c.SkipEval:
		return errors.New("nothing to measure: both training and inference skipped")
	}
	return nil
}

// machine describes the backend b that tr runs on, with the layers options
// opts; call it when the measurement is over, with the kernel's call count
// (backend.ConvKernelCalls) from its start.
func machine(info backend.Info, b compute.Backend, opts layers.Options, kernelCalls int64) Machine {
	fast := opts.FastPath(b)
	impl := "native"
	if fast {
		impl = "fast"
	}
	return Machine{Backend: info.Name, BackendConfig: info.Config, SIMD: info.SIMD, Impl: impl,
		Winograd: fast && opts.UsesWinograd(), BackendConv: fast && opts.UsesBackendConv(),
		FusedBatchNorm: opts.UsesFusedBatchNorm(b), Patched: info.Patched, ConvKernel: info.ConvKernel, ConvKernelCalls: backend.ConvKernelCalls() - kernelCalls,
		CPU: info.CPU, CPUs: info.CPUs, GOMAXPROCS: runtime.GOMAXPROCS(0), GoVersion: info.GoVersion,
		Version: version.String()}
}

// compile returns the named model and its trainer (Adam 1e-3, the course's
// optimizer, layers options opts) on the chosen backend.
func compile(name string, width float64, seed int64, opts layers.Options) (*nn.Model, *fit.Trainer, backend.Info, error) {
	m, err := nn.Named(name, width)
	if err != nil {
		return nil, nil, backend.Info{}, err
	}
	b, info, err := backend.New()
	if err != nil {
		return nil, nil, info, err
	}
	tr, err := fit.Compile(b, m, courseOptions(seed, opts))
	if err != nil {
		return nil, nil, info, err
	}
	tr.SetOutput(nil)
	return m, tr, info, nil
}

// courseOptions are the course's compile options (Adam 1e-3) with the seed
// and the layers options.
func courseOptions(seed int64, opts layers.Options) fit.Options {
	return fit.Options{Optimizer: fit.Adam(course.Defaults.LearningRate), Seed: seed, Params: opts.Params()}
}

// randomImages returns n random images and labels.
func randomImages(n int, rng *rand.Rand) *fit.Arrays {
	a := &fit.Arrays{X: make([]float32, n*cifar.ImageSize), Shape: []int{cifar.Height, cifar.Width, cifar.Channels},
		Y: make([]int32, n)}
	for i := range a.X {
		a.X[i] = rng.Float32()
	}
	for i := range a.Y {
		a.Y[i] = int32(rng.IntN(cifar.NumClasses))
	}
	return a
}

// Run trains the model with fit.Trainer.Fit on random data for one epoch of
// cfg.Warmup + cfg.Steps steps, timing the steps after the warm-up; then
// times one Evaluate and one Predict call of cfg.EvalSteps batches each,
// after an untimed warm-up call.
func Run(cfg Config) (Result, error) {
	if err := cfg.defaults(); err != nil {
		return Result{}, err
	}
	kernelCalls := backend.ConvKernelCalls()
	m, tr, info, err := compile(cfg.Model, cfg.Width, cfg.Seed, cfg.Layers)
	if err != nil {
		return Result{}, err
	}
	params, _ := m.NumParams()
	res := Result{Model: m.Name(), Params: params, Batch: cfg.Batch, EvalBatch: cfg.EvalBatch,
		Steps: cfg.Steps, WarmupSteps: cfg.Warmup, EvalSteps: cfg.EvalSteps}
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 7))
	heap := heapSampler{peak: &res.PeakGoHeapBytes}
	progress := func(phase string, step, total int) {
		heap.sample()
		if cfg.OnProgress != nil {
			cfg.OnProgress(phase, step, total)
		}
	}

	if !cfg.SkipTrain {
		clock := &stepClock{warmup: cfg.Warmup, onStep: func(step, total int) {
			phase := "train"
			if step <= cfg.Warmup {
				phase = "train warm-up"
			}
			progress(phase, step, total)
		}}
		hist, err := tr.Fit(randomImages((cfg.Warmup+cfg.Steps)*cfg.Batch, rng),
			fit.FitOptions{Epochs: 1, BatchSize: cfg.Batch, NoShuffle: true, Progress: clock})
		if err != nil {
			return res, fmt.Errorf("training: %w", err)
		}
		elapsed := clock.timed().Seconds()
		res.TrainFirstStepS = clock.first.Seconds()
		res.TrainCPUMsStep = 1000 * clock.timedCPU().Seconds() / float64(cfg.Steps)
		res.TrainPeakRSS = peakRSS()
		res.TrainMsPerStep = 1000 * elapsed / float64(cfg.Steps)
		res.TrainImagesPerS = float64(cfg.Steps*cfg.Batch) / elapsed
		res.TrainGFLOPs = 3 * float64(m.FLOPs()) * res.TrainImagesPerS / 1e9
		res.FinalLoss = hist.Epochs[0]["loss"]
	}

	if !cfg.SkipEval {
		data := randomImages(cfg.EvalSteps*cfg.EvalBatch, rng)
		warm := &fit.Arrays{X: data.X[:cfg.EvalBatch*cifar.ImageSize], Shape: data.Shape, Y: data.Y[:cfg.EvalBatch]}
		if _, _, err := tr.Evaluate(warm, cfg.EvalBatch); err != nil {
			return res, fmt.Errorf("evaluating: %w", err)
		}
		progress("eval warm-up", 1, 1)
		start, cpuStart := time.Now(), cpuTime()
		if _, _, err := tr.Evaluate(data, cfg.EvalBatch); err != nil {
			return res, fmt.Errorf("evaluating: %w", err)
		}
		elapsed := time.Since(start).Seconds()
		res.EvalCPUMsStep = 1000 * (cpuTime() - cpuStart).Seconds() / float64(cfg.EvalSteps)
		res.EvalMsPerStep = 1000 * elapsed / float64(cfg.EvalSteps)
		res.EvalImagesPerS = float64(data.Len()) / elapsed
		res.EvalGFLOPs = float64(m.FLOPs()) * res.EvalImagesPerS / 1e9
		progress("eval", cfg.EvalSteps, cfg.EvalSteps)
		start = time.Now()
		if _, _, err := tr.Predict(data, cfg.EvalBatch); err != nil {
			return res, fmt.Errorf("predicting: %w", err)
		}
		res.PredictImagesPerS = float64(data.Len()) / time.Since(start).Seconds()
		progress("predict", cfg.EvalSteps, cfg.EvalSteps)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res.GoSysBytes = ms.Sys
	res.PeakRSSBytes = peakRSS()
	res.Machine = machine(info, tr.Backend(), cfg.Layers, kernelCalls)
	return res, nil
}

// heapSampler records the largest Go heap seen.
type heapSampler struct{ peak *uint64 }

func (h heapSampler) sample() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	*h.peak = max(*h.peak, ms.HeapAlloc)
}

// stepClock is a fit.Progress that times the steps of one epoch: the
// first step (which compiles the graph), the steps after the warm-up, and
// validation (from the last step to the end of the epoch).
type stepClock struct {
	warmup int                   // steps before timing starts
	onStep func(step, total int) // called after every step, if set

	steps                  int
	began, last, epochEnd  time.Time
	first                  time.Duration
	timedFrom              time.Time
	cpuFrom, cpuAtLastStep time.Duration
}

func (c *stepClock) EpochBegin(_, _, steps int) {
	c.steps, c.began = steps, time.Now()
}

func (c *stepClock) Step(step int, _ fit.Logs) {
	c.last = time.Now()
	if step == 1 {
		c.first = c.last.Sub(c.began)
	}
	if step == c.warmup {
		c.timedFrom, c.cpuFrom = c.last, cpuTime()
	}
	if step == c.steps {
		c.cpuAtLastStep = cpuTime()
	}
	if c.onStep != nil {
		c.onStep(step, c.steps)
	}
}

func (c *stepClock) EpochEnd(int, fit.Logs) { c.epochEnd = time.Now() }
func (c *stepClock) Done()                  {}

// timed returns the time of the steps after the warm-up.
func (c *stepClock) timed() time.Duration { return c.last.Sub(c.timedFrom) }

// timedCPU returns the process CPU time of the steps after the warm-up.
func (c *stepClock) timedCPU() time.Duration { return c.cpuAtLastStep - c.cpuFrom }

// validation returns the time from the last step to the end of the epoch.
func (c *stepClock) validation() time.Duration { return c.epochEnd.Sub(c.last) }
