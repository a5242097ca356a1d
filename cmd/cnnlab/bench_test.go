package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cnnlab/cnnlab/internal/version"
	"github.com/cnnlab/cnnlab/pkg/backend"
)

func TestBenchCLIUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"bench", "--model", "resnet"}, "--model"},
		{[]string{"bench", "--batch", "0"}, "--batch must be at least 1"},
		{[]string{"bench", "--impl", "turbo"}, "--impl"},
		// Zero would silently mean the default (10): the first step compiles the graph and is never timed.
		{[]string{"bench", "--warmup", "0"}, "--warmup must be at least 1"},
		{[]string{"bench", "--skip-train", "--skip-eval"}, "nothing to measure"},
		{[]string{"bench", "--width", "0"}, "--width"},
		{[]string{"bench", "--epoch", "--limit", "-1"}, "--limit"},
		{[]string{"bench", "extra"}, "unexpected argument"},
	}
	for _, tc := range tests {
		code, _, stderr := runCLI(t, tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

func TestBenchCLIJSON(t *testing.T) {
	code, stdout, stderr := runCLI(t, "bench", "--model", "gap", "--batch", "2", "--steps", "1",
		"--warmup", "1", "--eval-batch", "2", "--eval-steps", "1", "--json", "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("decoding %q: %v", stdout, err)
	}
	for _, key := range []string{"train_images_per_sec", "eval_images_per_sec", "predict_images_per_sec", "train_ms_per_step",
		"train_gflops_per_sec", "peak_rss_bytes", "backend", "simd", "impl", "winograd", "backend_conv", "cpu", "cnnlab_version"} {
		if _, ok := got[key]; !ok {
			t.Errorf("JSON lacks %q: %s", key, stdout)
		}
	}
	if got["cnnlab_version"] != version.String() {
		t.Errorf("cnnlab_version = %v, want %q", got["cnnlab_version"], version.String())
	}
	if got["model"] != "gap" || got["params"] != float64(293968) || got["batch"] != float64(2) ||
		got["warmup_steps"] != float64(1) {
		t.Errorf("JSON %v: want model gap, params 293968, batch 2, warmup_steps 1", got)
	}
	if v, _ := got["train_images_per_sec"].(float64); v <= 0 {
		t.Errorf("train_images_per_sec = %v, want > 0", got["train_images_per_sec"])
	}
	// The fast layers (the Go backend's) run Conv2D on the patched
	// backend's kernel where this build has one (backend.ConvKernel), else
	// on Winograd (unless --winograd=false); the JSON says which, and
	// whether the kernel ran.
	kernel := backend.ConvKernel()
	for _, key := range []string{"patched", "conv_kernel", "conv_kernel_calls"} {
		if _, ok := got[key]; !ok {
			t.Errorf("JSON lacks %q: %s", key, stdout)
		}
	}
	if got["impl"] == "fast" {
		calls, _ := got["conv_kernel_calls"].(float64)
		if got["conv_kernel"] != kernel || got["backend_conv"] != (kernel != "") || got["winograd"] != (kernel == "") ||
			(calls > 0) != (kernel != "") || got["patched"] != backend.Patched() {
			t.Errorf("JSON %s: want conv_kernel %q, backend_conv %v, winograd %v, conv_kernel_calls > 0 %v, patched %v",
				stdout, kernel, kernel != "", kernel == "", kernel != "", backend.Patched())
		}
	}
	_, stdout, _ = runCLI(t, "bench", "--model", "gap", "--batch", "2", "--steps", "1",
		"--warmup", "1", "--skip-eval", "--winograd=false", "--backend-conv=false", "--json", "--quiet")
	if !strings.Contains(stdout, `"winograd": false`) {
		t.Errorf("--winograd=false: JSON %s lacks \"winograd\": false", stdout)
	}
	// --backend-conv=false keeps the kernel out (the A/B switch): the
	// fast path's im2col and Winograd run instead.
	_, stdout, _ = runCLI(t, "bench", "--model", "gap", "--batch", "2", "--steps", "1",
		"--warmup", "1", "--skip-eval", "--backend-conv=false", "--json", "--quiet")
	got = map[string]any{}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("--backend-conv=false: decoding %q: %v", stdout, err)
	}
	if got["impl"] == "fast" && (got["backend_conv"] != false || got["winograd"] != true || got["conv_kernel_calls"] != float64(0)) {
		t.Errorf("--backend-conv=false: JSON %s, want backend_conv false, winograd true and conv_kernel_calls 0 with the fast layers", stdout)
	}
}

// TestBenchCLIEpoch times one real epoch of a tiny model on a folder of
// images, as `cnnlab bench --epoch` does on the whole dataset.
func TestBenchCLIEpoch(t *testing.T) {
	data := trainArchive(t, 30, 10)
	code, stdout, stderr := runCLI(t, "bench", "--epoch", "--data", data, "--model", "baseline", "--width", "0.125",
		"--batch", "8", "--json", "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("decoding %q: %v", stdout, err)
	}
	// The course's hold-out of 30 images: ceil(4.5) = 5 validate.
	if got["train_images"] != float64(25) || got["val_images"] != float64(5) {
		t.Errorf("JSON %v: want 25 train and 5 validation images", got)
	}
	for _, key := range []string{"train_images_per_sec", "epoch_sec", "validation_sec", "val_accuracy", "cpu"} {
		if _, ok := got[key]; !ok {
			t.Errorf("JSON lacks %q", key)
		}
	}
}
