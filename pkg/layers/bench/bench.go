package bench

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/cnnlab/cnnlab/pkg/backend"
	"github.com/cnnlab/cnnlab/pkg/layers"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/loss"
	"github.com/gomlx/gomlx/ml/train/optimizer"
)

// Config selects what [Run] measures. Zero fields take the defaults noted.
type Config struct {
	Model        string      // "baseline" (default), "bn" or "gap"
	Batch        int         // training batch size; default 64
	EvalBatch    int         // inference batch size; default 256
	Steps        int         // timed training steps; default 40
	WarmupSteps  int         // untimed training steps first; default 10
	EvalSteps    int         // timed inference steps; default 20
	EvalWarmup   int         // untimed inference steps first; default 3
	Seed         uint64      // data and variable seed; default 1
	Impl         layers.Impl // layers implementation; default Auto
	SkipTraining bool        // measure inference only
	SkipEval     bool        // measure training only
	// Progress, if set, is called after every step with the phase
	// ("train warm-up", "train", "eval warm-up", "eval") and step number.
	Progress func(phase string, step, total int)
}

// Result is what [Run] measured. Images per second count images processed
// in the timed steps only; GFLOP/s use [Spec.FLOPs] (training counts 3×
// the forward FLOPs: forward, and backward for inputs and weights).
type Result struct {
	Model           string  `json:"model"`
	Params          int     `json:"params"`
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
	FinalLoss       float64 `json:"final_loss"`
	EvalImagesPerS  float64 `json:"eval_images_per_sec"`
	EvalMsPerStep   float64 `json:"eval_ms_per_step"`
	EvalGFLOPs      float64 `json:"eval_gflops_per_sec"`
	EvalCPUMsStep   float64 `json:"eval_cpu_ms_per_step"`
	PeakRSSBytes    int64   `json:"peak_rss_bytes"`     // process max RSS (getrusage)
	PeakGoHeapBytes uint64  `json:"peak_go_heap_bytes"` // max HeapAlloc sampled after each step
	GoSysBytes      uint64  `json:"go_sys_bytes"`       // memory obtained from the OS by the Go runtime
	Backend         string  `json:"backend"`
	BackendConfig   string  `json:"backend_config"`
	SIMD            bool    `json:"simd"`
	Impl            string  `json:"impl"` // "fast" or "native": what the layers used
	GoVersion       string  `json:"go_version"`
	CPUs            int     `json:"cpus"`
	GOMAXPROCS      int     `json:"gomaxprocs"`
}

func (c *Config) defaults() error {
	if c.Model == "" {
		c.Model = "baseline"
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Batch, 64)
	def(&c.EvalBatch, 256)
	def(&c.Steps, 40)
	def(&c.WarmupSteps, 10)
	def(&c.EvalSteps, 20)
	def(&c.EvalWarmup, 3)
	if c.Seed == 0 {
		c.Seed = 1
	}
	switch {
	case c.Batch < 1:
		return fmt.Errorf("batch must be positive, got %d", c.Batch)
	case c.EvalBatch < 1:
		return fmt.Errorf("eval batch must be positive, got %d", c.EvalBatch)
	case c.Steps < 1 || c.EvalSteps < 1:
		return fmt.Errorf("steps must be positive, got %d (eval %d)", c.Steps, c.EvalSteps)
	case c.WarmupSteps < 0 || c.EvalWarmup < 0:
		return fmt.Errorf("warm-up steps must not be negative")
	case c.SkipTraining && c.SkipEval:
		return errors.New("nothing to measure: both training and inference skipped")
	}
	return nil
}

