package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestModelSummaryCLI(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		stdout   []string // substrings of stdout
		stderr   string   // substring of stderr
		noStdout bool
	}{
		{[]string{"model", "summary", "--model", "baseline"}, 0,
			[]string{`Model: "baseline"`, "│ conv2d (Conv2D)                 │ (None, 32, 32, 32)     │           896 │",
				" Total params: 904,718 (3.45 MB)", " Non-trainable params: 0 (0.00 B)"}, "", false},
		{[]string{"model", "summary", "--model", "gap"}, 0, []string{" Total params: 293,968 (1.12 MB)"}, "", false},
		{[]string{"model", "summary", "--model", "bn"}, 0,
			[]string{" Trainable params: 905,166", " Non-trainable params: 896 (3.50 KB)"}, "", false},
		// Width 0.5: filters 16/32/64, Dense 150.
		{[]string{"model", "summary", "--model", "baseline", "--width", "0.5"}, 0,
			[]string{`Model: "baseline_w0.5"`, "(None, 4, 4, 64)", " Total params: 227,340"}, "", false},
		{[]string{"model", "summary", "--model", "vgg"}, 2, nil, `unknown --model "vgg"`, true},
		{[]string{"model", "summary", "--width", "0"}, 2, nil, "--width must be in (0, 64], got 0", true},
		{[]string{"model", "summary", "--width", "wide"}, 2, nil, "invalid value", true},
		{[]string{"model", "summary", "extra"}, 2, nil, `unexpected argument "extra"`, true},
		{[]string{"model", "list"}, 0, []string{"baseline           904718", "gap                293968", "strided"}, "", false},
	}
	for _, tc := range tests {
		code, stdout, stderr := runCLI(t, tc.args...)
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d (stderr %q)", tc.args, code, tc.code, stderr)
		}
		for _, want := range tc.stdout {
			if !strings.Contains(stdout, want) {
				t.Errorf("%v: stdout lacks %q:\n%s", tc.args, want, stdout)
			}
		}
		if tc.stderr != "" && !strings.Contains(stderr, tc.stderr) {
			t.Errorf("%v: stderr %q, want it to contain %q", tc.args, stderr, tc.stderr)
		}
		if tc.noStdout && stdout != "" {
			t.Errorf("%v: unexpected stdout %q", tc.args, stdout)
		}
	}
}

func TestModelSummaryJSON(t *testing.T) {
	code, stdout, stderr := runCLI(t, "model", "summary", "--model", "bn", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got modelJSON
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("decoding %q: %v", stdout, err)
	}
	if got.Name != "bn" || got.Trainable != 905166 || got.NonTrainable != 896 || len(got.Layers) != 26 ||
		got.Layers[1].Class != "BatchNormalization" || got.Layers[1].NonTrainable != 64 || got.Activation != "softmax" {
		t.Errorf("JSON summary: %+v", got)
	}
}
