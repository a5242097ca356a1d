package lessons

import (
	"strings"
	"testing"

	"github.com/cnnlab/cnnlab/cifar"
	"github.com/cnnlab/cnnlab/internal/cifartest"
	"github.com/cnnlab/cnnlab/pkg/experiment"
)

// testData returns a small synthetic CIFAR-10 whose classes have distinct
// colours, sorted by class like the shared archive.
func testData(nTrain, nTest int) *cifar.Data { return cifartest.Data(nTrain, nTest) }

var smokeData = testData(300, 120)

// TestEveryLessonSmoke runs every lesson end to end in the smoke preset and
// checks its results.json: every planned run, every fact, a verdict per
// claim.
func TestEveryLessonSmoke(t *testing.T) {
	if len(All()) != 14 {
		t.Fatalf("%d lessons registered, want 14", len(All()))
	}
	for i, l := range All() {
		if l.Number != i+1 {
			t.Fatalf("lesson %q is number %d at position %d", l.Name, l.Number, i+1)
		}
		t.Run(l.Name, func(t *testing.T) {
			dir := t.TempDir()
			r, err := experiment.Run(l, experiment.Options{Preset: experiment.Smoke, Data: smokeData, Out: dir})
			if err != nil {
				t.Fatal(err)
			}
			back, err := experiment.ReadResults(dir)
			if err != nil {
				t.Fatal(err)
			}
			if !back.Complete() || len(back.Runs) != len(l.Plan(r.Settings)) {
				t.Errorf("results.json: %d of %d runs", len(back.Runs), back.Planned)
			}
			if len(back.Facts) != len(l.Facts) || len(back.Verdicts) != len(l.Claims) {
				t.Errorf("results.json: %d facts, %d verdicts; want %d and %d", len(back.Facts), len(back.Verdicts), len(l.Facts), len(l.Claims))
			}
			for _, run := range back.Runs {
				if run.History == nil || len(run.History.Epochs) == 0 || run.Params == 0 || run.Split.Train == 0 || run.Test != 100 {
					t.Errorf("run %s: incomplete record %+v", run.Key, run)
				}
			}
			for _, v := range back.Verdicts {
				if v.Outcome == "" {
					t.Errorf("verdict without outcome: %+v", v)
				}
			}
		})
	}
}

func TestNames(t *testing.T) {
	if _, err := Get("nope"); err == nil || !strings.Contains(err.Error(), "batchnorm") {
		t.Errorf("unknown lesson error %v", err)
	}
	if l, _ := Get("5"); l == nil || l.Name != "batchnorm" {
		t.Error(`Get("5") is not batchnorm`)
	}
}

// Every lesson of the course (1 to 13) carries its measured quick time
// (docs/RESULTS.md), which must be within the quick preset's budget of 10
// minutes on 2 cores, and its standard time; every preset with times says
// how they were measured; the table of measured times names only lessons
// and presets that exist.
func TestMeasuredMinutes(t *testing.T) {
	for _, l := range All() {
		if l.Number > 13 {
			continue // beyond the course's thirteen
		}
		if m, ok := l.Minutes(experiment.Quick); !ok || !(m > 0 && m <= 10) {
			t.Errorf("lesson %s: quick time %g (measured %v), want a measured time in (0, 10]", l.Name, m, ok)
		}
		if _, ok := l.Minutes(experiment.Standard); !ok {
			t.Errorf("lesson %s: no standard time", l.Name)
		}
	}
	for name, row := range measuredMinutes {
		if _, err := Get(name); err != nil {
			t.Error(err)
		}
		for p, m := range row {
			if !experiment.IsPreset(string(p)) || !(m > 0) {
				t.Errorf("measuredMinutes[%s][%s] = %g", name, p, m)
			}
			if MinutesSource(p) == "" {
				t.Errorf("measuredMinutes[%s][%s]: no minutesSource for %s", name, p, p)
			}
		}
	}
	if l, _ := Get("gap"); func() bool { _, ok := l.Minutes(experiment.Full); return ok }() {
		t.Error("gap's full preset reads as measured")
	}
}
