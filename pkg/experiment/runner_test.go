package experiment

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cnnlab/cnnlab/cifar"
	"github.com/cnnlab/cnnlab/internal/cifartest"
	"github.com/cnnlab/cnnlab/pkg/fit"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

// smokeData is a small synthetic CIFAR-10, sorted by class.
var smokeData = cifartest.Data(300, 120)

// Two lessons to run the engine with: the runs of the course's gap and
// filter-size lessons.
var (
	gapLike = &Lesson{Number: 10, Name: "gap-like", Runs: func(Settings) []RunSpec {
		return []RunSpec{{Label: "flatten", Arch: nn.Arch{}}, {Label: "gap", Arch: nn.Arch{Head: "gap"}}}
	}}
	filterSizeLike = &Lesson{Number: 3, Name: "filter-size-like", Runs: func(Settings) []RunSpec {
		return []RunSpec{{Label: "3x3", Arch: nn.Arch{KernelSize: 3}}, {Label: "5x5", Arch: nn.Arch{KernelSize: 5}}}
	}}
)

// stripTimes returns the results without wall-clock values, to compare
// two runs of the same lesson.
func stripTimes(t *testing.T, r *Results) string {
	t.Helper()
	c := *r
	c.Runs = nil
	for _, run := range r.Runs {
		run.EpochSeconds, run.Seconds = 0, 0
		h := *run.History
		h.Epochs = nil
		for _, l := range run.History.Epochs {
			l = maps(l)
			delete(l, "time")
			h.Epochs = append(h.Epochs, l)
		}
		run.History = &h
		c.Runs = append(c.Runs, run)
	}
	c.Verdicts = nil // timing claims
	c.Facts = nil
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func maps(l map[string]float64) map[string]float64 {
	c := make(map[string]float64, len(l))
	for k, v := range l {
		c[k] = v
	}
	return c
}

// TestResumeAfterInterruption: a lesson stopped after its first run and
// started again with the same folder trains only the rest and gives the
// same results as an uninterrupted run.
func TestResumeAfterInterruption(t *testing.T) {
	l := gapLike
	want, err := Run(l, Options{Preset: Smoke, Data: smokeData, Out: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	stop := errors.New("killed")
	_, err = Run(l, Options{Preset: Smoke, Data: smokeData, Out: dir, AfterRun: func(r *Results) error {
		if len(r.Runs) == 1 {
			return stop
		}
		return nil
	}})
	if !errors.Is(err, stop) {
		t.Fatalf("interrupted run: %v", err)
	}
	trained := 0
	got, err := Run(l, Options{Preset: Smoke, Data: smokeData, Out: dir, Progress: func(RunProgress) { trained++ }})
	if err != nil {
		t.Fatal(err)
	}
	if trained != 1 {
		t.Errorf("the resumed lesson trained %d runs, want 1", trained)
	}
	if a, b := stripTimes(t, got), stripTimes(t, want); a != b {
		t.Errorf("resumed results differ:\n got %s\nwant %s", a, b)
	}
	// Another preset in the same folder is refused.
	if _, err := Run(l, Options{Preset: Quick, Data: smokeData, Out: dir}); err == nil || !strings.Contains(err.Error(), "smoke") {
		t.Errorf("quick preset into a smoke folder: %v", err)
	}
}

// TestRunSeconds: a run resumed from its checkpoint counts the epochs
// that the stopped processes ran, not only the last process's time (a
// depth-stride run stopped at epoch 10 of 15 recorded 231 s for 15 epochs
// of 44 s).
func TestRunSeconds(t *testing.T) {
	resumed := &fit.TrainState{Epoch: 2, History: &fit.History{Epochs: []fit.Logs{{"time": 10}, {"time": 12.5}}}}
	tests := []struct {
		name    string
		resumed *fit.TrainState
		elapsed time.Duration
		want    float64
	}{
		{"fresh", nil, 30 * time.Second, 30},
		{"resumed after two epochs", resumed, 5 * time.Second, 27.5},
		{"no history", &fit.TrainState{}, 5 * time.Second, 5},
	}
	for _, tc := range tests {
		if got := runSeconds(tc.resumed, tc.elapsed); got != tc.want {
			t.Errorf("%s: %v s, want %v", tc.name, got, tc.want)
		}
	}
}

// TestShardsMerge: two shards writing into one folder, merged, give the
// results of one process.
func TestShardsMerge(t *testing.T) {
	l := filterSizeLike
	want, err := Run(l, Options{Preset: Smoke, Data: smokeData, Out: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for i := range 2 {
		r, err := Run(l, Options{Preset: Smoke, Data: smokeData, Out: dir, Shard: Shard{Index: i, Count: 2}})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 && (r.Complete() || len(r.Runs) != 1) {
			t.Errorf("shard 0/2 holds %d of %d runs", len(r.Runs), r.Planned)
		}
	}
	got, err := Merge(l, Options{Preset: Smoke, Data: smokeData, Out: dir})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := stripTimes(t, got), stripTimes(t, want); a != b {
		t.Errorf("merged shards differ from one process:\n got %s\nwant %s", a, b)
	}
	if _, err := os.Stat(filepath.Join(dir, "results.json")); err != nil {
		t.Error(err)
	}
	if _, err := ParseShard("2/2"); err == nil {
		t.Error("ParseShard(2/2): no error")
	}
	if s, err := ParseShard("1/3"); err != nil || s != (Shard{1, 3}) {
		t.Errorf("ParseShard(1/3) = %v, %v", s, err)
	}
}

// The small presets train BN models with momentum 0.9 (few steps: see
// Settings.BNMomentum), the full one with Keras's 0.99; a run that sets
// its own momentum keeps it, and models without BN are untouched.
func TestBatchNormMomentumOfPresets(t *testing.T) {
	quick, _ := SettingsFor("quick")
	full, _ := SettingsFor("full")
	bn := nn.Arch{BatchNorm: true}
	for _, c := range []struct {
		s    Settings
		a    nn.Arch
		want string
	}{
		{quick, bn, "conv [32 64 128] x2 3x3 + BN (momentum 0.9), pool, flatten head, width 0.5"},
		{full, bn, "conv [32 64 128] x2 3x3 + BN, pool, flatten head"},
		{quick, nn.Arch{BatchNorm: true, BNMomentum: 0.95}, "conv [32 64 128] x2 3x3 + BN (momentum 0.95), pool, flatten head, width 0.5"},
		{quick, nn.Arch{}, "conv [32 64 128] x2 3x3, pool, flatten head, width 0.5"},
	} {
		if got := c.s.Sized(c.a).String(); got != c.want {
			t.Errorf("%s preset, %+v: %q, want %q", c.s.Preset, c.a, got, c.want)
		}
	}
	if _, err := (nn.Arch{BatchNorm: true, BNMomentum: 1.5}).Model("m"); err == nil || !strings.Contains(err.Error(), "momentum") {
		t.Errorf("momentum 1.5: %v", err)
	}
}

func TestPresets(t *testing.T) {
	for _, p := range Presets() {
		s, err := SettingsFor(p)
		if err != nil || s.BatchSize != 64 || s.HoldOut != 0.15 || s.Seeds < 1 {
			t.Errorf("preset %s: %+v, %v", p, s, err)
		}
	}
	if s, _ := SettingsFor("quick"); s.Seeds < 2 {
		t.Errorf("quick preset has %d seeds, want at least 2", s.Seeds)
	}
	if s, _ := SettingsFor("full"); s.Seeds != 3 || s.Train != 0 || s.Width != 1 {
		t.Errorf("full preset %+v: want all data, width 1, 3 seeds", s)
	}
	if _, err := SettingsFor("huge"); err == nil || !strings.Contains(err.Error(), "smoke, quick, standard, full") {
		t.Errorf("unknown preset error %v", err)
	}
	if DefaultPreset("xla:cuda") != Full || DefaultPreset("go:parallelism=-1") != Quick {
		t.Error("DefaultPreset")
	}
	if got := reflect.TypeOf(Float(0)).Kind(); got != reflect.Float64 {
		t.Error(got)
	}
}

// TestReadResultsMissing: a folder without results.json is named in the
// error, which matches fs.ErrNotExist so that callers can skip it.
func TestReadResultsMissing(t *testing.T) {
	dir := t.TempDir()
	_, err := ReadResults(dir)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), dir+" holds no results.json") {
		t.Errorf("ReadResults(an empty folder) = %v, want an error naming it that matches fs.ErrNotExist", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadResults(dir); err == nil || errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadResults(a truncated results.json) = %v, want a reading error", err)
	}
}

// TestTrainedWithoutWeights: committed results keep no weights, so a fact
// that needs a run's weights trains the run again for them (with its seed
// and settings: the same weights here) and leaves its record as it was;
// without a dataset it says which run lacks them.
func TestTrainedWithoutWeights(t *testing.T) {
	l := &Lesson{Number: 2, Name: "weights-fact", Runs: func(Settings) []RunSpec {
		return []RunSpec{{Label: "baseline", Arch: nn.Arch{}}}
	}}
	l.Facts = []FactSpec{{Name: "acc", Title: "test accuracy of the final weights", Compute: func(e *Env) (Fact, error) {
		tr, _, _, err := e.Trained("baseline")
		if err != nil {
			return Fact{}, err
		}
		_, acc, err := tr.Evaluate(e.Test.Scaled(cifar.UnitScaling), 256)
		return Fact{Values: map[string]float64{"acc": acc}}, err
	}}}
	dir := t.TempDir()
	first, err := Run(l, Options{Preset: Smoke, Data: smokeData, Out: dir})
	if err != nil {
		t.Fatal(err)
	}
	key := first.Runs[0].Key
	weights, record := filepath.Join(dir, RunsFolder, key+".weights.ckpt"), filepath.Join(dir, RunsFolder, key+".json")
	before, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(weights); err != nil {
		t.Fatal(err)
	}
	trained := 0
	again, err := Run(l, Options{Preset: Smoke, Data: smokeData, Out: dir, Progress: func(RunProgress) { trained++ }})
	if err != nil {
		t.Fatal(err)
	}
	if trained != 0 {
		t.Errorf("%d runs trained as new runs, want 0", trained)
	}
	if _, err := os.Stat(weights); err != nil {
		t.Errorf("the weights were not trained again: %v", err)
	}
	if after, err := os.ReadFile(record); err != nil || string(after) != string(before) {
		t.Errorf("the run's record changed (err %v)", err)
	}
	if a, b := again.Facts[0].Values["acc"], first.Facts[0].Values["acc"]; a != b {
		t.Errorf("the fact from the retrained weights: %v, from the first: %v", a, b)
	}
	if err := os.Remove(weights); err != nil {
		t.Fatal(err)
	}
	_, err = Run(l, Options{Preset: Smoke, Out: dir})
	if err == nil || !strings.Contains(err.Error(), key+" has no weights") || !strings.Contains(err.Error(), "no dataset") {
		t.Errorf("no weights and no dataset: got %v, want an error naming the run and the missing dataset", err)
	}
}
