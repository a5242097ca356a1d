package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLessonCLIUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"lesson", "run"}, "name a lesson (data, first-cnn"},
		{[]string{"lesson", "run", "nope"}, `unknown lesson "nope" (known: data, first-cnn, filter-size`},
		{[]string{"lesson", "run", "gap", "--preset", "huge"}, `unknown preset "huge" (known: smoke, quick, standard, full)`},
		{[]string{"lesson", "run", "gap", "--shard", "3/2"}, "--shard"},
		{[]string{"lesson", "run", "gap", "--seeds", "-1"}, "--seeds"},
		{[]string{"lesson", "list", "--preset", "tiny"}, "unknown preset"},
		{[]string{"lesson", "report"}, "--dir is required"},
	}
	for _, tc := range tests {
		code, _, stderr := runCLI(t, tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

// TestLessonCLIRunAndReport runs a lesson's smoke preset in two shards,
// then merges them with lesson report.
func TestLessonCLIRunAndReport(t *testing.T) {
	data := trainArchive(t, 300, 100)
	root := t.TempDir()
	out := filepath.Join(root, "smoke", "gap")
	code, stdout, stderr := runCLI(t, "lesson", "run", "gap", "--preset", "smoke", "--data", data, "--out", root, "--shard", "0/2", "--verbose", "0")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "[gap] run 1/1: flatten, seed 42") || !strings.Contains(stdout, "1 of 2 runs") {
		t.Errorf("shard 0/2 output:\n%s", stdout)
	}
	code, stdout, stderr = runCLI(t, "lesson", "run", "gap", "--preset", "smoke", "--data", data, "--out", root, "--shard", "1/2", "--verbose", "0")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(t, "lesson", "report", "--dir", out, "--data", data, "--markdown")
	if code != 0 || !strings.Contains(stdout, "2 of 2 runs") || !strings.Contains(stdout, "report: "+filepath.Join(out, "report.html")) {
		t.Fatalf("lesson report: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "### Lesson 10 — Global Average Pooling vs Flatten") || !strings.Contains(stdout, "| the course says | measured | verdict |") {
		t.Errorf("lesson report --markdown printed:\n%s", stdout)
	}
	for _, f := range []string{"results.json", "report.html"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	code, stdout, _ = runCLI(t, "lesson", "list")
	if code != 0 || !strings.Contains(stdout, "batchnorm") || !strings.Contains(stdout, "배치 정규화") {
		t.Errorf("lesson list: exit %d\n%s", code, stdout)
	}
}

// lesson list shows the measured time of the chosen preset, "–" where it
// was not measured.
func TestLessonList(t *testing.T) {
	tests := []struct {
		preset string
		want   []string // lines that must appear, as regular-expression-free substrings
	}{
		{"", []string{"5   batchnorm       8     4.5 min", "1   data            0     < 0.1 min", "in the quick preset (2 seed(s))"}},
		{"standard", []string{"5   batchnorm       12    –", "in the standard preset (3 seed(s))"}},
		{"full", []string{"7   batch-size      36    –"}},
	}
	for _, tc := range tests {
		args := []string{"lesson", "list"}
		if tc.preset != "" {
			args = append(args, "--preset", tc.preset)
		}
		code, stdout, stderr := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(stdout, w) {
				t.Errorf("%v: no %q in\n%s", args, w, stdout)
			}
		}
	}
	for m, want := range map[float64]string{0.01: "< 0.1 min", 4.5: "4.5 min", 90: "1.5 h"} {
		if got := formatMinutes(m, true); got != want {
			t.Errorf("formatMinutes(%g) = %q, want %q", m, got, want)
		}
	}
	if got := formatMinutes(0, false); got != "–" {
		t.Errorf("not measured: %q", got)
	}
}