// Run builds the model on the backend from package backend, trains it on
// random data (Adam 1e-3, sparse cross-entropy from logits) for
// cfg.WarmupSteps + cfg.Steps steps, then runs inference for
// cfg.EvalWarmup + cfg.EvalSteps batches, and reports the timed steps.
func Run(cfg Config) (Result, error) {
	if err := cfg.defaults(); err != nil {
		return Result{}, err
	}
	spec, err := Model(cfg.Model)
	if err != nil {
		return Result{}, err
	}
	be, info, err := backend.New()
	if err != nil {
		return Result{}, err
	}
	prevImpl := layers.SetImpl(cfg.Impl)
	defer layers.SetImpl(prevImpl)

	res := Result{
		Model: spec.Name, Params: spec.Params, Batch: cfg.Batch, EvalBatch: cfg.EvalBatch,
		Steps: cfg.Steps, WarmupSteps: cfg.WarmupSteps, EvalSteps: cfg.EvalSteps,
		Backend: info.Name, BackendConfig: info.Config, SIMD: info.SIMD,
		GoVersion: info.GoVersion, CPUs: info.CPUs, GOMAXPROCS: runtime.GOMAXPROCS(0),
	}
	g := graph.NewGraph(be, "probe")
	if layers.FastPathActive(g) {
		res.Impl = "fast"
	} else {
		res.Impl = "native"
	}
	g.Finalize()

	store := model.NewStore()
	if err := store.SetRNGStateFromSeed(int64(cfg.Seed)); err != nil {
		return res, fmt.Errorf("seeding the store: %w", err)
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 7))
	images := func(n int) *tensors.Tensor {
		d := make([]float32, n*32*32*3)
		for i := range d {
			d[i] = rng.Float32()
		}
		return tensors.FromFlatDataAndDimensions(d, n, 32, 32, 3)
	}
	labels := func(n int) *tensors.Tensor {
		d := make([]int32, n)
		for i := range d {
			d[i] = int32(rng.IntN(10))
		}
		return tensors.FromFlatDataAndDimensions(d, n, 1)
	}
	var ms runtime.MemStats
	sampleHeap := func() {
		runtime.ReadMemStats(&ms)
		res.PeakGoHeapBytes = max(res.PeakGoHeapBytes, ms.HeapAlloc)
	}
	progress := func(phase string, step, total int) {
		if cfg.Progress != nil {
			cfg.Progress(phase, step, total)
		}
	}

	if !cfg.SkipTraining {
		trainer := train.NewTrainer(be, store, spec.Fn, loss.SparseCategoricalCrossEntropyLogits,
			optimizer.Adam().LearningRate(1e-3).Done(), nil, nil)
		step := func() (float64, error) {
			// TrainStep takes ownership of the batch tensors.
			metrics, err := trainer.TrainStep(train.Batch{
				Inputs: []*tensors.Tensor{images(cfg.Batch)}, Labels: []*tensors.Tensor{labels(cfg.Batch)}})
			if err != nil {
				return 0, fmt.Errorf("training step: %w", err)
			}
			l := 0.0
			if len(metrics) > 0 {
				l = float64(tensors.ToScalar[float32](metrics[0]))
			}
			for _, m := range metrics {
				m.MustFinalizeAll()
			}
			return l, nil
		}
		for i := range max(cfg.WarmupSteps, 1) {
			start := time.Now()
			if _, err := step(); err != nil {
				return res, err
			}
			if i == 0 {
				res.TrainFirstStepS = time.Since(start).Seconds()
			}
			sampleHeap()
			progress("train warm-up", i+1, cfg.WarmupSteps)
		}
		start, cpuStart := time.Now(), cpuTime()
		for i := range cfg.Steps {
			l, err := step()
			if err != nil {
				return res, err
			}
			res.FinalLoss = l
			sampleHeap()
			progress("train", i+1, cfg.Steps)
		}
		elapsed := time.Since(start).Seconds()
		res.TrainCPUMsStep = 1000 * (cpuTime() - cpuStart).Seconds() / float64(cfg.Steps)
		res.TrainPeakRSS = peakRSS()
		res.TrainMsPerStep = 1000 * elapsed / float64(cfg.Steps)
		res.TrainImagesPerS = float64(cfg.Steps*cfg.Batch) / elapsed
		res.TrainGFLOPs = 3 * float64(spec.FLOPs) * res.TrainImagesPerS / 1e9
	}

	if !cfg.SkipEval {
		// As in package fit: large inference batches run as independent
		// sub-batches on the fast path (layers.InferenceSplit).
		evalFn := func(scope *model.Scope, x *graph.Node) *graph.Node {
			return layers.SplitBatch(x, layers.InferenceSplit(x), func(x *graph.Node) *graph.Node {
				return spec.Fn(scope.ResetVisited(), x)
			})
		}
		exec, err := model.NewExec(be, store, evalFn)
		if err != nil {
			return res, fmt.Errorf("building the inference graph: %w", err)
		}
		defer exec.Finalize()
		step := func() error {
			x := images(cfg.EvalBatch)
			outs, err := exec.Exec(x)
			x.MustFinalizeAll()
			if err != nil {
				return fmt.Errorf("inference step: %w", err)
			}
			for _, o := range outs {
				o.MustFinalizeAll()
			}
			return nil
		}
		for i := range max(cfg.EvalWarmup, 1) {
			if err := step(); err != nil {
				return res, err
			}
			sampleHeap()
			progress("eval warm-up", i+1, cfg.EvalWarmup)
		}
		start, cpuStart := time.Now(), cpuTime()
		for i := range cfg.EvalSteps {
			if err := step(); err != nil {
				return res, err
			}
			sampleHeap()
			progress("eval", i+1, cfg.EvalSteps)
		}
		elapsed := time.Since(start).Seconds()
		res.EvalCPUMsStep = 1000 * (cpuTime() - cpuStart).Seconds() / float64(cfg.EvalSteps)
		res.EvalMsPerStep = 1000 * elapsed / float64(cfg.EvalSteps)
		res.EvalImagesPerS = float64(cfg.EvalSteps*cfg.EvalBatch) / elapsed
		res.EvalGFLOPs = float64(spec.FLOPs) * res.EvalImagesPerS / 1e9
	}

	runtime.ReadMemStats(&ms)
	res.GoSysBytes = ms.Sys
	res.PeakRSSBytes = peakRSS()
	return res, nil
}
