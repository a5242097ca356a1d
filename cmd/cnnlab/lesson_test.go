package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cnnlab/cnnlab/pkg/experiment"
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

// TestLessonTime: lesson time trains each distinct run once and prints
// its projection per run and for the lesson, and rejects bad arguments
// with a usage error. (Timer's test covers the reuse across lessons.)
func TestLessonTime(t *testing.T) {
	data := trainArchive(t, 300, 100)
	code, stdout, stderr := runCLI(t, "lesson", "time", "gap", "--preset", "smoke", "--data", data)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{
		"Lesson 10 — Global Average Pooling vs Flatten (Global Average Pooling의 이해와 적용), smoke preset",
		"[gap] timing 1/2: flatten", "[gap] timing 2/2: gap", "\nflatten  ", "\ngap  ", "lesson: ",
		"each distinct run trained for 1 epoch(s)",
	} {
		if !strings.Contains(stdout+stderr, want) {
			t.Errorf("no %q in\n%s\n%s", want, stdout, stderr)
		}
	}
	for _, args := range [][]string{
		{"lesson", "time", "gap", "first-cnn"},
		{"lesson", "time", "nope"},
		{"lesson", "time", "gap", "--epochs", "0"},
		{"lesson", "time", "gap", "--preset", "huge"},
	} {
		if code, _, stderr := runCLI(t, append(args, "--data", data)...); code != 2 {
			t.Errorf("%v: exit %d, want 2: %s", args, code, stderr)
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
	// A run's weights name a lesson's model, not a preset: evaluate finds it.
	weights := filepath.Join(out, experiment.RunsFolder, "00-flatten-seed42.weights.ckpt")
	code, stdout, stderr = runCLI(t, "evaluate", "--data", data, "--weights", weights)
	if code != 0 || !strings.Contains(stderr, `model: "flatten", from lesson gap, run "flatten", preset smoke`) ||
		!strings.Contains(stdout, "accuracy") {
		t.Errorf("evaluate --weights %s: exit %d\n%s\n%s", weights, code, stdout, stderr)
	}
	if code, _, stderr = runCLI(t, "evaluate", "--data", data, "--weights", weights, "--model", "baseline"); code != 2 ||
		!strings.Contains(stderr, "drop --model and --width") {
		t.Errorf("evaluate --model baseline of a lesson's weights: exit %d, %s", code, stderr)
	}
	code, stdout, stderr = runCLI(t, "lesson", "claims", "gap", "--root", root, "--presets", "smoke,quick")
	for _, want := range []string{"#### Lesson 10 — Global Average Pooling vs Flatten", "| the course says | smoke | quick |",
		"| GAP has far fewer parameters | **too small to judge (smoke preset)** (4800 vs 14784) | not run |", "| not run |"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("lesson claims: exit %d, no %q in\n%s%s", code, want, stdout, stderr)
		}
	}
	if code, _, stderr = runCLI(t, "lesson", "claims", "--presets", "smoke,huge"); code != 2 || !strings.Contains(stderr, `"huge" is not a preset`) {
		t.Errorf("lesson claims --presets smoke,huge: exit %d, %s", code, stderr)
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
		{"", []string{"5   batchnorm       8     4.5 min", "14  fast            16    7.5 min", "1   data            0     < 0.1 min", "in the quick preset (2 seed(s))"}},
		{"standard", []string{"5   batchnorm       12    1.2 h", "7   batch-size      18    2.1 h", "14  fast            24    4.2 h",
			"in the standard preset (3 seed(s))", "measured: projected by cnnlab lesson time all --preset standard"}},
		{"full", []string{"7   batch-size      36    –", "; – where not measured\n"}},
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

// TestLessonShardsAsProcesses does what deploy/ asks of a cluster, with
// local processes: the shards of a lesson run as several processes at
// once (as array tasks would), lesson report merges them, and the merged
// runs are the runs of one process (times aside).
func TestLessonShardsAsProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a lesson three times over")
	}
	data := trainArchive(t, 300, 100)
	sharded, single := t.TempDir(), t.TempDir()
	const shards = 3
	var procs []*exec.Cmd
	var outs []*bytes.Buffer
	for i := range shards {
		cmd := exec.Command(os.Args[0], "-test.run=^TestBackendChild$")
		cmd.Env = append(os.Environ(), fmt.Sprintf("CNNLAB_TEST_CHILD=lesson run batchnorm --preset smoke --data %s --out %s --shard %d/%d --verbose 0",
			data, sharded, i, shards))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		procs, outs = append(procs, cmd), append(outs, &out)
	}
	for i, cmd := range procs {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("shard %d/%d: %v\n%s", i, shards, err, outs[i])
		}
	}
	dir := filepath.Join(sharded, "smoke", "batchnorm")
	if code, stdout, stderr := runCLI(t, "lesson", "report", "--dir", dir, "--data", data); code != 0 || !strings.Contains(stdout, "4 of 4 runs") {
		t.Fatalf("lesson report: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if code, stdout, stderr := runCLI(t, "lesson", "run", "batchnorm", "--preset", "smoke", "--data", data, "--out", single, "--verbose", "0"); code != 0 {
		t.Fatalf("one process: exit %d\n%s\n%s", code, stdout, stderr)
	}
	got, err := experiment.ReadResults(dir)
	if err != nil {
		t.Fatal(err)
	}
	want, err := experiment.ReadResults(filepath.Join(single, "smoke", "batchnorm"))
	if err != nil {
		t.Fatal(err)
	}
	if a, b := runSet(t, got), runSet(t, want); a != b {
		t.Errorf("merged shards differ from one process:\n got %s\nwant %s", a, b)
	}
	if len(got.Facts) != len(want.Facts) || len(got.Verdicts) != len(want.Verdicts) {
		t.Errorf("merged: %d facts, %d verdicts; one process: %d, %d", len(got.Facts), len(got.Verdicts), len(want.Facts), len(want.Verdicts))
	}
}

// runSet returns a lesson's runs as JSON without what differs between two
// trainings of the same run: times, and the record of where it ran.
func runSet(t *testing.T, r *experiment.Results) string {
	t.Helper()
	type run struct {
		Key       string
		Seed      int64
		Accuracy  float64
		Loss      float64
		Confusion [10][10]int
		History   []map[string]float64
	}
	var runs []run
	for _, x := range r.Runs {
		h := []map[string]float64{}
		for _, l := range x.History.Epochs {
			c := map[string]float64{}
			for k, v := range l {
				if k != "time" {
					c[k] = v
				}
			}
			h = append(h, c)
		}
		runs = append(runs, run{x.Key, x.Seed, float64(x.TestAccuracy), float64(x.TestLoss), x.Confusion, h})
	}
	b, err := json.Marshal(runs)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
