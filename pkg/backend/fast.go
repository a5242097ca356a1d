package backend

import (
	"strconv"
	"strings"
)

// Setting is one build or run setting that makes GoMLX's pure Go backend
// fast, and whether it is on.
type Setting struct {
	Name string `json:"name"` // e.g. "GOEXPERIMENT=simd"
	On   bool   `json:"on"`
	Why  string `json:"why"` // what it buys, one line
}

// IsGo reports whether the chosen backend is GoMLX's pure Go backend.
func (i Info) IsGo() bool {
	return i.Config == "go" || strings.HasPrefix(i.Config, "go:")
}

// Parallelism returns the parallelism of a Go backend configuration such as
// "go:parallelism=-1" (-1 means all cores), and 0 when it is not set
// (GoMLX's default, about one core for a single graph).
func (i Info) Parallelism() int {
	_, opts, _ := strings.Cut(i.Config, ":")
	for _, opt := range strings.Split(opts, ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(opt), "parallelism="); ok {
			if n, err := strconv.Atoi(v); err == nil {
				return n
			}
		}
	}
	return 0
}

// FastSettings lists the settings that make the pure Go backend fast and
// whether each is on; it is empty for other backends. Package layers adds
// the graph-level part (its fast formulation) on its own.
func (i Info) FastSettings() []Setting {
	if !i.IsGo() {
		return nil
	}
	p := i.Parallelism()
	return []Setting{
		{Name: "GOEXPERIMENT=simd", On: i.SIMD,
			Why: "build setting: AVX2/AVX-512 matmul and elementwise kernels (3-4x faster training)"},
		{Name: "go:parallelism=-1", On: p < 0 || p > 1,
			Why: "run setting (" + EnvVar + "): ops use all cores; cnnlab's default"},
		{Name: "conv kernel", On: i.ConvKernel != "",
			Why: "build setting (make build: GoMLX patched, bench/upstream): implicit-GEMM convolutions on AVX-512 or AVX2 (1.3-1.6x faster training, half the memory)"},
		{Name: "fused batchnorm", On: i.FusedBatchNorm,
			Why: "build setting (make build: GoMLX patched, bench/upstream): BatchNorm trains on fused ops (BN models' training steps 10-20% faster)"},
	}
}

// FastPathReady reports whether every setting of [Info.FastSettings] is on
// (true for backends other than Go, which need none).
func (i Info) FastPathReady() bool {
	for _, s := range i.FastSettings() {
		if !s.On {
			return false
		}
	}
	return true
}
