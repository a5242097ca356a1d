package lessons

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/cnnlab/cnnlab/cifar"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

// testData returns a small synthetic CIFAR-10 whose classes have distinct
// colours, sorted by class like the shared archive.
func testData(nTrain, nTest int) *cifar.Data {
	mk := func(n int) *cifar.Dataset {
		d := &cifar.Dataset{Images: make([]uint8, n*cifar.ImageSize), Labels: make([]uint8, n)}
		for i := range n {
			c := i * cifar.NumClasses / n
			d.Labels[i] = uint8(c)
			for p := range cifar.ImageSize {
				d.Images[i*cifar.ImageSize+p] = uint8((25*c + 37*(p%3) + (i*7+p)%50) % 256)
			}
		}
		return d
	}
	return &cifar.Data{Train: mk(nTrain), Test: mk(nTest), Source: "synthetic", Format: "test"}
}

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
			r, err := Run(l, Options{Preset: Smoke, Data: smokeData, Out: dir})
			if err != nil {
				t.Fatal(err)
			}
			back, err := ReadResults(dir)
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
	l, _ := Get("gap")
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

// TestShardsMerge: two shards writing into one folder, merged, give the
// results of one process.
func TestShardsMerge(t *testing.T) {
	l, _ := Get("filter-size")
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

func TestPresetsAndNames(t *testing.T) {
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
	if _, err := Get("nope"); err == nil || !strings.Contains(err.Error(), "batchnorm") {
		t.Errorf("unknown lesson error %v", err)
	}
	if l, _ := Get("5"); l == nil || l.Name != "batchnorm" {
		t.Error(`Get("5") is not batchnorm`)
	}
	if DefaultPreset("xla:cuda") != Full || DefaultPreset("go:parallelism=-1") != Quick {
		t.Error("DefaultPreset")
	}
	if got := reflect.TypeOf(Float(0)).Kind(); got != reflect.Float64 {
		t.Error(got)
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
		if got := c.s.sized(c.a).String(); got != c.want {
			t.Errorf("%s preset, %+v: %q, want %q", c.s.Preset, c.a, got, c.want)
		}
	}
	if _, err := (nn.Arch{BatchNorm: true, BNMomentum: 1.5}).Model("m"); err == nil || !strings.Contains(err.Error(), "momentum") {
		t.Errorf("momentum 1.5: %v", err)
	}
}

// Every lesson carries its measured quick time (docs/RESULTS.md), which
// must be within the quick preset's budget of 10 minutes on 2 cores,
// unless its row says it is not measured yet (empty); the table of
// measured times names only lessons and presets that exist.
func TestMeasuredMinutes(t *testing.T) {
	for _, l := range All() {
		if row, listed := measuredMinutes[l.Name]; listed && len(row) == 0 {
			continue // not measured yet
		}
		if m, ok := l.Minutes(Quick); !ok || !(m > 0 && m <= 10) {
			t.Errorf("lesson %s: quick time %g (measured %v), want a measured time in (0, 10]", l.Name, m, ok)
		}
	}
	for name, row := range measuredMinutes {
		if _, err := Get(name); err != nil {
			t.Error(err)
		}
		for p, m := range row {
			if !isPreset(string(p)) || !(m > 0) {
				t.Errorf("measuredMinutes[%s][%s] = %g", name, p, m)
			}
		}
	}
	if l, _ := Get("gap"); func() bool { _, ok := l.Minutes(Full); return ok }() {
		t.Error("gap's full preset reads as measured")
	}
}
