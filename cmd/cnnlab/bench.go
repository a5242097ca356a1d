package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"

	"github.com/cnnlab/cnnlab/pkg/backend"
	"github.com/cnnlab/cnnlab/pkg/bench"
	"github.com/cnnlab/cnnlab/pkg/course"
	"github.com/cnnlab/cnnlab/pkg/layers"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

func init() {
	register(&command{
		name:    "bench",
		summary: "time the real training step, Evaluate and Predict of a course model (random data), or one real epoch (--epoch)",
		usage: "[--model baseline] [--width 1] [--batch 64] [--steps 40] [--warmup 10] [--eval-batch 256] [--eval-steps 20] " +
			"[--epoch [--data PATH] [--limit N]] [--impl auto|fast|native] [--winograd=false] [--backend-conv=false] [--fused-bn=false] [--skip-train | --skip-eval] [--seed S] [--json] [--quiet] [--cpuprofile FILE]",
		run: runBench,
	})
}

func runBench(fs *flag.FlagSet, args []string) error {
	modelName := fs.String("model", "baseline", "course model: "+strings.Join(nn.Names(), ", "))
	width := widthFlag(fs)
	batch := fs.Int("batch", course.Defaults.BatchSize, "training batch size")
	steps := fs.Int("steps", 40, "timed training steps")
	warmup := fs.Int("warmup", 10, "untimed training steps before timing (at least 1: the first step compiles the graph)")
	evalBatch := fs.Int("eval-batch", 256, "Evaluate and Predict batch size")
	evalSteps := fs.Int("eval-steps", 20, "batches of the timed Evaluate and Predict calls")
	epoch := fs.Bool("epoch", false, "time one real epoch of \"cnnlab train\" on CIFAR-10 (the course's 15% hold-out validates) instead of random data")
	dataPath := dataFlag(fs)
	limit := fs.Int("limit", 0, "with --epoch: train on N images drawn with the seed (0: all 50,000)")
	implName := fs.String("impl", "auto", "layers implementation: auto (fast on the Go backend, native elsewhere), fast or native")
	winograd := fs.Bool("winograd", true, "with the fast layers: Winograd F(2x2,3x3) for the 3x3 stride-1 same convolutions it pays for (false: im2col for all)")
	backendConv := backendConvFlag(fs)
	fusedBN := fusedBNFlag(fs)
	skipTrain := fs.Bool("skip-train", false, "measure inference only")
	skipEval := fs.Bool("skip-eval", false, "measure training only")
	seed := fs.Int64("seed", 1, "seed of the random data, the weights and the shuffling")
	asJSON := fs.Bool("json", false, "print one JSON object")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if _, err := nn.Named(*modelName, 1); err != nil {
		return usageError("--model: %v", err)
	}
	if err := checkWidth(*width); err != nil {
		return err
	}
	impl, err := layers.ParseImpl(*implName)
	if err != nil {
		return usageError("--impl: %v", err)
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"batch", *batch}, {"steps", *steps}, {"warmup", *warmup}, {"eval-batch", *evalBatch}, {"eval-steps", *evalSteps}} {
		if f.v < 1 {
			return usageError("--%s must be at least 1, got %d", f.name, f.v)
		}
	}
	if *skipTrain && *skipEval {
		return usageError("--skip-train and --skip-eval leave nothing to measure")
	}
	if *limit < 0 {
		return usageError("--limit must not be negative, got %d", *limit)
	}
	opts := layers.Options{Impl: impl, NoWinograd: !*winograd, NoBackendConv: !*backendConv, NoFusedBatchNorm: !*fusedBN}
	_, info, err := backend.New()
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "cnnlab bench: backend %s; CPU %s\n", info.String(), info.CPU)
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("creating CPU profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("starting CPU profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	var res any
	if *epoch {
		data, err := loadData(*dataPath)
		if err != nil {
			return err
		}
		train, err := sample(data.Train, *limit, *seed)
		if err != nil {
			return err
		}
		cfg := bench.EpochConfig{Model: *modelName, Width: *width, Train: train,
			Batch: *batch, Seed: *seed, Layers: opts}
		if !*quiet {
			cfg.OnStep = stepProgress("epoch")
		}
		r, err := bench.Epoch(cfg)
		if err != nil {
			return fmt.Errorf("benchmarking an epoch of %s: %w", *modelName, err)
		}
		res = r
		if !*asJSON {
			printEpoch(r)
		}
	} else {
		cfg := bench.Config{Model: *modelName, Width: *width, Batch: *batch, EvalBatch: *evalBatch, Steps: *steps,
			Warmup: *warmup, EvalSteps: *evalSteps, Seed: *seed, Layers: opts, SkipTrain: *skipTrain, SkipEval: *skipEval}
		if !*quiet {
			last := ""
			cfg.OnProgress = func(phase string, step, total int) {
				if phase != last {
					fmt.Fprintf(os.Stderr, "cnnlab bench: %s\n", phase)
					last = phase
				}
			}
		}
		r, err := bench.Run(cfg)
		if err != nil {
			return fmt.Errorf("benchmarking %s: %w", *modelName, err)
		}
		res = r
		if !*asJSON {
			printBench(r)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	return nil
}

// stepProgress returns a step callback that prints a line every 10% of the
// steps on stderr.
func stepProgress(what string) func(step, total int) {
	return func(step, total int) {
		if total >= 10 && step%(total/10) == 0 || step == total {
			fmt.Fprintf(os.Stderr, "cnnlab bench: %s step %d/%d\n", what, step, total)
		}
	}
}

func gib(b int64) string { return fmt.Sprintf("%.2f GiB", float64(b)/(1<<30)) }

func printMachine(m bench.Machine) {
	fmt.Printf("backend:  %s (%s), simd %v, layers %s, winograd %v, backend conv %v, fused batchnorm %v, %d CPUs, GOMAXPROCS %d, %s\n",
		m.Backend, m.BackendConfig, m.SIMD, m.Impl, m.Winograd, m.BackendConv, m.FusedBatchNorm, m.CPUs, m.GOMAXPROCS, m.GoVersion)
	fmt.Printf("cpu:      %s\n", m.CPU)
}

func printBench(r bench.Result) {
	fmt.Printf("model:    %s (%d trainable params)\n", r.Model, r.Params)
	printMachine(r.Machine)
	if r.TrainImagesPerS > 0 {
		fmt.Printf("train:    batch %d, %d steps after %d warm-up: %.1f images/s, %.1f ms/step (CPU %.0f ms), %.1f GFLOP/s (first step %.1f s, loss %.3f, peak RSS %s)\n",
			r.Batch, r.Steps, r.WarmupSteps, r.TrainImagesPerS, r.TrainMsPerStep, r.TrainCPUMsStep, r.TrainGFLOPs,
			r.TrainFirstStepS, r.FinalLoss, gib(r.TrainPeakRSS))
	}
	if r.EvalImagesPerS > 0 {
		fmt.Printf("evaluate: batch %d, %d batches: %.1f images/s, %.1f ms/batch (CPU %.0f ms), %.1f GFLOP/s\n",
			r.EvalBatch, r.EvalSteps, r.EvalImagesPerS, r.EvalMsPerStep, r.EvalCPUMsStep, r.EvalGFLOPs)
		fmt.Printf("predict:  batch %d, %d batches: %.1f images/s\n", r.EvalBatch, r.EvalSteps, r.PredictImagesPerS)
	}
	fmt.Printf("memory:   peak RSS %s, peak Go heap %s, Go runtime total %s\n",
		gib(r.PeakRSSBytes), gib(int64(r.PeakGoHeapBytes)), gib(int64(r.GoSysBytes)))
}

func printEpoch(r bench.EpochResult) {
	fmt.Printf("model:    %s (%d trainable params)\n", r.Model, r.Params)
	printMachine(r.Machine)
	fmt.Printf("epoch:    %d training images in batches of %d, %d validation images: %.1f s (training %.1f s, validation %.1f s; first step %.1f s)\n",
		r.TrainImages, r.Batch, r.ValImages, r.EpochS, r.TrainS, r.ValS, r.FirstStepS)
	fmt.Printf("train:    %.1f images/s after the first step; accuracy %.4f, val_accuracy %.4f\n",
		r.TrainImagesPerS, r.Accuracy, r.ValAccuracy)
	fmt.Printf("memory:   peak RSS %s\n", gib(r.PeakRSSBytes))
}
