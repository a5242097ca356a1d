package experiment

import (
	"math"
	"os"
	"testing"

	"github.com/cnnlab/cnnlab/pkg/nn"
)

// TestTimer: a timer trains each distinct run of a lesson once, for its
// epochs only, projects each run's length from the measured epoch, counts
// every seed, times a run identity once across lessons, and leaves
// nothing behind.
func TestTimer(t *testing.T) {
	lesson := &Lesson{Number: 10, Name: "timed", Runs: func(Settings) []RunSpec {
		return []RunSpec{
			{Label: "flatten", Arch: nn.Arch{}},
			{Label: "gap, 3 epochs", Arch: nn.Arch{Head: "gap"}, Epochs: 3},
			{Label: "once", Arch: nn.Arch{}, BatchSize: 16, Once: true},
		}
	}}
	out := t.TempDir()
	var tm Timer
	trained := 0
	opts := Options{Preset: Smoke, Seeds: 2, Data: smokeData, Out: out, Progress: func(RunProgress) { trained++ }}
	got, err := tm.Time(lesson, opts)
	if err != nil {
		t.Fatal(err)
	}
	if trained != 3 {
		t.Errorf("trained %d runs, want 3 (one per label)", trained)
	}
	want := []struct {
		label        string
		runs, epochs int
	}{{"flatten", 2, 1}, {"gap, 3 epochs", 2, 3}, {"once", 1, 1}}
	if len(got.Runs) != len(want) {
		t.Fatalf("got %d run timings, want %d: %+v", len(got.Runs), len(want), got.Runs)
	}
	var total float64
	for i, w := range want {
		r := got.Runs[i]
		if r.Label != w.label || r.Runs != w.runs || r.Epochs != w.epochs || r.TimedEpochs != 1 || r.Reused {
			t.Errorf("run %d: %+v, want label %q, %d runs of %d epochs, 1 timed, not reused", i, r, w.label, w.runs, w.epochs)
		}
		if !(r.EpochSeconds > 0) || r.FixedSeconds < 0 {
			t.Errorf("run %q: epoch %g s, fixed %g s", r.Label, r.EpochSeconds, r.FixedSeconds)
		}
		if s := r.FixedSeconds + float64(w.epochs)*r.EpochSeconds; r.Seconds() != s {
			t.Errorf("run %q: Seconds() = %g, want fixed + %d epochs = %g", r.Label, r.Seconds(), w.epochs, s)
		}
		total += float64(w.runs) * r.Seconds()
	}
	if math.Abs(got.Seconds()-total) > 1e-9*total {
		t.Errorf("lesson: %g s, want the runs' sum %g s", got.Seconds(), total)
	}
	if got.Preset != Smoke || got.Machine.CPU == "" {
		t.Errorf("preset %q, machine %+v", got.Preset, got.Machine)
	}
	if left, err := os.ReadDir(out); err != nil || len(left) != 0 {
		t.Errorf("left in the output folder: %v (%v)", left, err)
	}

	// A second lesson sharing the flatten run (same identity, another
	// label) reuses its timing and trains only its new run.
	other := &Lesson{Number: 11, Name: "other", Runs: func(Settings) []RunSpec {
		return []RunSpec{{Label: "baseline", Arch: nn.Arch{}}, {Label: "5x5", Arch: nn.Arch{KernelSize: 5}}}
	}}
	trained = 0
	again, err := tm.Time(other, opts)
	if err != nil {
		t.Fatal(err)
	}
	if trained != 1 {
		t.Errorf("second lesson trained %d runs, want 1", trained)
	}
	if b := again.Runs[0]; !b.Reused || b.EpochSeconds != got.Runs[0].EpochSeconds || b.Label != "baseline" || b.Runs != 2 {
		t.Errorf("shared run: %+v, want the flatten run's timing %+v, reused, as baseline", b, got.Runs[0])
	}
	if again.Runs[1].Reused {
		t.Errorf("5x5 run reused: %+v", again.Runs[1])
	}
}
