package backend

import (
	"bufio"
	"os"
	"runtime"
	"slices"
	"strings"
)

// CPU describes the processor, for results that depend on it: the speed
// of GoMLX's Go backend against PyTorch differs a lot between CPU
// families.
type CPU struct {
	Model string   `json:"model"` // e.g. "Intel(R) Xeon(R) Processor" or "AMD EPYC 7B13"
	Flags []string `json:"flags"` // the SIMD flags that matter for matmuls, of simdFlags, in that order
}

// simdFlags are the /proc/cpuinfo flags worth reporting with a timing.
var simdFlags = []string{"avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "avx512_fp16", "amx_tile", "amx_bf16", "amx_int8"}

// String returns e.g. "Intel(R) Xeon(R) Processor (avx2 fma avx512f amx_tile)".
func (c CPU) String() string {
	if len(c.Flags) == 0 {
		return c.Model
	}
	return c.Model + " (" + strings.Join(c.Flags, " ") + ")"
}

// DetectCPU reads the processor's model name and SIMD flags from
// /proc/cpuinfo; elsewhere it returns runtime.GOARCH as the model.
func DetectCPU() CPU {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return CPU{Model: runtime.GOARCH}
	}
	defer f.Close()
	return parseCPUInfo(f)
}

// parseCPUInfo reads the first processor's "model name" and "flags".
func parseCPUInfo(f *os.File) CPU {
	var c CPU
	var flags []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() && (c.Model == "" || flags == nil) {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(key) {
		case "model name":
			c.Model = strings.TrimSpace(value)
		case "flags", "Features":
			flags = strings.Fields(value)
		}
	}
	for _, s := range simdFlags {
		if slices.Contains(flags, s) {
			c.Flags = append(c.Flags, s)
		}
	}
	if c.Model == "" {
		c.Model = runtime.GOARCH
	}
	return c
}
