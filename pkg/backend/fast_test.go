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
		{Info{Config: "go:parallelism=-1", SIMD: true}, true, -1, true, 2},
		{Info{Config: "go:parallelism=-1", SIMD: false}, true, -1, false, 2},
		{Info{Config: "go", SIMD: true}, true, 0, false, 2},
		{Info{Config: "go:parallelism=1", SIMD: true}, true, 1, false, 2},
		{Info{Config: "go:ops_parallel=true,parallelism=4", SIMD: true}, true, 4, true, 2},
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
