package backend

import "testing"

func TestFastSettings(t *testing.T) {
	tests := []struct {
		info        Info
		isGo        bool
		parallelism int
		ready       bool
		settings    int
	}{
		{Info{Config: "go:parallelism=-1", SIMD: true, Patched: true, ConvKernel: "avx512", FusedBatchNorm: true}, true, -1, true, 4},
		{Info{Config: "go:parallelism=-1", SIMD: true, Patched: true, ConvKernel: "avx512"}, true, -1, false, 4},
		{Info{Config: "go:parallelism=-1", SIMD: true, Patched: true, FusedBatchNorm: true}, true, -1, false, 4},
		{Info{Config: "go:parallelism=-1", SIMD: true}, true, -1, false, 4},
		{Info{Config: "go:parallelism=-1", SIMD: false, ConvKernel: "avx2"}, true, -1, false, 4},
		{Info{Config: "go", SIMD: true, ConvKernel: "avx2", FusedBatchNorm: true}, true, 0, false, 4},
		{Info{Config: "go:parallelism=1", SIMD: true, ConvKernel: "avx2", FusedBatchNorm: true}, true, 1, false, 4},
		{Info{Config: "go:ops_parallel=true,parallelism=4", SIMD: true, ConvKernel: "avx2", FusedBatchNorm: true}, true, 4, true, 4},
		{Info{Config: "xla:cpu"}, false, 0, true, 0},
		{Info{Config: "gofast"}, false, 0, true, 0},
	}
	for _, tc := range tests {
		if got := tc.info.IsGo(); got != tc.isGo {
			t.Errorf("%q: IsGo = %v, want %v", tc.info.Config, got, tc.isGo)
		}
		if got := tc.info.Parallelism(); got != tc.parallelism {
			t.Errorf("%q: Parallelism = %d, want %d", tc.info.Config, got, tc.parallelism)
		}
		if got := tc.info.FastPathReady(); got != tc.ready {
			t.Errorf("%q simd=%v: FastPathReady = %v, want %v", tc.info.Config, tc.info.SIMD, got, tc.ready)
		}
		if got := len(tc.info.FastSettings()); got != tc.settings {
			t.Errorf("%q: %d settings, want %d", tc.info.Config, got, tc.settings)
		}
	}
}

func TestInfoString(t *testing.T) {
	tests := []struct {
		info Info
		want string
	}{
		{Info{Name: "go", Config: "go:parallelism=-1", Source: "default", SIMD: true, Patched: true, ConvKernel: "avx512", CPUs: 2},
			"go (go:parallelism=-1, from default; simd on; conv kernel avx512; 2 CPUs)"},
		{Info{Name: "go", Config: "go:parallelism=-1", Source: "default", SIMD: true, Patched: true, CPUs: 2},
			"go (go:parallelism=-1, from default; simd on; conv kernel none; 2 CPUs)"},
		{Info{Name: "go", Config: "go", Source: "env", CPUs: 4},
			"go (go, from env; simd off; conv kernel none (released GoMLX); 4 CPUs)"},
		{Info{Name: "xla", Config: "xla:cpu", Source: "plugin", SIMD: true, Patched: true, CPUs: 2},
			"xla (xla:cpu, from plugin; simd on; 2 CPUs)"},
	}
	for _, tc := range tests {
		if got := tc.info.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}
