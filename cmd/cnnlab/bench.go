package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"

	"github.com/cnnlab/cnnlab/pkg/backend"
	"github.com/cnnlab/cnnlab/pkg/layers"
	"github.com/cnnlab/cnnlab/pkg/layers/bench"
)

func init() {
	register(&command{
		name:    "bench",
		summary: "measure training and inference speed (images/s) of a course model on random data",
		usage:   "[--model baseline|bn|gap] [--batch 64] [--steps 40] [--warmup 10] [--eval-batch 256] [--eval-steps 20] [--impl auto|fast|native] [--json] [--cpuprofile FILE]",
		run:     runBench,
	})
}

func runBench(fs *flag.FlagSet, args []string) error {
	modelName := fs.String("model", "baseline", "model: "+strings.Join(bench.Models(), ", "))
	batch := fs.Int("batch", 64, "training batch size")
	steps := fs.Int("steps", 40, "timed training steps")
	warmup := fs.Int("warmup", 10, "untimed training steps before timing (at least 1: the first step compiles the graph)")
	evalBatch := fs.Int("eval-batch", 256, "inference batch size")
	evalSteps := fs.Int("eval-steps", 20, "timed inference steps")
	evalWarmup := fs.Int("eval-warmup", 3, "untimed inference steps before timing (at least 1)")
	implName := fs.String("impl", "auto", "layers implementation: auto (fast on the Go backend, native elsewhere), fast or native")
	skipTrain := fs.Bool("skip-train", false, "measure inference only")
	skipEval := fs.Bool("skip-eval", false, "measure training only")
	seed := fs.Uint64("seed", 1, "seed of the random data and initial weights")
	asJSON := fs.Bool("json", false, "print one JSON object")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if _, err := bench.Model(*modelName); err != nil {
		return usageError("--model: %v", err)
	}
	impl, err := layers.ParseImpl(*implName)
	if err != nil {
		return usageError("--impl: %v", err)
	}
	for _, f := range []struct {
		name string
		v    int
		min  int
	}{{"batch", *batch, 1}, {"steps", *steps, 1}, {"warmup", *warmup, 1}, {"eval-batch", *evalBatch, 1},
		{"eval-steps", *evalSteps, 1}, {"eval-warmup", *evalWarmup, 1}} {
		if f.v < f.min {
			return usageError("--%s must be at least %d, got %d", f.name, f.min, f.v)
		}
	}
	if *skipTrain && *skipEval {
		return usageError("--skip-train and --skip-eval leave nothing to measure")
	}
	_, info, err := backend.New()
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "cnnlab bench: backend %s\n", info.String())

	cfg := bench.Config{
		Model: *modelName, Batch: *batch, EvalBatch: *evalBatch, Steps: *steps, WarmupSteps: *warmup,
		EvalSteps: *evalSteps, EvalWarmup: *evalWarmup, Seed: *seed, Impl: impl,
		SkipTraining: *skipTrain, SkipEval: *skipEval,
	}
	if !*quiet {
		last := ""
		cfg.Progress = func(phase string, step, total int) {
			if phase != last {
				fmt.Fprintf(os.Stderr, "cnnlab bench: %s (%d steps)\n", phase, total)
				last = phase
			}
		}
	}
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
	res, err := bench.Run(cfg)
	if err != nil {
		return fmt.Errorf("benchmarking %s: %w", *modelName, err)
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	printBench(res)
	return nil
}

func printBench(r bench.Result) {
	gib := func(b float64) string { return fmt.Sprintf("%.2f GiB", b/(1<<30)) }
	fmt.Printf("model:    %s (%d trainable params), layers %s\n", r.Model, r.Params, r.Impl)
	fmt.Printf("backend:  %s (%s), simd %v, %d CPUs, GOMAXPROCS %d, %s\n",
		r.Backend, r.BackendConfig, r.SIMD, r.CPUs, r.GOMAXPROCS, r.GoVersion)
	if r.TrainImagesPerS > 0 {
		fmt.Printf("train:    batch %d, %d steps after %d warm-up: %.1f images/s, %.1f ms/step (CPU %.0f ms), %.1f GFLOP/s (first step %.1f s, loss %.3f, peak RSS %s)\n",
			r.Batch, r.Steps, r.WarmupSteps, r.TrainImagesPerS, r.TrainMsPerStep, r.TrainCPUMsStep, r.TrainGFLOPs,
			r.TrainFirstStepS, r.FinalLoss, gib(float64(r.TrainPeakRSS)))
	}
	if r.EvalImagesPerS > 0 {
		fmt.Printf("infer:    batch %d, %d steps: %.1f images/s, %.1f ms/step (CPU %.0f ms), %.1f GFLOP/s\n",
			r.EvalBatch, r.EvalSteps, r.EvalImagesPerS, r.EvalMsPerStep, r.EvalCPUMsStep, r.EvalGFLOPs)
	}
	fmt.Printf("memory:   peak RSS %s, peak Go heap %s, Go runtime total %s\n",
		gib(float64(r.PeakRSSBytes)), gib(float64(r.PeakGoHeapBytes)), gib(float64(r.GoSysBytes)))
}
